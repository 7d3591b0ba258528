using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Efficiency;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes.Efficiency
{
    /// <summary>
    /// LEAK011 "Use a StringBuilder": <c>var sBuilder = new StringBuilder(s);</c> before the loop, each <c>s += x</c> /
    /// <c>s = s + a + b</c> in the loop becomes <c>sBuilder.Append(x)</c> / <c>sBuilder.Append(a).Append(b)</c>, and
    /// <c>s = sBuilder.ToString();</c> after the loop, so every later read sees the same string. Offered only when the
    /// analyzer found it safe (s not read inside the loop, every accumulation a statement).
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class UseStringBuilderCodeFixProvider : CodeFixProvider
    {
        public const string Key = "LEAK011.StringBuilder";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.StringAccumulatedInLoop);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (diagnostic.Properties.ContainsKey(StringAccumulatedInLoopAnalyzer.FixableProperty))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Use a StringBuilder", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), Key, ct), Key),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            foreach (var group in diagnostics.Where(d => d.Properties.ContainsKey(StringAccumulatedInLoopAnalyzer.FixableProperty)).GroupBy(d => d.Location.SourceTree))
            {
                if (group.Key is null || solution.GetDocumentId(group.Key) is not { } id || solution.GetDocument(id) is not { } document)
                {
                    continue;
                }

                var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
                var usedNames = new HashSet<string>();
                foreach (var diagnostic in group)
                {
                    Fix(editor, diagnostic, usedNames, cancellationToken);
                }

                var changed = editor.GetChangedDocument();
                changed = await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
                solution = changed.Project.Solution;
            }

            return solution;
        }

        private static void Fix(DocumentEditor editor, Diagnostic diagnostic, HashSet<string> usedNames, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            if (editor.OriginalRoot.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not AssignmentExpressionSyntax first
                || model.GetSymbolInfo(first.Left, cancellationToken).Symbol is not ILocalSymbol local
                || local.DeclaringSyntaxReferences.Length != 1)
            {
                return;
            }

            var declaration = local.DeclaringSyntaxReferences[0].Span;
            StatementSyntax? loop = null;
            foreach (var ancestor in first.Ancestors())
            {
                if (ancestor is MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax || ancestor.Span.Contains(declaration))
                {
                    break;
                }

                if (ancestor is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
                {
                    loop = (StatementSyntax)ancestor;
                }
            }

            if (loop is null)
            {
                return;
            }

            var builder = local.Name + "Builder";
            for (var i = 2; usedNames.Contains(builder) || model.LookupSymbols(loop.SpanStart, name: builder).Any(); i++)
            {
                builder = local.Name + "Builder" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            usedNames.Add(builder);

            // Every accumulation of this local in the loop (not in lambdas or local functions inside it).
            foreach (var assignment in loop.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax).OfType<AssignmentExpressionSyntax>())
            {
                if (assignment.Left is IdentifierNameSyntax { Identifier.ValueText: var name } && name == local.Name
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol, local)
                    && Appends(assignment, local, model, cancellationToken) is { Count: > 0 } parts)
                {
                    ExpressionSyntax call = SyntaxFactory.IdentifierName(builder);
                    foreach (var part in parts)
                    {
                        call = SyntaxFactory.InvocationExpression(
                            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, call, SyntaxFactory.IdentifierName("Append")),
                            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(part.WithoutTrivia()))));
                    }

                    editor.ReplaceNode(assignment, call.WithTriviaFrom(assignment));
                }
            }

            var create = SyntaxFactory.ParseStatement($"var {builder} = new global::System.Text.StringBuilder({local.Name});")
                .WithAdditionalAnnotations(Formatter.Annotation);
            create = create.ReplaceNodes(create.DescendantNodes().OfType<QualifiedNameSyntax>().Where(q => q.Parent is not QualifiedNameSyntax),
                (_, q) => q.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
            // Elastic trivia: the formatter puts the statement on a line of its own (never "s = sBuilder.ToString(); return s;").
            var assign = SyntaxFactory.ParseStatement($"{local.Name} = {builder}.ToString();")
                .WithTrailingTrivia(SyntaxFactory.ElasticEndOfLine(loop.GetLastToken().TrailingTrivia.FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: (int)SyntaxKind.EndOfLineTrivia } eol ? eol.ToString() : "\n"))
                .WithAdditionalAnnotations(Formatter.Annotation);
            if (loop.Parent is BlockSyntax or SwitchSectionSyntax)
            {
                var endOfLine = loop.GetFirstToken().GetPreviousToken().TrailingTrivia.LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
                editor.InsertBefore(loop, create.WithLeadingTrivia(loop.GetLeadingTrivia())
                    .WithTrailingTrivia(endOfLine.IsKind(SyntaxKind.EndOfLineTrivia) ? endOfLine : SyntaxFactory.ElasticCarriageReturnLineFeed));
                editor.InsertAfter(loop, assign);
            }
            else
            {
                editor.ReplaceNode(loop, (current, _) => SyntaxFactory.Block(create, ((StatementSyntax)current).WithoutTrivia(), assign)
                    .WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
            }
        }

        /// <summary>What <c>s += x</c> (x) or <c>s = s + a + b</c> (a, b) appends.</summary>
        private static List<ExpressionSyntax>? Appends(AssignmentExpressionSyntax assignment, ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
        {
            if (assignment.IsKind(SyntaxKind.AddAssignmentExpression))
            {
                return new List<ExpressionSyntax> { assignment.Right };
            }

            if (!assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
            {
                return null;
            }

            var parts = new List<ExpressionSyntax>();
            var current = assignment.Right;
            while (current is ParenthesizedExpressionSyntax parenthesized)
            {
                current = parenthesized.Expression;
            }

            while (current is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } add)
            {
                parts.Insert(0, add.Right);
                current = add.Left;
            }

            return current is IdentifierNameSyntax && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(current, cancellationToken).Symbol, local) ? parts : null;
        }
    }
}
