using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace LeakAnalyzers.CodeFixes.Collections
{
    /// <summary>
    /// The shape the "replace the cache's type" fixes share: for each LEAK002 diagnostic that carries the given property,
    /// find the private field's single declarator, let the fix rewrite the declaration, then every reference to the
    /// field in its type's declarations (all partial parts).
    /// </summary>
    internal static class CacheFieldRewriter
    {
        public static async Task<Solution> RewriteAsync(
            Solution solution,
            ImmutableArray<Diagnostic> diagnostics,
            string requiredProperty,
            Func<DocumentEditor, IFieldSymbol, INamedTypeSymbol, FieldDeclarationSyntax, VariableDeclaratorSyntax, bool> rewriteDeclaration,
            Action<DocumentEditor, IdentifierNameSyntax> rewriteReference,
            CancellationToken cancellationToken)
        {
            var editors = new DocumentEditors(solution, cancellationToken);
            foreach (var diagnostic in diagnostics)
            {
                if (diagnostic.Id != RuleIdentifiers.CacheNeverEvicts || !diagnostic.Properties.ContainsKey(requiredProperty)
                    || await editors.ForAsync(diagnostic.Location.SourceTree).ConfigureAwait(false) is not { } declaring)
                {
                    continue;
                }

                var declarator = declaring.OriginalRoot.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<VariableDeclaratorSyntax>();
                if (declarator?.Parent is not VariableDeclarationSyntax { Variables.Count: 1, Parent: FieldDeclarationSyntax field }
                    || declaring.SemanticModel.GetDeclaredSymbol(declarator, cancellationToken) is not IFieldSymbol symbol
                    || symbol.Type is not INamedTypeSymbol { TypeArguments.Length: 2 } mapType
                    || !rewriteDeclaration(declaring, symbol, mapType, field, declarator))
                {
                    continue;
                }

                foreach (var reference in symbol.ContainingType.DeclaringSyntaxReferences)
                {
                    if (await editors.ForAsync(reference.SyntaxTree).ConfigureAwait(false) is not { } editor)
                    {
                        continue;
                    }

                    foreach (var name in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<IdentifierNameSyntax>())
                    {
                        if (name.Identifier.ValueText == symbol.Name
                            && SymbolEqualityComparer.Default.Equals(editor.SemanticModel.GetSymbolInfo(name, cancellationToken).Symbol, symbol))
                        {
                            rewriteReference(editor, name);
                        }
                    }
                }
            }

            return await editors.ApplyAsync(addImports: true).ConfigureAwait(false);
        }
    }
}
