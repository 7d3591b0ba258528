using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers
{
    /// <summary>
    /// Finds the uses of a member by name, so that a rule run in the document declaring the member can read every use
    /// without analysing the rest of the compilation: the trees that can use it are picked through <see cref="NameIndex"/>
    /// (a private member: only the trees of its top-level type), the identifier tokens with its name are kept with each
    /// tree (an edit re-reads only the edited tree), and only those nodes are bound. One instance per compilation.
    /// </summary>
    internal sealed class ExternalReferenceFinder
    {
        /// <summary>Per tree: where each simple name is (token start positions), found in one walk of the tree and kept with it.</summary>
        /// <summary>A cap on the nodes bound per look-up; past it the answer is incomplete and the caller assumes the worst.</summary>
        private const int MaxBound = 2000;

        private readonly Compilation _compilation;

        public ExternalReferenceFinder(Compilation compilation)
        {
            _compilation = compilation;
        }

        /// <summary>The outermost type that contains the symbol (the symbol itself when it is a top-level type).</summary>
        public static INamedTypeSymbol? TopLevelType(ISymbol symbol)
        {
            var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
            while (type?.ContainingType is { } outer)
            {
                type = outer;
            }

            return type;
        }

        /// <summary>True when the symbol can only be named inside its top-level type (it or a containing type is private).</summary>
        public static bool OnlyVisibleInTopLevelType(ISymbol symbol)
        {
            for (var current = symbol; current?.ContainingType is not null; current = current.ContainingType)
            {
                if (current.DeclaredAccessibility == Accessibility.Private)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Every reference to the field or property <paramref name="member"/> with the member that contains it (a lambda or
        /// local function counts as the member around it). Trees are read in this order: the member's own, the other
        /// trees of its top-level type, then (when it is visible outside that type) the rest.
        /// </summary>
        public (List<(IOperation Reference, ISymbol? Container)> References, bool Complete) FindReferences(ISymbol member, CancellationToken cancellationToken)
        {
            var found = new List<(IOperation, ISymbol?)>();
            if (TopLevelType(member) is not { } owner)
            {
                return (found, true);
            }

            var bound = 0;
            foreach (var (token, inOwner) in Tokens(member.Name, member, owner, OnlyVisibleInTopLevelType(member), null, cancellationToken))
            {
                var name = (SimpleNameSyntax)token.Parent!;

                // Outside its own type a static member is reached through its type's name (or a using static); skip other names.
                if (!inOwner && member.IsStatic && !QualifiedByOwner(name, owner, member.ContainingType))
                {
                    continue;
                }

                SyntaxNode target = name.Parent switch
                {
                    MemberAccessExpressionSyntax access when access.Name == name => access,
                    MemberBindingExpressionSyntax binding => binding,
                    _ => name,
                };

                if (++bound > MaxBound)
                {
                    return (found, false);
                }

                var model = GetModel(token.SyntaxTree!);
                var operation = model.GetOperation(target, cancellationToken);
                if (operation is not null && CollectionMutation.ReferencesMember(operation, member))
                {
                    found.Add((operation, ContainerAt(model, token.SpanStart, cancellationToken)));
                }
            }

            return (found, true);
        }

        /// <summary>
        /// The calls of <paramref name="method"/> (an <see cref="IInvocationOperation"/>) and its uses as a method group
        /// (an <see cref="IMethodReferenceOperation"/>), with the member containing each. A private method is looked for
        /// in its top-level type's trees; another static one also where its type's name is mentioned; another instance
        /// method everywhere its name is.
        /// </summary>
        public (List<(IOperation Use, ISymbol? Container)> Uses, bool Complete) FindMethodUses(IMethodSymbol method, CancellationToken cancellationToken)
        {
            var found = new List<(IOperation, ISymbol?)>();
            method = method.OriginalDefinition;
            if (TopLevelType(method) is not { } owner)
            {
                return (found, true);
            }

            var bound = 0;
            // A static method is called from other types as Type.Method(...): other trees must mention the type's name.
            var alsoMentioned = method.IsStatic ? method.ContainingType.Name : null;
            foreach (var (token, inOwner) in Tokens(method.Name, method, owner, OnlyVisibleInTopLevelType(method), alsoMentioned, cancellationToken))
            {
                var name = (SimpleNameSyntax)token.Parent!;
                SyntaxNode callee = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
                if (!inOwner && method.IsStatic && callee != name && !QualifiedByOwner(name, owner, method.ContainingType))
                {
                    continue;
                }

                if (++bound > MaxBound)
                {
                    return (found, false);
                }

                var node = callee.Parent is InvocationExpressionSyntax invocation && invocation.Expression == callee ? invocation : callee;
                var model = GetModel(token.SyntaxTree!);
                var operation = model.GetOperation(node, cancellationToken);
                while (operation is IConversionOperation or IDelegateCreationOperation)
                {
                    operation = operation is IConversionOperation conversion ? conversion.Operand : ((IDelegateCreationOperation)operation).Target;
                }

                var target = operation switch
                {
                    IInvocationOperation call => call.TargetMethod,
                    IMethodReferenceOperation reference => reference.Method,
                    _ => null,
                };

                if (target is not null && SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, method))
                {
                    found.Add((operation!, ContainerAt(model, token.SpanStart, cancellationToken)));
                }
            }

            return (found, true);
        }

        /// <summary>The member a position is in, as an operation action would see it: lambdas and local functions belong to the member around them.</summary>
        private static ISymbol? ContainerAt(SemanticModel model, int position, CancellationToken cancellationToken)
        {
            var symbol = model.GetEnclosingSymbol(position, cancellationToken);
            while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            {
                symbol = symbol.ContainingSymbol;
            }

            return symbol;
        }

        /// <summary>
        /// The simple-name tokens with this text that can name <paramref name="symbol"/>, with whether each is inside its
        /// top-level type: the symbol's own tree first, then the owner's other trees, then (unless
        /// <paramref name="onlyInOwner"/>) every other tree that mentions the name (and <paramref name="alsoMentioned"/>).
        /// </summary>
        private IEnumerable<(SyntaxToken Token, bool InOwner)> Tokens(string name, ISymbol symbol, INamedTypeSymbol owner, bool onlyInOwner, string? alsoMentioned, CancellationToken cancellationToken)
        {
            var declarations = owner.DeclaringSyntaxReferences;
            var ownTrees = new List<SyntaxTree>(declarations.Length);
            var first = symbol.Locations.Length > 0 ? symbol.Locations[0].SourceTree : null;
            if (first is not null && Declares(declarations, first))
            {
                ownTrees.Add(first);
            }

            foreach (var declaration in declarations)
            {
                if (!ownTrees.Contains(declaration.SyntaxTree))
                {
                    ownTrees.Add(declaration.SyntaxTree);
                }
            }

            foreach (var tree in ownTrees)
            {
                foreach (var token in NameIndex.Occurrences(tree, name, cancellationToken))
                {
                    var inOwner = IsInside(token, declarations);
                    if (!inOwner && onlyInOwner)
                    {
                        continue;
                    }

                    yield return (token, inOwner);
                }
            }

            if (onlyInOwner)
            {
                yield break;
            }

            foreach (var tree in _compilation.SyntaxTrees)
            {
                if (ownTrees.Contains(tree) || !NameIndex.Mentions(tree, name, cancellationToken)
                    || alsoMentioned is not null && !NameIndex.Mentions(tree, alsoMentioned, cancellationToken) && !NameIndex.Mentions(tree, owner.Name, cancellationToken))
                {
                    continue;
                }

                foreach (var token in NameIndex.Occurrences(tree, name, cancellationToken))
                {
                    yield return (token, false);
                }
            }
        }

        private SemanticModel GetModel(SyntaxTree tree)
        {
#pragma warning disable RS1030 // Only the nodes that name a candidate member are bound, in the trees that can use it.
            // Not kept here: the analysis host caches each tree's model while the driver still analyses that tree and lets it go
            // after, so a model kept by us would hold every tree's bound bodies for the whole pass.
            return _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
        }

        private static bool Declares(ImmutableArray<SyntaxReference> declarations, SyntaxTree tree)
        {
            foreach (var declaration in declarations)
            {
                if (declaration.SyntaxTree == tree)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsInside(SyntaxToken token, ImmutableArray<SyntaxReference> declarations)
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
    }
}
