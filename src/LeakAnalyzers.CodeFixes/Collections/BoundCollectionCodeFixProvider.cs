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
    /// LEAK001: "Bound the collection" trims the oldest entries after each growth (queues, lists, linked lists, bags);
    /// "Clear it when full" clears it when it passes the bound (every kind that has Clear). Both add one named constant
    /// per member. The growth sites come from the diagnostic's additional locations, the kind from its properties.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class BoundCollectionCodeFixProvider : CodeFixProvider
    {
        public const string BoundKey = "LEAK001.Bound";
        public const string ClearKey = "LEAK001.ClearWhenFull";
        private const string DefaultBound = "1024";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.StaticCollectionOnlyGrows);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        private static Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
            => CollectionBounding.ApplyAsync(solution, diagnostics, new BoundingSettings(RuleIdentifiers.StaticCollectionOnlyGrows, "Count", DefaultBound, trim: key == BoundKey, before: false), cancellationToken);

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                var kind = CollectionBounding.GetKind(diagnostic);
                if (CollectionBounding.CanTrim(kind))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Bound the collection", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), BoundKey, ct), BoundKey),
                        diagnostic);
                }

                if (CollectionBounding.CanClear(kind))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Clear it when full", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), ClearKey, ct), ClearKey),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }
    }
}
