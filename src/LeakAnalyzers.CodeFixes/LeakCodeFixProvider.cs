using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Collections;
using LeakAnalyzers.CodeFixes.Efficiency;
using LeakAnalyzers.CodeFixes.Resources;
using LeakAnalyzers.CodeFixes.Retention;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace LeakAnalyzers.CodeFixes
{
    /// <summary>
    /// The one exported code fix provider: it offers the fixes of every provider below for a LEAK diagnostic, in this order
    /// (the first is the recommended fix), and only those that change the code. One provider per rule is what
    /// <c>dotnet format analyzers</c> needs: it runs each provider of a diagnostic id once, with the key of the first fix
    /// for the first diagnostic, so alternatives in separate providers would be applied in the order the assembly lists
    /// them, and a second provider would find its diagnostics stale. Fix All (<see cref="SolutionFixAllProvider"/>)
    /// gives every finding its recommended fix, or the chosen alternative where that is offered.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LeakCodeFixProvider)), Shared]
    public sealed class LeakCodeFixProvider : CodeFixProvider
    {
        internal ImmutableArray<CodeFixProvider> Providers { get; } = ImmutableArray.Create<CodeFixProvider>(
            new BoundCollectionCodeFixProvider(),
            new BoundCacheCodeFixProvider(),
            new UseConditionalWeakTableCodeFixProvider(),
            new UseMemoryCacheCodeFixProvider(),
            new UnsubscribeInDisposeCodeFixProvider(),
            new UnsubscribeAfterFirstCallCodeFixProvider(),
            new CaptureOnlyWhatIsNeededCodeFixProvider(),
            new ReleaseLongLivedStoreCodeFixProvider(),
            new ReleaseInFinallyCodeFixProvider(),
            new DisposeFieldCodeFixProvider(),
            new KeepTimerInFieldCodeFixProvider(),
            new AddUsingCodeFixProvider(),
            new DisposeWhereDroppedCodeFixProvider(),
            new StreamFileLinesCodeFixProvider(),
            new UseStringBuilderCodeFixProvider());

        private ImmutableArray<string> _fixableDiagnosticIds;

        public override ImmutableArray<string> FixableDiagnosticIds
            => _fixableDiagnosticIds.IsDefault
                ? _fixableDiagnosticIds = Providers.SelectMany(p => p.FixableDiagnosticIds).Distinct().OrderBy(id => id, System.StringComparer.Ordinal).ToImmutableArray()
                : _fixableDiagnosticIds;

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(null);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var solution = context.Document.Project.Solution;
            foreach (var diagnostic in context.Diagnostics)
            {
                var registered = new List<CodeAction>();
                foreach (var provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
                {
                    await provider.RegisterCodeFixesAsync(new CodeFixContext(context.Document, diagnostic, (a, _) => registered.Add(a), context.CancellationToken)).ConfigureAwait(false);
                }

                foreach (var action in registered)
                {
                    // Offered only when applying it changes the code; the computed result is what the action applies.
                    var changed = await ChangedSolutionAsync(action, solution, context).ConfigureAwait(false);
                    if (changed is not null)
                    {
                        context.RegisterCodeFix(CodeAction.Create(action.Title, _ => Task.FromResult(changed), action.EquivalenceKey), diagnostic);
                    }
                }
            }
        }

        private static async Task<Solution?> ChangedSolutionAsync(CodeAction action, Solution solution, CodeFixContext context)
        {
            foreach (var operation in await action.GetOperationsAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (operation is ApplyChangesOperation apply && await ChangesTextAsync(solution, apply.ChangedSolution, context.CancellationToken).ConfigureAwait(false))
                {
                    return apply.ChangedSolution;
                }
            }

            return null;
        }

        /// <summary>Whether <paramref name="after"/> differs from <paramref name="before"/> in some document's text (or adds or removes one).</summary>
        internal static async Task<bool> ChangesTextAsync(Solution before, Solution after, System.Threading.CancellationToken cancellationToken)
        {
            foreach (var projectChanges in after.GetChanges(before).GetProjectChanges())
            {
                if (projectChanges.GetAddedDocuments().Any() || projectChanges.GetRemovedDocuments().Any())
                {
                    return true;
                }

                foreach (var id in projectChanges.GetChangedDocuments(onlyGetDocumentsWithTextChanges: true))
                {
                    var oldText = await before.GetDocument(id)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
                    var newText = await after.GetDocument(id)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
                    if (!oldText.ContentEquals(newText))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
