using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// LEAK008: an array rented from a pool (<c>ArrayPool&lt;T&gt;</c>, or any type with a take and a give-back method:
    /// see <see cref="Pools"/>) held in a local that is not returned on every normal path, rented again in a loop before
    /// it is returned, or returned twice; and a rented array kept in an instance field that the type never returns, or
    /// replaces or clears without returning (<see cref="OwnedFields"/>). Returned or stored arrays are handed over.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PooledArrayNotReturnedAnalyzer : DiagnosticAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.PooledArrayNotReturned,
            title: "Pooled array not returned",
            messageFormat: "The {0} {1}",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A rented array that is never returned defeats the pool: every rent allocates again, and the shared pool's buckets drain. An array returned twice is handed to two renters at once and corrupts both.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.PooledArrayNotReturned));

        public static readonly DiagnosticDescriptor FieldRule = new DiagnosticDescriptor(
            RuleIdentifiers.PooledArrayNotReturned,
            title: "Pooled array not returned",
            messageFormat: "Field '{0}' holds a pooled array this type rents, but {1}",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A rented array kept in a field belongs to the pool: return it in Dispose (and implement IDisposable), and return the previous array before replacing or clearing the field.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.PooledArrayNotReturned));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, FieldRule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var model = CompilationModel.For(start.Compilation);
                start.RegisterOperationAction(c => Analyze(c, model), OperationKind.Invocation);
                start.RegisterSymbolStartAction(s => OwnedFields.Register(s, model, field => field.Type is IArrayTypeSymbol ? FieldResource.Pooled : null, ReportField), SymbolKind.NamedType);
            });
        }

        private static void ReportField(SymbolAnalysisContext context, FieldFinding finding)
        {
            var field = finding.Field;
            var why = finding.Leak switch
            {
                FieldLeak.NeverReleased => "nothing in the type returns it to the pool",
                FieldLeak.OwnerNotDisposable => "'" + field.ContainingType.Name + "' does not implement IDisposable, so nobody can return it",
                FieldLeak.Replaced => "it is replaced here without returning the previous array",
                _ => "it is cleared here without being returned to the pool",
            };
            context.ReportDiagnostic(ResourceDiagnostics.FieldDiagnostic(FieldRule, finding, field.Name, why));
        }

        private static void Analyze(OperationAnalysisContext context, CompilationModel model)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            if (!Pools.IsTake(method) || method.ReturnType is { IsValueType: true, TypeKind: not TypeKind.TypeParameter })
            {
                return;
            }

            var result = ResourceCheck.Run(context, invocation, throughAwait: false, PooledKind.Instance, model);
            var what = method.ReturnType is IArrayTypeSymbol ? "pooled array" : "pooled object";
            if (result.Shape != LeakShape.None)
            {
                var properties = ResourceDiagnostics.Properties(result, awaited: false).ToBuilder();
                if (invocation.Instance?.Syntax is { } pool)
                {
                    properties[DiagnosticPropertyNames.PoolExpression] = pool.ToString();
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    Rule,
                    invocation.Syntax.GetLocation(),
                    properties.ToImmutable(),
                    what,
                    "rented here is " + result.Describe("returned to the pool")));
            }

            if (result.DoubleReleases is { } twice)
            {
                foreach (var node in twice)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Rule, node.GetLocation(), what, "is returned to the pool a second time here, after it was already returned on this path"));
                }
            }
        }
    }
}
