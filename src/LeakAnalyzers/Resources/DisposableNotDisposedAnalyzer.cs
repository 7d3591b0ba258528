using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// LEAK005: a new IDisposable/IAsyncDisposable (<c>new</c> or a factory that returns a new instance) that the method
    /// neither disposes on every path (exception paths included) nor hands over (returned, stored, given to an owner,
    /// captured). Types whose Dispose frees only GC memory are exempt; timers, registrations and token sources are LEAK009's.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DisposableNotDisposedAnalyzer : DiagnosticAnalyzer
    {
        public const string ExceptionPathsOption = "leak_analyzers.LEAK005.exception_paths";

        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.DisposableNotDisposed,
            title: "Disposable created and not disposed",
            messageFormat: "The {0} created here is {1}",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "An object that owns an operating-system handle, a connection or pooled memory keeps it until it is disposed or, at best, until the finalizer runs. Dispose it with using on every path, or hand it to an owner.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.DisposableNotDisposed));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var types = DisposableTypes.Create(start.Compilation);
                start.RegisterOperationAction(c => AnalyzeCreation(c, types), OperationKind.ObjectCreation);
                start.RegisterOperationAction(c => AnalyzeFactory(c, types), OperationKind.Invocation);
            });
        }

        private static void AnalyzeCreation(OperationAnalysisContext context, DisposableTypes types)
        {
            var creation = (IObjectCreationOperation)context.Operation;
            if (creation.Type is { } type && IsTracked(context, types, type) && !WrapsExistingResource(creation, types))
            {
                Analyze(context, creation, throughAwait: false, type);
            }
        }

        private static void AnalyzeFactory(OperationAnalysisContext context, DisposableTypes types)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            if (method.ReturnsVoid || !types.IsFactory(method))
            {
                return;
            }

            var type = method.ReturnType;
            var throughAwait = false;
            if (types.AwaitedType(type) is { } awaited)
            {
                type = awaited;
                throughAwait = true;
            }

            if (IsTracked(context, types, type))
            {
                Analyze(context, invocation, throughAwait, type);
            }
        }

        /// <summary>
        /// <c>new StreamReader(stream)</c> over a stream this expression did not create: disposing the wrapper would close
        /// the caller's resource, so leaving it undisposed is often deliberate. Ownership is unclear: stay quiet.
        /// </summary>
        private static bool WrapsExistingResource(IObjectCreationOperation creation, DisposableTypes types)
        {
            foreach (var argument in creation.Arguments)
            {
                var value = argument.Value;
                while (value is IConversionOperation conversion)
                {
                    value = conversion.Operand;
                }

                if (value is not IObjectCreationOperation and not IInvocationOperation && types.IsDisposable(value.Type))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsTracked(in OperationAnalysisContext context, DisposableTypes types, ITypeSymbol type)
        {
            return types.IsDisposable(type)
                && !types.IsExempt(type, DisposableTypes.ConfiguredExemptTypes(context.Options, context.Operation.Syntax.SyntaxTree));
        }

        private static void Analyze(in OperationAnalysisContext context, IOperation acquisition, bool throughAwait, ITypeSymbol type)
        {
            var kind = ExceptionPaths(context) ? DisposableKind.WithExceptionPaths : DisposableKind.NormalPathsOnly;
            var result = ResourceCheck.Run(context, acquisition, throughAwait, kind);
            if (result.Shape == LeakShape.None)
            {
                return;
            }

            var properties = ResourceDiagnostics.Properties(result, throughAwait);
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                acquisition.Syntax.GetLocation(),
                properties,
                type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                result.Describe("disposed")));
        }

        private static bool ExceptionPaths(in OperationAnalysisContext context)
        {
            return !context.Options.AnalyzerConfigOptionsProvider.GetOptions(context.Operation.Syntax.SyntaxTree).TryGetValue(ExceptionPathsOption, out var value)
                || !string.Equals(value.Trim(), "false", System.StringComparison.OrdinalIgnoreCase);
        }
    }
}
