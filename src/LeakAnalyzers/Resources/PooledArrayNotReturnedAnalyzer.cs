using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using LeakAnalyzers.Summaries;
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
                var checks = new ConcurrentDictionary<SyntaxNode, ResourceCheckResult>();
                start.RegisterOperationAction(c => Analyze(c, model, checks), OperationKind.Invocation);
                OwnedFields.Register(start, model, field => field.Type is IArrayTypeSymbol ? FieldResource.Pooled : null, DescribeField);
            });
        }

        private static Diagnostic DescribeField(FieldFinding finding)
        {
            var field = finding.Field;
            var why = finding.Leak switch
            {
                FieldLeak.NeverReleased => "nothing in the type returns it to the pool",
                FieldLeak.OwnerNotDisposable => "'" + field.ContainingType.Name + "' does not implement IDisposable, so nobody can return it",
                FieldLeak.Replaced => "it is replaced here without returning the previous array",
                _ => "it is cleared here without being returned to the pool",
            };
            return ResourceDiagnostics.FieldDiagnostic(FieldRule, finding, field.Name, why);
        }

        private static void Analyze(OperationAnalysisContext context, CompilationModel model, ConcurrentDictionary<SyntaxNode, ResourceCheckResult> checks)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            if (!IsRent(method))
            {
                ReportSecondReturn(context, invocation, model, checks);
                return;
            }

            var result = Check(context, invocation, model, checks);
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
        }

        private static bool IsRent(IMethodSymbol method)
            => Pools.IsTake(method) && method.ReturnType is not { IsValueType: true, TypeKind: not TypeKind.TypeParameter };

        private static ResourceCheckResult Check(in OperationAnalysisContext context, IInvocationOperation rent, CompilationModel model, ConcurrentDictionary<SyntaxNode, ResourceCheckResult> checks)
        {
            if (checks.TryGetValue(rent.Syntax, out var known))
            {
                return known;
            }

            var result = ResourceCheck.Run(context, rent, throughAwait: false, PooledKind.Instance, model);
            checks.TryAdd(rent.Syntax, result);
            return result;
        }

        /// <summary>
        /// A call given a local that holds a rented array (directly or through another local) and that the flow check of
        /// that rent found to return it a second time. Reported from the call's own action, so that the IDE, which keeps
        /// only the diagnostics inside the operation it analyses, shows it too.
        /// </summary>
        private static void ReportSecondReturn(in OperationAnalysisContext context, IInvocationOperation invocation, CompilationModel model, ConcurrentDictionary<SyntaxNode, ResourceCheckResult> checks)
        {
            if (invocation.Arguments.IsEmpty)
            {
                return;
            }

            List<IInvocationOperation>? rents = null;
            foreach (var argument in invocation.Arguments)
            {
                if (ValueFlow.Strip(argument.Value) is ILocalReferenceOperation local)
                {
                    RentsHeldBy(local.Local, BodyIndex.For(BodyIndex.RootOf(invocation)), ref rents, 0);
                }
            }

            if (rents is null)
            {
                return;
            }

            foreach (var rent in rents)
            {
                if (Check(context, rent, model, checks).DoubleReleases is not { } twice)
                {
                    continue;
                }

                foreach (var node in twice)
                {
                    if (invocation.Syntax.Span.Contains(node.Span))
                    {
                        var what = rent.TargetMethod.ReturnType is IArrayTypeSymbol ? "pooled array" : "pooled object";
                        context.ReportDiagnostic(Diagnostic.Create(Rule, node.GetLocation(), what, "is returned to the pool a second time here, after it was already returned on this path"));
                        return;
                    }
                }
            }
        }

        private static void RentsHeldBy(ILocalSymbol local, BodyIndex index, ref List<IInvocationOperation>? rents, int depth)
        {
            if (depth > 3)
            {
                return;
            }

            foreach (var value in index.ValuesOf(local))
            {
                switch (ValueFlow.Strip(value))
                {
                    case IInvocationOperation take when IsRent(take.TargetMethod):
                        rents ??= new List<IInvocationOperation>();
                        if (!rents.Contains(take))
                        {
                            rents.Add(take);
                        }

                        break;
                    case ILocalReferenceOperation other when !SymbolEqualityComparer.Default.Equals(other.Local, local):
                        RentsHeldBy(other.Local, index, ref rents, depth + 1);
                        break;
                }
            }
        }
    }
}
