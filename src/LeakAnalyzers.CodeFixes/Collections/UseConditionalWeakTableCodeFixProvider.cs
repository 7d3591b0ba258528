using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Collections;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes.Collections
{
    /// <summary>
    /// LEAK002 "Use ConditionalWeakTable": when the cache is keyed by objects whose lifetime should own the entry, the
    /// entry goes away with its key. Offered only when the analyzer found every use rewritable (property
    /// <see cref="CacheNeverEvictsAnalyzer.WeakTableProperty"/>): GetOrAdd → GetValue, ContainsKey → TryGetValue(k, out _),
    /// <c>map[k] = v;</c> → AddOrUpdate(k, v); TryGetValue, Add, TryAdd and Remove stay.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class UseConditionalWeakTableCodeFixProvider : CodeFixProvider
    {
        public const string Key = "LEAK002.ConditionalWeakTable";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CacheNeverEvicts);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (diagnostic.Properties.ContainsKey(CacheNeverEvictsAnalyzer.WeakTableProperty))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Use ConditionalWeakTable (entries live as long as their keys)", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), Key, ct), Key),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
            => CacheFieldRewriter.RewriteAsync(solution, diagnostics, CacheNeverEvictsAnalyzer.WeakTableProperty, RewriteDeclaration, Rewrite, cancellationToken);

        private static bool RewriteDeclaration(DocumentEditor declaring, IFieldSymbol field, INamedTypeSymbol mapType, FieldDeclarationSyntax fieldDeclaration, VariableDeclaratorSyntax declarator)
        {
            if (declaring.SemanticModel.Compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConditionalWeakTable`2") is not { } weakTable)
            {
                return false;
            }

            var declaration = fieldDeclaration.Declaration;
            var tableType = weakTable.Construct(mapType.TypeArguments[0], mapType.TypeArguments[1]);
            var typeSyntax = SyntaxFactory.ParseTypeName(tableType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
                .WithTriviaFrom(declaration.Type)
                .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
            declaring.ReplaceNode(declaration.Type, typeSyntax);
            if (declarator.Initializer?.Value is ObjectCreationExpressionSyntax creation)
            {
                declaring.ReplaceNode(creation, SyntaxFactory.ObjectCreationExpression(typeSyntax.WithoutTrivia(), SyntaxFactory.ArgumentList(), null)
                    .WithTriviaFrom(creation));
            }

            return true;
        }

        private static void Rewrite(DocumentEditor editor, IdentifierNameSyntax name)
        {
            ExpressionSyntax receiver = name.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } self && self.Name == name ? self : name;
            switch (receiver.Parent)
            {
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetOrAdd" } access when access.Expression == receiver
                    && access.Parent is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 2 } call:
                    editor.ReplaceNode(access.Name, SyntaxFactory.IdentifierName("GetValue").WithTriviaFrom(access.Name));
                    var factory = call.ArgumentList.Arguments[1].Expression;
                    if (factory is not (LambdaExpressionSyntax or AnonymousMethodExpressionSyntax)
                        && editor.SemanticModel.GetTypeInfo(factory).Type?.TypeKind != TypeKind.Delegate
                        && editor.SemanticModel.GetSymbolInfo(factory).Symbol is not IMethodSymbol)
                    {
                        editor.ReplaceNode(factory, SyntaxFactory.SimpleLambdaExpression(SyntaxFactory.Parameter(SyntaxFactory.Identifier("_")), factory.WithoutTrivia()).WithTriviaFrom(factory));
                    }

                    break;
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ContainsKey" } access when access.Expression == receiver
                    && access.Parent is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } call:
                    editor.ReplaceNode(call, SyntaxFactory.InvocationExpression(
                            access.WithName(SyntaxFactory.IdentifierName("TryGetValue")),
                            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[]
                            {
                                call.ArgumentList.Arguments[0],
                                SyntaxFactory.Argument(SyntaxFactory.IdentifierName("_")).WithRefKindKeyword(SyntaxFactory.Token(SyntaxKind.OutKeyword)),
                            })))
                        .WithTriviaFrom(call));
                    break;
                case ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } element when element.Expression == receiver
                    && element.Parent is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment && assignment.Left == element:
                    editor.ReplaceNode(assignment, SyntaxFactory.InvocationExpression(
                            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver.WithoutTrivia(), SyntaxFactory.IdentifierName("AddOrUpdate")),
                            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[] { element.ArgumentList.Arguments[0], SyntaxFactory.Argument(assignment.Right.WithoutTrivia()) })))
                        .WithTriviaFrom(assignment));
                    break;
            }
        }
    }
}
