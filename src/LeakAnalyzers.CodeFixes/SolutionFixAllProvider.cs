using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace LeakAnalyzers.CodeFixes
{
    /// <summary>
    /// Fix All for fixes whose diagnostics share edits across documents (a constant added once per member, growth sites in
    /// other files): gathers every diagnostic in scope and applies them in one pass, so that nothing is inserted twice.
    /// </summary>
    internal sealed class SolutionFixAllProvider : FixAllProvider
    {
        private readonly Func<Solution, ImmutableArray<Diagnostic>, string, CancellationToken, Task<Solution>> _apply;

        public SolutionFixAllProvider(Func<Solution, ImmutableArray<Diagnostic>, string, CancellationToken, Task<Solution>> apply)
        {
            _apply = apply;
        }

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

            var key = fixAllContext.CodeActionEquivalenceKey ?? string.Empty;
            var all = diagnostics.ToImmutable();
            return CodeAction.Create(
                "Fix all",
                ct => _apply(fixAllContext.Solution, all, key, ct),
                key);
        }
    }
}
