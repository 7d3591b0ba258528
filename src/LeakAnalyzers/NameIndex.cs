using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers
{
    /// <summary>
    /// Which identifiers each syntax tree mentions, computed once per tree and kept with the tree (the IDE's per-request
    /// compilation forks share unchanged trees, so an edit re-indexes only the edited tree). Lets a rule find the few trees
    /// where a member could be used, created or called, instead of scanning the text of every tree per request.
    /// </summary>
    internal static class NameIndex
    {
        private static readonly ConditionalWeakTable<SyntaxTree, TreeNames> Trees = new ConditionalWeakTable<SyntaxTree, TreeNames>();

        /// <summary>True when the tree has an identifier token with this text.</summary>
        public static bool Mentions(SyntaxTree tree, string name, CancellationToken cancellationToken)
            => For(tree, cancellationToken).Identifiers.Contains(name);

        /// <summary>Where the identifier tokens with this text start in the tree (declarations' names included), in order.</summary>
        public static IReadOnlyList<int> Positions(SyntaxTree tree, string name, CancellationToken cancellationToken)
            => For(tree, cancellationToken).Positions.TryGetValue(name, out var positions) ? positions : System.Array.Empty<int>();

        /// <summary>True when the tree has a target-typed <c>new(..)</c>.</summary>
        public static bool HasImplicitCreations(SyntaxTree tree, CancellationToken cancellationToken)
            => For(tree, cancellationToken).HasImplicitCreations;

        /// <summary>The trees of the compilation that mention the name.</summary>
        public static IEnumerable<SyntaxTree> TreesMentioning(Compilation compilation, string name, CancellationToken cancellationToken)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (Mentions(tree, name, cancellationToken))
                {
                    yield return tree;
                }
            }
        }

        /// <summary>The identifier tokens with this text in the tree (declarations' own names included), in order.</summary>
        public static IEnumerable<SyntaxToken> Tokens(SyntaxTree tree, string name, CancellationToken cancellationToken)
        {
            var positions = Positions(tree, name, cancellationToken);
            if (positions.Count == 0)
            {
                yield break;
            }

            var root = tree.GetRoot(cancellationToken);
            foreach (var position in positions)
            {
                yield return root.FindToken(position);
            }
        }

        /// <summary>The expression a simple name stands in: <c>x.Name</c>, <c>?.Name</c>, or the name itself.</summary>
        public static SyntaxNode ReferenceOf(SimpleNameSyntax name)
            => name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access
                : name.Parent is MemberBindingExpressionSyntax binding ? binding
                : name;

        /// <summary>The identifier tokens with this text in the tree that are simple names (not a declaration's own name).</summary>
        public static IEnumerable<SyntaxToken> Occurrences(SyntaxTree tree, string name, CancellationToken cancellationToken)
        {
            foreach (var token in Tokens(tree, name, cancellationToken))
            {
                if (token.Parent is SimpleNameSyntax)
                {
                    yield return token;
                }
            }
        }

        private static TreeNames For(SyntaxTree tree, CancellationToken cancellationToken)
            => PerTree<TreeNames>.Get(Trees, tree, t => new TreeNames(t, cancellationToken));

        private sealed class TreeNames
        {
            public TreeNames(SyntaxTree tree, CancellationToken cancellationToken)
            {
                var lists = new Dictionary<string, List<int>>(System.StringComparer.Ordinal);
                var afterNew = false;
                foreach (var token in tree.GetRoot(cancellationToken).DescendantTokens())
                {
                    HasImplicitCreations |= afterNew && token.IsKind(SyntaxKind.OpenParenToken);
                    afterNew = token.IsKind(SyntaxKind.NewKeyword);
                    if (token.IsKind(SyntaxKind.IdentifierToken))
                    {
                        if (!lists.TryGetValue(token.ValueText, out var list))
                        {
                            lists[token.ValueText] = list = new List<int>(2);
                        }

                        list.Add(token.SpanStart);
                    }
                }

                foreach (var pair in lists)
                {
                    Positions[pair.Key] = pair.Value.ToArray();
                }
            }

            /// <summary>Per identifier text, where its tokens start.</summary>
            public Dictionary<string, int[]> Positions { get; } = new Dictionary<string, int[]>(System.StringComparer.Ordinal);

            public ICollection<string> Identifiers => Positions.Keys;

            /// <summary>The tree has a <c>new</c> followed by <c>(</c>: a target-typed creation.</summary>
            public bool HasImplicitCreations { get; }
        }
    }

    /// <summary>
    /// Something computed from one syntax tree alone and kept with it (the IDE's forks share unchanged trees, so an edit
    /// recomputes only the edited tree's). Built outside the table's lock; a race keeps the first one stored.
    /// </summary>
    internal static class PerTree<T>
        where T : class
    {
        public static T Get(ConditionalWeakTable<SyntaxTree, T> table, SyntaxTree tree, System.Func<SyntaxTree, T> build)
        {
            if (table.TryGetValue(tree, out var value))
            {
                return value;
            }

            var built = build(tree);
            return table.GetValue(tree, _ => built);
        }
    }
}
