using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes
{
    /// <summary>
    /// One <see cref="DocumentEditor"/> per document of a solution, for fixes whose edits span documents (a declaration
    /// here, its uses there); <see cref="ApplyAsync"/> puts every edit back into the solution and adds the imports the
    /// edits asked for with <see cref="Simplifier.AddImportsAnnotation"/>.
    /// </summary>
    internal sealed class DocumentEditors
    {
        private readonly Solution _solution;
        private readonly Dictionary<DocumentId, DocumentEditor> _editors = new Dictionary<DocumentId, DocumentEditor>();
        private readonly CancellationToken _cancellationToken;

        public DocumentEditors(Solution solution, CancellationToken cancellationToken)
        {
            _solution = solution;
            _cancellationToken = cancellationToken;
        }

        public async Task<DocumentEditor?> ForAsync(SyntaxTree? tree)
        {
            if (tree is null || _solution.GetDocumentId(tree) is not { } id || _solution.GetDocument(id) is not { } document)
            {
                return null;
            }

            if (!_editors.TryGetValue(id, out var editor))
            {
                _editors[id] = editor = await DocumentEditor.CreateAsync(document, _cancellationToken).ConfigureAwait(false);
            }

            return editor;
        }

        public async Task<Solution> ApplyAsync(bool addImports)
        {
            var solution = _solution;
            foreach (var pair in _editors)
            {
                solution = solution.WithDocumentSyntaxRoot(pair.Key, pair.Value.GetChangedRoot());
                if (addImports)
                {
                    var document = await ImportAdder.AddImportsAsync(solution.GetDocument(pair.Key)!, Simplifier.AddImportsAnnotation, cancellationToken: _cancellationToken).ConfigureAwait(false);
                    solution = document.Project.Solution;
                }
            }

            return solution;
        }
    }
}
