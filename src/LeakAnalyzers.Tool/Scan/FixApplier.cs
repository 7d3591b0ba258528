using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tool.Scan
{
    /// <summary>
    /// Applies the first code fix offered for each finding, one at a time, re-analysing after each so that every fix sees
    /// the code as the previous ones left it (the fixes' own Fix All runs inside each provider). Bounded.
    /// </summary>
    public sealed class FixApplier
    {
        private const int MaxFixes = 500;
        private readonly ImmutableArray<DiagnosticAnalyzer> _analyzers;
        private readonly LoadedSolution _loaded;

        public FixApplier(ImmutableArray<DiagnosticAnalyzer> analyzers, LoadedSolution loaded)
        {
            _analyzers = analyzers;
            _loaded = loaded;
        }

        public async Task<(Solution Solution, int Applied)> ApplyAsync(Solution solution, CancellationToken cancellationToken)
        {
            var applied = 0;
            var unfixable = new System.Collections.Generic.HashSet<(string, string?, int)>();
            while (applied < MaxFixes)
            {
                var next = await NextFixAsync(solution, unfixable, cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    break;
                }

                solution = next;
                applied++;
            }

            return (solution, applied);
        }

        private async Task<Solution?> NextFixAsync(Solution solution, System.Collections.Generic.HashSet<(string, string?, int)> unfixable, CancellationToken cancellationToken)
        {
            foreach (var project in solution.Projects.Where(_loaded.IsTarget))
            {
                var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                if (compilation is null)
                {
                    continue;
                }

                var diagnostics = await compilation.WithAnalyzers(_analyzers, project.AnalyzerOptions).GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
                foreach (var diagnostic in diagnostics.Where(d => d.Id.StartsWith("LEAK", System.StringComparison.Ordinal) && !d.IsSuppressed).OrderBy(d => d.Id, System.StringComparer.Ordinal))
                {
                    var key = (diagnostic.Id, diagnostic.Location.SourceTree?.FilePath, diagnostic.Location.SourceSpan.Start);
                    if (unfixable.Contains(key) || project.GetDocument(diagnostic.Location.SourceTree) is not { } document)
                    {
                        continue;
                    }

                    foreach (var provider in Analyzers.Fixes.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
                    {
                        CodeAction? action = null;
                        var context = new CodeFixContext(document, diagnostic, (a, _) => action ??= a, cancellationToken);
                        await provider.RegisterCodeFixesAsync(context).ConfigureAwait(false);
                        if (action is null)
                        {
                            continue;
                        }

                        foreach (var operation in await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false))
                        {
                            if (operation is ApplyChangesOperation apply && apply.ChangedSolution != solution)
                            {
                                return apply.ChangedSolution;
                            }
                        }
                    }

                    unfixable.Add(key);
                }
            }

            return null;
        }
    }
}
