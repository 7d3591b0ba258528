using System.Collections.Immutable;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// LEAK005: a new IDisposable/IAsyncDisposable (<c>new</c>, any call or getter whose method summary says the caller
    /// owns a new object, or an element taken out of a collection whose elements the type owns: see <see cref="OwnedElements"/>) that the method neither disposes on every path (exception paths included) nor hands over on that
    /// path (returned, stored, given to a callee that keeps it, wrapped by an object that owns it). Types whose Dispose frees only GC memory are exempt; timers, registrations and token sources are LEAK009's.
    /// </summary>
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
                var model = CompilationModel.For(start.Compilation);
                start.RegisterOperationAction(c => AnalyzeCreation(c, model), OperationKind.ObjectCreation);
                start.RegisterOperationAction(c => AnalyzeCall(c, model), OperationKind.Invocation);
                start.RegisterOperationAction(c => AnalyzeProperty(c, model), OperationKind.PropertyReference);
            });
        }

        private static void AnalyzeCreation(OperationAnalysisContext context, CompilationModel model)
        {
            var creation = (IObjectCreationOperation)context.Operation;
            if (creation.Type is { } type && IsTracked(context, model.Disposables, type) && !WrapsExistingResource(creation, model))
            {
                Analyze(context, creation, throughAwait: false, type, model);
            }
        }

        /// <summary>Any call whose summary says the caller owns a new disposable: a factory of this code base, or a library one.</summary>
        private static void AnalyzeCall(OperationAnalysisContext context, CompilationModel model)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            if (method.ReturnsVoid || !ReturnsDisposable(method.ReturnType, model.Disposables, out var type, out var throughAwait)
                || ValueFlow.IsKnownNull(invocation.Instance) || IsSeedingCall(invocation))
            {
                // Code that cannot run past a null receiver creates nothing.
                return;
            }

            if (!IsTracked(context, model.Disposables, type))
            {
                // Tasks, memory streams, token sources...: the cheap test first, before any summary is computed.
                return;
            }

            var summary = model.Summaries.ForCall(invocation, new FlowContext(model.Summaries, AnyResourceKind.Instance, context.CancellationToken));
            if (summary.Returns == ReturnKind.New && !summary.ReturnsNothingFor(invocation.Arguments) && CreatesTracked(context, model, summary)
                || !throughAwait && model.Elements.IsTakeOut(invocation, context.CancellationToken))
            {
                Analyze(context, invocation, throughAwait, type, model);
            }
        }

        /// <summary>A getter that returns a new object on every access (<c>Stream Data => File.OpenRead(path)</c>) is an acquisition at each use.</summary>
        private static void AnalyzeProperty(OperationAnalysisContext context, CompilationModel model)
        {
            var reference = (IPropertyReferenceOperation)context.Operation;
            if (reference.Property.GetMethod is not { } getter || ValueFlow.IsLibrary(getter) || ValueFlow.IsKnownNull(reference.Instance)
                || reference.Parent is IAssignmentOperation assignment && assignment.Target == reference
                || !ReturnsDisposable(reference.Property.Type, model.Disposables, out var type, out var throughAwait) || throughAwait)
            {
                return;
            }

            if (!IsTracked(context, model.Disposables, type))
            {
                return;
            }

            var summary = model.Summaries.ForMethod(getter, new FlowContext(model.Summaries, AnyResourceKind.Instance, context.CancellationToken));
            if (summary.Returns == ReturnKind.New && CreatesTracked(context, model, summary))
            {
                Analyze(context, reference, throughAwait: false, type, model);
            }
        }

        /// <summary>
        /// <c>Factory.Create(default, default);</c>: every argument a default literal and the result thrown away. Code that
        /// exists to make a compiler see a generic instantiation (AOT seeding), not to run.
        /// </summary>
        private static bool IsSeedingCall(IInvocationOperation invocation)
        {
            if (invocation.Parent is not IExpressionStatementOperation || invocation.Arguments.IsEmpty)
            {
                return false;
            }

            foreach (var argument in invocation.Arguments)
            {
                if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                {
                    continue;
                }

                if (ValueFlow.Strip(argument.Value) is not (IDefaultValueOperation or { ConstantValue: { HasValue: true, Value: null } }))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool ReturnsDisposable(ITypeSymbol returnType, DisposableTypes types, out ITypeSymbol type, out bool throughAwait)
        {
            type = returnType;
            throughAwait = false;
            if (types.AwaitedType(returnType) is { } awaited)
            {
                type = awaited;
                throughAwait = true;
            }

            return types.IsDisposable(type);
        }

        /// <summary>
        /// <c>new StreamReader(stream)</c> over a stream this method did not acquire (a parameter, a field, a local holding
        /// one of those): disposing the wrapper would close the caller's resource, so leaving it undisposed is often
        /// deliberate. Ownership is unclear: stay quiet. Over a fresh acquisition (directly or through a local), the wrapper
        /// owns it and is checked.
        /// </summary>
        private static bool WrapsExistingResource(IObjectCreationOperation creation, CompilationModel model)
        {
            var types = model.Disposables;
            foreach (var argument in creation.Arguments)
            {
                var value = ValueFlow.Strip(argument.Value);
                if (value is null || value is IObjectCreationOperation or IInvocationOperation || !types.IsDisposable(value.Type))
                {
                    continue;
                }

                if (value is ILocalReferenceOperation local && HoldsFreshAcquisition(local, model))
                {
                    continue;
                }

                return true;
            }

            return false;
        }

        /// <summary>Every value the local is given is a new object (a creation, or a call whose summary says the caller owns it).</summary>
        private static bool HoldsFreshAcquisition(ILocalReferenceOperation local, CompilationModel model)
        {
            var values = BodyIndex.For(BodyIndex.RootOf(local)).ValuesOf(local.Local);
            if (values.Count == 0)
            {
                return false;
            }

            var flow = new FlowContext(model.Summaries, AnyResourceKind.Instance, default);
            foreach (var value in values)
            {
                switch (ValueFlow.Strip(value))
                {
                    case IObjectCreationOperation:
                        continue;
                    case IInvocationOperation invocation when model.Summaries.ForCall(invocation, flow).Returns == ReturnKind.New:
                        continue;
                    case IAwaitOperation { Operation: var awaited } when ValueFlow.Strip(awaited) is IInvocationOperation call
                        && model.Summaries.ForCall(call, flow).Returns == ReturnKind.New:
                        continue;
                    case { ConstantValue: { HasValue: true, Value: null } }:
                        continue;
                    default:
                        return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The class the method creates on every path, when the summary knows it, is one whose disposal matters too: a method
        /// declared to return <c>Stream</c> that returns a stream wrapper freeing nothing creates nothing to dispose.
        /// </summary>
        private static bool CreatesTracked(in OperationAnalysisContext context, CompilationModel model, MethodSummary summary)
            => summary.CreatedType is not { } name || MetadataTypes.Get(context.Compilation, name) is not { } created
                || IsTracked(context, model.Disposables, created);

        private static bool IsTracked(in OperationAnalysisContext context, DisposableTypes types, ITypeSymbol type)
        {
            return types.IsDisposable(type)
                && !types.IsExempt(type, DisposableTypes.ConfiguredExemptTypes(context.Options, context.Operation.Syntax.SyntaxTree));
        }

        private static void Analyze(in OperationAnalysisContext context, IOperation acquisition, bool throughAwait, ITypeSymbol type, CompilationModel model)
        {
            var kind = ExceptionPaths(context) ? DisposableKind.WithExceptionPaths : DisposableKind.NormalPathsOnly;
            var result = ResourceCheck.Run(context, acquisition, throughAwait, kind, model);
            if (result.Shape == LeakShape.None)
            {
                return;
            }

            var properties = ResourceDiagnostics.Properties(result, throughAwait);
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                acquisition.Syntax.GetLocation(),
                properties,
                type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                result.Describe("disposed")));
        }

        /// <summary>
        /// Exception paths are off by default: an object lost only when an exception is thrown is released by its finalizer
        /// (or SafeHandle) and does not make a process grow; on real code those findings were rarely worth a change.
        /// </summary>
        private static bool ExceptionPaths(in OperationAnalysisContext context)
        {
            return context.Options.AnalyzerConfigOptionsProvider.GetOptions(context.Operation.Syntax.SyntaxTree).TryGetValue(ExceptionPathsOption, out var value)
                && string.Equals(value.Trim(), "true", System.StringComparison.OrdinalIgnoreCase);
        }
    }
}
