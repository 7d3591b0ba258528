using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Retention
{
    /// <summary>
    /// LEAK003: <c>publisher.E += handler</c> where the publisher lives longer than the subscriber (static, reached through a
    /// static member, a process-lifetime BCL event, or injected), the handler holds the subscriber, and no <c>-=</c> of the
    /// same handler on an event of that name exists anywhere in the type. Also <c>-= lambda</c>, which removes nothing.
    /// Analysed per type (SymbolStart/SymbolEnd): the <c>-=</c> may sit in Dispose, another partial part (generated ones
    /// included) or a lambda.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
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

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, InjectedRule, RemoveLambdaRule);

        public override void Initialize(AnalysisContext context)
        {
            // Generated parts are read (a Designer.cs part often holds the Dispose that unsubscribes or stops a timer)
            // but never reported on.
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var lifetime = CompilationModel.For(start.Compilation).Publishers;
                start.RegisterSymbolStartAction(symbolStart => OnTypeStart(symbolStart, lifetime), SymbolKind.NamedType);
            });
        }

        private static void OnTypeStart(SymbolStartAnalysisContext context, PublisherLifetime lifetime)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct or TypeKind.Interface))
            {
                return;
            }

            var state = new TypeState(type);
            context.RegisterOperationAction(c => OnEventAssignment(c, state, lifetime), OperationKind.EventAssignment);
            context.RegisterOperationAction(c => OnAssignment(c, state), OperationKind.SimpleAssignment);
            context.RegisterOperationAction(c => OnInitializer(c, state), OperationKind.FieldInitializer, OperationKind.PropertyInitializer);
            context.RegisterSymbolEndAction(end => OnTypeEnd(end, state, lifetime));
        }

        private static void OnAssignment(OperationAnalysisContext context, TypeState state)
        {
            var assignment = (ISimpleAssignmentOperation)context.Operation;
            if (assignment.Target is IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } target
                && target.Member.ContainingType is { } owner
                && state.Owns(owner))
            {
                state.Origins(owner).Record(target.Member, assignment.Value, owner, DelegateCaptures.Root(assignment));
            }
        }

        private static void OnInitializer(OperationAnalysisContext context, TypeState state)
        {
            var initializer = (ISymbolInitializerOperation)context.Operation;
            IEnumerable<ISymbol> members = initializer switch
            {
                IFieldInitializerOperation field => field.InitializedFields,
                IPropertyInitializerOperation property => property.InitializedProperties,
                _ => Array.Empty<ISymbol>(),
            };
            foreach (var member in members)
            {
                if (member.ContainingType is { } owner && state.Owns(owner))
                {
                    state.Origins(owner).Record(member, initializer.Value, owner, initializer);
                }
            }
        }

        private static void OnEventAssignment(OperationAnalysisContext context, TypeState state, PublisherLifetime lifetime)
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

            var eventName = eventReference.Event.Name;
            if (!assignment.Adds)
            {
                if (handler is IAnonymousFunctionOperation)
                {
                    context.ReportDiagnostic(Diagnostic.Create(RemoveLambdaRule, assignment.Syntax.GetLocation(), eventReference.Syntax.ToString()));
                    return;
                }

                if (HandlerKey(handler) is { } removed)
                {
                    state.AddRemoval(eventName, removed);
                }

                return;
            }

            if (context.ContainingSymbol.IsStatic)
            {
                // Static code has no subscriber instance to keep alive.
                return;
            }

            state.AddSubscription(new Subscription(assignment, eventReference, handler, HandlerKey(handler), subscriber, DelegateCaptures.Root(assignment)));
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

        private static void OnTypeEnd(SymbolAnalysisContext context, TypeState state, PublisherLifetime lifetime)
        {
            foreach (var subscription in state.Subscriptions())
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (subscription.Key != null && state.IsRemoved(subscription.EventReference.Event.Name, subscription.Key))
                {
                    continue;
                }

                var subscriber = subscription.Subscriber;
                var origins = state.Origins(subscriber);
                if (subscriber.IsStatic || CompilationModel.For(context.Compilation).Creations.IsSingleton(subscriber, context.CancellationToken) || IsApplication(subscriber)
                    || Lifetime.IsConfiguredLongLived(subscriber, Lifetime.ConfiguredLongLivedTypes(context.Options, subscriber)))
                {
                    continue;
                }

                var kind = lifetime.Classify(subscription.EventReference.Instance, subscription.EventReference.Event, origins);
                if (kind is not (PublisherKind.Static or PublisherKind.ProcessLifetime or PublisherKind.Injected))
                {
                    continue;
                }

                // A concrete object handed in is most often the subscriber's parent or owner (a form, a control, a canvas),
                // which dies with it; what a container injects for longer lifetimes is a service abstraction.
                if (kind == PublisherKind.Injected && !IsAbstraction(subscription.EventReference.Instance))
                {
                    continue;
                }

                if (!Wanted(context, subscription.Assignment.Syntax.SyntaxTree, kind))
                {
                    continue;
                }

                var handlerKind = HandlerKindOf(subscription.Handler, subscription.Root, origins, out var retains);
                if (!retains)
                {
                    continue;
                }

                var properties = subscription.EventReference.Event.IsStatic
                    ? SymbolNames.MemberProperties(subscription.EventReference.Event)
                    : ImmutableDictionary.CreateBuilder<string, string?>();
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
        }

        private static string HandlerKindOf(IOperation handler, IOperation root, MemberOrigins origins, out bool retains)
        {
            switch (handler)
            {
                case IAnonymousFunctionOperation:
                    retains = DelegateCaptures.Of(handler, root).CapturesThis;
                    return DelegateCaptures.Of(handler, root).Variables.IsEmpty ? "Lambda" : "CapturingLambda";
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

        private static bool Wanted(SymbolAnalysisContext context, SyntaxTree tree, PublisherKind kind)
        {
            if (!context.Options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(PublishersOption, out var value)
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

        /// <summary>Everything one top-level type (with its nested types) subscribes, removes and stores.</summary>
        private sealed class TypeState
        {
            private readonly INamedTypeSymbol _type;
            private readonly object _gate = new object();
            private readonly List<Subscription> _subscriptions = new List<Subscription>();
            private readonly HashSet<(string, ISymbol)> _removals = new HashSet<(string, ISymbol)>(new RemovalComparer());
            private readonly Dictionary<INamedTypeSymbol, MemberOrigins> _origins = new Dictionary<INamedTypeSymbol, MemberOrigins>(SymbolEqualityComparer.Default);

            public TypeState(INamedTypeSymbol type)
            {
                _type = type;
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

            public void AddSubscription(Subscription subscription)
            {
                lock (_gate)
                {
                    _subscriptions.Add(subscription);
                }
            }

            public void AddRemoval(string eventName, ISymbol handler)
            {
                lock (_gate)
                {
                    _removals.Add((eventName, handler));
                }
            }

            public bool IsRemoved(string eventName, ISymbol handler)
            {
                lock (_gate)
                {
                    return _removals.Contains((eventName, handler));
                }
            }

            public List<Subscription> Subscriptions()
            {
                lock (_gate)
                {
                    var list = new List<Subscription>(_subscriptions);
                    list.Sort((a, b) =>
                    {
                        var byPath = string.CompareOrdinal(a.Assignment.Syntax.SyntaxTree.FilePath, b.Assignment.Syntax.SyntaxTree.FilePath);
                        return byPath != 0 ? byPath : a.Assignment.Syntax.SpanStart.CompareTo(b.Assignment.Syntax.SpanStart);
                    });
                    return list;
                }
            }
        }

        private sealed class RemovalComparer : IEqualityComparer<(string, ISymbol)>
        {
            public bool Equals((string, ISymbol) x, (string, ISymbol) y)
                => string.Equals(x.Item1, y.Item1, StringComparison.Ordinal) && SymbolEqualityComparer.Default.Equals(x.Item2, y.Item2);

            public int GetHashCode((string, ISymbol) obj)
                => StringComparer.Ordinal.GetHashCode(obj.Item1) ^ SymbolEqualityComparer.Default.GetHashCode(obj.Item2);
        }
    }
}
