using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Retention;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace LeakAnalyzers.CodeFixes.Retention
{
    /// <summary>
    /// LEAK003 "Unsubscribe after first call", for handlers that only need to run once:
    /// <c>x.E += (s, e) => Body;</c> becomes
    /// <c>EventHandler? handler = null; handler = (s, e) => { x.E -= handler; Body; }; x.E += handler;</c>.
    /// Offered for void lambdas subscribed in a statement of a block.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class UnsubscribeAfterFirstCallCodeFixProvider : CodeFixProvider
    {
        public const string Key = "LEAK003.UnsubscribeAfterFirstCall";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.EventSubscriptionOutlivesSubscriber);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                if (Target(root, model, diagnostic, context.CancellationToken) is not null)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Unsubscribe after first call", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), Key, ct), Key),
                        diagnostic);
                }
            }
        }

        private sealed class Site
        {
            public Site(ExpressionStatementSyntax statement, AssignmentExpressionSyntax assignment, AnonymousFunctionExpressionSyntax lambda, INamedTypeSymbol delegateType)
            {
                Statement = statement;
                Assignment = assignment;
                Lambda = lambda;
                DelegateType = delegateType;
            }

            public ExpressionStatementSyntax Statement { get; }

            public AssignmentExpressionSyntax Assignment { get; }

            public AnonymousFunctionExpressionSyntax Lambda { get; }

            public INamedTypeSymbol DelegateType { get; }
        }

        private static Site? Target(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.TryGetValue(EventSubscriptionOutlivesSubscriberAnalyzer.HandlerKindProperty, out var kind)
                || kind is not ("Lambda" or "CapturingLambda"))
            {
                return null;
            }

            var assignment = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                .FirstAncestorOrSelf<AssignmentExpressionSyntax>(a => a.IsKind(SyntaxKind.AddAssignmentExpression));
            if (assignment is not { Parent: ExpressionStatementSyntax { Parent: BlockSyntax } statement }
                || assignment.Right is not AnonymousFunctionExpressionSyntax lambda
                || model.GetTypeInfo(lambda, cancellationToken).ConvertedType is not INamedTypeSymbol { DelegateInvokeMethod.ReturnsVoid: true } delegateType
                || lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword) && lambda.Block is null)
            {
                return null;
            }

            return new Site(statement, assignment, lambda, delegateType);
        }

        private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var editors = new Dictionary<DocumentId, DocumentEditor>();
            var used = new Dictionary<SyntaxNode, HashSet<string>>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath).ThenBy(d => d.Location.SourceSpan.Start))
            {
                if (diagnostic.Id != RuleIdentifiers.EventSubscriptionOutlivesSubscriber
                    || diagnostic.Location.SourceTree is not { } tree || solution.GetDocumentId(tree) is not { } id)
                {
                    continue;
                }

                if (!editors.TryGetValue(id, out var editor))
                {
                    editor = await DocumentEditor.CreateAsync(solution.GetDocument(id)!, cancellationToken).ConfigureAwait(false);
                    editors[id] = editor;
                }

                if (Target(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken) is not { } site)
                {
                    continue;
                }

                var name = UniqueName(used, editor.SemanticModel, site.Statement, "handler");
                var eventText = site.Assignment.Left.WithoutTrivia().ToString();
                var typeText = site.DelegateType.ToMinimalDisplayString(editor.SemanticModel, site.Statement.SpanStart);
                var unsubscribe = Elastic(SyntaxFactory.ParseStatement($"{eventText} -= {name};"));
                var body = site.Lambda.Block is { } block
                    ? SyntaxFactory.Block(new[] { unsubscribe }.Concat(block.Statements.Select(Elastic)))
                    : SyntaxFactory.Block(unsubscribe, SyntaxFactory.ExpressionStatement((ExpressionSyntax)site.Lambda.Body.WithoutTrivia()));
                body = SyntaxEditing.Format(body);
                var newLambda = site.Lambda switch
                {
                    ParenthesizedLambdaExpressionSyntax p => (AnonymousFunctionExpressionSyntax)p.WithExpressionBody(null).WithBlock(body)
                        .WithArrowToken(p.ArrowToken.WithTrailingTrivia(SyntaxFactory.ElasticMarker)),
                    SimpleLambdaExpressionSyntax s => s.WithExpressionBody(null).WithBlock(body)
                        .WithArrowToken(s.ArrowToken.WithTrailingTrivia(SyntaxFactory.ElasticMarker)),
                    AnonymousMethodExpressionSyntax a => a.WithBlock(body),
                    _ => site.Lambda,
                };

                var statements = new[]
                {
                    SyntaxFactory.ParseStatement($"{typeText}? {name} = null;"),
                    SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(name), newLambda.WithoutTrivia())),
                    SyntaxFactory.ParseStatement($"{eventText} += {name};"),
                };

                editor.InsertBefore(site.Statement, statements.Take(2).Select(s => SyntaxEditing.Format(Elastic(s))));
                editor.ReplaceNode(site.Statement, SyntaxEditing.Format(Elastic(statements[2])).WithTriviaFrom(site.Statement));
            }

            foreach (var pair in editors)
            {
                solution = solution.WithDocumentSyntaxRoot(pair.Key, pair.Value.GetChangedRoot());
            }

            return solution;
        }

        private static T Elastic<T>(T node)
            where T : SyntaxNode
            => node.WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithTrailingTrivia(SyntaxFactory.ElasticMarker);

        private static string UniqueName(Dictionary<SyntaxNode, HashSet<string>> usedByBody, SemanticModel model, StatementSyntax statement, string baseName)
        {
            var body = statement.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax) ?? statement.Parent!;
            if (!usedByBody.TryGetValue(body, out var used))
            {
                used = new HashSet<string>(body.DescendantNodes().OfType<VariableDeclaratorSyntax>().Select(v => v.Identifier.ValueText)
                    .Concat(body.DescendantNodes().OfType<ParameterSyntax>().Select(p => p.Identifier.ValueText))
                    .Concat(body.DescendantNodes().OfType<SingleVariableDesignationSyntax>().Select(v => v.Identifier.ValueText)));
                foreach (var symbol in model.LookupSymbols(statement.SpanStart))
                {
                    if (symbol is ILocalSymbol or IParameterSymbol)
                    {
                        used.Add(symbol.Name);
                    }
                }

                usedByBody[body] = used;
            }

            var candidate = baseName;
            for (var i = 2; !used.Add(candidate); i++)
            {
                candidate = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return candidate;
        }
    }
}
