using System.Collections.Generic;
using LeakAnalyzers.Retention;
using LeakAnalyzers.Summaries;
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

        /// <summary><c>new T();</c>, <c>_ = new T();</c>, <c>new T().Member</c>, <c>Use(new T())</c>: nothing keeps the object.</summary>
        Dropped,

        /// <summary>Held in a local that no path releases and nothing takes over.</summary>
        NeverReleased,

        /// <summary>Released (or handed over) on some paths only.</summary>
        NotOnEveryPath,

        /// <summary>Released on normal paths, not when an exception is thrown in between.</summary>
        NotOnExceptionPath,

        /// <summary>The local is overwritten (or re-acquired in a loop) while it still holds the resource.</summary>
        Overwritten,
    }

    /// <summary>The events on one resource-holding local that the flow check needs (found by <see cref="ResourceCheck"/>).</summary>
    internal sealed class LocalUses
    {
        /// <summary>Release calls (Dispose, Free, Return), directly or through a helper that always releases.</summary>
        public List<SyntaxNode> Releases { get; } = new List<SyntaxNode>();

        /// <summary>Hand-overs that end the method's obligation on their path: returned, stored, given to a callee that keeps it.</summary>
        public List<SyntaxNode> HandOvers { get; } = new List<SyntaxNode>();

        public List<SyntaxNode> Reassignments { get; } = new List<SyntaxNode>();

        /// <summary>Reassignments under a condition inside the loop that repeats them.</summary>
        public List<SyntaxNode> ConditionalReassignments { get; } = new List<SyntaxNode>();

        /// <summary>Calls on the resource (or an alias or wrapper of it) that do not release it: <c>socket.Connect()</c>.</summary>
        public List<SyntaxNode> OwnCalls { get; } = new List<SyntaxNode>();
    }

    /// <summary>The result of <see cref="ResourceCheck.Run"/>.</summary>
    internal readonly struct ResourceCheckResult
    {
        public ResourceCheckResult(LeakShape shape, ILocalSymbol? local, bool hasReleases, bool reassigned, List<SyntaxNode>? doubleReleases, string? throwingCall = null)
        {
            ThrowingCall = throwingCall;
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

        /// <summary>The name of the call on the resource whose exception loses it (NotOnExceptionPath), when known.</summary>
        public string? ThrowingCall { get; }

        /// <summary>The words the messages use for the shape.</summary>
        public string Describe(string released) => Shape switch
        {
            LeakShape.Dropped => "dropped without being " + released,
            LeakShape.NeverReleased => "never " + released,
            LeakShape.NotOnEveryPath => "not " + released + " on every path",
            LeakShape.NotOnExceptionPath => ThrowingCall is { } call ? "not " + released + " when '" + call + "' throws" : "not " + released + " when an exception is thrown",
            LeakShape.Overwritten => "overwritten before it is " + released,
            _ => string.Empty,
        };
    }

    /// <summary>
    /// One acquisition, checked: <see cref="ValueTracker"/> follows the new value through the body (aliases, pass-through
    /// and fluent calls, wrappers that own it, with callees answered by their <see cref="MethodSummaries"/>), then, when a
    /// local holds it and nothing unknown happens to it, the bounded flow check on the cached control-flow graph decides
    /// whether every path releases it or hands it over (returned, stored, given to a callee that keeps it).
    /// </summary>
    internal static class ResourceCheck
    {
        public static ResourceCheckResult Run(in OperationAnalysisContext context, IOperation acquisition, bool throughAwait, ResourceKind kind, CompilationModel model)
        {
            var start = throughAwait ? AwaitOf(acquisition) : acquisition;
            if (start is null)
            {
                // The task itself is kept (awaited later, handed on): don't know.
                return default;
            }

            var flow = new FlowContext(model.Summaries, kind, context.CancellationToken);
            if (kind is DisposableKind && ValueFlow.Classify(start, flow) is { Step: FlowStep.Continue, Wraps: true, Next: IObjectCreationOperation wrapper }
                && model.Disposables.IsDisposable(wrapper.Type))
            {
                // new StreamReader(File.OpenRead(path)): the wrapper owns it, and is checked as an acquisition of its own.
                return default;
            }

            var function = BodyIndex.EnclosingFunction(acquisition);
            var tracked = ValueTracker.Follow(new[] { start }, function, flow);
            if (tracked is null)
            {
                return default;
            }

            ILocalSymbol? local = null;
            var uses = new LocalUses();
            var dropped = false;
            foreach (var use in tracked)
            {
                var step = use.Use.Step;
                if (use.Nested && (step is not (FlowStep.Neutral or FlowStep.Discard or FlowStep.Reassign) || ValueTracker.EscapesThroughNestedFunction(use.Value, function, flow)))
                {
                    // Released, stored or aliased in a lambda or local function, or captured by one that outlives the
                    // call (a callback): when that runs is not known here.
                    return default;
                }

                switch (step)
                {
                    case FlowStep.Unknown:
                        return default;
                    case FlowStep.Using when !use.View:
                        return default;
                    case FlowStep.Alias:
                        if (local is null && use.IsTemporary && !use.View)
                        {
                            if (use.Use.Local is not ILocalSymbol first)
                            {
                                // Kept in a parameter variable: the flow check follows locals only. Don't know.
                                return default;
                            }

                            local = first;
                        }

                        break;
                    case FlowStep.Release when !use.View && use.Use.Node is { } released:
                        uses.Releases.Add(released);
                        break;
                    case FlowStep.HandOver when use.Use.Store == StoreKind.Completion && use.Use.Node is { } pending:
                        // socket.SendAsync(args): the args' Completed handlers own them from here.
                        switch (CompletionHandlersRelease(tracked, model, flow))
                        {
                            case true:
                                uses.Releases.Add(pending);
                                break;
                            case null:
                                uses.HandOvers.Add(pending);
                                break;
                        }

                        break;
                    case FlowStep.HandOver when use.Use.Node is { } handedOver:
                        uses.HandOvers.Add(handedOver);
                        break;
                    case FlowStep.Reassign when use.Local is not null && use.Use.Node is { } assignment:
                        if (SymbolEqualityComparer.Default.Equals(use.Local, local))
                        {
                            uses.Reassignments.Add(assignment);
                            if (ConditionalInLoop(assignment))
                            {
                                uses.ConditionalReassignments.Add(assignment);
                            }
                        }

                        break;
                    case FlowStep.Discard:
                    case FlowStep.Neutral when !use.Use.Removes:
                        dropped |= use.IsTemporary && !use.View && !use.Nested;
                        if (step == FlowStep.Neutral && kind is DisposableKind && !use.View && !use.Nested
                            && use.Use.Node is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax call && FailsRoutinely(call, use.Value.Type))
                        {
                            uses.OwnCalls.Add(call);
                        }

                        break;
                }
            }

            if (dropped && local is null && uses.Releases.Count == 0 && uses.HandOvers.Count == 0)
            {
                return new ResourceCheckResult(LeakShape.Dropped, null, false, false, null);
            }

            if (local is null)
            {
                return default;
            }

            var reassigned = uses.Reassignments.Count > 0;
            if (uses.Releases.Count == 0 && uses.HandOvers.Count == 0)
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

            // Handed over on some path: an exception before the hand-over is the caller's idiom (validate, then store), not reported.
            var verdict = ReleaseFlow.Check(graph, function, acquisition.Syntax, local, uses, kind, out var doubleReleases, out var throwingCall,
                exceptionPaths: uses.HandOvers.Count == 0, freshEachIteration: DeclaredInsideLoop(local, acquisition.Syntax), conditionalInLoop: ConditionalInLoop(acquisition.Syntax));
            var shape = verdict switch
            {
                FlowVerdict.NotOnEveryPath => LeakShape.NotOnEveryPath,
                FlowVerdict.NotOnExceptionPath => LeakShape.NotOnExceptionPath,
                FlowVerdict.Overwritten => LeakShape.Overwritten,
                _ => LeakShape.None,
            };
            return new ResourceCheckResult(shape, local, uses.Releases.Count > 0, reassigned, verdict == FlowVerdict.Unknown ? null : doubleReleases,
                shape == LeakShape.NotOnExceptionPath ? CallName(throwingCall) : null);
        }

        /// <summary>
        /// A call on the resource whose failure is routine, not a bug: awaited (I/O: connect, authenticate, open, read), or
        /// on a network, pipe or database object of the BCL (a socket, a listener, a connection, a command). An exception there is how sockets
        /// and connections are lost; a compute call that throws is a bug of its own.
        /// </summary>
        internal static bool FailsRoutinely(Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax call, ITypeSymbol? resourceType)
        {
            for (var p = call.Parent; p is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax
                or Microsoft.CodeAnalysis.CSharp.Syntax.AwaitExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ParenthesizedExpressionSyntax; p = p.Parent)
            {
                if (p is Microsoft.CodeAnalysis.CSharp.Syntax.AwaitExpressionSyntax)
                {
                    return true;
                }
            }

            for (var t = resourceType as INamedTypeSymbol; t != null; t = t.BaseType)
            {
                if (RoutinelyFailing.Contains(SymbolNames.GetMetadataName(t.OriginalDefinition)))
                {
                    return true;
                }
            }

            return resourceType is not null && ImplementsRoutinelyFailing(resourceType);
        }

        /// <summary>The BCL's network, pipe, port and database objects: their connects, opens, accepts and commands fail routinely.</summary>
        private static readonly System.Collections.Generic.HashSet<string> RoutinelyFailing = new System.Collections.Generic.HashSet<string>(System.StringComparer.Ordinal)
        {
            "System.Net.Sockets.Socket", "System.Net.Sockets.TcpClient", "System.Net.Sockets.TcpListener", "System.Net.Sockets.UdpClient",
            "System.Net.Sockets.NetworkStream", "System.Net.Security.AuthenticatedStream", "System.Net.WebSockets.WebSocket",
            "System.IO.Pipes.PipeStream", "System.IO.Ports.SerialPort",
            "System.Data.Common.DbConnection", "System.Data.Common.DbCommand", "System.Data.Common.DbDataReader",
        };

        private static bool ImplementsRoutinelyFailing(ITypeSymbol type)
        {
            foreach (var i in type.AllInterfaces)
            {
                if (i.Name is "IDbConnection" or "IDbCommand" or "IDataReader" && i.ContainingNamespace?.ToDisplayString() == "System.Data")
                {
                    return true;
                }
            }

            return type is INamedTypeSymbol { TypeKind: TypeKind.Interface, Name: "IDbConnection" or "IDbCommand" or "IDataReader" } named
                && named.ContainingNamespace?.ToDisplayString() == "System.Data";
        }

        internal static string? CallName(SyntaxNode? call) => call switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access } => access.Name.Identifier.ValueText,
            Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.SimpleNameSyntax name } => name.Identifier.ValueText,
            _ => null,
        };

        /// <summary>
        /// The Completed handlers this body subscribes on the value: true when one of them (a method of this code) always
        /// releases the event args, false when they all leave them, null when none is subscribed here (someone else's).
        /// </summary>
        private static bool? CompletionHandlersRelease(System.Collections.Generic.List<TrackedUse> tracked, CompilationModel model, FlowContext flow)
        {
            bool? result = null;
            foreach (var use in tracked)
            {
                if (use.Value.Parent is not IEventReferenceOperation { Event.Name: "Completed" } reference
                    || reference.Parent is not IEventAssignmentOperation { Adds: true } subscription
                    || DelegateCaptures.Unwrap(subscription.HandlerValue) is not IMethodReferenceOperation handler)
                {
                    continue;
                }

                var summary = model.Summaries.ForMethod(handler.Method, flow);
                var releases = handler.Method.Parameters.Length == 2 && (summary.EffectsOn(1) & ValueEffects.Released) != 0;
                result = result == true || releases;
            }

            return result;
        }

        /// <summary>The local is declared in the body of the loop the acquisition runs in: every iteration has its own.</summary>
        private static bool DeclaredInsideLoop(ILocalSymbol local, SyntaxNode acquisition)
        {
            var references = local.DeclaringSyntaxReferences;
            if (references.Length == 0)
            {
                return false;
            }

            var declaration = references[0].Span;
            for (var node = acquisition.Parent; node != null && node is not Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax; node = node.Parent)
            {
                switch (node)
                {
                    case Microsoft.CodeAnalysis.CSharp.Syntax.ForStatementSyntax loop:
                        return loop.Statement.Span.Contains(declaration);
                    case Microsoft.CodeAnalysis.CSharp.Syntax.CommonForEachStatementSyntax loop:
                        return loop.Statement.Span.Contains(declaration);
                    case Microsoft.CodeAnalysis.CSharp.Syntax.WhileStatementSyntax loop:
                        return loop.Statement.Span.Contains(declaration);
                    case Microsoft.CodeAnalysis.CSharp.Syntax.DoStatementSyntax loop:
                        return loop.Statement.Span.Contains(declaration);
                }
            }

            return false;
        }

        /// <summary>The acquisition runs under a condition (if, switch, ?:, &&) inside the loop that repeats it.</summary>
        private static bool ConditionalInLoop(SyntaxNode acquisition)
        {
            var conditional = false;
            for (var node = acquisition.Parent; node != null && node is not Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax; node = node.Parent)
            {
                switch (node)
                {
                    case Microsoft.CodeAnalysis.CSharp.Syntax.IfStatementSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ElseClauseSyntax
                        or Microsoft.CodeAnalysis.CSharp.Syntax.SwitchSectionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.SwitchExpressionArmSyntax
                        or Microsoft.CodeAnalysis.CSharp.Syntax.ConditionalExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.CatchClauseSyntax:
                        conditional = true;
                        break;
                    case Microsoft.CodeAnalysis.CSharp.Syntax.ForStatementSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.CommonForEachStatementSyntax
                        or Microsoft.CodeAnalysis.CSharp.Syntax.WhileStatementSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.DoStatementSyntax:
                        return conditional;
                }
            }

            return false;
        }

        /// <summary>The <c>await</c> of a factory call (through conversions and <c>ConfigureAwait</c>), whose result is the resource.</summary>
        private static IOperation? AwaitOf(IOperation call)
        {
            var current = call;
            for (var i = 0; i < 8 && current.Parent != null; i++)
            {
                var parent = current.Parent;
                switch (parent)
                {
                    case IConversionOperation or IParenthesizedOperation:
                        current = parent;
                        continue;
                    case IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure when configure.Instance == current:
                        current = parent;
                        continue;
                    case IAwaitOperation:
                        return parent;
                    default:
                        return null;
                }
            }

            return null;
        }
    }
}
