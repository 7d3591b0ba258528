using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// LEAK006: an instance field that the type itself fills with a new disposable (never an injected one) and that nothing
    /// in the type disposes, or whose type does not implement IDisposable at all; an owned field replaced with a new
    /// instance, or set to null, without disposing the previous one. Ownership and releases come from
    /// <see cref="OwnedFields"/> (helpers, aliases and hand-overs read through the method summaries).
    /// </summary>
    public sealed class OwnedDisposableFieldNotDisposedAnalyzer : DiagnosticAnalyzer
    {
        public const string ShapeNotDisposed = "FieldNotDisposed";
        public const string ShapeOwnerNotDisposable = "OwnerNotDisposable";
        public const string ShapeReassigned = "FieldReassigned";
        public const string ShapeCleared = "FieldCleared";
        public const string ShapeLostInConstructor = "FieldLostInConstructor";

        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.OwnedDisposableFieldNotDisposed,
            title: "Owned disposable field is never disposed",
            messageFormat: "Field '{0}' holds a {1} this type creates, but {2}",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A type that creates a disposable and keeps it in a field owns it: it must dispose it in its own Dispose (and so implement IDisposable), and dispose the previous value before replacing or clearing it.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.OwnedDisposableFieldNotDisposed));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // The type tables are made at the first field.
                var model = CompilationModel.For(start.Compilation);
                OwnedFields.Register(start, model, field => IsCandidate(field, model.Disposables) ? FieldResource.Disposable : null, Describe);
            });
        }

        /// <summary>A field of a disposable type that is worth following (not a Task, a token source or another exempt type).</summary>
        private static bool IsCandidate(IFieldSymbol field, DisposableTypes types)
            => types.IsDisposable(field.Type) && (types.IsTimer(field.Type) || !types.IsExempt(field.Type, System.Collections.Immutable.ImmutableHashSet<string>.Empty));

        private static Diagnostic Describe(FieldFinding finding)
        {
            var field = finding.Field;
            var why = finding.Leak switch
            {
                FieldLeak.NeverReleased => "nothing in the type disposes it",
                FieldLeak.OwnerNotDisposable => "'" + field.ContainingType.Name + "' does not implement IDisposable, so nobody can dispose it",
                FieldLeak.Replaced => "it is replaced here without disposing the previous instance",
                FieldLeak.LostInConstructor => "it is not disposed when '" + finding.Call + "' throws in the constructor, and nobody can dispose a half-built object",
                _ => "it is set to null here without disposing the previous instance",
            };
            return ResourceDiagnostics.FieldDiagnostic(Rule, finding, field.Name, finding.ResourceType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), why);
        }
    }
}
