using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.CodeFixes.Resources
{
    /// <summary>
    /// Where a dropped <c>token.Register(...)</c> stands and how long it is meant to live. A registration followed by an
    /// <c>await</c> (or a <c>yield</c>) of the same function serves the operation that runs there: <c>using var</c> ends it
    /// with the operation. One made before the method returns for good (a constructor, a method that starts work and
    /// returns) is meant to fire later: it is kept in a field and disposed with the object.
    /// </summary>
    internal static class Registrations
    {
        /// <summary>The <c>CancellationToken.Register</c>/<c>UnsafeRegister</c> call at or around <paramref name="node"/>.</summary>
        public static InvocationExpressionSyntax? RegisterCall(SyntaxNode? node, SemanticModel model, CancellationToken cancellationToken)
        {
            for (; node != null && node is not StatementSyntax and not MemberDeclarationSyntax; node = node.Parent)
            {
                if (node is InvocationExpressionSyntax invocation
                    && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { IsStatic: false, Name: "Register" or "UnsafeRegister" } method
                    && method.ContainingType is { Name: "CancellationToken", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } })
                {
                    return invocation;
                }
            }

            return null;
        }

        /// <summary><c>call;</c> or <c>_ = call;</c> as a statement of a block (the expression the statement drops), else null.</summary>
        public static ExpressionSyntax? Dropped(ExpressionSyntax call, out ExpressionStatementSyntax? statement)
        {
            statement = null;
            switch (call.Parent)
            {
                case ExpressionStatementSyntax { Parent: BlockSyntax } plain:
                    statement = plain;
                    return call;
                case AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" }, Parent: ExpressionStatementSyntax { Parent: BlockSyntax } discarded } discard
                    when discard.Right == call:
                    statement = discarded;
                    return discard;
                default:
                    return null;
            }
        }

        /// <summary>Whether the function around <paramref name="statement"/> awaits or yields after it (nested functions aside).</summary>
        public static bool ServesAnOperationAfter(StatementSyntax statement)
        {
            SyntaxNode? function = statement.Parent;
            while (function is not null and not (BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax))
            {
                function = function.Parent;
            }

            if (function is null)
            {
                return false;
            }

            return function.DescendantNodes(n => n == function || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                .Any(n => n.SpanStart >= statement.Span.End
                    && (n is AwaitExpressionSyntax or YieldStatementSyntax
                        || n is CommonForEachStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }
                        || n is LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }
                        || n is UsingStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }));
        }
    }
}
