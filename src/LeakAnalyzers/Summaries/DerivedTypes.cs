using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Summaries
{
    /// <summary>
    /// The source types that derive from (or implement) a type, found on demand instead of by walking every type of the
    /// compilation (which an IDE request, on its fresh fork, paid in full: 0.7 s on a 300k-line code base). Each tree's
    /// type declarations are indexed by the simple names in their base lists (kept with the tree, so an edit re-reads
    /// only the edited one); a source type is derived from a source type only through source types, so following those
    /// names from the type finds them all, and each candidate is confirmed by its symbol. For a type from metadata
    /// (a source type may reach it through a library base) only the question "does any source method override or
    /// implement this library method" is asked, through the declarations named like the method.
    /// </summary>
    internal sealed class DerivedTypes
    {
        private static readonly ConditionalWeakTable<SyntaxTree, TreeTypes> Trees = new ConditionalWeakTable<SyntaxTree, TreeTypes>();

        /// <summary>A cap on the candidates confirmed per question; past it the answer is "unknown".</summary>
        private const int MaxCandidates = 4000;

        private readonly Compilation _compilation;
        private readonly ConcurrentDictionary<INamedTypeSymbol, List<INamedTypeSymbol>?> _derived = new ConcurrentDictionary<INamedTypeSymbol, List<INamedTypeSymbol>?>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _implementedInSource = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);

        public DerivedTypes(Compilation compilation)
        {
            _compilation = compilation;
        }

        /// <summary>The source types deriving from or implementing the source type <paramref name="target"/> (its original definition), or null past the cap.</summary>
        public List<INamedTypeSymbol>? Of(INamedTypeSymbol target, CancellationToken cancellationToken)
        {
            target = target.OriginalDefinition;
            if (_derived.TryGetValue(target, out var known))
            {
                return known;
            }

            return _derived.GetOrAdd(target, Compute(target, cancellationToken));
        }

        /// <summary>True when a source method overrides or implements the library method (or when that cannot be told cheaply).</summary>
        public bool ImplementedInSource(IMethodSymbol method, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            if (_implementedInSource.TryGetValue(method, out var known))
            {
                return known;
            }

            return _implementedInSource.GetOrAdd(method, FindImplementation(method, cancellationToken));
        }

        private List<INamedTypeSymbol>? Compute(INamedTypeSymbol target, CancellationToken cancellationToken)
        {
            var result = new List<INamedTypeSymbol>();
            var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default) { target };
            var names = new Queue<string>();
            var queued = new HashSet<string>(System.StringComparer.Ordinal) { target.Name };
            names.Enqueue(target.Name);
            var candidates = 0;
            while (names.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = names.Dequeue();
                foreach (var tree in _compilation.SyntaxTrees)
                {
                    var types = For(tree, cancellationToken);
                    foreach (var alias in types.AliasesOf(name))
                    {
                        if (queued.Add(alias))
                        {
                            names.Enqueue(alias);
                        }
                    }

                    if (!types.ByBaseName.TryGetValue(name, out var declarations))
                    {
                        continue;
                    }

                    var model = GetModel(tree);
                    var root = tree.GetRoot(cancellationToken);
                    foreach (var span in declarations)
                    {
                        if (++candidates > MaxCandidates)
                        {
                            return null;
                        }

                        if (root.FindNode(span) is not BaseTypeDeclarationSyntax declaration
                            || model.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type
                            || !seen.Add(type.OriginalDefinition) || !DerivesFrom(type, target))
                        {
                            continue;
                        }

                        result.Add(type.OriginalDefinition);
                        if (queued.Add(type.Name))
                        {
                            names.Enqueue(type.Name);
                        }
                    }
                }
            }

            return result;
        }

        private bool FindImplementation(IMethodSymbol method, CancellationToken cancellationToken)
        {
            if (method.MethodKind != MethodKind.Ordinary || method.ContainingType is not { } owner)
            {
                // Accessors, operators, indexers: not looked for by name; assume the code base may implement them.
                return true;
            }

            var candidates = 0;
            foreach (var tree in _compilation.SyntaxTrees)
            {
                if (!NameIndex.Mentions(tree, method.Name, cancellationToken))
                {
                    continue;
                }

                SemanticModel? model = null;
                foreach (var token in NameIndex.Tokens(tree, method.Name, cancellationToken))
                {
                    if (token.Parent is not MethodDeclarationSyntax declaration || declaration.Identifier != token)
                    {
                        continue;
                    }

                    if (++candidates > MaxCandidates)
                    {
                        return true;
                    }

                    model ??= GetModel(tree);
                    if (model.GetDeclaredSymbol(declaration, cancellationToken) is IMethodSymbol candidate && Implements(candidate, method, owner))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>The candidate overrides the method, or is its type's implementation of it (the method being an interface's).</summary>
        private static bool Implements(IMethodSymbol candidate, IMethodSymbol method, INamedTypeSymbol owner)
        {
            for (var m = candidate.OverriddenMethod; m != null; m = m.OverriddenMethod)
            {
                if (SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, method))
                {
                    return true;
                }
            }

            if (owner.TypeKind != TypeKind.Interface || candidate.ContainingType is not { } type)
            {
                return false;
            }

            var implementsInterface = false;
            foreach (var implemented in type.AllInterfaces)
            {
                if (!SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, owner.OriginalDefinition))
                {
                    continue;
                }

                implementsInterface = true;
                foreach (var member in implemented.GetMembers(method.Name))
                {
                    if (member is IMethodSymbol constructed && SymbolEqualityComparer.Default.Equals(constructed.OriginalDefinition, method)
                        && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(constructed)?.OriginalDefinition, candidate.OriginalDefinition))
                    {
                        return true;
                    }
                }
            }

            // A type that does not implement the interface itself may lend a public method to a derived type that does
            // (class C : B, I with B.M): say yes for such a method of a type that can be derived from.
            return !implementsInterface && candidate.DeclaredAccessibility == Accessibility.Public && !candidate.IsStatic
                && candidate.ExplicitInterfaceImplementations.IsEmpty && candidate.Parameters.Length == method.Parameters.Length && !type.IsSealed;
        }

        private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol target)
        {
            for (var b = type.BaseType; b != null; b = b.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(b.OriginalDefinition, target))
                {
                    return true;
                }
            }

            foreach (var i in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, target))
                {
                    return true;
                }
            }

            return false;
        }

        private SemanticModel GetModel(SyntaxTree tree)
        {
#pragma warning disable RS1030 // Only the declarations named in base lists are asked for their symbols.
            return _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
        }

        private static TreeTypes For(SyntaxTree tree, CancellationToken cancellationToken)
            => PerTree<TreeTypes>.Get(Trees, tree, t => new TreeTypes(t, cancellationToken));

        /// <summary>One tree's type declarations by the simple names their base lists mention, and its using aliases.</summary>
        private sealed class TreeTypes
        {
            private readonly List<(string Alias, string Target)> _aliases = new List<(string, string)>();

            public TreeTypes(SyntaxTree tree, CancellationToken cancellationToken)
            {
                var root = tree.GetRoot(cancellationToken);
                var stack = new Stack<SyntaxNode>();
                stack.Push(root);
                while (stack.Count > 0)
                {
                    var node = stack.Pop();
                    foreach (var child in node.ChildNodes())
                    {
                        switch (child)
                        {
                            case BaseNamespaceDeclarationSyntax or CompilationUnitSyntax:
                                stack.Push(child);
                                break;
                            case UsingDirectiveSyntax { Alias: { } alias, Name: { } target }:
                                if (RightmostName(target) is { } targetName)
                                {
                                    _aliases.Add((alias.Name.Identifier.ValueText, targetName));
                                }

                                break;
                            case TypeDeclarationSyntax type:
                                if (type.BaseList is { } bases)
                                {
                                    foreach (var baseType in bases.Types)
                                    {
                                        if (RightmostName(baseType.Type) is { } name)
                                        {
                                            if (!ByBaseName.TryGetValue(name, out var spans))
                                            {
                                                ByBaseName[name] = spans = new List<Microsoft.CodeAnalysis.Text.TextSpan>(1);
                                            }

                                            spans.Add(type.Span);
                                        }
                                    }
                                }

                                stack.Push(child);
                                break;
                        }
                    }
                }
            }

            /// <summary>Per simple name in a base list, the spans of the type declarations that name it.</summary>
            public Dictionary<string, List<Microsoft.CodeAnalysis.Text.TextSpan>> ByBaseName { get; } = new Dictionary<string, List<Microsoft.CodeAnalysis.Text.TextSpan>>(System.StringComparer.Ordinal);

            public IEnumerable<string> AliasesOf(string name)
            {
                foreach (var (alias, target) in _aliases)
                {
                    if (target == name)
                    {
                        yield return alias;
                    }
                }
            }

            private static string? RightmostName(SyntaxNode type) => type switch
            {
                SimpleNameSyntax simple => simple.Identifier.ValueText,
                QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
                _ => null,
            };
        }
    }
}
