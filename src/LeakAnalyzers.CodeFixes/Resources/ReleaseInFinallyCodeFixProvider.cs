using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes.Resources
{
    /// <summary>
    /// LEAK007/LEAK008: wraps the statements after <c>var p = Marshal.AllocHGlobal(n);</c> / <c>var a = pool.Rent(n);</c>
    /// in <c>try { ... } finally { &lt;free&gt;(p); }</c> and removes the top-level free/return of that local from them.
    /// Not offered when the local is freed anywhere else (a nested free would run twice).
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class ReleaseInFinallyCodeFixProvider : CodeFixProvider
    {
        public const string FreeKey = "LEAK007.FreeInFinally";
        public const string ReturnKey = "LEAK008.ReturnInFinally";

        public override ImmutableArray<string> FixableDiagnosticIds
            => ImmutableArray.Create(RuleIdentifiers.NativeMemoryNotFreed, RuleIdentifiers.PooledArrayNotReturned);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(null);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                var native = diagnostic.Id == RuleIdentifiers.NativeMemoryNotFreed;
                var newRoot = TryFix(root, diagnostic, native);
                if (newRoot is null)
                {
                    continue;
                }

                var document = context.Document;
                context.RegisterCodeFix(
                    CodeAction.Create(native ? "Free it in a finally block" : "Return it in a finally block", _ => Task.FromResult(document.WithSyntaxRoot(newRoot)), native ? FreeKey : ReturnKey),
                    diagnostic);
            }
        }

        private static SyntaxNode? TryFix(SyntaxNode root, Diagnostic diagnostic, bool native)
        {
            if (diagnostic.Properties.ContainsKey(DiagnosticPropertyNames.Reassigned)
                || !diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.LeakShape, out var shape)
                || shape is not ("NeverReleased" or "NotOnEveryPath" or "NotOnExceptionPath")
                || !diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.LocalName, out var name) || name is null)
            {
                return null;
            }

            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var declarator = node.FirstAncestorOrSelf<VariableDeclaratorSyntax>();
            if (declarator?.Parent?.Parent is not LocalDeclarationStatementSyntax statement
                || statement.Parent is not BlockSyntax block
                || declarator.Identifier.ValueText != name
                || statement.Declaration.Variables.Count != 1)
            {
                return null;
            }

            var release = ReleaseStatement(diagnostic, name, native, node.FirstAncestorOrSelf<InvocationExpressionSyntax>());
            if (release is null)
            {
                return null;
            }

            var index = block.Statements.IndexOf(statement);
            var rest = block.Statements.Skip(index + 1).ToList();
            if (rest.Count == 0)
            {
                return null;
            }

            // Existing releases: only top-level statements of the wrapped part may release; they are removed.
            var kept = new List<StatementSyntax>();
            SyntaxTriviaList? pendingTrivia = null;
            foreach (var candidate in rest)
            {
                var releasesHere = candidate.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().Count(i => IsRelease(i, name, native));
                if (releasesHere == 0)
                {
                    // A removed free's leading trivia (blank line, comment) goes to the statement that follows it.
                    kept.Add(pendingTrivia is { } trivia ? candidate.WithLeadingTrivia(trivia) : candidate);
                    pendingTrivia = null;
                }
                else if (candidate is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax invocation } && IsRelease(invocation, name, native) && releasesHere == 1)
                {
                    pendingTrivia ??= candidate.GetLeadingTrivia();
                    continue;
                }
                else
                {
                    return null;
                }
            }

            if (kept.Count == 0)
            {
                return null;
            }

            var tryStatement = SyntaxFactory.TryStatement(
                    SyntaxFactory.Block(kept),
                    default,
                    SyntaxFactory.FinallyClause(SyntaxFactory.Block(release)))
                .WithAdditionalAnnotations(Formatter.Annotation);
            var statements = block.Statements.Take(index + 1).Concat(new StatementSyntax[] { tryStatement });
            var newBlock = block.WithStatements(SyntaxFactory.List(statements)).WithAdditionalAnnotations(Formatter.Annotation);
            return root.ReplaceNode(block, newBlock);
        }

        private static StatementSyntax? ReleaseStatement(Diagnostic diagnostic, string name, bool native, InvocationExpressionSyntax? allocation)
        {
            ExpressionSyntax call;
            if (native)
            {
                if (!diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.ReleaseCall, out var method) || method is null)
                {
                    return null;
                }

                if (method == ".Free")
                {
                    call = SyntaxFactory.ParseExpression(name + ".Free()");
                }
                else if (allocation?.Expression is MemberAccessExpressionSyntax { Expression: var receiver })
                {
                    // The same qualifier the allocation used (Marshal, NativeMemory, or fully qualified) compiles here too.
                    var free = method.Substring(method.LastIndexOf('.') + 1);
                    call = SyntaxFactory.ParseExpression(receiver.WithoutTrivia().ToString() + "." + free + "(" + name + ")");
                }
                else
                {
                    call = SyntaxFactory.ParseExpression("global::" + method + "(" + name + ")").WithAdditionalAnnotations(Simplifier.Annotation);
                }
            }
            else
            {
                if (!diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.PoolExpression, out var pool) || pool is null)
                {
                    return null;
                }

                var poolExpression = SyntaxFactory.ParseExpression(pool);
                if (poolExpression.DescendantNodesAndSelf().Any(n => n is not (IdentifierNameSyntax or GenericNameSyntax or MemberAccessExpressionSyntax or TypeArgumentListSyntax or PredefinedTypeSyntax or QualifiedNameSyntax or ThisExpressionSyntax)))
                {
                    // Re-evaluating the pool expression must have no side effects.
                    return null;
                }

                call = SyntaxFactory.ParseExpression(pool + ".Return(" + name + ")");
            }

            return SyntaxFactory.ExpressionStatement(call).WithAdditionalAnnotations(Formatter.Annotation);
        }

        private static bool IsRelease(InvocationExpressionSyntax invocation, string name, bool native)
        {
            var method = invocation.Expression switch
            {
                MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
                _ => null,
            };
            if (method is null)
            {
                return false;
            }

            if (native && method == "Free" && invocation.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax target } && target.Identifier.ValueText == name)
            {
                return true;
            }

            var isReleaseName = native
                ? method.StartsWith("Free", System.StringComparison.Ordinal) || method.StartsWith("ZeroFree", System.StringComparison.Ordinal) || method == "AlignedFree"
                : method == "Return";
            return isReleaseName && invocation.ArgumentList.Arguments.Count > 0
                && StripCasts(invocation.ArgumentList.Arguments[0].Expression) is IdentifierNameSyntax argument && argument.Identifier.ValueText == name;
        }

        private static ExpressionSyntax StripCasts(ExpressionSyntax expression)
        {
            while (true)
            {
                switch (expression)
                {
                    case CastExpressionSyntax cast:
                        expression = cast.Expression;
                        continue;
                    case ParenthesizedExpressionSyntax parenthesized:
                        expression = parenthesized.Expression;
                        continue;
                    default:
                        return expression;
                }
            }
        }
    }
}
