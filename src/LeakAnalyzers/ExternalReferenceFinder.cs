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
        private readonly ConcurrentDictionary<string, ImmutableArray<SyntaxToken>> _tokensByName = new ConcurrentDictionary<string, ImmutableArray<SyntaxToken>>(System.StringComparer.Ordinal);
        private readonly ConcurrentDictionary<SyntaxTree, string> _texts = new ConcurrentDictionary<SyntaxTree, string>();
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

                // Outside its own type a static member is reached through its type's name (or a using static); skip other names.
                if (!inOwner && member.IsStatic && !QualifiedByOwner(name, ownerType, member.ContainingType))
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

        /// <summary>Calls of <paramref name="method"/> outside the top-level <paramref name="ownerType"/> (and in its nested types).</summary>
        public IEnumerable<IInvocationOperation> FindInvocations(IMethodSymbol method, INamedTypeSymbol ownerType, CancellationToken cancellationToken)
        {
            // A static method is called from other types as Type.Method(...): only trees whose text has that (and the
            // owner's own trees when it has nested types; its own calls come from the operation actions) are tokenised,
            // so a common method name does not walk the compilation.
            var tokens = method.IsStatic
                ? _tokensByName.GetOrAdd(method.ContainingType.Name + "." + method.Name, key => Scan(method.Name, cancellationToken, key, ownerType.GetTypeMembers().IsEmpty ? null : ownerType))
                : _tokensByName.GetOrAdd(method.Name, name => Scan(name, cancellationToken));
            var owner = ownerType.DeclaringSyntaxReferences;
            var nested = ImmutableArray.CreateBuilder<SyntaxReference>();
            AddNestedDeclarations(ownerType, nested);
            foreach (var token in tokens)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Cheap syntax checks first: most tokens of a common name are other members (x.Length, list.Count).
                if (token.Parent is not SimpleNameSyntax name)
                {
                    continue;
                }

                SyntaxNode callee = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
                if (callee.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != callee
                    || method.IsStatic && callee != name && !QualifiedByOwner(name, ownerType, method.ContainingType))
                {
                    continue;
                }

                if (IsInside(token, owner) && !IsInside(token, nested))
                {
                    continue;
                }

                if (GetModel(token.SyntaxTree!).GetOperation(invocation, cancellationToken) is IInvocationOperation operation
                    && SymbolEqualityComparer.Default.Equals(operation.TargetMethod.OriginalDefinition, method.OriginalDefinition))
                {
                    yield return operation;
                }
            }
        }

        private SemanticModel GetModel(SyntaxTree tree)
        {
#pragma warning disable RS1030 // Only trees that mention a candidate member's name are bound, once each per compilation.
            return _models.GetOrAdd(tree, t => _compilation.GetSemanticModel(t));
#pragma warning restore RS1030
        }

        private static bool Declares(INamedTypeSymbol type, SyntaxTree tree)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree == tree)
                {
                    return true;
                }
            }

            return false;
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

        private static bool QualifiedByOwner(SimpleNameSyntax name, INamedTypeSymbol ownerType, INamedTypeSymbol declaringType)
        {
            ExpressionSyntax? receiver = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access.Expression : null;
            if (receiver is null)
            {
                // Unqualified: possible through `using static` or from a derived type; let the binder decide.
                return true;
            }

            var last = receiver switch
            {
                SimpleNameSyntax simple => simple.Identifier.ValueText,
                MemberAccessExpressionSyntax qualified => qualified.Name.Identifier.ValueText,
                AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
                _ => null,
            };

            // Another type reaches a static member through the declaring type's name (aliases and derived-type names are rare).
            return last is null || last == declaringType.Name || last == ownerType.Name;
        }

        /// <summary>Identifier tokens with this name; only trees whose text contains the name are tokenised.</summary>
        private ImmutableArray<SyntaxToken> Scan(string name, CancellationToken cancellationToken, string? textMustContain = null, INamedTypeSymbol? alwaysIn = null)
        {
            var builder = ImmutableArray.CreateBuilder<SyntaxToken>();
            foreach (var tree in _compilation.SyntaxTrees)
            {
                var text = _texts.GetOrAdd(tree, t => t.GetText(cancellationToken).ToString());
                if (text.IndexOf(textMustContain ?? name, System.StringComparison.Ordinal) < 0
                    && !(alwaysIn is not null && Declares(alwaysIn, tree) && text.IndexOf(name, System.StringComparison.Ordinal) >= 0))
                {
                    continue;
                }

                foreach (var token in tree.GetRoot(cancellationToken).DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == name && token.Parent is SimpleNameSyntax)
                    {
                        builder.Add(token);
                    }
                }
            }

            return builder.ToImmutable();
        }
    }
}
