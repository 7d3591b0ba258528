using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Retention
{
    /// <summary>
    /// LEAK003: <c>publisher.E += handler</c> where the publisher lives longer than the subscriber (static, reached through a
    /// static member, a process-lifetime BCL event, or injected), the handler holds the subscriber, and no <c>-=</c> of the
    /// same handler on an event of that name exists anywhere in the type. Also <c>-= lambda</c>, which removes nothing.
    /// Each <c>+=</c> is reported where it is written (so per-document analysis sees it); the rest of the type — its
    /// <c>-=</c>s in Dispose, another partial part (generated ones included) or a lambda, and where its fields get their
    /// values — is read once per type and compilation, only for subscriptions that could be reported.
    /// </summary>
    public sealed class EventSubscriptionOutlivesSubscriberAnalyzer : DiagnosticAnalyzer
    {
        public const string Title = "Event subscription outlives the subscriber";

        /// <summary>Key of the .editorconfig option that picks the publisher kinds reported: <c>static</c>, <c>injected</c> or both.</summary>
        public const string PublishersOption = "leak_analyzers.LEAK003.publishers";

        /// <summary>Property: the <c>publisher.Event</c> text to unsubscribe from in Dispose (valid outside the subscribing method).</summary>
        public const string UnsubscribeTargetProperty = "UnsubscribeTarget";

        /// <summary>Property: <c>Method</c>, <c>Lambda</c>, <c>Member</c> (a stored delegate) or <c>Local</c>.</summary>
        public const string HandlerKindProperty = "HandlerKind";

        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.EventSubscriptionOutlivesSubscriber,
            title: Title,
            messageFormat: "'{0}' subscribes to '{1}', which lives as long as the process, and never unsubscribes: the handler keeps every '{0}' alive",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "An event holds its handlers' targets. A handler that refers to the subscriber, added to an event of an object that lives longer and never removed, keeps the subscriber and everything it references alive as long as the publisher.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.EventSubscriptionOutlivesSubscriber));

        public static readonly DiagnosticDescriptor InjectedRule = new DiagnosticDescriptor(
            RuleIdentifiers.EventSubscriptionOutlivesSubscriber,
            title: Title,
            messageFormat: "'{0}' subscribes to '{1}' of an injected object that may outlive it, and never unsubscribes: the handler may keep '{0}' alive",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "An event holds its handlers' targets. A handler that refers to the subscriber, added to an event of an object that was handed in (and may be a singleton) and never removed, keeps the subscriber alive as long as that object.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.EventSubscriptionOutlivesSubscriber));

        public static readonly DiagnosticDescriptor RemoveLambdaRule = new DiagnosticDescriptor(
            RuleIdentifiers.EventSubscriptionOutlivesSubscriber,
            title: Title,
            messageFormat: "Unsubscribing a new lambda from '{0}' removes nothing: the handler added earlier stays subscribed",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Each lambda expression creates a new delegate, so '-=' with a lambda never finds the one that '+=' added. Keep the handler in a field or use a method.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.EventSubscriptionOutlivesSubscriber));

        public static readonly DiagnosticDescriptor ReplacedOnlyRule = new DiagnosticDescriptor(
            RuleIdentifiers.EventSubscriptionOutlivesSubscriber,
            title: Title,
            messageFormat: "'{0}' subscribes to '{1}' and unsubscribes only when another value replaces it: the '{2}' it was handed, which may be shared or outlive it, keeps '{0}' alive until then",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A property-changed handler that moves its subscription from the old value to the new one ends it only when the value changes again. A value handed in from outside (a command, a layout, a shared resource) can be used by many subscribers and outlive each of them: it keeps every subscriber whose value was never replaced. End the subscription when the subscriber goes away as well (Dispose, detach, unload).",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.EventSubscriptionOutlivesSubscriber));

        public static readonly DiagnosticDescriptor RemoveAddsRule = new DiagnosticDescriptor(
            RuleIdentifiers.EventSubscriptionOutlivesSubscriber,
            title: Title,
            messageFormat: "The remove accessor of '{0}' adds the handler instead of removing it: every '-=' subscribes again and nothing is ever unsubscribed",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A custom event whose remove accessor does what its add accessor does (the same call, or '+=' on the backing delegate) turns every unsubscription into one more subscription: the publisher keeps every handler, and every subscriber, it was ever given.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.EventSubscriptionOutlivesSubscriber));

        public static readonly DiagnosticDescriptor RemovalSkippedRule = new DiagnosticDescriptor(
            RuleIdentifiers.EventSubscriptionOutlivesSubscriber,
            title: Title,
            messageFormat: "'{2}' removes itself from '{1}' on some paths only: {3} leaves it subscribed, and the publisher, which may outlive '{0}', keeps '{0}' alive",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A handler that removes itself from its publisher when it runs (a one-shot subscription) but returns or throws before the removal on some path stays subscribed on that path: the publisher keeps the handler, and the subscriber, for as long as it lives (a completed operation that is reused, a long-lived service). Remove the handler before the early exit, or in a finally.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.EventSubscriptionOutlivesSubscriber));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, InjectedRule, RemoveLambdaRule, ReplacedOnlyRule, RemoveAddsRule, RemovalSkippedRule);

        public override void Initialize(AnalysisContext context)
        {
            // Generated parts are read (a Designer.cs part often holds the Dispose that unsubscribes or stops a timer)
            // but never reported on.
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // The publisher model and the per-type state are made at the first event assignment: most requests have none.
                var model = CompilationModel.For(start.Compilation);
                ConcurrentDictionary<INamedTypeSymbol, TypeState>? types = null;
                start.RegisterOperationAction(
                    c => OnEventAssignment(c, model.Publishers, LazyInitializer.EnsureInitialized(ref types, () => new ConcurrentDictionary<INamedTypeSymbol, TypeState>(SymbolEqualityComparer.Default))!),
                    OperationKind.EventAssignment);
                start.RegisterOperationAction(OnMethodBody, OperationKind.MethodBody);
            });
        }

        /// <summary>
        /// <c>remove { AddHandler(E, value); }</c> beside <c>add { AddHandler(E, value); }</c>, or <c>remove { _e += value; }</c>:
        /// the remove accessor adds.
        /// </summary>
        private static void OnMethodBody(OperationAnalysisContext context)
        {
            if (context.ContainingSymbol is not IMethodSymbol { MethodKind: MethodKind.EventRemove, AssociatedSymbol: IEventSymbol @event } remove
                || context.Operation.Syntax is not AccessorDeclarationSyntax { Parent: AccessorListSyntax accessors } removeAccessor)
            {
                return;
            }

            var adds = false;
            foreach (var operation in context.Operation.Descendants())
            {
                switch (operation)
                {
                    case IEventAssignmentOperation { Adds: true } assignment when IsValue(assignment.HandlerValue, remove):
                    case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Type.TypeKind: TypeKind.Delegate } compound when IsValue(compound.Value, remove):
                    case IInvocationOperation { TargetMethod: { Name: "Combine", ContainingType.SpecialType: SpecialType.System_Delegate } } combine when HasValueArgument(combine, remove):
                        adds = true;
                        break;
                }
            }

            if (!adds)
            {
                foreach (var accessor in accessors.Accessors)
                {
                    if (accessor != removeAccessor && accessor.Keyword.Text == "add" && BodyText(accessor) is { Length: > 0 } addBody && addBody == BodyText(removeAccessor))
                    {
                        adds = true;
                    }
                }
            }

            if (adds)
            {
                context.ReportDiagnostic(Diagnostic.Create(RemoveAddsRule, removeAccessor.Keyword.GetLocation(), @event.Name));
            }
        }

        private static bool IsValue(IOperation? operation, IMethodSymbol accessor)
            => DelegateCaptures.Unwrap(operation) is IParameterReferenceOperation parameter && SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, accessor);

        private static bool HasValueArgument(IInvocationOperation invocation, IMethodSymbol accessor)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (IsValue(argument.Value, accessor))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The accessor's body without trivia when it uses the handler (<c>value</c>): equal bodies of add and remove do the same.</summary>
        private static string BodyText(AccessorDeclarationSyntax accessor)
        {
            SyntaxNode? body = (SyntaxNode?)accessor.Body ?? accessor.ExpressionBody?.Expression;
            if (body is null)
            {
                return string.Empty;
            }

            // Only a body that does something with the handler: empty accessors and ones that throw are no-ops alike.
            var text = new System.Text.StringBuilder();
            var usesValue = false;
            foreach (var token in body.DescendantTokens())
            {
                usesValue |= token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) && token.ValueText == "value";
                text.Append(token.Text).Append(' ');
            }

            return usesValue ? text.ToString() : string.Empty;
        }

        /// <summary>
        /// Each <c>+=</c> is judged where it is written, so a request for one document (the IDE's) reports it there. What
        /// the rest of the type does (its <c>-=</c>s, where its fields get their values) is read once per type and
        /// compilation, and only for a subscription that could be reported: the other parts of a partial type are not
        /// bound for documents that subscribe to nothing long-lived.
        /// </summary>
        private static void OnEventAssignment(OperationAnalysisContext context, PublisherLifetime lifetime, ConcurrentDictionary<INamedTypeSymbol, TypeState> types)
        {
            var assignment = (IEventAssignmentOperation)context.Operation;
            if (assignment.EventReference is not IEventReferenceOperation eventReference)
            {
                return;
            }

            var handler = DelegateCaptures.Unwrap(assignment.HandlerValue);
            var subscriber = context.ContainingSymbol.ContainingType;
            if (subscriber is null || handler is null)
            {
                return;
            }

            if (!assignment.Adds)
            {
                if (handler is IAnonymousFunctionOperation)
                {
                    context.ReportDiagnostic(Diagnostic.Create(RemoveLambdaRule, assignment.Syntax.GetLocation(), eventReference.Syntax.ToString()));
                }

                return;
            }

            var root = DelegateCaptures.Root(assignment);
            if (ReplacedOnly(context, eventReference, handler, root, subscriber) is { } replaced)
            {
                ReportIfReplacedOnly(context, replaced, eventReference, handler, subscriber, types);
                return;
            }

            // Static code has no subscriber instance to keep alive; a publisher that is the subscriber itself dies with it;
            // a handler that holds nothing of the subscriber keeps nothing alive.
            if (context.ContainingSymbol.IsStatic || subscriber.IsStatic
                || DelegateCaptures.Unwrap(eventReference.Instance) is IInstanceReferenceOperation
                || handler is IAnonymousFunctionOperation or IMethodReferenceOperation && !DelegateCaptures.Of(handler, root).CapturesThis)
            {
                return;
            }

            var top = subscriber;
            while (top.ContainingType is { } containing)
            {
                top = containing;
            }

            var state = types.GetOrAdd(top.OriginalDefinition, t => TypeState.Read(t, context.Compilation, context.CancellationToken));
            var subscription = new Subscription(assignment, eventReference, handler, HandlerKey(handler), subscriber, root);
            Evaluate(context, subscription, state, lifetime);
        }

        /// <summary>
        /// The replacement shape: in a method that is handed the old and the new value (<c>OnLayoutChanged(oldValue,
        /// newValue)</c>, <c>e.OldValue</c> / <c>e.NewValue</c> of a property-changed callback, also a static one), the
        /// handler is removed from the old value and added to the new one, on an interface or abstract type (what the
        /// object is handed from outside). The method's removal of the old value, returned here, is then the only one
        /// the code shows for the new value. Null for every other subscription.
        /// </summary>
        private static IEventAssignmentOperation? ReplacedOnly(in OperationAnalysisContext context, IEventReferenceOperation eventReference, IOperation handler, IOperation root, INamedTypeSymbol subscriber)
        {
            if (context.ContainingSymbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method
                || eventReference.Event.IsStatic
                || HandlerKey(handler) is not { } key
                || DelegateCaptures.Unwrap(eventReference.Instance) is not { } publisher
                || !IsAbstraction(publisher)
                || Replacement.HandedVariable(publisher, method) is not { } newValue)
            {
                return null;
            }

            // The handler holds the subscriber: 'this' in instance code; in a static callback, an instance method of the
            // subscriber's type on the object the callback is about (button.OnCanExecuteChanged).
            if (method.IsStatic
                ? handler is not IMethodReferenceOperation { Method.IsStatic: false, Instance: { } target } || !InheritsFrom(target.Type, subscriber)
                : !DelegateCaptures.Of(handler, root).CapturesThis)
            {
                return null;
            }

            foreach (var operation in root.Descendants())
            {
                if (operation is IEventAssignmentOperation { Adds: false, EventReference: IEventReferenceOperation removed } removal
                    && SymbolEqualityComparer.Default.Equals(removed.Event.OriginalDefinition, eventReference.Event.OriginalDefinition)
                    && DelegateCaptures.Unwrap(removal.HandlerValue) is { } removedHandler && HandlerKey(removedHandler) is { } removedKey && SameHandler(removedKey, key)
                    && DelegateCaptures.Unwrap(removed.Instance) is { } oldPublisher
                    && Replacement.HandedVariable(oldPublisher, method) is { } oldValue
                    && !SymbolEqualityComparer.Default.Equals(oldValue, newValue))
                {
                    return removal;
                }
            }

            return null;
        }

        private static bool InheritsFrom(ITypeSymbol? type, INamedTypeSymbol baseType)
        {
            for (var t = type; t != null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, baseType.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Reported when nothing else in the type removes the handler from that event (a Dispose, a detach, an unload).</summary>
        private static void ReportIfReplacedOnly(in OperationAnalysisContext context, IEventAssignmentOperation replaced, IEventReferenceOperation eventReference, IOperation handler, INamedTypeSymbol subscriber, ConcurrentDictionary<INamedTypeSymbol, TypeState> types)
        {
            if (IsApplication(subscriber) || CompilationModel.For(context.Compilation).LongLivedOwners.Contains(subscriber, context.Options, context.CancellationToken)
                || !Wanted(context.Options, eventReference.Syntax.SyntaxTree, PublisherKind.Injected))
            {
                return;
            }

            var top = subscriber;
            while (top.ContainingType is { } containing)
            {
                top = containing;
            }

            var compilation = context.Compilation;
            var cancellationToken = context.CancellationToken;
            var state = types.GetOrAdd(top.OriginalDefinition, t => TypeState.Read(t, compilation, cancellationToken));
            if (state.IsRemovedElsewhere(eventReference.Event.Name, HandlerKey(handler)!, replaced.Syntax, compilation, cancellationToken)
                || DelegateCaptures.Unwrap(eventReference.Instance)?.Type is not { } publisherType
                || Replacement.CreatesItsOwn(subscriber, publisherType, compilation, cancellationToken))
            {
                return;
            }

            var properties = ImmutableDictionary<string, string?>.Empty.Add(HandlerKindProperty, "Replaced");
            context.ReportDiagnostic(Diagnostic.Create(
                ReplacedOnlyRule,
                eventReference.Parent!.Syntax.GetLocation(),
                properties,
                subscriber.Name,
                eventReference.Syntax.ToString(),
                eventReference.Event.ContainingType.Name));
        }

        /// <summary>What identifies the handler for a matching <c>-=</c>: the method, the field/property or local that stores the delegate.</summary>
        private static ISymbol? HandlerKey(IOperation handler)
        {
            switch (handler)
            {
                case IMethodReferenceOperation method:
                    return method.Method.OriginalDefinition;
                case IFieldReferenceOperation field:
                    return field.Field.OriginalDefinition;
                case IPropertyReferenceOperation property:
                    return property.Property.OriginalDefinition;
                case ILocalReferenceOperation local:
                    return local.Local;
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter;
                default:
                    return null;
            }
        }

        private static void Evaluate(in OperationAnalysisContext context, Subscription subscription, TypeState state, PublisherLifetime lifetime)
        {
            var subscriber = subscription.Subscriber;
            var origins = state.Origins(subscriber);
            SelfRemoval? selfRemoval = null;
            if (subscription.Key != null && state.Removals(subscription.EventReference, subscription.Key, origins) is { } removals)
            {
                // Removed somewhere: quiet, unless only the handler removes itself (then: on every path?).
                selfRemoval = SelfRemoval.Of(subscription, removals, state, context.Compilation, context.CancellationToken);
                if (selfRemoval is null)
                {
                    return;
                }
            }

            if (IsApplication(subscriber) || CompilationModel.For(context.Compilation).LongLivedOwners.Contains(subscriber, context.Options, context.CancellationToken))
            {
                return;
            }

            var kind = lifetime.Classify(subscription.EventReference.Instance, subscription.EventReference.Event, origins);
            if (kind is not (PublisherKind.Static or PublisherKind.ProcessLifetime or PublisherKind.Injected))
            {
                return;
            }

            // A concrete object handed in is most often the subscriber's parent or owner (a form, a control, a canvas),
            // which dies with it; what a container injects for longer lifetimes is a service abstraction. A disposable
            // subscriber says otherwise: it ends before what it was handed (an animation run on a control), and a
            // subscription its Dispose leaves in place keeps the disposed object.
            if (kind == PublisherKind.Injected
                && (!(IsAbstraction(subscription.EventReference.Instance) && IsAbstraction(InjectedRoot(subscription.EventReference.Instance))) && !lifetime.IsDisposable(subscriber)
                    || WrapsOnly(subscriber, subscription.EventReference.Instance, origins)))
            {
                return;
            }

            if (!Wanted(context.Options, subscription.Assignment.Syntax.SyntaxTree, kind))
            {
                return;
            }

            var handlerKind = HandlerKindOf(subscription.Handler, subscription.Root, origins, out var retains);
            if (!retains)
            {
                return;
            }

            IOperation? skippingExit = null;
            if (selfRemoval != null && (skippingExit = selfRemoval.ExitSkippingRemoval()) is null)
            {
                return;
            }

            var properties = subscription.EventReference.Event.IsStatic
                ? SymbolNames.MemberProperties(subscription.EventReference.Event)
                : ImmutableDictionary.CreateBuilder<string, string?>();
            if (skippingExit != null)
            {
                // No code fix: the removal belongs before the early exit, which only the author can place.
                properties[HandlerKindProperty] = "RemovalSkipped";
                var exitLocation = skippingExit.Syntax.GetLocation();
                var line = exitLocation.GetLineSpan();
                var where = "line " + (line.StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    + (exitLocation.SourceTree == subscription.Assignment.Syntax.SyntaxTree ? string.Empty : " of " + System.IO.Path.GetFileName(line.Path));
                context.ReportDiagnostic(Diagnostic.Create(
                    RemovalSkippedRule,
                    subscription.Assignment.Syntax.GetLocation(),
                    new[] { exitLocation },
                    properties.ToImmutable(),
                    subscriber.Name,
                    subscription.EventReference.Syntax.ToString(),
                    subscription.Key!.Name,
                    (skippingExit is IReturnOperation ? "the return at " : "the throw at ") + where));
                return;
            }

            properties[HandlerKindProperty] = handlerKind;
            if (UnsubscribeTarget(subscription.EventReference, origins) is { } target)
            {
                properties[UnsubscribeTargetProperty] = target;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                kind == PublisherKind.Injected ? InjectedRule : Rule,
                subscription.Assignment.Syntax.GetLocation(),
                properties.ToImmutable(),
                subscriber.Name,
                subscription.EventReference.Syntax.ToString()));
        }

        private static string HandlerKindOf(IOperation handler, IOperation root, MemberOrigins origins, out bool retains)
        {
            switch (handler)
            {
                case IAnonymousFunctionOperation:
                    var captures = DelegateCaptures.Of(handler, root);
                    retains = captures.CapturesThis;
                    return captures.Variables.IsEmpty ? "Lambda" : "CapturingLambda";
                case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction }:
                    retains = DelegateCaptures.Of(handler, root).CapturesThis;
                    return "LocalFunction";
                case IMethodReferenceOperation:
                    retains = DelegateCaptures.Of(handler, root).CapturesThis;
                    return "Method";
                case IMemberReferenceOperation { Instance: IInstanceReferenceOperation or null } member:
                    retains = origins.HoldsCapturingDelegate(member.Member);
                    return "Member";
                case ILocalReferenceOperation local:
                    retains = false;
                    foreach (var value in LocalValues(root, local.Local))
                    {
                        retains |= DelegateCaptures.Of(value, root).CapturesThis;
                    }

                    return "Local";
                default:
                    retains = false;
                    return "Other";
            }
        }

        private static IEnumerable<IOperation> LocalValues(IOperation root, ILocalSymbol local)
        {
            foreach (var operation in root.Descendants())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local) && declarator.Initializer is { } initializer:
                        yield return initializer.Value;
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, local):
                        yield return assignment.Value;
                        break;
                }
            }
        }

        /// <summary><c>publisher.Event</c> as Dispose can write it: parameters become the field they are stored in.</summary>
        private static string? UnsubscribeTarget(IEventReferenceOperation reference, MemberOrigins origins)
        {
            var instance = DelegateCaptures.Unwrap(reference.Instance);
            switch (instance)
            {
                case null:
                case IInstanceReferenceOperation:
                case IMemberReferenceOperation:
                    return ContainsLocalOrParameter(instance) ? null : reference.Syntax.ToString();
                case IParameterReferenceOperation parameter when DelegateCaptures.IsPrimaryConstructorParameter(parameter.Parameter):
                    return reference.Syntax.ToString();
                case IParameterReferenceOperation parameter when origins.StoredIn(parameter.Parameter) is { } field:
                    return field.Name + "." + reference.Event.Name;
                default:
                    return null;
            }
        }

        private static bool ContainsLocalOrParameter(IOperation? operation)
        {
            if (operation is null)
            {
                return false;
            }

            foreach (var descendant in operation.DescendantsAndSelf())
            {
                if (descendant is ILocalReferenceOperation or IInvocationOperation
                    || descendant is IParameterReferenceOperation parameter && !DelegateCaptures.IsPrimaryConstructorParameter(parameter.Parameter))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The subscriber is an adapter over the publisher alone: the publisher's field is its only instance field and it
        /// implements an interface over it (a command that mirrors the command it wraps). It has no state of its own to
        /// leak, and whoever holds the adapter holds the wrapped object too.
        /// </summary>
        private static bool WrapsOnly(INamedTypeSymbol subscriber, IOperation? publisher, MemberOrigins origins)
        {
            var wrapped = DelegateCaptures.Unwrap(publisher) switch
            {
                IFieldReferenceOperation { Instance: IInstanceReferenceOperation } field => (ISymbol)field.Field,
                IPropertyReferenceOperation { Instance: IInstanceReferenceOperation } property => property.Property,
                IParameterReferenceOperation parameter => origins.StoredIn(parameter.Parameter),
                _ => null,
            };
            if (wrapped is null)
            {
                return false;
            }

            foreach (var member in subscriber.GetMembers())
            {
                if (member is IFieldSymbol { IsStatic: false, IsConst: false } field && field.AssociatedSymbol is not IEventSymbol
                    && !SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol ?? field, wrapped))
                {
                    return false;
                }
            }

            // ...exposing an interface of its own over it (an adapter), not a bare object that merely listens.
            if (subscriber.BaseType is not (null or { SpecialType: SpecialType.System_Object }))
            {
                return false;
            }

            foreach (var implemented in subscriber.Interfaces)
            {
                if (implemented.SpecialType != SpecialType.System_IDisposable && implemented.Name != "IAsyncDisposable")
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// What was handed in, under members and aliases: <c>_feed</c> of <c>_feed.Prices</c>, <c>Owner</c> of
        /// <c>var children = Owner.VisualChildren</c>. A member of a concrete object handed in (a control's children, of the
        /// control a peer or adapter was made for) is as much the subscriber's owner as the object itself.
        /// </summary>
        private static IOperation? InjectedRoot(IOperation? publisher)
        {
            var current = DelegateCaptures.Unwrap(publisher);
            for (var depth = 0; current != null && depth < 8; depth++)
            {
                switch (current)
                {
                    case ILocalReferenceOperation local when PublisherLifetime.AliasedValue(local) is { } aliased:
                        current = aliased;
                        break;
                    case IMemberReferenceOperation { Instance: { } instance }
                        when DelegateCaptures.Unwrap(instance) is not IInstanceReferenceOperation:
                        current = DelegateCaptures.Unwrap(instance);
                        break;
                    default:
                        return current;
                }
            }

            return current;
        }

        private static bool IsAbstraction(IOperation? publisher)
        {
            var type = DelegateCaptures.Unwrap(publisher)?.Type;
            return type is { TypeKind: TypeKind.Interface } or { IsAbstract: true, TypeKind: TypeKind.Class };
        }

        /// <summary>UI framework application classes (by full name) live as long as the process; their subscriptions cannot leak.</summary>
        private static bool IsApplication(INamedTypeSymbol type)
        {
            for (var t = type.BaseType; t != null; t = t.BaseType)
            {
                switch (t.ToDisplayString())
                {
                    case "System.Windows.Application":
                    case "System.Windows.Forms.ApplicationContext":
                    case "Avalonia.Application":
                    case "Microsoft.Maui.Controls.Application":
                    case "Microsoft.UI.Xaml.Application":
                    case "Windows.UI.Xaml.Application":
                    case "Xamarin.Forms.Application":
                        return true;
                }
            }

            return false;
        }

        private static bool Wanted(AnalyzerOptions options, SyntaxTree tree, PublisherKind kind)
        {
            if (!options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(PublishersOption, out var value)
                || string.IsNullOrWhiteSpace(value))
            {
                return true;
            }

            var wantStatic = false;
            var wantInjected = false;
            foreach (var part in value.Split(',', '|', ' '))
            {
                switch (part.Trim().ToLowerInvariant())
                {
                    case "static":
                        wantStatic = true;
                        break;
                    case "injected":
                        wantInjected = true;
                        break;
                    case "all":
                        wantStatic = wantInjected = true;
                        break;
                }
            }

            if (!wantStatic && !wantInjected)
            {
                // An unreadable value keeps the default rather than silencing the rule.
                return true;
            }

            return kind == PublisherKind.Injected ? wantInjected : wantStatic;
        }

        private sealed class Subscription
        {
            public Subscription(IEventAssignmentOperation assignment, IEventReferenceOperation eventReference, IOperation handler, ISymbol? key, INamedTypeSymbol subscriber, IOperation root)
            {
                Assignment = assignment;
                EventReference = eventReference;
                Handler = handler;
                Key = key;
                Subscriber = subscriber;
                Root = root;
            }

            public IEventAssignmentOperation Assignment { get; }

            public IEventReferenceOperation EventReference { get; }

            public IOperation Handler { get; }

            public ISymbol? Key { get; }

            public INamedTypeSymbol Subscriber { get; }

            public IOperation Root { get; }
        }

        /// <summary>
        /// A handler whose only removals are its own: in its body (a method's, a local function's, or a lambda's kept in
        /// the local or field it is added through), or in private methods and local functions that run only from that
        /// body (a <c>Detach()</c> it calls). Null when another part of the type removes it (Dispose, a detach, another
        /// handler) or when the handler's body is not among them.
        /// </summary>
        private sealed class SelfRemoval
        {
            private readonly Subscription _subscription;
            private readonly IOperation _body;
            private readonly HashSet<IOperation> _removals;
            private readonly List<Removal> _callees;

            private SelfRemoval(Subscription subscription, IOperation body, HashSet<IOperation> removals, List<Removal> callees)
            {
                _subscription = subscription;
                _body = body;
                _removals = removals;
                _callees = callees;
            }

            public static SelfRemoval? Of(Subscription subscription, List<Removal> removals, TypeState state, Compilation compilation, CancellationToken cancellationToken)
            {
                IOperation? body = null;
                foreach (var removal in removals)
                {
                    if (IsHandlerBody(removal, subscription))
                    {
                        if (body != null && body != removal.Function)
                        {
                            return null;
                        }

                        body = removal.Function;
                    }
                }

                // Only helpers it calls remove it (Detach()): the handler method's own body is read here.
                body ??= MethodBody(subscription.Handler, compilation, cancellationToken);
                if (body is null)
                {
                    return null;
                }

                var callees = new List<Removal>();
                var assignments = new HashSet<IOperation>();
                foreach (var removal in removals)
                {
                    assignments.Add(removal.Assignment);
                    if (removal.Function == body)
                    {
                        continue;
                    }

                    var runsFrom = removal.Function is ILocalFunctionOperation local ? local.Symbol : removal.Member;
                    if (runsFrom is null || !state.IsUsedOnlyIn(runsFrom, body.Syntax))
                    {
                        return null;
                    }

                    callees.Add(removal);
                }

                return new SelfRemoval(subscription, body, assignments, callees);
            }

            private static IOperation? MethodBody(IOperation handler, Compilation compilation, CancellationToken cancellationToken)
            {
                if (handler is not IMethodReferenceOperation { Method: { MethodKind: MethodKind.Ordinary } method })
                {
                    return null;
                }

                var definition = method.OriginalDefinition.PartialImplementationPart ?? method.OriginalDefinition;
                foreach (var reference in definition.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(cancellationToken) is MethodDeclarationSyntax { Body: not null } or MethodDeclarationSyntax { ExpressionBody: not null }
                        && compilation.ContainsSyntaxTree(reference.SyntaxTree))
                    {
#pragma warning disable RS1030 // Only for a handler that only helpers of its own remove, about to be reported.
                        return compilation.GetSemanticModel(reference.SyntaxTree).GetOperation(reference.GetSyntax(cancellationToken), cancellationToken);
#pragma warning restore RS1030
                    }
                }

                return null;
            }

            /// <summary>A return or throw of the handler that leaves it subscribed (see <see cref="RemovalPaths"/>); null when there is none.</summary>
            public IOperation? ExitSkippingRemoval()
            {
                var key = _subscription.Key!;
                return RemovalPaths.ExitSkippingRemoval(
                    _body,
                    removal => _removals.Contains(removal),
                    value => HandlerKey(value) is { } handler && SameHandler(handler, key),
                    method =>
                    {
                        foreach (var callee in _callees)
                        {
                            if (callee.Function is ILocalFunctionOperation local ? SameHandler(local.Symbol, method) || SameDeclaration(local.Symbol, method)
                                : callee.Member is { } member && SymbolEqualityComparer.Default.Equals(member.OriginalDefinition, method.OriginalDefinition))
                            {
                                return callee.Function;
                            }
                        }

                        return null;
                    });
            }

            private static bool IsHandlerBody(Removal removal, Subscription subscription)
            {
                switch (subscription.Handler)
                {
                    case IMethodReferenceOperation { Method: { MethodKind: MethodKind.LocalFunction } method }:
                        return removal.Function is ILocalFunctionOperation local && SameDeclaration(local.Symbol, method);
                    case IMethodReferenceOperation { Method: { } method }:
                        return removal.Member is { } member && removal.Function is not (IAnonymousFunctionOperation or ILocalFunctionOperation)
                            && (SymbolEqualityComparer.Default.Equals(member.OriginalDefinition, method.OriginalDefinition)
                                || SymbolEqualityComparer.Default.Equals(member.OriginalDefinition, method.OriginalDefinition.PartialImplementationPart));
                    default:
                        return removal.Function is IAnonymousFunctionOperation lambda && subscription.Key is { } key
                            && StoredIn(lambda) is { } stored && SameHandler(stored, key);
                }
            }

            /// <summary>The local, field or property a lambda is assigned to (<c>handler = (s, e) => ...</c>, <c>EventHandler h = ...</c>).</summary>
            private static ISymbol? StoredIn(IAnonymousFunctionOperation lambda)
            {
                IOperation current = lambda;
                for (var i = 0; i < 8 && current.Parent is IConversionOperation or IDelegateCreationOperation or IParenthesizedOperation; i++)
                {
                    current = current.Parent;
                }

                return current.Parent switch
                {
                    ISimpleAssignmentOperation assignment when assignment.Value == current => HandlerKey(DelegateCaptures.Unwrap(assignment.Target)!),
                    IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
                    _ => null,
                };
            }

            private static bool SameDeclaration(ISymbol a, ISymbol b)
                => a.DeclaringSyntaxReferences.Length > 0 && b.DeclaringSyntaxReferences.Length > 0
                    && a.DeclaringSyntaxReferences[0].SyntaxTree == b.DeclaringSyntaxReferences[0].SyntaxTree
                    && a.DeclaringSyntaxReferences[0].Span == b.DeclaringSyntaxReferences[0].Span;
        }

        /// <summary>One <c>-=</c> of the type: the event's name, the handler, and where it runs (its lambda, local function or member body).</summary>
        private sealed class Removal
        {
            public Removal(string @event, ISymbol handler, IEventReferenceOperation reference, IEventAssignmentOperation assignment, IOperation function, IMethodSymbol? member)
            {
                Event = @event;
                Handler = handler;
                Reference = reference;
                Assignment = assignment;
                Function = function;
                Member = member;
            }

            public string Event { get; }

            public ISymbol Handler { get; }

            public IEventReferenceOperation Reference { get; }

            public IEventAssignmentOperation Assignment { get; }

            /// <summary>The lambda or local function the removal is written in, or the root of its member's body.</summary>
            public IOperation Function { get; }

            /// <summary>The method whose own body holds the removal (not in a lambda or local function of it); null otherwise.</summary>
            public IMethodSymbol? Member { get; }
        }

        /// <summary>Everything one top-level type (with its nested types) subscribes, removes and stores.</summary>
        private sealed class TypeState
        {
            private const int MaxOperations = 200_000;

            private readonly INamedTypeSymbol _type;
            private readonly object _gate = new object();
            private readonly List<Removal> _removals = new List<Removal>();
            private readonly Dictionary<IMethodSymbol, List<SyntaxNode>> _uses = new Dictionary<IMethodSymbol, List<SyntaxNode>>(SymbolEqualityComparer.Default);
            private readonly Dictionary<INamedTypeSymbol, MemberOrigins> _origins = new Dictionary<INamedTypeSymbol, MemberOrigins>(SymbolEqualityComparer.Default);

            public TypeState(INamedTypeSymbol type)
            {
                _type = type;
            }

            /// <summary>
            /// Reads every part of the type (generated ones included): its <c>-=</c>s and the values its fields get. Bounded:
            /// past the cap, what was read stands.
            /// </summary>
            public static TypeState Read(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
            {
                var state = new TypeState(type);
                var budget = MaxOperations;
                foreach (var reference in type.DeclaringSyntaxReferences)
                {
                    var declaration = reference.GetSyntax(cancellationToken);
#pragma warning disable RS1030 // Bound only for a subscription that could be reported, once per type and compilation.
                    var model = compilation.GetSemanticModel(reference.SyntaxTree);
#pragma warning restore RS1030
                    foreach (var node in declaration.DescendantNodes(n => n is not (BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax)))
                    {
                        if (node is not (BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax) || node.Parent is null
                            || node.Parent is not (MemberDeclarationSyntax or AccessorDeclarationSyntax or VariableDeclaratorSyntax or ParameterSyntax)
                            || model.GetOperation(node, cancellationToken) is not { } root)
                        {
                            continue;
                        }

                        foreach (var operation in root.DescendantsAndSelf())
                        {
                            if (--budget < 0)
                            {
                                return state;
                            }

                            state.Visit(operation, node.Parent, model, cancellationToken);
                        }
                    }
                }

                return state;
            }

            private void Visit(IOperation operation, SyntaxNode declaration, SemanticModel model, CancellationToken cancellationToken)
            {
                switch (operation)
                {
                    case IEventAssignmentOperation { Adds: false, EventReference: IEventReferenceOperation reference } removal
                        when DelegateCaptures.Unwrap(removal.HandlerValue) is { } removedHandler && HandlerKey(removedHandler) is { } removed:
                        // Where it runs: a lambda or local function, or the member's own body.
                        var function = BodyIndex.EnclosingFunction(removal);
                        AddRemoval(new Removal(reference.Event.Name, removed, reference, removal, function ?? BodyIndex.RootOf(removal),
                            function is null ? model.GetDeclaredSymbol(declaration, cancellationToken) as IMethodSymbol : null));
                        break;
                    case IInvocationOperation { TargetMethod: { MethodKind: MethodKind.Ordinary or MethodKind.LocalFunction, DeclaredAccessibility: Accessibility.Private or Accessibility.NotApplicable } target } invocation:
                        AddUse(target, invocation.Syntax);
                        break;
                    case IMethodReferenceOperation { Method: { MethodKind: MethodKind.Ordinary or MethodKind.LocalFunction, DeclaredAccessibility: Accessibility.Private or Accessibility.NotApplicable } target } reference:
                        AddUse(target, reference.Syntax);
                        break;
                    case ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } target } assignment
                        when target.Member.ContainingType is { } owner && Owns(owner):
                        Origins(owner).Record(target.Member, assignment.Value, owner, DelegateCaptures.Root(assignment));
                        break;
                    case IFieldInitializerOperation field:
                        foreach (var member in field.InitializedFields)
                        {
                            if (member.ContainingType is { } owner && Owns(owner))
                            {
                                Origins(owner).Record(member, field.Value, owner, field);
                            }
                        }

                        break;
                    case IPropertyInitializerOperation property:
                        foreach (var member in property.InitializedProperties)
                        {
                            if (member.ContainingType is { } owner && Owns(owner))
                            {
                                Origins(owner).Record(member, property.Value, owner, property);
                            }
                        }

                        break;
                }
            }

            public bool Owns(INamedTypeSymbol type)
            {
                for (var t = type; t != null; t = t.ContainingType)
                {
                    if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, _type))
                    {
                        return true;
                    }
                }

                return false;
            }

            public MemberOrigins Origins(INamedTypeSymbol type)
            {
                lock (_gate)
                {
                    var key = type.OriginalDefinition;
                    if (!_origins.TryGetValue(key, out var origins))
                    {
                        origins = new MemberOrigins();
                        _origins[key] = origins;
                    }

                    return origins;
                }
            }

            private void AddRemoval(Removal removal)
            {
                lock (_gate)
                {
                    _removals.Add(removal);
                }
            }

            /// <summary>A call or method group of a private method (or local function) of the type: where the method can run from.</summary>
            private void AddUse(IMethodSymbol method, SyntaxNode use)
            {
                lock (_gate)
                {
                    var key = method.OriginalDefinition;
                    if (!_uses.TryGetValue(key, out var list))
                    {
                        list = new List<SyntaxNode>();
                        _uses[key] = list;
                    }

                    list.Add(use);
                }
            }

            /// <summary>
            /// Every use of a private method or local function (of an ordinary method: its partial parts alike) lies inside
            /// <paramref name="body"/>: it runs only as a part of that body.
            /// </summary>
            public bool IsUsedOnlyIn(IMethodSymbol method, SyntaxNode body)
            {
                if (method.MethodKind == MethodKind.Ordinary && method.DeclaredAccessibility != Accessibility.Private)
                {
                    return false;
                }

                lock (_gate)
                {
                    if (!_uses.TryGetValue(method.OriginalDefinition, out var uses))
                    {
                        return false;
                    }

                    foreach (var use in uses)
                    {
                        if (use.SyntaxTree != body.SyntaxTree || !body.Span.Contains(use.Span))
                        {
                            return false;
                        }
                    }

                    return true;
                }
            }

            /// <summary>
            /// A <c>-=</c> of the handler from an event of that name other than <paramref name="except"/> (the replacement's
            /// own) that ends it: one followed in its method by a <c>+=</c> of the same handler only makes room for the next
            /// value (<see cref="Replacement.IsFollowedByRestart"/>).
            /// </summary>
            public bool IsRemovedElsewhere(string eventName, ISymbol handler, SyntaxNode except, Compilation compilation, CancellationToken cancellationToken)
            {
                List<IEventReferenceOperation> removals;
                lock (_gate)
                {
                    removals = new List<IEventReferenceOperation>();
                    foreach (var removal in _removals)
                    {
                        if (string.Equals(removal.Event, eventName, StringComparison.Ordinal) && SameHandler(removal.Handler, handler)
                            && !(removal.Reference.Syntax.SyntaxTree == except.SyntaxTree && except.Span.Contains(removal.Reference.Syntax.Span)))
                        {
                            removals.Add(removal.Reference);
                        }
                    }
                }

                bool AddsAgain(IOperation operation)
                    => operation is IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation added } addition
                        && string.Equals(added.Event.Name, eventName, StringComparison.Ordinal)
                        && DelegateCaptures.Unwrap(addition.HandlerValue) is { } addedHandler && HandlerKey(addedHandler) is { } addedKey && SameHandler(addedKey, handler);

                foreach (var removal in removals)
                {
                    if (removal.Parent is not { } end || !Replacement.IsFollowedByRestart(end, AddsAgain, compilation, cancellationToken))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// A <c>-=</c> of the same handler from an event of that name on the same publisher: the same static event, the
            /// same member of this, a parameter and the field it is stored in. A publisher the model cannot name (a local,
            /// a call) matches any.
            /// </summary>
            public List<Removal>? Removals(IEventReferenceOperation subscription, ISymbol handler, MemberOrigins origins)
            {
                var publisher = PublisherKey(subscription, origins);
                List<Removal>? found = null;
                lock (_gate)
                {
                    foreach (var removal in _removals)
                    {
                        if (string.Equals(removal.Event, subscription.Event.Name, StringComparison.Ordinal) && SameHandler(removal.Handler, handler)
                            && (publisher is null || PublisherKey(removal.Reference, origins) is not { } other || SymbolEqualityComparer.Default.Equals(publisher, other)))
                        {
                            (found ??= new List<Removal>()).Add(removal);
                        }
                    }
                }

                return found;
            }

            private static ISymbol? PublisherKey(IEventReferenceOperation reference, MemberOrigins origins)
            {
                if (reference.Event.IsStatic)
                {
                    return reference.Event.OriginalDefinition;
                }

                return DelegateCaptures.Unwrap(reference.Instance) switch
                {
                    IInstanceReferenceOperation => reference.Event.OriginalDefinition,
                    IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol, Instance: IInstanceReferenceOperation or null } member => member.Member.OriginalDefinition,
                    IParameterReferenceOperation parameter => origins.StoredIn(parameter.Parameter)?.OriginalDefinition ?? parameter.Parameter,
                    _ => null,
                };
            }
        }

        /// <summary>
        /// Handlers compared across semantic models: a local (or a lambda's parameter) is the same variable when it is
        /// declared at the same place; members compare as symbols.
        /// </summary>
        private static bool SameHandler(ISymbol a, ISymbol b)
            => Declaration(a) is { } left && Declaration(b) is { } right
                ? left.SyntaxTree == right.SyntaxTree && left.Span == right.Span
                : SymbolEqualityComparer.Default.Equals(a, b);

        private static SyntaxReference? Declaration(ISymbol symbol)
            => symbol is ILocalSymbol or IParameterSymbol { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } }
                && symbol.DeclaringSyntaxReferences.Length > 0
                ? symbol.DeclaringSyntaxReferences[0]
                : null;
    }
}
