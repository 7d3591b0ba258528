using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes
{
    /// <summary>Small syntax edits the fixes share: statements next to an expression, named constants, member names.</summary>
    internal static class SyntaxEditing
    {
        /// <summary>
        /// Puts <paramref name="after"/> right after the statement that is <paramref name="expression"/>, or
        /// <paramref name="before"/> ahead of the statement that contains it; expression bodies become blocks.
        /// </summary>
        public static bool AddStatementNextTo(SyntaxEditor editor, ExpressionSyntax expression, StatementSyntax? after, StatementSyntax before, SemanticModel model)
        {
            before = Format(before);
            after = after is null ? null : Format(after);
            for (SyntaxNode? node = expression; node != null; node = node.Parent)
            {
                switch (node)
                {
                    case ExpressionStatementSyntax statement when statement.Expression == expression && after is not null:
                        InsertAround(editor, statement, after, insertAfter: true);
                        return true;
                    case StatementSyntax statement:
                        InsertAround(editor, statement, before, insertAfter: false);
                        return true;
                    case ArrowExpressionClauseSyntax arrow when arrow.Parent is { } owner:
                        var returnsVoid = ReturnsVoid(owner, model);
                        if (returnsVoid is null)
                        {
                            return false;
                        }

                        var block = returnsVoid.Value && after is not null
                            ? SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(arrow.Expression.WithoutTrivia()), after)
                            : returnsVoid.Value ? SyntaxFactory.Block(before, SyntaxFactory.ExpressionStatement(arrow.Expression.WithoutTrivia()))
                            : SyntaxFactory.Block(before, SyntaxFactory.ReturnStatement(arrow.Expression.WithoutTrivia()));
                        editor.ReplaceNode(owner, (current, _) => WithBlockBody(current, Format(block)));
                        return true;
                    case LambdaExpressionSyntax lambda when lambda.ExpressionBody is { } body && body.Span.Contains(expression.Span):
                        var lambdaReturnsVoid = model.GetSymbolInfo(lambda).Symbol is IMethodSymbol { ReturnsVoid: true };
                        var lambdaBlock = lambdaReturnsVoid && after is not null
                            ? SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(body.WithoutTrivia()), after)
                            : lambdaReturnsVoid ? SyntaxFactory.Block(before, SyntaxFactory.ExpressionStatement(body.WithoutTrivia()))
                            : SyntaxFactory.Block(before, SyntaxFactory.ReturnStatement(body.WithoutTrivia()));
                        editor.ReplaceNode(lambda, (current, _) => ((LambdaExpressionSyntax)current).WithExpressionBody(null).WithBlock(Format(lambdaBlock)));
                        return true;
                    case MemberDeclarationSyntax:
                        return false;
                }
            }

            return false;
        }

        private static void InsertAround(SyntaxEditor editor, StatementSyntax statement, StatementSyntax added, bool insertAfter)
        {
            if (statement.Parent is BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax)
            {
                if (statement.Parent is GlobalStatementSyntax global)
                {
                    var addedGlobal = SyntaxFactory.GlobalStatement(added);
                    if (insertAfter)
                    {
                        editor.InsertAfter(global, addedGlobal);
                    }
                    else
                    {
                        editor.InsertBefore(global, addedGlobal);
                    }
                }
                else if (insertAfter)
                {
                    editor.InsertAfter(statement, added);
                }
                else
                {
                    editor.InsertBefore(statement, added);
                }

                return;
            }

            // An embedded statement (if (x) list.Add(y);) becomes a block.
            editor.ReplaceNode(statement, (current, _) =>
            {
                var existing = ((StatementSyntax)current).WithoutTrivia().WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithTrailingTrivia(SyntaxFactory.ElasticMarker);
                return Format(insertAfter ? SyntaxFactory.Block(existing, added) : SyntaxFactory.Block(added, existing)).WithTriviaFrom(current);
            });
        }

        private static bool? ReturnsVoid(SyntaxNode owner, SemanticModel model)
        {
            switch (owner)
            {
                case MethodDeclarationSyntax method:
                    return model.GetDeclaredSymbol(method) is IMethodSymbol m ? m.ReturnsVoid : null;
                case LocalFunctionStatementSyntax local:
                    return model.GetDeclaredSymbol(local) is IMethodSymbol l ? l.ReturnsVoid : null;
                case AccessorDeclarationSyntax accessor:
                    return !accessor.IsKind(SyntaxKind.GetAccessorDeclaration);
                case ConstructorDeclarationSyntax:
                case DestructorDeclarationSyntax:
                    return true;
                case PropertyDeclarationSyntax:
                case IndexerDeclarationSyntax:
                case OperatorDeclarationSyntax:
                case ConversionOperatorDeclarationSyntax:
                    return false;
                default:
                    return null;
            }
        }

        private static SyntaxNode WithBlockBody(SyntaxNode owner, BlockSyntax block)
        {
            switch (owner)
            {
                case BaseMethodDeclarationSyntax method:
                    return method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block);
                case LocalFunctionStatementSyntax local:
                    return local.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block);
                case AccessorDeclarationSyntax accessor:
                    return accessor.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block);
                case PropertyDeclarationSyntax property:
                    return property.WithExpressionBody(null).WithSemicolonToken(default)
                        .WithAccessorList(SyntaxFactory.AccessorList(SyntaxFactory.SingletonList(SyntaxFactory.AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, block))));
                case IndexerDeclarationSyntax indexer:
                    return indexer.WithExpressionBody(null).WithSemicolonToken(default)
                        .WithAccessorList(SyntaxFactory.AccessorList(SyntaxFactory.SingletonList(SyntaxFactory.AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, block))));
                default:
                    return owner;
            }
        }

        /// <summary>
        /// Inserts a member before another; the blank lines that separated the existing member from the one above now
        /// separate the new member instead, and comments stay with the member they document.
        /// </summary>
        public static void InsertMemberBefore(SyntaxEditor editor, MemberDeclarationSyntax existing, MemberDeclarationSyntax added)
        {
            var leading = existing.GetLeadingTrivia();
            var blankLines = 0;
            while (blankLines < leading.Count && (leading[blankLines].IsKind(SyntaxKind.EndOfLineTrivia)
                || leading[blankLines].IsKind(SyntaxKind.WhitespaceTrivia) && blankLines + 1 < leading.Count && leading[blankLines + 1].IsKind(SyntaxKind.EndOfLineTrivia)))
            {
                blankLines++;
            }

            if (blankLines == 0)
            {
                editor.InsertBefore(existing, added);
                return;
            }

            // Plain (not elastic) trivia, so that the formatter keeps the blank line.
            var separator = SyntaxFactory.TriviaList(leading.Take(blankLines));
            if (blankLines < leading.Count && leading[blankLines].IsKind(SyntaxKind.WhitespaceTrivia))
            {
                separator = separator.Add(leading[blankLines]);
            }

            editor.InsertBefore(existing, added.WithLeadingTrivia(separator));
            editor.ReplaceNode(existing, (current, _) => current.WithLeadingTrivia(SyntaxFactory.TriviaList(current.GetLeadingTrivia().Skip(blankLines))));
        }

        public static T Format<T>(T node)
            where T : SyntaxNode
            => node.WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);

        /// <summary><c>private const int Name = value;</c> (or <c>internal</c> when other types use it).</summary>
        public static FieldDeclarationSyntax IntConstant(string name, string value, bool isInternal)
        {
            return Format(SyntaxFactory.FieldDeclaration(
                    SyntaxFactory.VariableDeclaration(
                        SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.IntKeyword)),
                        SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                            .WithInitializer(SyntaxFactory.EqualsValueClause(SyntaxFactory.ParseExpression(value))))))
                .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(isInternal ? SyntaxKind.InternalKeyword : SyntaxKind.PrivateKeyword), SyntaxFactory.Token(SyntaxKind.ConstKeyword))));
        }

        /// <summary>A constant name for a member: <c>_history</c>, <c>s_history</c> and <c>History</c> all give <c>Max&lt;History&gt;Count</c>.</summary>
        public static string ConstantName(string prefix, string memberName, string suffix, INamedTypeSymbol? type)
        {
            var name = memberName;
            if (name.StartsWith("s_", System.StringComparison.Ordinal) || name.StartsWith("m_", System.StringComparison.Ordinal) || name.StartsWith("t_", System.StringComparison.Ordinal))
            {
                name = name.Substring(2);
            }

            name = name.TrimStart('_');
            if (name.Length == 0)
            {
                name = "Items";
            }

            var candidate = prefix + char.ToUpperInvariant(name[0]) + name.Substring(1) + suffix;
            if (type is null)
            {
                return candidate;
            }

            var unique = candidate;
            for (var i = 2; type.GetMembers(unique).Any(m => m is not IFieldSymbol { IsConst: true }); i++)
            {
                unique = candidate + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return unique;
        }
    }
}
