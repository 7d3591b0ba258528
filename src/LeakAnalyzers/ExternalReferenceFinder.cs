using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers
{
    /// <summary>
    /// Finds the references to a non-private member outside its own type, so that a rule can decide at the end of the
    /// type (SymbolEnd, which the IDE runs while typing) instead of at the end of the compilation (which it only runs in
    /// full-solution analysis). Only names that match are bound, and the token scan per name is cached per compilation.
    /// </summary>
    internal sealed class ExternalReferenceFinder
    {
        private readonly Compilation _compilation;
        private readonly ConcurrentDictionary<string, ImmutableArray<SyntaxToken>> _tokensByName = new ConcurrentDictionary<string, ImmutableArray<SyntaxToken>>();
        private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new ConcurrentDictionary<SyntaxTree, SemanticModel>();

        public ExternalReferenceFinder(Compilation compilation)
        {
            _compilation = compilation;
        }

        /// <summary>
        /// References to <paramref name="member"/> that the operation actions of the top-level <paramref name="ownerType"/>
        /// do not see: those outside its declarations and those inside its nested types, with the symbol that contains each.
        /// </summary>
        public IEnumerable<(IOperation Reference, ISymbol? Container)> Find(ISymbol member, INamedTypeSymbol ownerType, CancellationToken cancellationToken)
        {
            var tokens = _tokensByName.GetOrAdd(member.Name, name => Scan(name, cancellationToken));
            if (tokens.IsEmpty)
            {
                yield break;
            }

            var owner = ownerType.DeclaringSyntaxReferences;
            var nested = ImmutableArray.CreateBuilder<SyntaxReference>();
            AddNestedDeclarations(ownerType, nested);
            var onlyNested = member.DeclaredAccessibility == Accessibility.Private;
            foreach (var token in tokens)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var inOwner = IsInside(token, owner);
                if (inOwner && !IsInside(token, nested) || onlyNested && !inOwner || token.Parent is not SimpleNameSyntax name)
                {
                    continue;
                }

                SyntaxNode target = name.Parent switch
                {
                    MemberAccessExpressionSyntax access when access.Name == name => access,
                    MemberBindingExpressionSyntax binding => binding,
                    _ => name,
                };

                var model = GetModel(token.SyntaxTree!);
                var operation = model.GetOperation(target, cancellationToken);
                if (operation is not null && CollectionMutation.ReferencesMember(operation, member))
                {
                    yield return (operation, model.GetEnclosingSymbol(token.SpanStart, cancellationToken));
                }
            }
        }

        private SemanticModel GetModel(SyntaxTree tree)
        {
#pragma warning disable RS1030 // Only trees that mention a candidate member's name are bound, once each per compilation.
            return _models.GetOrAdd(tree, t => _compilation.GetSemanticModel(t));
#pragma warning restore RS1030
        }

        private static void AddNestedDeclarations(INamedTypeSymbol type, ImmutableArray<SyntaxReference>.Builder builder)
        {
            foreach (var nested in type.GetTypeMembers())
            {
                builder.AddRange(nested.DeclaringSyntaxReferences);
            }
        }

        private static bool IsInside(SyntaxToken token, IEnumerable<SyntaxReference> declarations)
        {
            foreach (var declaration in declarations)
            {
                if (declaration.SyntaxTree == token.SyntaxTree && declaration.Span.Contains(token.Span))
                {
                    return true;
                }
            }

            return false;
        }

        private ImmutableArray<SyntaxToken> Scan(string name, CancellationToken cancellationToken)
        {
            var builder = ImmutableArray.CreateBuilder<SyntaxToken>();
            foreach (var tree in _compilation.SyntaxTrees)
            {
                var root = tree.GetRoot(cancellationToken);
                foreach (var token in root.DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == name)
                    {
                        builder.Add(token);
                    }
                }
            }

            return builder.ToImmutable();
        }
    }
}
