using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Collections;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes.Collections
{
    /// <summary>
    /// LEAK002 "Use MemoryCache with a size limit" (only when Microsoft.Extensions.Caching.Memory is referenced and every
    /// use has an equivalent): the map becomes <c>new MemoryCache(new MemoryCacheOptions { SizeLimit = Max&lt;Name&gt;Entries })</c>,
    /// each entry has size 1, so the cache compacts (evicts) when it holds Max entries.
    /// GetOrAdd → GetOrCreate, TryGetValue/ContainsKey → TryGetValue&lt;TValue&gt;, adds and indexer sets → Set.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class UseMemoryCacheCodeFixProvider : CodeFixProvider
    {
        public const string Key = "LEAK002.MemoryCache";
        private const string DefaultBound = "10_000";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CacheNeverEvicts);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (diagnostic.Properties.ContainsKey(CacheNeverEvictsAnalyzer.MemoryCacheProperty))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Use MemoryCache with a size limit", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), Key, ct), Key),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            TypeSyntax? keyType = null;
            TypeSyntax? valueType = null;
            return CacheFieldRewriter.RewriteAsync(
                solution,
                diagnostics,
                CacheNeverEvictsAnalyzer.MemoryCacheProperty,
                (declaring, field, mapType, fieldDeclaration, declarator) =>
                {
                    keyType = Qualified(mapType.TypeArguments[0]);
                    valueType = Qualified(mapType.TypeArguments[1]);
                    RewriteDeclaration(declaring, field, fieldDeclaration, declarator);
                    return true;
                },
                (editor, name) => Rewrite(editor, name, keyType!, valueType!),
                cancellationToken);
        }

        private static void RewriteDeclaration(DocumentEditor declaring, IFieldSymbol field, FieldDeclarationSyntax fieldDeclaration, VariableDeclaratorSyntax declarator)
        {
            var declaration = fieldDeclaration.Declaration;
            var constant = SyntaxEditing.ConstantName("Max", field.Name, "Entries", field.ContainingType);
            declaring.ReplaceNode(declaration.Type, Qualified("global::Microsoft.Extensions.Caching.Memory.MemoryCache").WithTriviaFrom(declaration.Type));
            if (declarator.Initializer is { } initializer)
            {
                declaring.ReplaceNode(initializer.Value, SyntaxFactory.ParseExpression(
                        $"new global::Microsoft.Extensions.Caching.Memory.MemoryCache(new global::Microsoft.Extensions.Caching.Memory.MemoryCacheOptions {{ SizeLimit = {constant} }})")
                    .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation)
                    .WithTriviaFrom(initializer.Value));
            }

            SyntaxEditing.InsertMemberBefore(declaring, fieldDeclaration, SyntaxEditing.IntConstant(constant, DefaultBound, isInternal: false));
        }

        private static TypeSyntax Qualified(ITypeSymbol type) => Qualified(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));

        private static TypeSyntax Qualified(string name)
            => SyntaxFactory.ParseTypeName(name).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

        private static void Rewrite(DocumentEditor editor, IdentifierNameSyntax name, TypeSyntax keyType, TypeSyntax valueType)
        {
            ExpressionSyntax receiver = name.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } self && self.Name == name ? self : name;
            var cache = receiver.WithoutTrivia().ToString();
            string? replacement = null;
            SyntaxNode? target = null;
            switch (receiver.Parent)
            {
                case MemberAccessExpressionSyntax access when access.Expression == receiver && access.Parent is InvocationExpressionSyntax call:
                    var args = call.ArgumentList.Arguments;
                    target = call;
                    switch (access.Name.Identifier.ValueText)
                    {
                        case "GetOrAdd" when args.Count == 2:
                            replacement = $"{cache}.GetOrCreate({args[0]}, entry => {{ entry.Size = 1; {FactoryBody(args[1].Expression, keyType, valueType)} }})!";
                            break;
                        case "TryGetValue" when args.Count == 2:
                            replacement = $"{cache}.TryGetValue<{valueType}>({args[0]}, {args[1]})";
                            break;
                        case "ContainsKey" when args.Count == 1:
                            replacement = $"{cache}.TryGetValue<{valueType}>({args[0]}, out _)";
                            break;
                        case "Add" or "TryAdd" when args.Count == 2:
                            replacement = $"{cache}.Set({args[0]}, {args[1]}, new global::Microsoft.Extensions.Caching.Memory.MemoryCacheEntryOptions {{ Size = 1 }})";
                            break;
                    }

                    break;
                case ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } element when element.Expression == receiver
                    && element.Parent is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment && assignment.Left == element:
                    target = assignment;
                    replacement = $"{cache}.Set({element.ArgumentList.Arguments[0]}, {assignment.Right.WithoutTrivia()}, new global::Microsoft.Extensions.Caching.Memory.MemoryCacheEntryOptions {{ Size = 1 }})";
                    break;
            }

            if (target is not null && replacement is not null)
            {
                var expression = SyntaxFactory.ParseExpression(replacement);
                expression = expression.ReplaceNodes(
                    expression.DescendantNodes().OfType<QualifiedNameSyntax>().Where(q => q.Parent is not QualifiedNameSyntax),
                    (_, rewritten) => rewritten.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
                editor.ReplaceNode(target, expression
                    .WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation)
                    .WithTriviaFrom(target));
            }
        }

        /// <summary>The statements of a GetOrCreate factory that computes what the GetOrAdd factory computed, from the entry's key.</summary>
        private static string FactoryBody(ExpressionSyntax factory, TypeSyntax keyType, TypeSyntax valueType)
        {
            var key = $"({keyType})entry.Key";
            switch (factory)
            {
                case SimpleLambdaExpressionSyntax { ExpressionBody: { } body } simple:
                    return $"var {simple.Parameter.Identifier.ValueText} = {key}; return {body};";
                case ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 1, ExpressionBody: { } body } parenthesized:
                    return $"var {parenthesized.ParameterList.Parameters[0].Identifier.ValueText} = {key}; return {body};";
                case IdentifierNameSyntax or MemberAccessExpressionSyntax:
                    return $"return {factory}({key});";
                default:
                    return $"return ((global::System.Func<{keyType}, {valueType}>)({factory}))({key});";
            }
        }
    }
}
