using System.Collections.Concurrent;
using System.Threading;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// Collection fields whose elements their type owns: every element the type puts in is one it has just created (a
    /// queue of pending socket operations, a pool of connections). Taking an element out (<c>Dequeue</c>, <c>Pop</c>,
    /// <c>Take</c>) hands that ownership to the caller, who must dispose it or put it somewhere again (NLog's TCP sender
    /// dropped dequeued SocketAsyncEventArgs). Decided from the adds in the type's code; memoized per field.
    /// </summary>
    internal sealed class OwnedElements
    {
        private readonly CompilationModel _model;
        private readonly ConcurrentDictionary<IFieldSymbol, bool> _owning = new ConcurrentDictionary<IFieldSymbol, bool>(SymbolEqualityComparer.Default);

        public OwnedElements(CompilationModel model)
        {
            _model = model;
        }

        /// <summary>A call that takes an element out of a collection field of this object whose elements it owns.</summary>
        public bool IsTakeOut(IInvocationOperation invocation, CancellationToken cancellationToken)
        {
            if (invocation.TargetMethod.Name is not ("Dequeue" or "Pop" or "Take" or "RemoveFirst" or "RemoveLast")
                || ValueFlow.Strip(invocation.Instance) is not IFieldReferenceOperation { Instance: IInstanceReferenceOperation or null } collection
                || collection.Type is not INamedTypeSymbol type || !MetadataSummaries.IsCollection(type)
                || !_model.Disposables.IsDisposable(invocation.TargetMethod.ReturnType))
            {
                return false;
            }

            var field = collection.Field.OriginalDefinition;
            return _owning.GetOrAdd(field, f => Compute(f, cancellationToken));
        }

        private bool Compute(IFieldSymbol field, CancellationToken cancellationToken)
        {
            var adds = 0;
            foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
            {
                if (!NameIndex.Mentions(reference.SyntaxTree, field.Name, cancellationToken))
                {
                    continue;
                }

#pragma warning disable RS1030 // Only the type's own declarations that name the field are bound.
                var model = _model.Compilation.GetSemanticModel(reference.SyntaxTree);
#pragma warning restore RS1030
                foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodes())
                {
                    if (node is not IdentifierNameSyntax name || name.Identifier.ValueText != field.Name
                        || model.GetOperation(name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name, cancellationToken) is not IFieldReferenceOperation use
                        || !SymbolEqualityComparer.Default.Equals(use.Field.OriginalDefinition, field))
                    {
                        continue;
                    }

                    if (use.Parent is not IInvocationOperation call || call.Instance != use)
                    {
                        continue;
                    }

                    var summary = MetadataSummaries.Get(call.TargetMethod);
                    for (var i = 0; i < call.Arguments.Length; i++)
                    {
                        if ((summary.EffectsOn(call.Arguments[i].Parameter?.Ordinal ?? -2) & ValueEffects.StoredInInstance) == 0)
                        {
                            continue;
                        }

                        // An element put in: it must be a new object of this code, or the elements are not the type's to hand out.
                        if (!IsFresh(call.Arguments[i].Value, cancellationToken))
                        {
                            return false;
                        }

                        adds++;
                    }
                }
            }

            return adds > 0;
        }

        private bool IsFresh(IOperation value, CancellationToken cancellationToken)
        {
            var flow = new FlowContext(_model.Summaries, AnyResourceKind.Instance, cancellationToken);
            switch (ValueFlow.Strip(value))
            {
                case IObjectCreationOperation:
                    return true;
                case IInvocationOperation invocation:
                    return _model.Summaries.ForCall(invocation, flow).Returns == ReturnKind.New;
                case ILocalReferenceOperation local:
                    var values = BodyIndex.For(BodyIndex.RootOf(local)).ValuesOf(local.Local);
                    if (values.Count == 0)
                    {
                        return false;
                    }

                    foreach (var assigned in values)
                    {
                        if (ValueFlow.Strip(assigned) is not (IObjectCreationOperation or { ConstantValue: { HasValue: true, Value: null } })
                            && !(ValueFlow.Strip(assigned) is IInvocationOperation call && _model.Summaries.ForCall(call, flow).Returns == ReturnKind.New))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return false;
            }
        }
    }
}
