using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Summaries
{
    /// <summary>
    /// Methods of this code that cannot throw to their caller: everything that can fail runs inside a <c>try</c> whose
    /// <c>catch</c> takes every exception and does not rethrow (a best-effort <c>TrySetNoDelay(socket)</c>), and the rest
    /// only reads values, tests them and returns. A resource handed to such a call is not lost on an exception path there.
    /// </summary>
    internal static class CatchAll
    {
        private const int MaxNodes = 400;

        public static bool CannotThrow(IMethodSymbol? method)
        {
            if (method is null || method.DeclaringSyntaxReferences.Length != 1
                || method.DeclaringSyntaxReferences[0].GetSyntax() is not BaseMethodDeclarationSyntax { Body: { } body })
            {
                return false;
            }

            var budget = MaxNodes;
            return Safe(body, ref budget);
        }

        private static bool Safe(StatementSyntax statement, ref int budget)
        {
            if (--budget < 0)
            {
                return false;
            }

            switch (statement)
            {
                case BlockSyntax block:
                    foreach (var inner in block.Statements)
                    {
                        if (!Safe(inner, ref budget))
                        {
                            return false;
                        }
                    }

                    return true;
                case TryStatementSyntax @try:
                    return CatchesEverything(@try) && (@try.Finally is null || Safe(@try.Finally.Block, ref budget));
                case ReturnStatementSyntax @return:
                    return @return.Expression is null || Plain(@return.Expression, ref budget);
                case BreakStatementSyntax or EmptyStatementSyntax:
                    return true;
                case IfStatementSyntax @if:
                    return Plain(@if.Condition, ref budget) && Safe(@if.Statement, ref budget) && (@if.Else is null || Safe(@if.Else.Statement, ref budget));
                case SwitchStatementSyntax @switch:
                    if (!Plain(@switch.Expression, ref budget))
                    {
                        return false;
                    }

                    foreach (var section in @switch.Sections)
                    {
                        foreach (var label in section.Labels)
                        {
                            if (!Plain(label, ref budget))
                            {
                                return false;
                            }
                        }

                        foreach (var inner in section.Statements)
                        {
                            if (!Safe(inner, ref budget))
                            {
                                return false;
                            }
                        }
                    }

                    return true;
                default:
                    return false;
            }
        }

        /// <summary>A try whose catches include one for every exception, none rethrows, and no filter decides.</summary>
        private static bool CatchesEverything(TryStatementSyntax @try)
        {
            var all = false;
            foreach (var clause in @try.Catches)
            {
                if (clause.Filter != null || ContainsThrow(clause.Block))
                {
                    return false;
                }

                all |= clause.Declaration is null
                    || clause.Declaration.Type is IdentifierNameSyntax { Identifier.ValueText: "Exception" }
                    || clause.Declaration.Type is QualifiedNameSyntax { Right.Identifier.ValueText: "Exception", Left: IdentifierNameSyntax { Identifier.ValueText: "System" } };
            }

            return all;
        }

        private static bool ContainsThrow(SyntaxNode node)
        {
            foreach (var inner in node.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax))
            {
                if (inner is ThrowStatementSyntax or ThrowExpressionSyntax)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Reads and tests only: no call, creation, cast, indexer, division, checked arithmetic or throw.</summary>
        private static bool Plain(SyntaxNode node, ref int budget)
        {
            foreach (var inner in node.DescendantNodesAndSelf())
            {
                if (--budget < 0)
                {
                    return false;
                }

                switch (inner)
                {
                    case InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or CastExpressionSyntax or ElementAccessExpressionSyntax
                        or ThrowExpressionSyntax or AwaitExpressionSyntax or CheckedExpressionSyntax or AnonymousFunctionExpressionSyntax:
                        return false;
                    case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.DivideExpression) || binary.IsKind(SyntaxKind.ModuloExpression):
                        return false;
                }
            }

            return true;
        }
    }
}
