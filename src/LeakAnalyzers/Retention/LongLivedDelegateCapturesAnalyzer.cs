using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Threading;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Retention
{
    /// <summary>
    /// LEAK004: a lambda, anonymous method, local function or instance method group stored somewhere long-lived (a static
    /// field, property, collection or event, a timer, <c>CancellationToken.Register</c> on a token that outlives the call,
    /// <c>ThreadPool.RegisterWaitForSingleObject</c>, a static cache's stored value) that captures <c>this</c> or a local
    /// holding a disposable object or a large buffer, including through the closure it shares with another lambda.
    /// </summary>
    public sealed class LongLivedDelegateCapturesAnalyzer : DiagnosticAnalyzer
    {
        public const string Title = "Long-lived delegate captures this or a large object";

        /// <summary>Property: <c>this</c> or the captured local's name.</summary>
        public const string CapturedProperty = "Captured";

        /// <summary>Property: the kind of long-lived store (<see cref="Sink"/>).</summary>
        public const string SinkProperty = "Sink";

        /// <summary>
        /// Property of a <see cref="Sink.Registration"/> of a method group: the store's method that takes the same
        /// parameters and removes that one (from its summary), for "Unregister in Dispose".
        /// </summary>
        public const string UnregisterProperty = "Unregister";

        /// <summary>Arrays at least this long (elements) count as large buffers.</summary>
        private const int LargeArrayLength = 1024;

        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.LongLivedDelegateCaptures,
            title: Title,
            messageFormat: "The delegate stored in {0} captures {1}, which stays reachable as long as the delegate is stored",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A delegate keeps its target and its closure alive. Stored in a static member, a timer, a registration on a long-lived token or a static cache, a delegate that captures 'this' or a disposable or large local keeps that object graph alive as long as the store.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.LongLivedDelegateCaptures));

        public static readonly DiagnosticDescriptor SharedClosureRule = new DiagnosticDescriptor(
            RuleIdentifiers.LongLivedDelegateCaptures,
            title: Title,
            messageFormat: "The delegate stored in {0} shares its closure with the lambda at line {2}, which captures {1}: {1} stays reachable as long as the delegate is stored",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Lambdas of one scope share one compiler-generated closure object. A long-lived delegate that captures any variable of that scope keeps every variable the other lambdas capture alive, even those it never uses.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.LongLivedDelegateCaptures));

        public static readonly DiagnosticDescriptor RepeatedSubscriptionRule = new DiagnosticDescriptor(
            RuleIdentifiers.LongLivedDelegateCaptures,
            title: Title,
            messageFormat: "A new subscription to '{0}' is made {1} and thrown away: '{0}' keeps every one of them and what their callbacks capture",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A subscription whose IDisposable is dropped ends only when its source completes. Made inside an event handler, or in a method that runs once per request on a source the object keeps, it adds one more callback to the source each time: the source keeps all of them, and everything they capture, for as long as it lives.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.LongLivedDelegateCaptures));

        public static readonly DiagnosticDescriptor PiledSubscriptionRule = new DiagnosticDescriptor(
            RuleIdentifiers.LongLivedDelegateCaptures,
            title: Title,
            messageFormat: "A new subscription is added to '{0}' {1} and nothing takes it out when it ends: '{0}' keeps every one of them until it is disposed",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A composite of subscriptions that a recurring callback adds to — one inner subscription per element or event — and that nothing removes from when an inner subscription completes grows for as long as the outer subscription runs: it keeps every finished subscription and what its observer holds.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.LongLivedDelegateCaptures));

        public static readonly DiagnosticDescriptor ReplacedSubscriptionRule = new DiagnosticDescriptor(
            RuleIdentifiers.LongLivedDelegateCaptures,
            title: Title,
            messageFormat: "'{0}' keeps its subscription to '{1}' in '{2}' and disposes it only when the next one replaces it: the '{3}' it was handed, which may be shared or outlive it, keeps '{0}' alive until then",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A subscription kept in a field and disposed only right before the field takes the next one ends when the value changes again, not when the subscriber goes away. The value it was handed (an owner, a shared resource) keeps the callback, and the subscriber, for as long as it lives. Dispose the subscription when the subscriber goes away as well (Dispose, detach, unload).",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.LongLivedDelegateCaptures));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, SharedClosureRule, RepeatedSubscriptionRule, PiledSubscriptionRule, ReplacedSubscriptionRule);

        /// <summary>The long-lived places a delegate can be stored in.</summary>
        public enum Sink
        {
            /// <summary><c>s_field = delegate</c>: holds only the latest delegate, so only large locals are reported.</summary>
            StaticMember,

            /// <summary><c>s_field += delegate</c>: a multicast delegate that accumulates every caller.</summary>
            StaticMulticast,
            StaticCollection,
            StaticEvent,
            Timer,
            TokenRegistration,
            WaitRegistration,

            /// <summary><c>s_slot ??= ...</c> or <c>if (s_slot == null) s_slot = ...</c> from an instance member: the first instance stays.</summary>
            StaticSlotOnce,

            /// <summary>Handed to a method of this code that keeps it in a static or in a statically reached object (an event bus, a messenger).</summary>
            Registration,

            /// <summary>
            /// A continuation on a task the object was handed (<c>task.ContinueWith(t => OnDone(t))</c>, or with <c>this</c>
            /// as its state) with no cancellation token: a task that never completes keeps the disposed object.
            /// </summary>
            Continuation,

            /// <summary>
            /// A subscription to an observable the object was handed (a constructor parameter, a member filled from one, an
            /// operator chain over either), thrown away in a disposable type: the source keeps the callback after Dispose.
            /// </summary>
            Subscription,

            /// <summary>
            /// A subscription thrown away where it is made again and again — in an event handler, in a method that runs per
            /// request — on a source that outlives each run: the source accumulates one callback per run.
            /// </summary>
            RepeatedSubscription,

            /// <summary>
            /// Background work (<c>Task.Run</c>, <c>StartNew</c>, a new <c>Thread</c>) whose body is a loop that nothing
            /// ends — no exit from it, no cancellation token it observes: it runs, and keeps its target, for the process.
            /// </summary>
            BackgroundLoop,

            /// <summary>
            /// A subscription made in a recurring callback and added to a composite that outlives it and that nothing
            /// removes from: the composite accumulates one finished subscription per run.
            /// </summary>
            PiledSubscription,

            /// <summary>
            /// A subscription to a value the object was handed (a parameter, a property's new value), kept in a member that
            /// is disposed only right before it takes the next one: the last value keeps the callback.
            /// </summary>
            ReplacedSubscription,
        }

        public override void Initialize(AnalysisContext context)
        {
            // Generated parts are read (a Designer.cs part often holds the Dispose that unsubscribes or stops a timer)
            // but never reported on.
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // The publisher model and the per-type facts are made at first use.
                var model = CompilationModel.For(start.Compilation);
                ConcurrentDictionary<INamedTypeSymbol, TypeFacts>? shared = null;
                ConcurrentDictionary<INamedTypeSymbol, TypeFacts> Facts() =>
                    LazyInitializer.EnsureInitialized(ref shared, () => new ConcurrentDictionary<INamedTypeSymbol, TypeFacts>(SymbolEqualityComparer.Default))!;
                start.RegisterOperationAction(c => OnAssignment(c, model.Publishers, new TypeState(c, model.Publishers, Facts())), OperationKind.SimpleAssignment);
                start.RegisterOperationAction(c => OnCompoundAssignment(c, new TypeState(c, model.Publishers, Facts())), OperationKind.CompoundAssignment);
                start.RegisterOperationAction(c => OnCoalesceAssignment(c, new TypeState(c, model.Publishers, Facts())), OperationKind.CoalesceAssignment);
                start.RegisterOperationAction(c => OnInvocation(c, model.Publishers, new TypeState(c, model.Publishers, Facts())), OperationKind.Invocation);
                start.RegisterOperationAction(c => OnObjectCreation(c, model.Publishers, new TypeState(c, model.Publishers, Facts())), OperationKind.ObjectCreation);
                start.RegisterOperationAction(c => OnEventAssignment(c, model.Publishers, new TypeState(c, model.Publishers, Facts())), OperationKind.EventAssignment);
            });
        }

        private static void OnAssignment(OperationAnalysisContext context, PublisherLifetime lifetime, TypeState state)
        {
            var assignment = (ISimpleAssignmentOperation)context.Operation;
            switch (assignment.Target)
            {
                // s_handler = () => ...; s_lazy = new Lazy<T>(() => ...);
                case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member when member.Member.IsStatic && !IsIndexer(member.Member):
                    var once = !context.ContainingSymbol.IsStatic && GuardedByNullCheck(assignment, member.Member);
                    foreach (var stored in StoredDelegates(assignment.Value, 0))
                    {
                        state.Candidate(stored, once ? Sink.StaticSlotOnce : Sink.StaticMember, PlaceOf(member.Member, once), assignment);
                    }

                    break;

                // s_map[key] = () => ...;
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when IsStaticCollection(indexer.Instance, lifetime):
                    foreach (var stored in StoredDelegates(assignment.Value, 0))
                    {
                        state.Candidate(stored, Sink.StaticCollection, "static collection '" + MemberName(indexer.Instance) + "'", assignment);
                    }

                    break;
            }
        }

        /// <summary><c>s_slot ??= () => ...</c> from an instance member: set by the first instance, kept for the process.</summary>
        private static void OnCoalesceAssignment(OperationAnalysisContext context, TypeState state)
        {
            var assignment = (ICoalesceAssignmentOperation)context.Operation;
            if (context.ContainingSymbol.IsStatic
                || assignment.Target is not IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member || !member.Member.IsStatic)
            {
                return;
            }

            foreach (var stored in StoredDelegates(assignment.Value, 0))
            {
                state.Candidate(stored, Sink.StaticSlotOnce, PlaceOf(member.Member, once: true), assignment);
            }
        }

        private static string PlaceOf(ISymbol member, bool once)
            => "static " + KindName(member) + " '" + member.Name + "'" + (once ? " (set once, by the first instance)" : string.Empty);

        /// <summary>The assignment runs only while the member is still null: <c>if (s_slot == null) s_slot = ...</c>.</summary>
        private static bool GuardedByNullCheck(IOperation assignment, ISymbol member)
        {
            var depth = 0;
            for (var current = assignment.Parent; current != null && depth < 6; current = current.Parent, depth++)
            {
                if (current is IConditionalOperation { Condition: { } condition } && TestsNull(condition, member))
                {
                    return true;
                }

                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation or IMethodBodyBaseOperation)
                {
                    return false;
                }
            }

            return false;
        }

        private static bool TestsNull(IOperation condition, ISymbol member)
        {
            bool IsMember(IOperation? operation)
                => DelegateCaptures.Unwrap(operation) is IMemberReferenceOperation reference
                   && SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, member.OriginalDefinition);

            return condition switch
            {
                IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } binary
                    => IsMember(binary.LeftOperand) && binary.RightOperand.ConstantValue is { HasValue: true, Value: null }
                       || IsMember(binary.RightOperand) && binary.LeftOperand.ConstantValue is { HasValue: true, Value: null },
                IIsPatternOperation { Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } } pattern => IsMember(pattern.Value),
                IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and => TestsNull(and.LeftOperand, member) || TestsNull(and.RightOperand, member),
                _ => false,
            };
        }

        private static void OnCompoundAssignment(OperationAnalysisContext context, TypeState state)
        {
            // s_onSaved += Notify: every call appends its delegate to the static multicast delegate.
            var assignment = (ICompoundAssignmentOperation)context.Operation;
            if (assignment.Target is not IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member
                || !member.Member.IsStatic
                || member.Member.GetMemberType() is not { TypeKind: TypeKind.Delegate })
            {
                return;
            }

            if (assignment.OperatorKind == BinaryOperatorKind.Subtract)
            {
                // s_onSaved -= Notify (in Dispose, anywhere in the type) takes it out again: read by TypeFacts when needed.
                return;
            }

            if (assignment.OperatorKind == BinaryOperatorKind.Add)
            {
                foreach (var stored in StoredDelegates(assignment.Value, 0))
                {
                    state.Candidate(stored, Sink.StaticMulticast, "static " + KindName(member.Member) + " '" + member.Member.Name + "'", assignment);
                }
            }
        }

        private static void OnInvocation(OperationAnalysisContext context, PublisherLifetime lifetime, TypeState state)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;

            if (ReportPiledSubscription(context, invocation, lifetime, state))
            {
                return;
            }

            if (IsStaticCollection(invocation.Instance, lifetime))
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate } parameter
                        && parameter.Name.IndexOf("factory", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        // GetOrAdd(key, k => value): the factory runs once; what it returns is stored.
                        if (DelegateCaptures.Unwrap(argument.Value) is IAnonymousFunctionOperation factory)
                        {
                            foreach (var returned in factory.Body.Descendants())
                            {
                                if (returned is IReturnOperation { ReturnedValue: { } value })
                                {
                                    foreach (var stored in StoredDelegates(value, 0))
                                    {
                                        state.Candidate(stored, Sink.StaticCollection, "static cache '" + MemberName(invocation.Instance) + "'", invocation);
                                    }
                                }
                            }
                        }

                        continue;
                    }

                    foreach (var stored in StoredDelegates(argument.Value, 0))
                    {
                        state.Candidate(stored, Sink.StaticCollection, "static collection '" + MemberName(invocation.Instance) + "'", invocation);
                    }
                }

                return;
            }

            var discarded = IsDiscarded(invocation);
            if (!discarded && KeptInMember(invocation) is { } keptIn && ObservableSubscribed(invocation, lifetime) is { } keptSource)
            {
                // _subscription?.Dispose(); _subscription = owner.GetObservable(P).Subscribe(v => X = v);
                state.ReplacedSubscription(invocation, keptSource, keptIn);
            }

            var observed = discarded ? ObservableSubscribed(invocation, lifetime) : null;
            if (discarded && observed is null && ChangesSubscribed(invocation, lifetime) is { } changes
                && ReportRepeatedSubscription(context, invocation, changes, lifetime))
            {
                // A method over a collection's or an object's change notifications that takes callbacks and returns the
                // subscription (ForEachItem(added, removed)): dropped where it runs again and again, it piles up.
                return;
            }

            if (observed is { } source)
            {
                // IObservable<T>.Subscribe or an extension over it that takes callbacks and returns the subscription (an
                // Rx operator written in this code is a static method too: it is a subscription, not a registration).
                // Dropped, nothing can end it: a handed-in source outlives the disposed object; a source made again and
                // again keeps one more callback each time.
                // A subscriber that ends what it keeps — it is disposable, or a stop method disposes the subscriptions it
                // holds in its members — cannot end one it threw away.
                if (context.ContainingSymbol.IsStatic || context.ContainingSymbol.ContainingType is not { } subscriber
                    || !(lifetime.IsDisposable(subscriber) || state.EndsKeptSubscriptions())
                    || !state.IsHandedInObservable(source))
                {
                    ReportRepeatedSubscription(context, invocation, source, lifetime);
                }
                else
                {
                    var place = "the subscription to the observable '" + ConditionalText(source) + "' (thrown away)";
                    foreach (var argument in invocation.Arguments)
                    {
                        if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate })
                        {
                            state.Candidate(argument.Value, Sink.Subscription, place, invocation);
                        }
                    }
                }

                return;
            }

            if (!context.ContainingSymbol.IsStatic
                && (PublisherLifetime.Is(method.ContainingType, lifetime.Task) && method.Name == "Run"
                    || PublisherLifetime.Is(method.ContainingType, lifetime.TaskFactory) && method.Name == "StartNew"))
            {
                ReportBackgroundLoop(invocation.Arguments, state, lifetime, invocation, "'" + method.ContainingType.Name + "." + method.Name + "'");
                return;
            }

            if (!ValueFlow.IsLibrary(method) && MayRegisterOrRemove(invocation))
            {
                OnRegistrationCall(context, invocation, state);
                return;
            }

            if (!discarded)
            {
                return;
            }

            if (PublisherLifetime.Is(method.ContainingType, lifetime.CancellationToken)
                && method.Name is "Register" or "UnsafeRegister"
                && invocation.Instance != null
                && IsNonLocalToken(invocation.Instance))
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate })
                    {
                        state.Candidate(argument.Value, Sink.TokenRegistration, "a registration on the non-local token '" + invocation.Instance.Syntax + "'", invocation);
                    }
                }
            }
            else if (method.Name == "ContinueWith" && IsTask(method.ContainingType) && invocation.Instance is { } task
                && DelegateCaptures.Unwrap(task) is IParameterReferenceOperation handed
                && !context.ContainingSymbol.IsStatic && context.ContainingSymbol.ContainingType is { } owner && lifetime.IsDisposable(owner)
                && !TakesCancellationToken(invocation, lifetime))
            {
                // The object ends with Dispose, the continuation only when the task completes: a task that never does (a
                // user's, a long poll) keeps the continuation and what it holds for as long as the task lives.
                var place = "the continuation of the task '" + handed.Parameter.Name + "' (no cancellation token)";
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate })
                    {
                        state.Candidate(argument.Value, Sink.Continuation, place, invocation);
                    }
                    else if (argument.Parameter is { Type.SpecialType: SpecialType.System_Object }
                        && DelegateCaptures.Unwrap(argument.Value) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
                    {
                        state.StateIsThis(argument.Value, Sink.Continuation, place);
                    }
                }
            }
            else if (PublisherLifetime.Is(method.ContainingType, lifetime.ThreadPool) && method.Name is "RegisterWaitForSingleObject" or "UnsafeRegisterWaitForSingleObject")
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate })
                    {
                        state.Candidate(argument.Value, Sink.WaitRegistration, "ThreadPool.RegisterWaitForSingleObject", invocation);
                    }
                }
            }
        }

        /// <summary>
        /// Cheap tests before a summary is asked for: the receiver outlives the call (a static method, or an object reached
        /// through a static), and an argument is either a delegate that holds <c>this</c> (a registration to check) or
        /// something a removal names (<c>this</c>, a method group, a delegate kept in a member).
        /// </summary>
        private static bool MayRegisterOrRemove(IInvocationOperation invocation)
        {
            if (invocation.Instance is { } instance && !IsStaticallyReached(instance))
            {
                return false;
            }

            foreach (var argument in invocation.Arguments)
            {
                switch (DelegateCaptures.Unwrap(argument.Value))
                {
                    case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    case IMethodReferenceOperation:
                    case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member when member.Type?.TypeKind == TypeKind.Delegate:
                        return true;
                    case IAnonymousFunctionOperation lambda when !lambda.Symbol.IsStatic && argument.Parameter?.Type.TypeKind == TypeKind.Delegate:
                        return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A call to a method of this code that keeps a delegate argument where it outlives the call: in a static (a static
        /// event bus's list), or in the receiver when the receiver is reached through a static (<c>Messenger.Default</c>,
        /// a singleton's registry). Its summary says so; a call whose summary removes the same handler (or every handler of
        /// <c>this</c>: <c>UnregisterAll(this)</c>) from the same type's store undoes it.
        /// </summary>
        private static void OnRegistrationCall(OperationAnalysisContext context, IInvocationOperation invocation, TypeState state)
        {
            var summaries = CompilationModel.For(context.Compilation).Summaries;
            var summary = summaries.ForCall(invocation, new FlowContext(summaries, LeakAnalyzers.Resources.AnyResourceKind.Instance, context.CancellationToken));
            if (summary.IsUnknown)
            {
                return;
            }

            var receiverIsLongLived = invocation.Instance is not null; // statically reached (MayRegisterOrRemove)
            var store = invocation.TargetMethod.ContainingType.OriginalDefinition;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is not { } parameter)
                {
                    continue;
                }

                var effects = summary.EffectsOn(parameter.Ordinal);
                if ((effects & ValueEffects.Removed) != 0)
                {
                    // A removal: read by TypeFacts (RemovalsFrom) when a registration asks.
                    continue;
                }

                if (parameter.Type.TypeKind != TypeKind.Delegate
                    || DelegateCaptures.Unwrap(argument.Value) is not (IAnonymousFunctionOperation or IMethodReferenceOperation))
                {
                    continue;
                }

                // Only the stores the summary pins down: "elsewhere" also means a closure or a work item that runs and is gone.
                var kept = (effects & ValueEffects.StoredInStatic) != 0
                    || receiverIsLongLived && (effects & ValueEffects.StoredInInstance) != 0;
                if (kept && IsDrainedQueue(summary, parameter.Ordinal, summaries, context.Compilation, context.CancellationToken, depth: 0))
                {
                    // Kept in a queue of one-shot callbacks that the store itself empties (a render loop's "run on the
                    // next frame" list): each callback is dropped once it has run.
                    continue;
                }

                if (kept)
                {
                    var receiver = invocation.Instance is { } instance ? instance.Syntax.ToString() : invocation.TargetMethod.ContainingType.Name;
                    var unregister = DelegateCaptures.Unwrap(argument.Value) is IMethodReferenceOperation { Method.IsStatic: false }
                        ? RemovalOf(invocation.TargetMethod, parameter.Ordinal, summaries, context.CancellationToken)?.Name
                        : null;
                    state.Candidate(argument.Value, Sink.Registration, "the registrations of '" + receiver + "' ('" + invocation.TargetMethod.Name + "' keeps it)", invocation, releasable: store, unregister: unregister);
                }
            }
        }

        /// <summary>
        /// The collection the summary says the parameter is stored in is emptied by its own type, whoever registered: it is
        /// cleared, dequeued or taken from (<c>Clear</c>, <c>TryDequeue</c>, <c>TryTake</c>, <c>Pop</c>), set to null, swapped
        /// out in a deconstruction or exchanged (<c>(_queue, _next) = (_next, _queue)</c>, <c>Interlocked.Exchange(ref _list,
        /// null)</c>). Read only for a registration about to be reported.
        /// </summary>
        private static bool IsDrainedQueue(MethodSummary summary, int ordinal, MethodSummaries summaries, Compilation compilation, CancellationToken cancellationToken, int depth)
        {
            if (depth > 3)
            {
                return false;
            }

            foreach (var site in summary.Stores)
            {
                if (site.Parameter != ordinal || site.Removes || site.Location is not { SourceTree: { } tree } location
                    || !compilation.ContainsSyntaxTree(tree))
                {
                    continue;
                }

#pragma warning disable RS1030 // Only for a registration about to be reported.
                var model = compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                var node = tree.GetRoot(cancellationToken).FindNode(location.SourceSpan, getInnermostNodeForTie: true);
                for (var current = model.GetOperation(node, cancellationToken); current != null; current = current.Parent)
                {
                    // Handed on to another method of this code (_clock.RequestAnimationFrame(action)): where that one keeps it.
                    if (current is IInvocationOperation forward && !ValueFlow.IsLibrary(forward.TargetMethod))
                    {
                        var callee = summaries.ForCall(forward, new FlowContext(summaries, LeakAnalyzers.Resources.AnyResourceKind.Instance, cancellationToken));
                        if (callee.IsUnknown)
                        {
                            break;
                        }

                        foreach (var argument in forward.Arguments)
                        {
                            if (argument.Parameter is { } forwarded && (callee.EffectsOn(forwarded.Ordinal) & ValueEffects.Stored) != 0
                                && IsDrainedQueue(callee, forwarded.Ordinal, summaries, compilation, cancellationToken, depth + 1))
                            {
                                return true;
                            }
                        }

                        break;
                    }

                    var collection = current switch
                    {
                        IInvocationOperation { Instance: { } instance } => DelegateCaptures.Unwrap(instance),
                        ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true } indexer } => DelegateCaptures.Unwrap(indexer.Instance),
                        _ => null,
                    };
                    if (collection is IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member)
                    {
                        if (IsDrained(member.Member, compilation, cancellationToken))
                        {
                            return true;
                        }

                        break;
                    }

                    if (current is IBlockOperation or IMethodBodyOperation)
                    {
                        break;
                    }
                }
            }

            return false;
        }

        private static bool IsDrained(ISymbol member, Compilation compilation, CancellationToken cancellationToken)
        {
            var budget = 512;
            foreach (var declaration in member.ContainingType.DeclaringSyntaxReferences)
            {
                var tree = declaration.SyntaxTree;
                if (!NameIndex.Mentions(tree, member.Name, cancellationToken))
                {
                    continue;
                }

#pragma warning disable RS1030 // Only for a registration about to be reported.
                var model = compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                foreach (var token in NameIndex.Occurrences(tree, member.Name, cancellationToken))
                {
                    if (--budget < 0 || !declaration.Span.Contains(token.Span))
                    {
                        continue;
                    }

                    var reference = NameIndex.ReferenceOf((SimpleNameSyntax)token.Parent!);
                    if (model.GetOperation(reference, cancellationToken) is not IMemberReferenceOperation use
                        || !SymbolEqualityComparer.Default.Equals(use.Member.OriginalDefinition, member.OriginalDefinition))
                    {
                        continue;
                    }

                    IOperation current = use;
                    while (current.Parent is IConversionOperation or IParenthesizedOperation)
                    {
                        current = current.Parent;
                    }

                    switch (current.Parent)
                    {
                        case IInvocationOperation invocation when invocation.Instance == current
                            && invocation.TargetMethod.Name is "Clear" or "Dequeue" or "TryDequeue" or "TryTake" or "Pop" or "TryPop":
                        case ISimpleAssignmentOperation assignment when assignment.Target == current
                            && DelegateCaptures.Unwrap(assignment.Value) is { ConstantValue: { HasValue: true, Value: null } } or IDefaultValueOperation:
                        case ITupleOperation { Parent: IDeconstructionAssignmentOperation } tuple when tuple.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == tuple:
                        case IArgumentOperation { Parameter.RefKind: RefKind.Ref, Parent: IInvocationOperation { TargetMethod.Name: "Exchange" } }:
                            return true;
                    }
                }
            }

            return false;
        }

        /// <summary>
        /// The method of the registration's type that takes the same parameters and whose summary removes the one at
        /// <paramref name="ordinal"/> (<c>Subscribe(Action h)</c> / <c>Unsubscribe(Action h)</c>); null when there is none or
        /// more than one.
        /// </summary>
        private static IMethodSymbol? RemovalOf(IMethodSymbol registration, int ordinal, MethodSummaries summaries, CancellationToken cancellationToken)
        {
            IMethodSymbol? found = null;
            foreach (var member in registration.ContainingType.GetMembers())
            {
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } candidate
                    || SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, registration.OriginalDefinition)
                    || candidate.IsStatic != registration.IsStatic || candidate.Parameters.Length != registration.Parameters.Length
                    || candidate.TypeParameters.Length != registration.TypeParameters.Length || candidate.TypeParameters.Length > 0
                    || !candidate.ReturnsVoid && candidate.ReturnType.SpecialType != SpecialType.System_Boolean)
                {
                    continue;
                }

                var same = true;
                for (var i = 0; i < candidate.Parameters.Length && same; i++)
                {
                    same = SymbolEqualityComparer.Default.Equals(candidate.Parameters[i].Type, registration.Parameters[i].Type)
                        && candidate.Parameters[i].RefKind == registration.Parameters[i].RefKind;
                }

                if (!same)
                {
                    continue;
                }

                var summary = summaries.ForMethod(candidate, new FlowContext(summaries, LeakAnalyzers.Resources.AnyResourceKind.Instance, cancellationToken));
                if (!summary.IsUnknown && (summary.EffectsOn(ordinal) & ValueEffects.Removed) != 0)
                {
                    if (found != null)
                    {
                        return null;
                    }

                    found = candidate;
                }
            }

            return found;
        }

        private static void OnObjectCreation(OperationAnalysisContext context, PublisherLifetime lifetime, TypeState state)
        {
            var creation = (IObjectCreationOperation)context.Operation;
            if (PublisherLifetime.Is(creation.Type, lifetime.Thread) && !context.ContainingSymbol.IsStatic)
            {
                ReportBackgroundLoop(creation.Arguments, state, lifetime, creation, "a new 'Thread'");
                return;
            }

            if (!PublisherLifetime.Is(creation.Type, lifetime.ThreadingTimer))
            {
                return;
            }

            // A running timer is rooted by the runtime's timer queue: its callback lives until the timer is disposed.
            // Only timers kept in a member count: an unreferenced timer is collected (another rule's concern).
            if (StoredMember(creation) is not { } member)
            {
                return;
            }

            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate })
                {
                    state.Candidate(argument.Value, Sink.Timer, "the callback of the timer '" + member.Name + "'", creation, member);
                }
            }
        }

        private static void OnEventAssignment(OperationAnalysisContext context, PublisherLifetime lifetime, TypeState state)
        {
            var assignment = (IEventAssignmentOperation)context.Operation;
            if (!assignment.Adds || assignment.EventReference is not IEventReferenceOperation reference)
            {
                return;
            }

            // System.Timers.Timer.Elapsed on a timer the type keeps: the enabled timer is rooted until stopped or disposed.
            if (PublisherLifetime.Is(reference.Event.ContainingType, lifetime.TimersTimer)
                && DelegateCaptures.Unwrap(reference.Instance) is IMemberReferenceOperation { Instance: IInstanceReferenceOperation or null } timer)
            {
                state.Candidate(assignment.HandlerValue, Sink.Timer, "the Elapsed event of the timer '" + timer.Member.Name + "'", assignment, timer.Member);
                return;
            }

            // A dispatcher (UI) timer's Tick: the dispatcher keeps the running timer, and the handler's target, until stopped.
            if (reference.Event.Name == "Tick" && lifetime.IsUiTimer(reference.Event.ContainingType))
            {
                switch (DelegateCaptures.Unwrap(reference.Instance))
                {
                    case IMemberReferenceOperation { Instance: IInstanceReferenceOperation or null } uiTimer:
                        state.Candidate(assignment.HandlerValue, Sink.Timer, "the Tick event of the UI timer '" + uiTimer.Member.Name + "'", assignment, uiTimer.Member);
                        break;
                    case ILocalReferenceOperation local when TimerUse(assignment, local.Local) is (Starts: true, Stops: false):
                        state.Candidate(assignment.HandlerValue, Sink.Timer, "the Tick event of the UI timer '" + local.Local.Name + "'", assignment);
                        break;
                }

                return;
            }

            if (reference.Event.IsStatic || reference.Instance is { } instance && IsStaticallyReached(instance))
            {
                // 'this' captured by an event handler is LEAK003's finding (it also checks for '-='); here only the locals.
                state.Candidate(assignment.HandlerValue, Sink.StaticEvent, "the static event '" + reference.Syntax + "'", assignment);
            }
        }

        /// <summary>
        /// What the method (and the lambdas in it: a one-shot Tick handler) does with the timer held in the local: starts it
        /// (<c>Start()</c>, <c>IsEnabled = true</c>, <c>Enabled = true</c>) and stops it (<c>Stop()</c>, <c>Dispose()</c>, <c>IsEnabled = false</c>).
        /// </summary>
        private static (bool Starts, bool Stops) TimerUse(IOperation within, ILocalSymbol local)
        {
            var index = BodyIndex.For(BodyIndex.RootOf(within));
            if (index.TooLarge)
            {
                return (false, true);
            }

            var (starts, stops) = (false, false);
            foreach (var reference in index.ReferencesTo(local))
            {
                switch (reference.Parent)
                {
                    case IInvocationOperation call when call.Instance == reference:
                        starts |= call.TargetMethod.Name == "Start";
                        stops |= call.TargetMethod.Name is "Stop" or "Dispose";
                        break;
                    case IPropertyReferenceOperation { Property.Name: "IsEnabled" or "Enabled" } enabled
                        when enabled.Parent is ISimpleAssignmentOperation { Value.ConstantValue: { HasValue: true, Value: bool on } } set && set.Target == enabled:
                        starts |= on;
                        stops |= !on;
                        break;
                }
            }

            return (starts, stops);
        }

        /// <summary>
        /// A member holding a timer is released when something disposes or stops it, or when its value leaves the member
        /// (copied to a local, passed on, <c>Interlocked.Exchange(ref _timer, null)</c>): then whoever took it may dispose it.
        /// </summary>
        private static bool ReleasesTimer(IMemberReferenceOperation reference)
        {
            if (reference.Member.GetMemberType() is not INamedTypeSymbol { Name: "Timer" or "DispatcherTimer" })
            {
                return false;
            }

            var parent = reference.Parent;
            while (parent is IConversionOperation)
            {
                parent = parent.Parent;
            }

            switch (parent)
            {
                case IInvocationOperation invocation when invocation.Instance == reference || invocation.Instance is IConversionOperation { Operand: var operand } && operand == reference:
                    return invocation.TargetMethod.Name is "Dispose" or "DisposeAsync" or "Stop" or "Close" or "Change";
                case IConditionalAccessOperation access when access.Operation == reference:
                    return access.WhenNotNull is IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" or "Stop" or "Close" or "Change" };
                case IPropertyReferenceOperation { Property.Name: "IsEnabled" or "Enabled" } enabled
                    when enabled.Parent is ISimpleAssignmentOperation { Value.ConstantValue: { HasValue: true, Value: false } } off && off.Target == enabled:
                    // _timer.IsEnabled = false stops a dispatcher or WinForms timer.
                    return true;
                case IMemberReferenceOperation:
                case ISimpleAssignmentOperation assignment when assignment.Target == reference && assignment.Value.ConstantValue is not { HasValue: true, Value: null }:
                case IIsPatternOperation:
                case IBinaryOperation:
                    return false;
                default:
                    // Read out, passed on, set to null, used in 'using': someone else takes care of it.
                    return true;
            }
        }

        private static ISymbol? HandlerKey(IOperation? value)
            => DelegateCaptures.Unwrap(value) switch
            {
                IMethodReferenceOperation method => method.Method.OriginalDefinition,
                IMemberReferenceOperation member => member.Member.OriginalDefinition,
                ILocalReferenceOperation local => local.Local,
                _ => null,
            };

        /// <summary>
        /// The source of a subscription call: a method returning <see cref="IDisposable"/> on an <c>IObservable&lt;T&gt;</c>
        /// (its instance, or the first argument of an extension method) that takes a callback. Null otherwise.
        /// </summary>
        private static IOperation? ObservableSubscribed(IInvocationOperation invocation, PublisherLifetime lifetime)
        {
            var method = invocation.TargetMethod;
            if (!PublisherLifetime.Is(method.ReturnType, lifetime.Disposable) || lifetime.Observable is null)
            {
                return null;
            }

            IOperation? receiver = invocation.Instance;
            ITypeSymbol? receiverType = receiver?.Type;
            if (method.IsExtensionMethod)
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { Ordinal: 0 } parameter)
                    {
                        receiver = argument.Value;
                        receiverType = parameter.Type;
                    }
                }
            }

            if (receiver is null || !IsObservable(receiverType, lifetime) && !IsObservable(DelegateCaptures.Unwrap(receiver)?.Type, lifetime))
            {
                return null;
            }

            return TakesCallback(invocation) ? receiver : null;
        }

        /// <summary>A value's code, with the <c>a?</c> in front when it is the part after a conditional access's <c>?</c>.</summary>
        private static string ConditionalText(IOperation value)
        {
            var text = value.Syntax.ToString();
            var depth = 0;
            for (var receiver = DelegateCaptures.Unwrap(value); receiver != null && depth++ < 32;)
            {
                switch (receiver)
                {
                    case IConditionalAccessInstanceOperation instance:
                        return DelegateCaptures.ConditionalOperand(instance) is { } operand ? operand.Syntax + "?" + text : text;
                    case IInvocationOperation call:
                        receiver = ReceiverOf(call);
                        continue;
                    case IMemberReferenceOperation member:
                        receiver = member.Instance;
                        continue;
                    default:
                        return text;
                }
            }

            return text;
        }

        private static bool IsObservable(ITypeSymbol? type, PublisherLifetime lifetime)
            => PublisherLifetime.IsOrImplements(type, lifetime.Observable);

        /// <summary>What a call works on: its instance, or the first argument of an extension method (null for a static call).</summary>
        private static IOperation? ReceiverOf(IInvocationOperation call)
        {
            if (!call.TargetMethod.IsExtensionMethod)
            {
                return call.Instance;
            }

            foreach (var argument in call.Arguments)
            {
                if (argument.Parameter is { Ordinal: 0 })
                {
                    return argument.Value;
                }
            }

            return null;
        }

        private static bool TakesCallback(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate })
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The source of a subscription to change notifications: a method returning <see cref="IDisposable"/> that takes a
        /// callback, called on (or, as an extension, over) an <c>INotifyCollectionChanged</c> or <c>INotifyPropertyChanged</c>.
        /// </summary>
        private static IOperation? ChangesSubscribed(IInvocationOperation invocation, PublisherLifetime lifetime)
        {
            var method = invocation.TargetMethod;
            if (!PublisherLifetime.Is(method.ReturnType, lifetime.Disposable) || !lifetime.HasChangeNotifiers)
            {
                return null;
            }

            var receiver = ReceiverOf(invocation);
            return receiver is not null && TakesCallback(invocation) && lifetime.NotifiesChanges(DelegateCaptures.Unwrap(receiver)?.Type) ? receiver : null;
        }

        /// <summary>
        /// Reports a dropped subscription made again and again on a source that outlives each time: inside an event handler
        /// or a callback of another subscription, on a source from outside that handler; or in an instance method that runs
        /// repeatedly (<see cref="CreationSites.IsCalledRepeatedly"/>) or whose callback keeps an object made per call, on a
        /// source this object keeps (its members, a static). A source that ends after its first values (<c>Take</c>,
        /// <c>FirstAsync</c>, <c>TakeUntil</c>..) ends its subscriptions.
        /// </summary>
        private static bool ReportRepeatedSubscription(OperationAnalysisContext context, IInvocationOperation invocation, IOperation source, PublisherLifetime lifetime)
        {
            var root = source;
            for (var depth = 0; depth < 32; depth++)
            {
                root = DelegateCaptures.Unwrap(root);
                if (root is not IInvocationOperation call)
                {
                    break;
                }

                if (EndsEarly(call.TargetMethod))
                {
                    return false;
                }

                var next = ReceiverOf(call);
                if (next is null)
                {
                    // Observable.Interval(..), a factory: a source made here, for this subscription alone.
                    return false;
                }

                root = next;
            }

            if (root is null || EndsEarly(invocation.TargetMethod))
            {
                return false;
            }

            string? when = null;
            for (var current = invocation.Parent; current != null && when is null; current = current.Parent)
            {
                switch (current)
                {
                    case ILocalFunctionOperation:
                        return false;
                    case IAnonymousFunctionOperation handler:
                        if (!OutlivesHandler(root, handler) || RecurringCallbackOf(handler, lifetime) is not { } recurring)
                        {
                            return false;
                        }

                        when = recurring;
                        break;
                }
            }

            if (when is null)
            {
                if (context.ContainingSymbol is not IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary } method || !IsKeptByThisOrStatic(root))
                {
                    return false;
                }

                if (CompilationModel.For(context.Compilation).Creations.IsCalledRepeatedly(method, context.CancellationToken))
                {
                    when = "every time '" + method.Name + "' runs";
                }
                else if (PerCallObjectKept(invocation) is { } kept)
                {
                    when = "on every call of '" + method.Name + "' (each keeps the object in '" + kept + "')";
                }
                else
                {
                    return false;
                }
            }

            var properties = ImmutableDictionary<string, string?>.Empty.Add(SinkProperty, nameof(Sink.RepeatedSubscription));
            var location = invocation.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } ? access.Name.Identifier.GetLocation() : invocation.Syntax.GetLocation();
            context.ReportDiagnostic(Diagnostic.Create(RepeatedSubscriptionRule, location, properties, SourceName(root), when));
            return true;
        }

        /// <summary>Operators after which a source completes on its own: its subscriptions end with it.</summary>
        private static bool EndsEarly(IMethodSymbol method)
            => method.Name is "Take" or "TakeUntil" or "TakeWhile" or "TakeLast" or "First" or "FirstAsync" or "FirstOrDefault" or "FirstOrDefaultAsync"
                or "Last" or "LastAsync" or "LastOrDefault" or "LastOrDefaultAsync" or "Single" or "SingleAsync" or "SingleOrDefault" or "SingleOrDefaultAsync"
                or "ElementAt" or "ElementAtOrDefault" or "Timeout" or "ToTask" or "Amb";

        private static string SourceName(IOperation root)
            => root switch
            {
                IInstanceReferenceOperation => "this",
                IMemberReferenceOperation member => member.Member.Name,
                ILocalReferenceOperation local => local.Local.Name,
                IParameterReferenceOperation parameter => parameter.Parameter.Name,
                _ => root.Syntax.ToString() is { Length: > 60 } text ? text.Substring(0, 57) + "..." : root.Syntax.ToString(),
            };

        /// <summary>The handler is subscribed to an event (<c>+=</c>) or given as a callback to another subscription: it runs again and again.</summary>
        private static string? RecurringCallbackOf(IAnonymousFunctionOperation handler, PublisherLifetime lifetime)
        {
            IOperation? parent = handler.Parent;
            while (parent is IDelegateCreationOperation or IConversionOperation)
            {
                parent = parent.Parent;
            }

            switch (parent)
            {
                case IEventAssignmentOperation { Adds: true } subscription when subscription.EventReference is IEventReferenceOperation reference:
                    return "on every '" + reference.Event.Name + "' event";
                case IArgumentOperation { Parent: IInvocationOperation outer }
                    when (ObservableSubscribed(outer, lifetime) ?? ChangesSubscribed(outer, lifetime)) is { } outerSource:
                    return "on every notification of '" + SourceName(DelegateCaptures.Unwrap(outerSource)!) + "'";
                default:
                    return null;
            }
        }

        /// <summary>
        /// <c>composite.Add(inner)</c> in a callback that runs again and again (an event handler, a subscription's or an
        /// observer's callback kept by the code it is handed to), where <c>inner</c> is made in that run, the composite — a
        /// disposable collection of disposables, a local of the enclosing method or a member of this object — outlives the
        /// run, and nothing but adding to it and disposing it ever uses it: every finished inner subscription stays.
        /// </summary>
        private static bool ReportPiledSubscription(OperationAnalysisContext context, IInvocationOperation invocation, PublisherLifetime lifetime, TypeState state)
        {
            var method = invocation.TargetMethod;
            if (method.IsStatic || invocation.Arguments.Length != 1 || invocation.Arguments[0].Parameter is not { } parameter
                || !PublisherLifetime.IsOrImplements(parameter.Type, lifetime.Disposable, lifetime.AsyncDisposable)
                || DelegateCaptures.Unwrap(invocation.Instance) is not { } composite
                || !PublisherLifetime.IsOrImplements(composite.Type, lifetime.Disposable, lifetime.AsyncDisposable))
            {
                return false;
            }

            ISymbol? kept = composite switch
            {
                ILocalReferenceOperation local => local.Local,
                IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } member => member.Member,
                _ => null,
            };
            if (kept is null || FirstEnclosingFunction(invocation) is not IAnonymousFunctionOperation handler || !OutlivesHandler(composite, handler))
            {
                return false;
            }

            // The call keeps its argument: a collection's Add, or a method of this code whose summary stores it in the instance.
            var summaries = CompilationModel.For(context.Compilation).Summaries;
            var flow = new FlowContext(summaries, LeakAnalyzers.Resources.AnyResourceKind.Instance, context.CancellationToken);
            var adds = ValueFlow.IsLibrary(method)
                ? CollectionMutation.GetCallKind(method.Name) == MemberUseKind.Growth
                : AddsToCollection(summaries.ForCall(invocation, flow), parameter.Ordinal, method.ContainingType);
            if (!adds || MadeInRun(invocation.Arguments[0].Value, handler) is not { } made)
            {
                return false;
            }

            // A callback handed to code that keeps it may run once (a scheduled action): it recurs when each run gets a
            // source of its own to subscribe to (an observer's onNext over a sequence of sequences).
            var when = RecurringCallbackOf(handler, lifetime)
                ?? (OnParameterOf(made, handler) ? KeptCallbackOf(handler, summaries, flow) : null);
            if (when is null)
            {
                return false;
            }

            var onlyAddedAndDisposed = kept is ILocalSymbol
                ? OnlyAddedAndDisposed(RootOf(invocation), kept, method.Name, lifetime)
                : state.OnlyAddedAndDisposed(kept, method.Name);
            if (!onlyAddedAndDisposed)
            {
                return false;
            }

            var properties = ImmutableDictionary<string, string?>.Empty.Add(SinkProperty, nameof(Sink.PiledSubscription));
            var location = invocation.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } ? access.Name.Identifier.GetLocation() : invocation.Syntax.GetLocation();
            context.ReportDiagnostic(Diagnostic.Create(PiledSubscriptionRule, location, properties, composite.Syntax.ToString(), when));
            return true;
        }

        private static IOperation? FirstEnclosingFunction(IOperation operation)
        {
            for (var current = operation.Parent; current != null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation or IMethodBodyBaseOperation)
                {
                    return current;
                }
            }

            return null;
        }

        private static IOperation RootOf(IOperation operation)
        {
            var current = operation;
            while (current.Parent != null)
            {
                current = current.Parent;
            }

            return current;
        }

        /// <summary>
        /// The method keeps the parameter in a collection of the instance (<c>_items.Add(item)</c>): the summary stores it
        /// in a member whose type is a collection, not in a single field that the next call replaces.
        /// </summary>
        private static bool AddsToCollection(MethodSummary summary, int ordinal, INamedTypeSymbol? type)
        {
            if ((summary.EffectsOn(ordinal) & ValueEffects.StoredInInstance) == 0 || type is null)
            {
                return false;
            }

            foreach (var site in summary.Stores)
            {
                if (site.Parameter != ordinal || site.Removes || site.IsStatic)
                {
                    continue;
                }

                for (var current = type; current != null; current = current.BaseType)
                {
                    foreach (var member in current.GetMembers())
                    {
                        if (member is IFieldSymbol or IPropertySymbol && SymbolNames.Qualified(member) == site.Member
                            && member.GetMemberType() is { SpecialType: not SpecialType.System_String } memberType
                            && (memberType.TypeKind == TypeKind.Array || IsEnumerable(memberType)))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        private static bool IsEnumerable(ITypeSymbol type)
        {
            foreach (var implemented in type.AllInterfaces)
            {
                if (implemented.SpecialType == SpecialType.System_Collections_IEnumerable)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The subscription is made on the handler's parameter or on something reached from it (<c>xs.SubscribeAsync(..)</c>, <c>item.Changes.Subscribe(..)</c>).</summary>
        private static bool OnParameterOf(IInvocationOperation made, IAnonymousFunctionOperation handler)
        {
            var current = ReceiverOf(made);
            for (var depth = 0; current != null && depth < 16; depth++)
            {
                switch (DelegateCaptures.Unwrap(current))
                {
                    case IParameterReferenceOperation parameter:
                        return SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, handler.Symbol);
                    case IMemberReferenceOperation member:
                        current = member.Instance;
                        continue;
                    case IInvocationOperation call:
                        current = ReceiverOf(call);
                        continue;
                    default:
                        return false;
                }
            }

            return false;
        }

        /// <summary>The call that makes the value in this run of the handler (directly, awaited, or through a local of the handler).</summary>
        private static IInvocationOperation? MadeInRun(IOperation value, IAnonymousFunctionOperation handler)
        {
            var current = DelegateCaptures.Unwrap(value);
            for (var depth = 0; current != null && depth < 8; depth++)
            {
                switch (current)
                {
                    case IAwaitOperation awaited:
                        current = DelegateCaptures.Unwrap(awaited.Operation);
                        continue;
                    case IInvocationOperation invocation:
                        // inner.ConfigureAwait(false) and the like return what they were given.
                        if (invocation.TargetMethod.Name == "ConfigureAwait" && invocation.Instance is { } instance)
                        {
                            current = DelegateCaptures.Unwrap(instance);
                            continue;
                        }

                        return handler.Syntax.Span.Contains(invocation.Syntax.Span) ? invocation : null;
                    case ILocalReferenceOperation local when local.Local.Locations.Length > 0 && handler.Syntax.Span.Contains(local.Local.Locations[0].SourceSpan):
                        current = DelegateCaptures.Unwrap(LocalAliases.DeclaredValue(local));
                        continue;
                    default:
                        return null;
                }
            }

            return null;
        }

        /// <summary>A callback handed to a method of this code that keeps it (in the object it makes, or in its own): it runs whenever that object is called.</summary>
        private static string? KeptCallbackOf(IAnonymousFunctionOperation handler, MethodSummaries summaries, FlowContext flow)
        {
            if (handler.Symbol.Parameters.Length == 0)
            {
                return null;
            }

            IOperation? parent = handler.Parent;
            while (parent is IDelegateCreationOperation or IConversionOperation)
            {
                parent = parent.Parent;
            }

            if (parent is not IArgumentOperation { Parameter: { } parameter } argument)
            {
                return null;
            }

            MethodSummary? summary = argument.Parent switch
            {
                IInvocationOperation call when !ValueFlow.IsLibrary(call.TargetMethod) => summaries.ForCall(call, flow),
                IObjectCreationOperation { Constructor: { } constructor } when !ValueFlow.IsLibrary(constructor) => summaries.ForConstructor(constructor, flow),
                _ => null,
            };
            var name = argument.Parent switch
            {
                IInvocationOperation call => call.TargetMethod.Name,
                IObjectCreationOperation creation => creation.Type?.Name,
                _ => null,
            };
            return summary is { IsUnknown: false } && (summary.EffectsOn(parameter.Ordinal) & (ValueEffects.Stored | ValueEffects.StoredInResult)) != 0
                ? "each time the callback handed to '" + name + "' runs"
                : null;
        }

        /// <summary>Every use of the local in the method adds to it with this method, disposes it, or hands it on as a plain disposable.</summary>
        private static bool OnlyAddedAndDisposed(IOperation root, ISymbol local, string addName, PublisherLifetime lifetime)
        {
            var budget = 20000;
            foreach (var operation in root.Descendants())
            {
                if (--budget < 0)
                {
                    return false;
                }

                if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                    && !IsAddOrDisposeUse(reference, addName, lifetime))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary><c>c.Add(..)</c>, <c>c.Dispose()</c>, <c>c.DisposeAsync()</c>, or <c>c</c> converted to a disposable interface (it can only be disposed there).</summary>
        private static bool IsAddOrDisposeUse(IOperation reference, string addName, PublisherLifetime lifetime)
        {
            var parent = reference.Parent;
            if (parent is IConversionOperation { Type: { } converted } && IsDisposableInterface(converted, lifetime))
            {
                return true;
            }

            // return (sink, composite) as (ISink, IAsyncDisposable): the tuple's conversion gives the element its type.
            if (parent is ITupleOperation tuple && tuple.Parent is IConversionOperation { Type: INamedTypeSymbol { IsTupleType: true } target })
            {
                var index = tuple.Elements.IndexOf(reference);
                return index >= 0 && index < target.TupleElements.Length && IsDisposableInterface(target.TupleElements[index].Type, lifetime);
            }

            if (parent is IConditionalAccessOperation access && access.Operation == reference)
            {
                foreach (var descendant in access.WhenNotNull.DescendantsAndSelf())
                {
                    if (descendant is IConditionalAccessInstanceOperation instance)
                    {
                        parent = instance.Parent;
                        break;
                    }
                }
            }

            return parent is IInvocationOperation { TargetMethod.Name: var name } call
                && (call.Instance == reference || call.Instance is IConditionalAccessInstanceOperation)
                && (name == addName || name is "Dispose" or "DisposeAsync");
        }

        private static bool IsDisposableInterface(ITypeSymbol type, PublisherLifetime lifetime)
            => PublisherLifetime.Is(type, lifetime.Disposable) || PublisherLifetime.Is(type, lifetime.AsyncDisposable);

        /// <summary>
        /// The delegate handed to background work (a lambda, or a method group of this type) runs a loop that nothing ends:
        /// <c>while (true)</c>, <c>for (;;)</c> or <c>do .. while (true)</c> with no <c>break</c>, <c>return</c>,
        /// <c>throw</c> or <c>goto</c> in it (outside nested functions) and no call in it that is handed a cancellation
        /// token (a cancelled <c>Task.Delay(.., token)</c> ends it). A loop over a flag or a token's
        /// <c>IsCancellationRequested</c> has a stop path and is not reported.
        /// </summary>
        private static void ReportBackgroundLoop(ImmutableArray<IArgumentOperation> arguments, TypeState state, PublisherLifetime lifetime, IOperation store, string starter)
        {
            foreach (var argument in arguments)
            {
                if (argument.Parameter?.Type.TypeKind != TypeKind.Delegate || BodyOf(argument.Value, state) is not { } body || !HasEndlessLoop(body, lifetime))
                {
                    continue;
                }

                state.Candidate(argument.Value, Sink.BackgroundLoop, "a background loop with no way to stop it (" + starter + ")", store);
            }
        }

        private static IOperation? BodyOf(IOperation value, TypeState state)
            => DelegateCaptures.Unwrap(value) switch
            {
                IAnonymousFunctionOperation lambda => lambda.Body,
                IMethodReferenceOperation { Method: { } method, Instance: IInstanceReferenceOperation or null } => state.BodyOf(method),
                _ => null,
            };

        private static bool HasEndlessLoop(IOperation body, PublisherLifetime lifetime)
        {
            var budget = 20000;
            foreach (var operation in body.Descendants())
            {
                if (--budget < 0)
                {
                    return false;
                }

                if (operation is IWhileLoopOperation { Condition: { ConstantValue: { HasValue: true, Value: true } } } or IForLoopOperation { Condition: null }
                    && operation is ILoopOperation loop && !CanLeave(loop, lifetime))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Something in the loop (not in a nested function) leaves it or ends the work, or observes a cancellation token.</summary>
        private static bool CanLeave(ILoopOperation loop, PublisherLifetime lifetime)
        {
            var pending = new Stack<IOperation>();
            pending.Push(loop.Body);
            var budget = 20000;
            while (pending.Count > 0 && --budget > 0)
            {
                var current = pending.Pop();
                switch (current)
                {
                    case IAnonymousFunctionOperation or ILocalFunctionOperation:
                        continue;
                    case IBranchOperation { BranchKind: BranchKind.Break or BranchKind.GoTo }:
                    case IReturnOperation:
                    case IThrowOperation:
                        return true;
                    case IInvocationOperation call:
                        foreach (var argument in call.Arguments)
                        {
                            if (PublisherLifetime.Is(argument.Value.Type, lifetime.CancellationToken))
                            {
                                return true;
                            }
                        }

                        break;
                    case IPropertyReferenceOperation { Property: { Name: "IsCancellationRequested", ContainingType: var owner } }
                        when PublisherLifetime.Is(owner, lifetime.CancellationToken) || PublisherLifetime.Is(owner, lifetime.CancellationTokenSource):
                        return true;
                }

                foreach (var child in current.ChildOperations)
                {
                    pending.Push(child);
                }
            }

            return budget <= 0;
        }

        /// <summary>The source was there before the handler ran: this object's, a static, the enclosing method's parameter or local.</summary>
        private static bool OutlivesHandler(IOperation root, IAnonymousFunctionOperation handler)
        {
            switch (root)
            {
                case IParameterReferenceOperation parameter:
                    return !SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, handler.Symbol);
                case ILocalReferenceOperation local:
                    foreach (var location in local.Local.Locations)
                    {
                        if (handler.Syntax.Span.Contains(location.SourceSpan))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return IsKeptByThisOrStatic(root);
            }
        }

        /// <summary><c>this</c>, or a field or property reached from <c>this</c> or from a static member.</summary>
        private static bool IsKeptByThisOrStatic(IOperation root)
        {
            var current = DelegateCaptures.Unwrap(root);
            for (var depth = 0; current != null && depth < 16; depth++)
            {
                switch (current)
                {
                    case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                        return true;
                    case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member:
                        if (member.Member.IsStatic)
                        {
                            return true;
                        }

                        current = DelegateCaptures.Unwrap(member.Instance);
                        break;
                    default:
                        return false;
                }
            }

            return false;
        }

        /// <summary>A local of the method, made there (<c>new ..</c>), that a callback of the subscription captures: one more such object is kept per call.</summary>
        private static string? PerCallObjectKept(IInvocationOperation invocation)
        {
            var root = DelegateCaptures.Root(invocation);
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is not { Type.TypeKind: TypeKind.Delegate })
                {
                    continue;
                }

                foreach (var variable in DelegateCaptures.Of(argument.Value, root).Variables)
                {
                    if (variable is not ILocalSymbol local)
                    {
                        continue;
                    }

                    foreach (var operation in root.Descendants())
                    {
                        if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                        {
                            if (LocalAliases.DeclaredValue(reference) is IObjectCreationOperation or IArrayCreationOperation)
                            {
                                return local.Name;
                            }

                            break;
                        }
                    }
                }
            }

            return null;
        }

        private static bool IsTask(INamedTypeSymbol? type)
            => type?.OriginalDefinition is { Name: "Task", ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } };

        /// <summary>A <c>CancellationToken</c> argument other than <c>default</c> / <c>CancellationToken.None</c>.</summary>
        private static bool TakesCancellationToken(IInvocationOperation invocation, PublisherLifetime lifetime)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { } parameter && PublisherLifetime.Is(parameter.Type, lifetime.CancellationToken)
                    && argument.ArgumentKind != ArgumentKind.DefaultValue
                    && DelegateCaptures.Unwrap(argument.Value) is not (IDefaultValueOperation or IPropertyReferenceOperation { Property.Name: "None", Property.IsStatic: true }))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsStaticallyReached(IOperation instance)
        {
            for (var current = DelegateCaptures.Unwrap(instance); current != null; current = DelegateCaptures.Unwrap((current as IMemberReferenceOperation)?.Instance))
            {
                if (current is not IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member)
                {
                    return false;
                }

                if (member.Member.IsStatic)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The delegates a stored value carries: the value itself, or delegate arguments of an object it creates (Lazy, Task...).</summary>
        private static IEnumerable<IOperation> StoredDelegates(IOperation? value, int depth)
        {
            value = DelegateCaptures.Unwrap(value);
            switch (value)
            {
                case IAnonymousFunctionOperation or IMethodReferenceOperation:
                    yield return value;
                    break;
                case IObjectCreationOperation creation when depth == 0:
                    foreach (var argument in creation.Arguments)
                    {
                        if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate })
                        {
                            foreach (var inner in StoredDelegates(argument.Value, depth + 1))
                            {
                                yield return inner;
                            }
                        }
                    }

                    break;
            }
        }

        private static ISymbol? StoredMember(IOperation creation)
        {
            var parent = creation.Parent;
            while (parent is IConversionOperation)
            {
                parent = parent.Parent;
            }

            switch (parent)
            {
                case ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member }:
                    return member.Member;
                case IFieldInitializerOperation field when field.InitializedFields.Length == 1:
                    return field.InitializedFields[0];
                case IPropertyInitializerOperation property when property.InitializedProperties.Length == 1:
                    return property.InitializedProperties[0];
                default:
                    return null;
            }
        }

        private static bool IsDiscarded(IOperation operation)
        {
            var current = operation;
            var parent = operation.Parent;
            // (T)x.Subscribe(..); source?.Subscribe(..): the conditional access's value is the call's, or null.
            while (parent is IConversionOperation || parent is IConditionalAccessOperation access && access.WhenNotNull == current)
            {
                current = parent;
                parent = parent.Parent;
            }

            return parent is IExpressionStatementOperation
                || parent is ISimpleAssignmentOperation { Target: IDiscardOperation };
        }

        /// <summary>The instance field or property of this object the call's result is assigned to (<c>_subscription = ..</c>).</summary>
        private static ISymbol? KeptInMember(IOperation operation)
        {
            var current = operation;
            while (current.Parent is IConversionOperation or IParenthesizedOperation)
            {
                current = current.Parent;
            }

            return current.Parent is ISimpleAssignmentOperation
            {
                Target: IMemberReferenceOperation
                {
                    Member: IFieldSymbol { IsStatic: false } or IPropertySymbol { IsStatic: false, IsIndexer: false },
                    Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance },
                } target,
            } assignment && assignment.Value == current
                ? target.Member.OriginalDefinition
                : null;
        }

        /// <summary>
        /// The object a subscription's source belongs to: through operator chains (<c>source.Where(..)</c>), calls on it
        /// (<c>owner.GetObservable(P)</c>), members of it (<c>e.NewValue</c>), and a factory over one of its events
        /// (<c>Observable.FromEventPattern(h =&gt; t.Changed += h, h =&gt; t.Changed -= h)</c>). Null for a source a factory
        /// makes from nothing of anyone's. The calls on the way are added to <paramref name="calls"/> (one of them may hold the
        /// object only weakly: <see cref="WrapsReceiverWeakly"/>).
        /// </summary>
        private static IOperation? SourceOwner(IOperation source, List<IInvocationOperation> calls)
        {
            var current = DelegateCaptures.Unwrap(source);
            for (var depth = 0; current != null && depth < 16; depth++)
            {
                switch (current)
                {
                    case IInvocationOperation call:
                        calls.Add(call);
                        current = ReceiverOf(call) is { } receiver ? DelegateCaptures.Unwrap(receiver) : EventOwnerAdded(call);
                        break;
                    case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol, Instance: { } instance }
                        when DelegateCaptures.Unwrap(instance) is not IInstanceReferenceOperation:
                        current = DelegateCaptures.Unwrap(instance);
                        break;
                    default:
                        return current;
                }
            }

            return null;
        }

        /// <summary>
        /// The called method (of this code) wraps the object it works on in a <c>WeakReference</c>
        /// (<c>new WeakCollectionChangedObservable(new WeakReference&lt;T&gt;(collection))</c>): the observable it makes holds
        /// that object weakly, so what subscribes to it is not kept by the object.
        /// </summary>
        private static bool WrapsReceiverWeakly(IInvocationOperation call, Compilation compilation, CancellationToken cancellationToken)
        {
            var method = call.TargetMethod.OriginalDefinition;
            if (method.IsStatic && !method.IsExtensionMethod || method.IsExtensionMethod && method.Parameters.Length == 0)
            {
                return false;
            }

            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                if (!compilation.ContainsSyntaxTree(reference.SyntaxTree))
                {
                    continue;
                }

#pragma warning disable RS1030 // Only the calls of a subscription's source chain, for a subscription otherwise about to be reported.
                var model = compilation.GetSemanticModel(reference.SyntaxTree);
#pragma warning restore RS1030
                if (model.GetOperation(reference.GetSyntax(cancellationToken), cancellationToken) is not { } body)
                {
                    continue;
                }

                var budget = 2_000;
                foreach (var operation in body.Descendants())
                {
                    if (--budget < 0)
                    {
                        return false;
                    }

                    if (operation is IObjectCreationOperation { Type: { Name: "WeakReference", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } weak)
                    {
                        foreach (var argument in weak.Arguments)
                        {
                            switch (DelegateCaptures.Unwrap(argument.Value))
                            {
                                case IParameterReferenceOperation parameter when method.IsExtensionMethod && parameter.Parameter.Ordinal == 0:
                                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } when !method.IsStatic:
                                    return true;
                            }
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>The object whose event a factory's add-handler callback subscribes its parameter to (<c>h =&gt; t.Changed += h</c>).</summary>
        private static IOperation? EventOwnerAdded(IInvocationOperation factory)
        {
            foreach (var argument in factory.Arguments)
            {
                if (argument.Parameter is not { Type.TypeKind: TypeKind.Delegate } || DelegateCaptures.Unwrap(argument.Value) is not IAnonymousFunctionOperation add)
                {
                    continue;
                }

                foreach (var operation in add.Body.Descendants())
                {
                    if (operation is IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation { Instance: { } owner } } assignment
                        && DelegateCaptures.Unwrap(assignment.HandlerValue) is IParameterReferenceOperation handler
                        && SymbolEqualityComparer.Default.Equals(handler.Parameter.ContainingSymbol, add.Symbol))
                    {
                        return DelegateCaptures.Unwrap(owner);
                    }
                }
            }

            return null;
        }

        private static bool IsNonLocalToken(IOperation instance)
        {
            switch (DelegateCaptures.Unwrap(instance))
            {
                case IParameterReferenceOperation:
                case IFieldReferenceOperation:
                    return true;
                case IPropertyReferenceOperation property:
                    // cts.Token of a local source dies with the method, _cts.Token of the type's own source with the type
                    // (the registration only closes a cycle); _lifetime.ApplicationStopping does not.
                    return DelegateCaptures.Unwrap(property.Instance) switch
                    {
                        ILocalReferenceOperation => false,
                        IMemberReferenceOperation { Instance: IInstanceReferenceOperation, Member: var source }
                            when source.GetMemberType() is { Name: "CancellationTokenSource" } => false,
                        _ => true,
                    };
                default:
                    return false;
            }
        }

        private static bool IsStaticCollection(IOperation? instance, PublisherLifetime lifetime)
        {
            return DelegateCaptures.Unwrap(instance) is IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member
                && member.Member.IsStatic
                && lifetime.Known.GetCollectionKind(member.Member.GetMemberType()) != CollectionKind.None;
        }

        private static bool IsIndexer(ISymbol member) => member is IPropertySymbol { IsIndexer: true };

        private static string KindName(ISymbol member) => member is IFieldSymbol ? "field" : "property";

        private static string MemberName(IOperation? instance)
            => DelegateCaptures.Unwrap(instance) is IMemberReferenceOperation member ? member.Member.Name : "?";

        /// <summary>A local holding a disposable object or a large array; parameters are the caller's and are left alone.</summary>
        private static bool IsHeavy(ISymbol variable, IOperation root, PublisherLifetime lifetime, out string description)
        {
            description = string.Empty;
            if (variable is not ILocalSymbol local)
            {
                return false;
            }

            IOperation? initializer = null;
            foreach (var operation in root.Descendants())
            {
                if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                {
                    initializer = DelegateCaptures.Unwrap(declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value);
                    break;
                }
            }

            if (lifetime.IsDisposable(local.Type) && initializer is IObjectCreationOperation or IInvocationOperation or IAwaitOperation)
            {
                description = "the disposable local '" + local.Name + "'";
                return true;
            }

            if (local.Type is IArrayTypeSymbol)
            {
                switch (initializer)
                {
                    case IArrayCreationOperation creation when creation.DimensionSizes.Length > 0:
                        var size = creation.DimensionSizes[0].ConstantValue;
                        if (!size.HasValue || size.Value is int n && n >= LargeArrayLength)
                        {
                            description = "the buffer '" + local.Name + "'";
                            return true;
                        }

                        return false;
                    case IInvocationOperation:
                    case IAwaitOperation:
                        description = "the buffer '" + local.Name + "'";
                        return true;
                }
            }

            return false;
        }

        /// <summary>The syntax that owns the closure a captured variable lives in (blocks of a body share their function's).</summary>
        private static SyntaxNode? ScopeOf(ISymbol variable)
        {
            var references = variable.DeclaringSyntaxReferences;
            if (references.Length == 0)
            {
                return null;
            }

            var node = references[0].GetSyntax();
            if (variable is IParameterSymbol)
            {
                return node.Parent?.Parent;
            }

            for (var current = node.Parent; current != null; current = current.Parent)
            {
                switch (current)
                {
                    case BlockSyntax block:
                        return block.Parent is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax or AnonymousFunctionExpressionSyntax
                            ? block.Parent
                            : block;
                    case ForStatementSyntax or CommonForEachStatementSyntax or UsingStatementSyntax or CatchClauseSyntax or SwitchSectionSyntax:
                    case BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or ArrowExpressionClauseSyntax:
                    case GlobalStatementSyntax:
                        return current is ArrowExpressionClauseSyntax ? current.Parent : current;
                }
            }

            return null;
        }

        private sealed class Candidate
        {
            public Candidate(IOperation value, Sink sink, string place, IOperation store, ISymbol? releasable, string? unregister)
            {
                Value = value;
                Sink = sink;
                Place = place;
                Store = store;
                Releasable = releasable;
                Unregister = unregister;
            }

            /// <summary>The removal method of a registration (<see cref="UnregisterProperty"/>).</summary>
            public string? Unregister { get; }

            public IOperation Value { get; }

            public Sink Sink { get; }

            public string Place { get; }

            public IOperation Store { get; }

            /// <summary>The member holding the timer: disposing or stopping it anywhere releases the callback.</summary>
            public ISymbol? Releasable { get; }
        }

        /// <summary>
        /// One operation callback's view: a candidate is judged and reported at once, where it is written (so the IDE's
        /// per-document request sees it). What the rest of the type does with the store — stops or disposes a timer,
        /// removes a handler with <c>-=</c> or an <c>Unregister</c> call, in any part of a partial type — is asked of
        /// <see cref="TypeFacts"/>, which reads only the code that names the store, once per type and compilation.
        /// </summary>
        private sealed class TypeState
        {
            private readonly OperationAnalysisContext _context;
            private readonly PublisherLifetime _lifetime;
            private readonly ConcurrentDictionary<INamedTypeSymbol, TypeFacts> _facts;

            public TypeState(OperationAnalysisContext context, PublisherLifetime lifetime, ConcurrentDictionary<INamedTypeSymbol, TypeFacts> facts)
            {
                _context = context;
                _lifetime = lifetime;
                _facts = facts;
            }

            public void Candidate(IOperation value, Sink sink, string place, IOperation store, ISymbol? releasable = null, string? unregister = null)
            {
                if (_context.ContainingSymbol.ContainingType is not { } type)
                {
                    return;
                }

                var candidate = new Candidate(value, sink, place, store, releasable, unregister);
                ReportCandidate(_context, candidate, _lifetime, () => ThisIsLongLived(type), () => IsStillHeld(type, candidate));
            }

            /// <summary><c>this</c> handed to the store as the callback's state: kept just as a capture is.</summary>
            public void StateIsThis(IOperation value, Sink sink, string place)
            {
                if (_context.ContainingSymbol.ContainingType is not { } type || ThisIsLongLived(type))
                {
                    return;
                }

                var properties = ImmutableDictionary<string, string?>.Empty.Add(SinkProperty, sink.ToString()).Add(CapturedProperty, "this");
                _context.ReportDiagnostic(Diagnostic.Create(Rule, value.Syntax.GetLocation(), properties, place, "'this'"));
            }

            /// <summary>
            /// <c>_subscription = value.Subscribe(..)</c> in an instance member, on a value the method is handed (a
            /// parameter, a local made from one: <see cref="Replacement.HandedVariable"/>) that is not sealed (an owner, a
            /// shared resource), with a callback that holds <c>this</c>: reported when every <c>Dispose()</c> of the member
            /// in the type is followed by the next subscription into it (<see cref="TypeFacts.IsDisposedOnlyWhenReplaced"/>),
            /// no call of the source chain holds the value only weakly, the subscriber does not make such values itself, and
            /// nothing but what it subscribes to keeps the subscriber. The cheap tests come first.
            /// </summary>
            public void ReplacedSubscription(IInvocationOperation invocation, IOperation source, ISymbol member)
            {
                var calls = new List<IInvocationOperation>();
                if (_context.ContainingSymbol is not IMethodSymbol { IsStatic: false } method || method.ContainingType is not { IsStatic: false } type
                    || SourceOwner(source, calls) is not { } owner
                    || Replacement.HandedVariable(owner, method) is not { } handed
                    || owner.Type is not { IsReferenceType: true } ownerType || ownerType.SpecialType == SpecialType.System_String
                    || ownerType.IsSealed && ownerType.TypeKind != TypeKind.Interface)
                {
                    return;
                }

                var root = DelegateCaptures.Root(invocation);
                IOperation? callback = null;
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { Type.TypeKind: TypeKind.Delegate } && DelegateCaptures.Of(argument.Value, root).CapturesThis)
                    {
                        callback = DelegateCaptures.Unwrap(argument.Value);
                        break;
                    }
                }

                var cancellationToken = _context.CancellationToken;
                var compilation = _context.Compilation;
                if (callback is null || ThisIsLongLived(type)
                    || !FactsOf(type).IsDisposedOnlyWhenReplaced(member, cancellationToken)
                    || calls.Exists(call => WrapsReceiverWeakly(call, compilation, cancellationToken))
                    || Replacement.CreatesItsOwn(type, ownerType, compilation, cancellationToken)
                    || CompilationModel.For(compilation).Creations.IsKeptOnlyByWhatItSubscribesTo(type, cancellationToken))
                {
                    return;
                }

                var location = callback is IAnonymousFunctionOperation lambda ? DelegateCaptures.LocationOf(lambda) : callback.Syntax.GetLocation();
                var properties = ImmutableDictionary<string, string?>.Empty
                    .Add(SinkProperty, nameof(Sink.ReplacedSubscription))
                    .Add(CapturedProperty, "this");
                _context.ReportDiagnostic(Diagnostic.Create(ReplacedSubscriptionRule, location, properties, type.Name, handed.Name, member.Name, ownerType.Name));
            }

            /// <summary>
            /// The observable was handed in: a constructor (or primary-constructor) parameter of an interface or abstract
            /// type, a member of this type some assignment fills from one, a member of such an object, or an operator chain
            /// (<c>source.Where(..).Replay(1).RefCount()</c>) over any of them. What the object creates itself, <c>this</c>
            /// and static or unknown sources do not count.
            /// </summary>
            public bool IsHandedInObservable(IOperation source)
            {
                if (_context.ContainingSymbol.ContainingType is not { } type)
                {
                    return false;
                }

                var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                return IsHandedIn(source, FactsOf(type), seen, depth: 0);
            }

            private bool IsHandedIn(IOperation? operation, TypeFacts facts, HashSet<ISymbol> seen, int depth)
            {
                operation = DelegateCaptures.Unwrap(operation);
                if (operation is null || depth > 8)
                {
                    return false;
                }

                switch (operation)
                {
                    case IParameterReferenceOperation parameter:
                        return parameter.Parameter.Type is { } parameterType
                            && (parameterType.TypeKind == TypeKind.Interface || parameterType.IsAbstract && parameterType.TypeKind == TypeKind.Class)
                            && (DelegateCaptures.IsPrimaryConstructorParameter(parameter.Parameter)
                                || parameter.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor });
                    case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                        return IsHandedIn(conditional.WhenTrue, facts, seen, depth + 1) || IsHandedIn(whenFalse, facts, seen, depth + 1);
                    case ICoalesceOperation coalesce:
                        return IsHandedIn(coalesce.Value, facts, seen, depth + 1) || IsHandedIn(coalesce.WhenNull, facts, seen, depth + 1);
                    case IConditionalAccessInstanceOperation instance:
                        // plugin?.Start(x): the instance is the conditional access's operand.
                        return IsHandedIn(DelegateCaptures.ConditionalOperand(instance), facts, seen, depth + 1);
                    case IInvocationOperation call when !call.TargetMethod.IsStatic && !call.TargetMethod.IsExtensionMethod
                        && DelegateCaptures.Unwrap(call.Instance) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                        // GetPlugin(x).Start(x): what a method of this type returns (a member filled from a parameter).
                        if (!seen.Add(call.TargetMethod.OriginalDefinition))
                        {
                            return false;
                        }

                        foreach (var value in facts.ReturnedValues(call.TargetMethod, _context.CancellationToken))
                        {
                            if (IsHandedIn(value, facts, seen, depth + 1))
                            {
                                return true;
                            }
                        }

                        return false;
                    case IInvocationOperation call:
                        if (call.TargetMethod.IsExtensionMethod)
                        {
                            foreach (var argument in call.Arguments)
                            {
                                if (argument.Parameter is { Ordinal: 0 })
                                {
                                    return IsHandedIn(argument.Value, facts, seen, depth + 1);
                                }
                            }

                            return false;
                        }

                        return !call.TargetMethod.IsStatic && IsHandedIn(call.Instance, facts, seen, depth + 1);
                    case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member when !member.Member.IsStatic:
                        if (member.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
                        {
                            if (!seen.Add(member.Member.OriginalDefinition))
                            {
                                return false;
                            }

                            foreach (var value in facts.AssignedValues(member.Member, _context.CancellationToken))
                            {
                                if (IsHandedIn(value, facts, seen, depth + 1))
                                {
                                    return true;
                                }
                            }

                            return false;
                        }

                        return IsHandedIn(member.Instance, facts, seen, depth + 1);
                    default:
                        return false;
                }
            }

            /// <summary>Every use of this object's member adds to it with this method or disposes it (initializers are not uses).</summary>
            public bool OnlyAddedAndDisposed(ISymbol member, string addName)
                => _context.ContainingSymbol.ContainingType is { } type && FactsOf(type).OnlyAddedAndDisposed(member, addName, _lifetime, _context.CancellationToken);

            /// <summary>The operation body of a method of this type (for a method group handed to background work).</summary>
            public IOperation? BodyOf(IMethodSymbol method)
            {
                if (_context.ContainingSymbol.ContainingType is not { } type)
                {
                    return null;
                }

                foreach (var value in FactsOf(type).BodiesOf(method, _context.CancellationToken))
                {
                    return value;
                }

                return null;
            }

            /// <summary>The subscriber has a stop path: some member of it disposes an <c>IDisposable</c> this object keeps in a member.</summary>
            public bool EndsKeptSubscriptions()
                => _context.ContainingSymbol.ContainingType is { } type && FactsOf(type).DisposesKeptMember(_lifetime, _context.CancellationToken);

            /// <summary>'this' of a type that lives as long as the process anyway (singletons, configured long-lived types) costs nothing.</summary>
            private bool ThisIsLongLived(INamedTypeSymbol type)
                => CompilationModel.For(_context.Compilation).LongLivedOwners.Contains(type, _context.Options, _context.CancellationToken);

            private bool IsStillHeld(INamedTypeSymbol type, Candidate candidate)
            {
                var cancellationToken = _context.CancellationToken;
                switch (candidate.Sink)
                {
                    case Sink.Registration:
                        return !(candidate.Releasable is INamedTypeSymbol store && FactsOf(type).IsUnregistered(store, HandlerKey(candidate.Value), cancellationToken));
                    case Sink.StaticMulticast when candidate.Store is ICompoundAssignmentOperation { Target: IMemberReferenceOperation member }
                        && HandlerKey(candidate.Value) is { } handler:
                        if (FactsOf(type).IsRemoved(member.Member, handler, cancellationToken))
                        {
                            return false;
                        }

                        break;
                }

                return !(candidate.Sink != Sink.Registration && candidate.Releasable is { } releasable && FactsOf(type).IsReleased(releasable, cancellationToken));
            }

            private TypeFacts FactsOf(INamedTypeSymbol type)
            {
                var top = type.OriginalDefinition;
                while (top.ContainingType is { } containing)
                {
                    top = containing.OriginalDefinition;
                }

                var compilation = _context.Compilation;
                return _facts.GetOrAdd(top, t => new TypeFacts(t, compilation));
            }
        }

        private static void ReportCandidate(OperationAnalysisContext context, Candidate candidate, PublisherLifetime lifetime, Func<bool> thisIsLongLived, Func<bool> stillHeld)
        {
            var root = DelegateCaptures.Root(candidate.Store);
            var captures = DelegateCaptures.Of(candidate.Value, root);
            // A lambda at its arrow; a method group or local function where it is stored (a local function's own
            // declaration is another declaration for the IDE's per-document analysis, which drops what is reported there).
            var location = captures.Body is IAnonymousFunctionOperation body ? DelegateCaptures.LocationOf(body) : DelegateCaptures.Unwrap(candidate.Value)!.Syntax.GetLocation();
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties[SinkProperty] = candidate.Sink.ToString();
            if (candidate.Unregister is { } unregister)
            {
                properties[UnregisterProperty] = unregister;
            }

            // A plain static field or property holds only the latest delegate: one instance, replaced by the next (a main
            // window, a hook procedure kept for native code); 'this' there is not reported, large locals still are.
            if (captures.CapturesThis && candidate.Sink is not (Sink.StaticEvent or Sink.StaticMember) && !thisIsLongLived())
            {
                if (!stillHeld())
                {
                    return;
                }

                properties[CapturedProperty] = "this";
                context.ReportDiagnostic(Diagnostic.Create(Rule, location, properties.ToImmutable(), candidate.Place, "'this'"));
                return;
            }

            foreach (var variable in captures.Variables)
            {
                if (IsHeavy(variable, root, lifetime, out var description))
                {
                    if (!stillHeld())
                    {
                        return;
                    }

                    properties[CapturedProperty] = variable.Name;
                    context.ReportDiagnostic(Diagnostic.Create(Rule, location, properties.ToImmutable(), candidate.Place, description));
                    return;
                }
            }

            // A parameter the callers fill with an object made for the call (Init(system, new Coordinator(..))): a store that
            // accumulates keeps one such object per call.
            if (candidate.Sink is Sink.StaticEvent or Sink.StaticMulticast or Sink.StaticCollection or Sink.Registration)
            {
                foreach (var variable in captures.Variables)
                {
                    if (variable is IParameterSymbol { Type: { IsReferenceType: true, SpecialType: not SpecialType.System_String, TypeKind: not TypeKind.Delegate } } parameter
                        && parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Ordinary } owner
                        && CompilationModel.For(context.Compilation).Creations.LineOfNewObjectPassed(owner, parameter.Ordinal, context.CancellationToken) is { } line)
                    {
                        if (!stillHeld())
                        {
                            return;
                        }

                        properties[CapturedProperty] = parameter.Name;
                        var description = "the parameter '" + parameter.Name + "', a new object at each call (as at line " + line.ToString(CultureInfo.InvariantCulture) + ")";
                        context.ReportDiagnostic(Diagnostic.Create(Rule, location, properties.ToImmutable(), candidate.Place, description));
                        return;
                    }
                }
            }

            if (captures.Body is not IAnonymousFunctionOperation self || captures.Variables.IsEmpty)
            {
                return;
            }

            // The shared closure: another lambda of the same scope captures a heavy local this one never uses.
            var scopes = new HashSet<SyntaxNode>();
            foreach (var variable in captures.Variables)
            {
                if (ScopeOf(variable) is { } scope)
                {
                    scopes.Add(scope);
                }
            }

            foreach (var other in root.Descendants())
            {
                if (other is not IAnonymousFunctionOperation lambda || lambda == self
                    || lambda.Syntax.Span.Contains(self.Syntax.Span) || self.Syntax.Span.Contains(lambda.Syntax.Span))
                {
                    continue;
                }

                var otherCaptures = DelegateCaptures.Of(lambda, root);
                foreach (var variable in otherCaptures.Variables)
                {
                    if (Contains(captures.Variables, variable) || ScopeOf(variable) is not { } scope || !scopes.Contains(scope)
                        || !IsHeavy(variable, root, lifetime, out var description))
                    {
                        continue;
                    }

                    if (!stillHeld())
                    {
                        return;
                    }

                    properties[CapturedProperty] = variable.Name;
                    var otherLocation = DelegateCaptures.LocationOf(lambda);
                    var line = otherLocation.GetLineSpan().StartLinePosition.Line + 1;
                    context.ReportDiagnostic(Diagnostic.Create(
                        SharedClosureRule,
                        location,
                        new[] { otherLocation },
                        properties.ToImmutable(),
                        candidate.Place,
                        description,
                        line.ToString(CultureInfo.InvariantCulture)));
                    return;
                }
            }
        }

        private static bool Contains(ImmutableArray<ISymbol> symbols, ISymbol symbol)
        {
            foreach (var s in symbols)
            {
                if (SymbolEqualityComparer.Default.Equals(s, symbol))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// What the code of one top-level type (every part, generated ones and nested types included) does to the stores
        /// its delegates go to, asked per store and remembered per compilation: only the trees of the type that mention
        /// the store's name are read (<see cref="NameIndex"/>), and only those names are bound.
        /// </summary>
        private sealed class TypeFacts
        {
            /// <summary>Names read per question: past it, what was read stands.</summary>
            private const int MaxReferences = 4000;

            private readonly INamedTypeSymbol _top;
            private readonly Compilation _compilation;
            private readonly ConcurrentDictionary<ISymbol, bool> _released = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<(ISymbol Member, ISymbol Handler), bool> _removed = new ConcurrentDictionary<(ISymbol, ISymbol), bool>();
            private bool? _disposesKept;
            private readonly ConcurrentDictionary<ISymbol, bool> _replacedOnly = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<INamedTypeSymbol, HashSet<ISymbol>> _unregistered = new ConcurrentDictionary<INamedTypeSymbol, HashSet<ISymbol>>(SymbolEqualityComparer.Default);

            public TypeFacts(INamedTypeSymbol top, Compilation compilation)
            {
                _top = top;
                _compilation = compilation;
            }

            /// <summary>Something disposes or stops the timer kept in the member, or takes it out of the member.</summary>
            public bool IsReleased(ISymbol member, CancellationToken cancellationToken)
                => _released.GetOrAdd(member.OriginalDefinition, m =>
                {
                    foreach (var operation in References(m.Name, cancellationToken))
                    {
                        if (operation is IMemberReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, m)
                            && ReleasesTimer(reference))
                        {
                            return true;
                        }
                    }

                    return false;
                });

            /// <summary><c>s_member -= handler</c> somewhere in the type.</summary>
            public bool IsRemoved(ISymbol member, ISymbol handler, CancellationToken cancellationToken)
                => _removed.GetOrAdd((member.OriginalDefinition, handler), key =>
                {
                    foreach (var operation in References(key.Member.Name, cancellationToken))
                    {
                        if (operation is IMemberReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, key.Member)
                            && reference.Parent is ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Subtract } removal && removal.Target == reference
                            && SymbolEqualityComparer.Default.Equals(HandlerKey(removal.Value), key.Handler))
                        {
                            return true;
                        }
                    }

                    return false;
                });

            /// <summary>
            /// Every <c>Dispose()</c> of the subscription kept in the member, in any part of the type, is followed in its
            /// method by the next subscription into it (<see cref="Replacement.IsFollowedByRestart"/>), and there is at least
            /// one: it is disposed only to be replaced. A disposal that is not (a <c>Dispose</c>, a detach), or the value
            /// read out of the member (handed on, added to a <c>CompositeDisposable</c>, copied into a local), ends it.
            /// </summary>
            public bool IsDisposedOnlyWhenReplaced(ISymbol member, CancellationToken cancellationToken)
                => _replacedOnly.GetOrAdd(member.OriginalDefinition, m =>
                {
                    bool Subscribes(IOperation operation)
                        => operation is ISimpleAssignmentOperation { Target: IMemberReferenceOperation target } assignment
                            && SymbolEqualityComparer.Default.Equals(target.Member.OriginalDefinition, m)
                            && DelegateCaptures.Unwrap(assignment.Value) is not ({ ConstantValue: { HasValue: true, Value: null } } or IDefaultValueOperation);

                    var replaced = false;
                    foreach (var operation in References(m.Name, cancellationToken))
                    {
                        if (operation is not IMemberReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, m))
                        {
                            continue;
                        }

                        IOperation current = reference;
                        while (current.Parent is IConversionOperation or IParenthesizedOperation)
                        {
                            current = current.Parent;
                        }

                        IOperation? disposal = current.Parent switch
                        {
                            IInvocationOperation { TargetMethod: { Name: "Dispose", Parameters.Length: 0 } } call when call.Instance == current => call,
                            IConditionalAccessOperation { WhenNotNull: IInvocationOperation { TargetMethod: { Name: "Dispose", Parameters.Length: 0 } } } access
                                when access.Operation == current => access,
                            _ => null,
                        };

                        if (disposal is null)
                        {
                            switch (current.Parent)
                            {
                                case ISimpleAssignmentOperation assignment when assignment.Target == current:
                                case IBinaryOperation:
                                case IIsPatternOperation:
                                case IConditionalAccessOperation:
                                    // Stored, compared with null, or used through ?. for something else than Dispose.
                                    continue;
                                default:
                                    // Read out: whoever takes it may end it.
                                    return false;
                            }
                        }

                        if (!Replacement.IsFollowedByRestart(disposal, Subscribes, _compilation, cancellationToken))
                        {
                            return false;
                        }

                        replaced = true;
                    }

                    return replaced;
                });

            /// <summary>The values this type assigns to its member (<c>_member = value</c>, in any part); initializers are not names.</summary>
            public IEnumerable<IOperation> AssignedValues(ISymbol member, CancellationToken cancellationToken)
            {
                var definition = member.OriginalDefinition;
                foreach (var operation in References(definition.Name, cancellationToken))
                {
                    if (operation is IMemberReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, definition)
                        && reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference)
                    {
                        yield return assignment.Value;
                    }
                }
            }

            /// <summary>
            /// Some member of the type disposes an <c>IDisposable</c> kept in an instance member of this object
            /// (<c>_subscription?.Dispose()</c> in a stop or detach method): the type ends what it keeps.
            /// </summary>
            public bool DisposesKeptMember(PublisherLifetime lifetime, CancellationToken cancellationToken)
            {
                if (_disposesKept is { } known)
                {
                    return known;
                }

                var found = false;
                foreach (var operation in References("Dispose", cancellationToken))
                {
                    if (operation is IInvocationOperation { TargetMethod.Parameters.Length: 0 } call
                        && KeptMemberOf(call.Instance) is { } member && !member.IsStatic
                        && PublisherLifetime.Is(member.GetMemberType(), lifetime.Disposable))
                    {
                        found = true;
                        break;
                    }
                }

                _disposesKept = found;
                return found;
            }

            /// <summary>The member of this object a call works on: <c>_x.Dispose()</c>, <c>this._x.Dispose()</c>, <c>_x?.Dispose()</c>.</summary>
            private static ISymbol? KeptMemberOf(IOperation? instance)
            {
                if (instance is IConditionalAccessInstanceOperation conditional)
                {
                    instance = DelegateCaptures.ConditionalOperand(conditional);
                }

                return DelegateCaptures.Unwrap(instance) is IMemberReferenceOperation
                {
                    Member: IFieldSymbol or IPropertySymbol,
                    Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance },
                } reference
                    ? reference.Member
                    : null;
            }

            /// <summary>Every reference to the member adds to it with this method or disposes it (see <see cref="IsAddOrDisposeUse"/>).</summary>
            public bool OnlyAddedAndDisposed(ISymbol member, string addName, PublisherLifetime lifetime, CancellationToken cancellationToken)
            {
                var definition = member.OriginalDefinition;
                var any = false;
                foreach (var operation in References(definition.Name, cancellationToken))
                {
                    if (operation is IInvocationOperation)
                    {
                        continue; // a method of the same name
                    }

                    if (operation is not IMemberReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, definition))
                    {
                        continue;
                    }

                    any = true;
                    if (!IsAddOrDisposeUse(reference, addName, lifetime))
                    {
                        return false;
                    }
                }

                return any;
            }

            /// <summary>The operation of a method of this type (its body), when it is declared in source here.</summary>
            public IEnumerable<IOperation> BodiesOf(IMethodSymbol method, CancellationToken cancellationToken)
            {
                var definition = method.OriginalDefinition;
                if (!SymbolEqualityComparer.Default.Equals(definition.ContainingType?.OriginalDefinition, _top) && !IsNestedIn(definition.ContainingType))
                {
                    yield break;
                }

                foreach (var declaration in definition.DeclaringSyntaxReferences)
                {
#pragma warning disable RS1030 // One method of this type, once per question that reaches it.
                    var model = _compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
                    if (model.GetOperation(declaration.GetSyntax(cancellationToken), cancellationToken) is { } body)
                    {
                        yield return body;
                    }
                }
            }

            /// <summary>The values a method of this type returns (its <c>return</c>s and expression body, not those of nested functions).</summary>
            public IEnumerable<IOperation> ReturnedValues(IMethodSymbol method, CancellationToken cancellationToken)
            {
                foreach (var body in BodiesOf(method, cancellationToken))
                {
                    var budget = MaxReferences;
                    var pending = new Stack<IOperation>();
                    pending.Push(body);
                    while (pending.Count > 0 && --budget > 0)
                    {
                        var current = pending.Pop();
                        if (current is IReturnOperation { ReturnedValue: { } value })
                        {
                            yield return value;
                            continue;
                        }

                        foreach (var child in current.ChildOperations)
                        {
                            if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                            {
                                pending.Push(child);
                            }
                        }
                    }
                }
            }

            private bool IsNestedIn(INamedTypeSymbol? type)
            {
                for (var current = type; current != null; current = current.ContainingType)
                {
                    if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, _top))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>A call of this type to a method of the store's type removes the handler, or every handler of this object.</summary>
            public bool IsUnregistered(INamedTypeSymbol store, ISymbol? handler, CancellationToken cancellationToken)
            {
                var removed = _unregistered.GetOrAdd(store.OriginalDefinition, s => RemovalsFrom(s, cancellationToken));
                lock (removed)
                {
                    return removed.Contains(store.OriginalDefinition) || handler != null && removed.Contains(handler);
                }
            }

            /// <summary>What the type's calls to the store's methods remove: the store itself stands for <c>this</c> (<c>UnregisterAll(this)</c>).</summary>
            private HashSet<ISymbol> RemovalsFrom(INamedTypeSymbol store, CancellationToken cancellationToken)
            {
                var removed = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in store.GetMembers())
                {
                    if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                    {
                        names.Add(method.Name);
                    }
                }

                var summaries = CompilationModel.For(_compilation).Summaries;
                foreach (var name in names)
                {
                    foreach (var operation in References(name, cancellationToken))
                    {
                        if (operation is not IInvocationOperation invocation
                            || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType.OriginalDefinition, store)
                            || ValueFlow.IsLibrary(invocation.TargetMethod) || !MayRegisterOrRemove(invocation))
                        {
                            continue;
                        }

                        var summary = summaries.ForCall(invocation, new FlowContext(summaries, LeakAnalyzers.Resources.AnyResourceKind.Instance, cancellationToken));
                        if (summary.IsUnknown)
                        {
                            continue;
                        }

                        foreach (var argument in invocation.Arguments)
                        {
                            if (argument.Parameter is not { } parameter || (summary.EffectsOn(parameter.Ordinal) & ValueEffects.Removed) == 0)
                            {
                                continue;
                            }

                            if (DelegateCaptures.Unwrap(argument.Value) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
                            {
                                removed.Add(store);
                            }
                            else if (HandlerKey(argument.Value) is { } key)
                            {
                                removed.Add(key);
                            }
                        }
                    }
                }

                return removed;
            }

            /// <summary>The operations the simple names with this text bind to, in the type's declarations (a call's name: the call).</summary>
            private IEnumerable<IOperation> References(string name, CancellationToken cancellationToken)
            {
                var budget = MaxReferences;
                foreach (var declaration in _top.DeclaringSyntaxReferences)
                {
                    var tree = declaration.SyntaxTree;
                    if (!NameIndex.Mentions(tree, name, cancellationToken))
                    {
                        continue;
                    }

#pragma warning disable RS1030 // Only the trees of the type that mention the store's name, once per question and compilation.
                    var model = _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                    var root = tree.GetRoot(cancellationToken);
                    foreach (var position in NameIndex.Positions(tree, name, cancellationToken))
                    {
                        if (!declaration.Span.Contains(position) || root.FindToken(position) is not { Parent: SimpleNameSyntax simple })
                        {
                            continue;
                        }

                        if (--budget < 0)
                        {
                            yield break;
                        }

                        SyntaxNode target = simple.Parent switch
                        {
                            MemberAccessExpressionSyntax access when access.Name == simple => access,
                            MemberBindingExpressionSyntax binding => binding,
                            _ => simple,
                        };

                        if (target.Parent is InvocationExpressionSyntax invocation && invocation.Expression == target)
                        {
                            target = invocation;
                        }

                        if (model.GetOperation(target, cancellationToken) is { } operation)
                        {
                            yield return operation;
                        }
                    }
                }
            }
        }
    }
}
