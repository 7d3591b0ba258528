using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace LeakAnalyzers.CodeFixes.Collections
{
    /// <summary>
    /// LEAK002 "Bound the cache": before each guarded add, clear the cache when it holds <c>Max&lt;Name&gt;Entries</c>
    /// (10,000) entries. Blunt but honest: the next requests refill what they need.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class BoundCacheCodeFixProvider : CodeFixProvider
    {
        public const string BoundKey = "LEAK002.Bound";
        private const string DefaultBound = "10_000";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CacheNeverEvicts);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (CollectionBounding.CanClear(CollectionBounding.GetKind(diagnostic)))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Bound the cache (clear when full)", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), BoundKey, ct), BoundKey),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
            => CollectionBounding.ApplyAsync(solution, diagnostics, new BoundingSettings(RuleIdentifiers.CacheNeverEvicts, "Entries", DefaultBound, trim: false, before: true), cancellationToken);
    }
}
