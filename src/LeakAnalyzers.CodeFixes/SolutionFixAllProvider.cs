using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace LeakAnalyzers.CodeFixes
{
    /// <summary>
    /// Fix All for every fix of ours (document, project, solution). Each diagnostic in scope gets the fix with the requested
    /// equivalence key, or, when the key is null (as <c>dotnet format</c> passes it when its first diagnostic has no fix) or
    /// is the first (recommended) fix of some diagnostic, or is offered to none of them (dotnet format fixes one id at a
    /// time with the key of the first diagnostic the analyzer reported, of any id), its own first fix; diagnostics whose tree is no longer the
    /// document's (stale after an earlier fix) are left out. The chosen fixes are grouped by provider and key; a provider
    /// with a batch <see cref="Apply"/> (shared edits: a constant per member, one Dispose per type) gets its group in one
    /// call, the others one action per diagnostic; the groups' changes are merged, and a change that overlaps an accepted
    /// one is left for the next run.
    /// </summary>
    internal sealed class SolutionFixAllProvider : FixAllProvider
    {
        public SolutionFixAllProvider(Func<Solution, ImmutableArray<Diagnostic>, string, CancellationToken, Task<Solution>>? apply)
        {
            Apply = apply;
        }

        /// <summary>The key passed to <see cref="Apply"/> of an <see cref="IAppliesEveryKey"/> provider: each diagnostic its own fix.</summary>
        public const string AnyKey = "*";

        /// <summary>
        /// A provider whose fixes of different keys share edits (one field list and one Dispose per type): its batch
        /// <see cref="Apply"/> takes all of them at once with <see cref="AnyKey"/>, so that they do not conflict.
        /// </summary>
        public interface IAppliesEveryKey
        {
        }

        /// <summary>Applies a set of diagnostics of one key in one pass; null: one code action per diagnostic, merged.</summary>
        public Func<Solution, ImmutableArray<Diagnostic>, string, CancellationToken, Task<Solution>>? Apply { get; }

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes()
            => new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
        {
            var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
            switch (fixAllContext.Scope)
            {
                case FixAllScope.Document when fixAllContext.Document is { } document:
                    diagnostics.AddRange(await fixAllContext.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false));
                    break;
                case FixAllScope.Project:
                    diagnostics.AddRange(await fixAllContext.GetAllDiagnosticsAsync(fixAllContext.Project).ConfigureAwait(false));
                    break;
                case FixAllScope.Solution:
                    foreach (var project in fixAllContext.Solution.Projects)
                    {
                        diagnostics.AddRange(await fixAllContext.GetAllDiagnosticsAsync(project).ConfigureAwait(false));
                    }

                    break;
                default:
                    return null;
            }

            var providers = fixAllContext.CodeFixProvider is LeakCodeFixProvider composite ? composite.Providers : ImmutableArray.Create(fixAllContext.CodeFixProvider);
            var key = fixAllContext.CodeActionEquivalenceKey;
            var solution = fixAllContext.Solution;
            var all = diagnostics.ToImmutable();
            return CodeAction.Create(
                "Fix all",
                ct => FixAllAsync(solution, all, key, providers, ct),
                key ?? "LeakAnalyzers.FixAll");
        }

        public static async Task<Solution> FixAllAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string? key, ImmutableArray<CodeFixProvider> providers, CancellationToken cancellationToken)
        {
            // What each diagnostic is offered, in provider order.
            var offers = new List<(Diagnostic Diagnostic, List<(CodeFixProvider Provider, CodeAction Action)> Actions)>();
            var seen = new HashSet<(string, SyntaxTree, TextSpan)>();
            foreach (var diagnostic in diagnostics)
            {
                if (diagnostic.Location.SourceTree is not { } tree || !seen.Add((diagnostic.Id, tree, diagnostic.Location.SourceSpan))
                    || solution.GetDocument(tree) is not { } document)
                {
                    continue;
                }

                var actions = new List<(CodeFixProvider, CodeAction)>();
                foreach (var provider in providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
                {
                    var registered = new List<CodeAction>();
                    await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => registered.Add(a), cancellationToken)).ConfigureAwait(false);
                    actions.AddRange(registered.Select(a => (provider, a)));
                }

                if (actions.Count > 0)
                {
                    offers.Add((diagnostic, actions));
                }
            }

            var recommended = new HashSet<string?>(offers.Select(o => o.Actions[0].Action.EquivalenceKey));
            // A key that none of these diagnostics is offered asks for their first fixes: dotnet format takes the key of the
            // first diagnostic an analyzer reports (of any of its ids) and fixes one id at a time with it.
            if (key is not null && !offers.Any(o => o.Actions.Any(a => a.Action.EquivalenceKey == key)))
            {
                key = null;
            }

            var groups = new List<(CodeFixProvider Provider, string? Key, List<(Diagnostic Diagnostic, CodeAction Action)> Members)>();
            foreach (var (diagnostic, actions) in offers)
            {
                (CodeFixProvider Provider, CodeAction Action)? chosen = null;
                if (key is not null && actions.FirstOrDefault(a => a.Action.EquivalenceKey == key) is { Action: not null } exact)
                {
                    chosen = exact;
                }
                else if (key is null || recommended.Contains(key))
                {
                    chosen = actions[0];
                }

                if (chosen is not { } pick)
                {
                    continue;
                }

                var group = groups.FindIndex(g => g.Provider == pick.Provider && g.Key == pick.Action.EquivalenceKey);
                if (group < 0)
                {
                    groups.Add((pick.Provider, pick.Action.EquivalenceKey, new List<(Diagnostic, CodeAction)>()));
                    group = groups.Count - 1;
                }

                groups[group].Members.Add((diagnostic, pick.Action));
            }

            // A provider whose keys share edits gets all its chosen diagnostics in one group.
            foreach (var provider in groups.Select(g => g.Provider).Distinct().Where(p => p is IAppliesEveryKey).ToList())
            {
                var mine = groups.Where(g => g.Provider == provider).ToList();
                if (mine.Count > 1)
                {
                    groups.RemoveAll(g => g.Provider == provider);
                    groups.Add((provider, AnyKey, mine.SelectMany(g => g.Members).ToList()));
                }
            }

            var results = new List<Solution>();
            foreach (var (provider, groupKey, members) in groups)
            {
                if (provider.GetFixAllProvider() is SolutionFixAllProvider { Apply: { } apply } && groupKey is not null)
                {
                    results.Add(await apply(solution, members.Select(m => m.Diagnostic).ToImmutableArray(), groupKey, cancellationToken).ConfigureAwait(false));
                    continue;
                }

                foreach (var (_, action) in members)
                {
                    foreach (var operation in await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (operation is ApplyChangesOperation change)
                        {
                            results.Add(change.ChangedSolution);
                        }
                    }
                }
            }

            return results.Count switch
            {
                0 => solution,
                1 => results[0],
                _ => await MergeAsync(solution, results, cancellationToken).ConfigureAwait(false),
            };
        }

        /// <summary>The text changes of every result against <paramref name="solution"/>, each result after the clean-up a code action gets; overlapping changes of a later result are dropped for that document.</summary>
        private static async Task<Solution> MergeAsync(Solution solution, List<Solution> results, CancellationToken cancellationToken)
        {
            var accepted = new Dictionary<DocumentId, List<TextChange>>();
            foreach (var result in results)
            {
                // Formatting, simplification and imports as a code action's result gets them, before the annotations are lost to text.
                var cleaned = result;
                foreach (var operation in await CodeAction.Create("merge", _ => Task.FromResult(result)).GetOperationsAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (operation is ApplyChangesOperation apply)
                    {
                        cleaned = apply.ChangedSolution;
                    }
                }

                foreach (var projectChanges in cleaned.GetChanges(solution).GetProjectChanges())
                {
                    foreach (var id in projectChanges.GetChangedDocuments(onlyGetDocumentsWithTextChanges: true))
                    {
                        var changes = (await cleaned.GetDocument(id)!.GetTextChangesAsync(solution.GetDocument(id)!, cancellationToken).ConfigureAwait(false)).ToList();
                        if (!accepted.TryGetValue(id, out var list))
                        {
                            accepted[id] = changes;
                            continue;
                        }

                        var fresh = changes.Where(c => !list.Contains(c)).ToList();
                        if (!fresh.Any(c => list.Any(a => Overlaps(a, c))))
                        {
                            list.AddRange(fresh);
                        }
                    }
                }
            }

            foreach (var pair in accepted)
            {
                var text = await solution.GetDocument(pair.Key)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
                solution = solution.WithDocumentText(pair.Key, text.WithChanges(pair.Value.OrderBy(c => c.Span.Start)));
            }

            return solution;
        }

        /// <summary>Overlapping or touching (two inserts at one place have no defined order).</summary>
        private static bool Overlaps(TextChange a, TextChange b)
            => a.Span.Start <= b.Span.End && b.Span.Start <= a.Span.End;
    }
}
