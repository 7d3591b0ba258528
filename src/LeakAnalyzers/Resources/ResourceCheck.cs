using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>How a newly acquired resource is lost, if it is.</summary>
    internal enum LeakShape
    {
        None,

        /// <summary><c>new T();</c>, <c>_ = new T();</c> or <c>new T().Member</c>: nothing keeps the object.</summary>
        Dropped,

        /// <summary>Held in a local that no path releases and nothing takes over.</summary>
        NeverReleased,

        /// <summary>Released on some paths only.</summary>
        NotOnEveryPath,

        /// <summary>Released on normal paths, not when an exception is thrown in between.</summary>
        NotOnExceptionPath,

        /// <summary>The local is overwritten (or re-acquired in a loop) while it still holds the resource.</summary>
        Overwritten,
    }

    /// <summary>The result of <see cref="ResourceCheck.Run"/>.</summary>
    internal readonly struct ResourceCheckResult
    {
        public ResourceCheckResult(LeakShape shape, ILocalSymbol? local, bool hasReleases, bool reassigned, List<SyntaxNode>? doubleReleases)
        {
            Shape = shape;
            Local = local;
            HasReleases = hasReleases;
            Reassigned = reassigned;
            DoubleReleases = doubleReleases;
        }

        public LeakShape Shape { get; }

        public ILocalSymbol? Local { get; }

        public bool HasReleases { get; }

        public bool Reassigned { get; }

        public List<SyntaxNode>? DoubleReleases { get; }

        /// <summary>The words the messages use for the shape.</summary>
        public string Describe(string released) => Shape switch
        {
            LeakShape.Dropped => "dropped without being " + released,
            LeakShape.NeverReleased => "never " + released,
            LeakShape.NotOnEveryPath => "not " + released + " on every path",
            LeakShape.NotOnExceptionPath => "not " + released + " when an exception is thrown",
            LeakShape.Overwritten => "overwritten before it is " + released,
            _ => string.Empty,
        };
    }

    /// <summary>
    /// Puts <see cref="Ownership"/> and <see cref="ReleaseFlow"/> together for one acquisition: where the value goes, then
    /// (only when the local is released somewhere and never handed over) the flow check on the cached control-flow graph.
    /// </summary>
    internal static class ResourceCheck
    {
        public static ResourceCheckResult Run(in OperationAnalysisContext context, IOperation acquisition, bool throughAwait, ResourceKind kind)
        {
            var local = Ownership.ReceivingLocal(acquisition, throughAwait, out var discarded);
            if (discarded || (local is null && IsDroppedAfterMemberAccess(acquisition, throughAwait)))
            {
                return new ResourceCheckResult(LeakShape.Dropped, null, false, false, null);
            }

            if (local is null)
            {
                return default;
            }

            var function = Ownership.EnclosingFunction(acquisition);
            var root = Ownership.Root(acquisition);
            var uses = Ownership.Classify(root, local, function, acquisition, kind);
            if (uses is null || uses.Escapes || uses.IsUsingResource)
            {
                return default;
            }

            var reassigned = uses.Reassignments.Count > 0;
            if (uses.Releases.Count == 0)
            {
                return new ResourceCheckResult(LeakShape.NeverReleased, local, false, reassigned, null);
            }

            ControlFlowGraph? graph;
            try
            {
                graph = context.GetControlFlowGraph();
            }
            catch (System.ArgumentException)
            {
                // Half-typed code can give an operation block the graph builder rejects: don't know.
                return default;
            }

            var verdict = ReleaseFlow.Check(graph, function, acquisition.Syntax, local, uses, kind, out var doubleReleases);
            var shape = verdict switch
            {
                FlowVerdict.NotOnEveryPath => LeakShape.NotOnEveryPath,
                FlowVerdict.NotOnExceptionPath => LeakShape.NotOnExceptionPath,
                FlowVerdict.Overwritten => LeakShape.Overwritten,
                _ => LeakShape.None,
            };
            return new ResourceCheckResult(shape, local, true, reassigned, verdict == FlowVerdict.Unknown ? null : doubleReleases);
        }

        /// <summary><c>new StreamReader(path).ReadToEnd()</c>: a member of the new object is used and the object itself is dropped.</summary>
        private static bool IsDroppedAfterMemberAccess(IOperation acquisition, bool throughAwait)
        {
            var consumer = Ownership.Consumer(acquisition, throughAwait, out var valueNode);
            ITypeSymbol? resultType;
            switch (consumer)
            {
                case IInvocationOperation invocation when invocation.Instance == valueNode:
                    if (invocation.TargetMethod.Name is "Dispose" or "DisposeAsync" or "Close")
                    {
                        return false;
                    }

                    resultType = invocation.TargetMethod.ReturnType;
                    break;
                case IPropertyReferenceOperation property when property.Instance == valueNode:
                    resultType = property.Property.Type;
                    break;
                case IBinaryOperation:
                case IIsTypeOperation:
                case IIsPatternOperation { Pattern: IConstantPatternOperation or INegatedPatternOperation { Pattern: IConstantPatternOperation } or ITypePatternOperation }:
                    // Console.OpenStandardInput() == Stream.Null: compared, then lost.
                    return true;
                default:
                    return false;
            }

            // A fluent call that may return the object itself (or another disposable built on it): don't know.
            if (resultType is null || resultType.TypeKind == TypeKind.Error || Implements(resultType)
                || SymbolEqualityComparer.Default.Equals(resultType, valueNode.Type) || resultType.SpecialType == SpecialType.System_IDisposable
                || resultType.TypeKind == TypeKind.TypeParameter)
            {
                return false;
            }

            if (resultType is INamedTypeSymbol { IsGenericType: true } generic)
            {
                foreach (var argument in generic.TypeArguments)
                {
                    if (Implements(argument) || SymbolEqualityComparer.Default.Equals(argument, valueNode.Type))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private static bool Implements(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_IDisposable)
            {
                return true;
            }

            foreach (var i in type.AllInterfaces)
            {
                if (i.SpecialType == SpecialType.System_IDisposable || i.Name == "IAsyncDisposable")
                {
                    return true;
                }
            }

            return false;
        }
    }
}
