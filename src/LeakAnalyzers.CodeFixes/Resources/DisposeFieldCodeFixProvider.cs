using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Resources;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace LeakAnalyzers.CodeFixes.Resources
{
    /// <summary>
    /// LEAK006: "Dispose the field in Dispose" (see <see cref="DisposeMembers"/>), and for a replaced field "Dispose the
    /// previous value" (<c>_f?.Dispose();</c> right before the assignment). Fix All gathers the fields of one type into one edit.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DisposeFieldCodeFixProvider)), Shared]
    public sealed class DisposeFieldCodeFixProvider : CodeFixProvider
    {
        public const string DisposeFieldKey = "LEAK006.DisposeField";
        public const string DisposePreviousKey = "LEAK006.DisposePrevious";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.OwnedDisposableFieldNotDisposed);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                var shape = diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.LeakShape, out var s) ? s : null;
                var key = shape == OwnedDisposableFieldNotDisposedAnalyzer.ShapeReassigned ? DisposePreviousKey : DisposeFieldKey;
                var title = key == DisposePreviousKey ? "Dispose the previous value" : "Dispose the field in Dispose";
                var solution = context.Document.Project.Solution;
                context.RegisterCodeFix(CodeAction.Create(title, ct => ApplyAsync(solution, ImmutableArray.Create(diagnostic), key, ct), key), diagnostic);
            }

            return Task.CompletedTask;
        }

        private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var editors = new Dictionary<DocumentId, DocumentEditor>();
            DocumentEditor? EditorFor(SyntaxTree tree)
            {
                var id = solution.GetDocumentId(tree);
                if (id is null)
                {
                    return null;
                }

                if (!editors.TryGetValue(id, out var editor))
                {
                    editor = DocumentEditor.CreateAsync(solution.GetDocument(id)!, cancellationToken).GetAwaiter().GetResult();
                    editors[id] = editor;
                }

                return editor;
            }

            var byType = new Dictionary<INamedTypeSymbol, (TypeDeclarationSyntax Declaration, List<StatementSyntax> Statements, HashSet<string> Names)>(SymbolEqualityComparer.Default);
            foreach (var diagnostic in diagnostics)
            {
                var shape = diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.LeakShape, out var s) ? s : null;
                var isReassign = shape == OwnedDisposableFieldNotDisposedAnalyzer.ShapeReassigned;
                if (isReassign != (key == DisposePreviousKey) || diagnostic.Location.SourceTree is not { } tree || EditorFor(tree) is not { } editor)
                {
                    continue;
                }

                var root = await tree.GetRootAsync(cancellationToken).ConfigureAwait(false);
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                var model = editor.SemanticModel;
                if (isReassign)
                {
                    if (node.FirstAncestorOrSelf<AssignmentExpressionSyntax>() is { Parent: ExpressionStatementSyntax statement } assignment
                        && model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is IFieldSymbol reassigned)
                    {
                        editor.InsertBefore(statement, DisposeMembers.DisposeStatement(assignment.Left.WithoutTrivia().ToString(), reassigned.Type));
                    }

                    continue;
                }

                if (node.FirstAncestorOrSelf<VariableDeclaratorSyntax>() is not { } declarator
                    || model.GetDeclaredSymbol(declarator, cancellationToken) is not IFieldSymbol field
                    || declarator.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration)
                {
                    continue;
                }

                if (!byType.TryGetValue(field.ContainingType, out var entry))
                {
                    entry = (declaration, new List<StatementSyntax>(), new HashSet<string>());
                    byType[field.ContainingType] = entry;
                }

                if (entry.Names.Add(field.Name))
                {
                    entry.Statements.Add(DisposeMembers.DisposeStatement(field.Name, field.Type));
                }
            }

            foreach (var pair in byType)
            {
                DisposeMembers.AddDisposals(EditorFor, pair.Key, pair.Value.Declaration, pair.Value.Statements);
            }

            return await DisposeMembers.CommitAsync(solution, editors, cancellationToken).ConfigureAwait(false);
        }
    }
}
