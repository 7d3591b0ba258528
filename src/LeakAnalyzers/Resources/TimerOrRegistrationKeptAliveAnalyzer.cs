using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// LEAK009: timers (<c>System.Threading.Timer</c>, <c>System.Timers.Timer</c>) dropped or never disposed;
    /// <c>CancellationToken.Register</c> on a token the method does not own (parameter, field, a field's source) whose
    /// registration is dropped or never disposed; <c>CancellationTokenSource.CreateLinkedTokenSource</c> and
    /// <c>new CancellationTokenSource(delay)</c> (or a local <c>new CancellationTokenSource()</c> this method calls <c>CancelAfter</c>
    /// on) never disposed. Each keeps a callback (and what it captures) alive.
    /// </summary>
    public sealed class TimerOrRegistrationKeptAliveAnalyzer : DiagnosticAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.TimerOrRegistrationKeptAlive,
            title: "Timer or token registration keeps its callback alive",
            messageFormat: "The {0} created here is {1}; {2}",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A running timer, a registration on a long-lived cancellation token and a linked or delayed token source are referenced by the runtime until they are disposed, together with their callback and everything it captures.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TimerOrRegistrationKeptAlive));

        /// <summary>Value of the <see cref="DiagnosticPropertyNames.ResourceKind"/> property.</summary>
        public const string TimerKind = "Timer";
        public const string RegistrationKind = "Registration";
        public const string TokenSourceKind = "TokenSource";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // The type tables are made at first use.
                var model = CompilationModel.For(start.Compilation);
                start.RegisterOperationAction(c => AnalyzeCreation(c, model), OperationKind.ObjectCreation);
                start.RegisterOperationAction(c => { if (model.Disposables.CancellationToken is not null) AnalyzeInvocation(c, model); }, OperationKind.Invocation);
            });
        }

        private static void AnalyzeCreation(OperationAnalysisContext context, CompilationModel model)
        {
            var types = model.Disposables;
            var creation = (IObjectCreationOperation)context.Operation;
            var type = creation.Type;
            if (types.IsTimer(type))
            {
                Report(context, model, creation, TimerKind, type!.Name == "Timer" && type.ContainingNamespace?.Name == "Timers" ? "System.Timers.Timer" : "timer",
                    "the runtime keeps a running timer and its callback's target alive until it is disposed");
            }
            else if (DisposableTypes.Is(type, types.CancellationTokenSource))
            {
                if (creation.Arguments.Length > 0)
                {
                    Report(context, model, creation, TokenSourceKind, "CancellationTokenSource with a delay", DelayedWhy);
                }
                else if (CancelledAfterHere(creation, types))
                {
                    Report(context, model, creation, TokenSourceKind, "CancellationTokenSource given a delay by CancelAfter", DelayedWhy);
                }
            }
        }

        private const string DelayedWhy = "its timer stays queued, with the source and its callbacks, until the delay expires";

        /// <summary>Upper bound on the references to the local read when looking for its CancelAfter.</summary>
        private const int MaxReferences = 256;

        /// <summary>
        /// <c>var source = new CancellationTokenSource(); ... source.CancelAfter(delay);</c>: the method calls CancelAfter directly on
        /// the local it created the source into, later in the same function and before the local is bound to another value. That
        /// queues the same timer as <c>new CancellationTokenSource(delay)</c>. Whether the source then escapes (returned, stored,
        /// handed over) or is disposed is left to the shared ownership check, as for a delayed source.
        /// </summary>
        private static bool CancelledAfterHere(IObjectCreationOperation creation, DisposableTypes types)
        {
            IOperation value = creation;
            while (value.Parent is IConversionOperation conversion)
            {
                value = conversion;
            }

            ILocalSymbol? local = value.Parent switch
            {
                IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
                ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when assignment.Value == value => target.Local,
                _ => null,
            };
            if (local is null)
            {
                return false;
            }

            var index = Summaries.BodyIndex.For(Summaries.BodyIndex.RootOf(creation));
            if (index.TooLarge)
            {
                return false;
            }

            var function = Summaries.BodyIndex.EnclosingFunction(creation);
            var created = creation.Syntax.SpanStart;
            var references = index.ReferencesTo(local);
            for (var i = 0; i < references.Count && i < MaxReferences; i++)
            {
                var reference = references[i];
                var at = reference.Syntax.SpanStart;
                if (reference.Parent is IInvocationOperation invocation && invocation.Instance == reference
                    && types.IsCancelAfter(invocation.TargetMethod)
                    && at > created
                    && Summaries.BodyIndex.EnclosingFunction(reference) == function
                    && !ReboundBetween(index, local, created, at))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The local is assigned another value between the creation and the call: the call is on that value.</summary>
        private static bool ReboundBetween(Summaries.BodyIndex index, ILocalSymbol local, int created, int at)
        {
            foreach (var value in index.ValuesOf(local))
            {
                var position = value.Syntax.SpanStart;
                if (position > created && position < at)
                {
                    return true;
                }
            }

            return false;
        }

        private static void AnalyzeInvocation(OperationAnalysisContext context, CompilationModel model)
        {
            var types = model.Disposables;
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            if (method.Name == "CreateLinkedTokenSource" && DisposableTypes.Is(method.ContainingType, types.CancellationTokenSource))
            {
                Report(context, model, invocation, TokenSourceKind, "linked CancellationTokenSource",
                    "it stays registered on its parent token(s), which keep it and its callbacks alive");
                return;
            }

            if (method.Name is "Register" or "UnsafeRegister" && !method.IsStatic
                && SymbolEqualityComparer.Default.Equals(method.ContainingType, types.CancellationToken)
                && IsLongLivedToken(invocation.Instance, types, context.ContainingSymbol))
            {
                Report(context, model, invocation, RegistrationKind, "CancellationTokenRegistration",
                    "the token, which this method does not own, keeps the callback and what it captures alive until the registration is disposed");
            }
        }

        /// <summary>A parameter, a field, or the Token of a source held in a parameter or in a static or another object's field: it may outlive this call.</summary>
        private static bool IsLongLivedToken(IOperation? token, DisposableTypes types, ISymbol containing)
        {
            while (token is IConversionOperation conversion)
            {
                token = conversion.Operand;
            }

            switch (token)
            {
                case IParameterReferenceOperation:
                    return true;
                case IFieldReferenceOperation field:
                    return !field.Field.IsConst && !AssignedHere(field);
                case IPropertyReferenceOperation { Property.Name: "Token", Instance: { } source } when DisposableTypes.Is(source.Type, types.CancellationTokenSource):
                    while (source is IConversionOperation c)
                    {
                        source = c.Operand;
                    }

                    // One registration on this object's own source, made while constructing it, dies with the object (it only
                    // closes a cycle); registrations made per call on it accumulate for the object's whole life.
                    return source is IParameterReferenceOperation
                        || (source is IFieldReferenceOperation sourceField && !AssignedHere(sourceField)
                            && !(sourceField.Instance is IInstanceReferenceOperation && containing is IMethodSymbol { MethodKind: MethodKind.Constructor }));
                default:
                    return false;
            }
        }

        /// <summary>The method also assigns the field (a fresh source per registration): the registration dies with it.</summary>
        private static bool AssignedHere(IFieldReferenceOperation field)
        {
            foreach (var operation in Summaries.BodyIndex.RootOf(field).Descendants())
            {
                if (operation is ISimpleAssignmentOperation { Target: IFieldReferenceOperation target } && SymbolEqualityComparer.Default.Equals(target.Field, field.Field))
                {
                    return true;
                }
            }

            return false;
        }

        private static void Report(in OperationAnalysisContext context, CompilationModel model, IOperation acquisition, string kind, string what, string why)
        {
            var result = ResourceCheck.Run(context, acquisition, throughAwait: false, DisposableKind.NormalPathsOnly, model);
            if (result.Shape is LeakShape.None or LeakShape.NotOnExceptionPath)
            {
                return;
            }

            var properties = ResourceDiagnostics.Properties(result, awaited: false).ToBuilder();
            properties[DiagnosticPropertyNames.ResourceKind] = kind;
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                acquisition.Syntax.GetLocation(),
                properties.ToImmutable(),
                what,
                result.Describe("disposed"),
                why));
        }
    }
}
