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
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes.Efficiency
{
    /// <summary>
    /// LEAK010 "Stream the lines with File.ReadLines": ReadAllLines → ReadLines, ReadAllText(p).Split('\n') → ReadLines(p),
    /// <c>foreach (.. in await File.ReadAllLinesAsync(p))</c> → <c>await foreach (.. in File.ReadLinesAsync(p))</c>.
    /// An explicit <c>string[]</c> declaration becomes <c>IEnumerable&lt;string&gt;</c>.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class StreamFileLinesCodeFixProvider : CodeFixProvider
    {
        public const string Key = "LEAK010.ReadLines";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.WholeFileLoaded);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(null);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (var diagnostic in context.Diagnostics)
            {
                if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation
                    || !diagnostic.Properties.TryGetValue(WholeFileLoadedAnalyzer.ShapeProperty, out var shape)
                    || shape == "AsyncNoFix"
                    || shape == "Split" && invocation.ArgumentList.Arguments.Count > 1)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create("Stream the lines with File.ReadLines", ct => FixAsync(context.Document, invocation, shape!, ct), Key),
                    diagnostic);
            }
        }

        private static async Task<Document> FixAsync(Document document, InvocationExpressionSyntax invocation, string shape, CancellationToken cancellationToken)
        {
            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            ExpressionSyntax replacement;
            switch (shape)
            {
                case "Split" when invocation.Expression is MemberAccessExpressionSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax readAllText } read }:
                    replacement = read.WithExpression(readAllText.WithName(SyntaxFactory.IdentifierName("ReadLines"))).WithTriviaFrom(invocation);
                    break;
                case "Sync" or "Async" when invocation.Expression is MemberAccessExpressionSyntax access:
                    replacement = invocation.WithExpression(access.WithName(SyntaxFactory.IdentifierName(shape == "Async" ? "ReadLinesAsync" : "ReadLines").WithTriviaFrom(access.Name)));
                    break;
                default:
                    return document;
            }

            if (shape == "Async")
            {
                if (invocation.Parent is not AwaitExpressionSyntax awaited || awaited.Parent is not ForEachStatementSyntax loop)
                {
                    return document;
                }

                editor.ReplaceNode(loop, loop
                    .WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space).WithLeadingTrivia(loop.ForEachKeyword.LeadingTrivia))
                    .WithForEachKeyword(loop.ForEachKeyword.WithLeadingTrivia())
                    .WithExpression(replacement.WithTriviaFrom(awaited)));
                return editor.GetChangedDocument();
            }

            editor.ReplaceNode(invocation, replacement);

            // string[] lines = ... → IEnumerable<string> lines = ...
            if (invocation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Type: { IsVar: false } type } } })
            {
                editor.ReplaceNode(type, SyntaxFactory.ParseTypeName("global::System.Collections.Generic.IEnumerable<string>")
                    .WithTriviaFrom(type)
                    .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
            }

            var changed = editor.GetChangedDocument();
            return await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
