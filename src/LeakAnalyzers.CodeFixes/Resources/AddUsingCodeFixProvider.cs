using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace LeakAnalyzers.CodeFixes.Resources
{
    /// <summary>
    /// LEAK005/LEAK009: <c>var x = new T();</c> → <c>using var x = new T();</c> (<c>await using var</c> in an async method
    /// when T is IAsyncDisposable), removing a now redundant <c>x.Dispose();</c> that ends the same block; and
    /// <c>token.Register(...);</c> → <c>using var registration = token.Register(...);</c>. Comments and trivia are kept.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class AddUsingCodeFixProvider : CodeFixProvider
    {
        public const string DisposableKey = "LEAK005.AddUsing";
        public const string TimerOrRegistrationKey = "LEAK009.AddUsing";

        public override ImmutableArray<string> FixableDiagnosticIds
            => ImmutableArray.Create(RuleIdentifiers.DisposableNotDisposed, RuleIdentifiers.TimerOrRegistrationKeptAlive);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(null);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                var key = diagnostic.Id == RuleIdentifiers.DisposableNotDisposed ? DisposableKey : TimerOrRegistrationKey;
                var newRoot = TryFix(root, model, diagnostic, context.CancellationToken);
                if (newRoot is null)
                {
                    continue;
                }

                var document = context.Document;
                context.RegisterCodeFix(
                    CodeAction.Create("Add using", _ => Task.FromResult(document.WithSyntaxRoot(newRoot)), key),
                    diagnostic);
            }
        }

        private static SyntaxNode? TryFix(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (diagnostic.Properties.ContainsKey(DiagnosticPropertyNames.Reassigned)
                || !diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.LeakShape, out var shape))
            {
                return null;
            }

            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (shape == "Dropped")
            {
                diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.ResourceKind, out var kind);
                return kind switch
                {
                    "Registration" => FixDroppedRegistration(root, model, node, cancellationToken),
                    "Timer" => null,
                    _ => HoistDropped(root, model, node, diagnostic, kind == "TokenSource", cancellationToken),
                };
            }

            if (shape is not ("NeverReleased" or "NotOnEveryPath" or "NotOnExceptionPath"))
            {
                return null;
            }

            if (diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.ResourceKind, out var resourceKind) && resourceKind == "Timer")
            {
                // A timer disposed at the end of the block stops firing: that changes what the code does. Keep it in a field instead.
                return null;
            }

            var declarator = node.FirstAncestorOrSelf<VariableDeclaratorSyntax>();
            if (declarator?.Parent?.Parent is not LocalDeclarationStatementSyntax statement
                || statement.Parent is not BlockSyntax block
                || statement.Declaration.Variables.Count != 1
                || statement.UsingKeyword.IsKind(SyntaxKind.UsingKeyword)
                || statement.IsConst
                || declarator.Initializer is null
                || !declarator.Initializer.Value.Span.Contains(diagnostic.Location.SourceSpan)
                || model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol local)
            {
                return null;
            }

            // A delayed source (new CancellationTokenSource(delay), or one given a delay by CancelAfter) disposed at the end of the
            // block stops its timeout: only when the block awaits (or yields) after it does the timeout serve an operation that ends there.
            if (resourceKind == "TokenSource" && declarator.Initializer.Value is BaseObjectCreationExpressionSyntax && !SuspendsLaterInBlock(block, statement))
            {
                return null;
            }

            // A local handed over on some path (returned, yielded, stored, added) must not be disposed at the end of the block:
            // DisposeWhereDroppedCodeFixProvider disposes it on the other paths instead.
            var awaitUsing = NeedsAwaitUsing(local.Type, model.Compilation, statement);
            if (awaitUsing is null || DisposeWhereDroppedCodeFixProvider.IsHandedOver(block, local, model, cancellationToken))
            {
                return null;
            }

            // The only existing release may be a trailing x.Dispose(); of the same block: using var makes it redundant.
            StatementSyntax? trailingDispose = null;
            var releases = block.DescendantNodes().OfType<InvocationExpressionSyntax>().Where(i => IsReleaseOf(i, local.Name)).ToList();
            if (releases.Count > 0)
            {
                if (releases.Count != 1 || block.Statements.LastOrDefault() is not { } last
                    || !(last is ExpressionStatementSyntax expression && (expression.Expression == releases[0] || expression.Expression is AwaitExpressionSyntax { Expression: var awaited } && awaited == releases[0]
                        || expression.Expression is ConditionalAccessExpressionSyntax conditional && conditional.WhenNotNull.DescendantNodesAndSelf().Contains(releases[0]))))
                {
                    return null;
                }

                trailingDispose = last;
            }

            var newStatement = AddUsing(statement, awaitUsing.Value);
            if (trailingDispose is null)
            {
                return root.ReplaceNode(statement, newStatement);
            }

            var newBlock = block.ReplaceNode(statement, newStatement);
            var removed = newBlock.Statements.Last();
            var onlyWhitespace = removed.GetLeadingTrivia().All(t => t.IsKind(SyntaxKind.WhitespaceTrivia) || t.IsKind(SyntaxKind.EndOfLineTrivia));
            newBlock = newBlock.RemoveNode(removed, (onlyWhitespace ? SyntaxRemoveOptions.KeepNoTrivia : SyntaxRemoveOptions.KeepExteriorTrivia) | SyntaxRemoveOptions.KeepUnbalancedDirectives) ?? newBlock;
            return root.ReplaceNode(block, newBlock);
        }

        private static bool IsReleaseOf(InvocationExpressionSyntax invocation, string name)
        {
            string? method = invocation.Expression switch
            {
                MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax target, Name: var n } when target.Identifier.ValueText == name => n.Identifier.ValueText,
                MemberBindingExpressionSyntax binding when invocation.Parent is ConditionalAccessExpressionSyntax { Expression: IdentifierNameSyntax target } && target.Identifier.ValueText == name
                    => binding.Name.Identifier.ValueText,
                _ => null,
            };
            return method is "Dispose" or "DisposeAsync" or "Close" or "Unregister" or "Stop";
        }

        /// <summary>
        /// <c>token.Register(...);</c> or <c>_ = token.Register(...);</c> followed by an await or yield of the same function:
        /// <c>using var registration = token.Register(...);</c> (a registration meant to outlive the method is kept in a
        /// field by <see cref="KeepTimerInFieldCodeFixProvider"/> instead).
        /// </summary>
        /// <summary>An await (await foreach, await using) or a yield in <paramref name="block"/> after <paramref name="statement"/>, outside nested functions.</summary>
        private static bool SuspendsLaterInBlock(BlockSyntax block, StatementSyntax statement)
            => block.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                .Any(n => n.SpanStart >= statement.Span.End
                    && (n is AwaitExpressionSyntax or YieldStatementSyntax
                        || n is CommonForEachStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }
                        || n is LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }
                        || n is UsingStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }));

        private static SyntaxNode? FixDroppedRegistration(SyntaxNode root, SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
        {
            if (Registrations.RegisterCall(node, model, cancellationToken) is not { } invocation
                || Registrations.Dropped(invocation, out var statement) is null || statement is null
                || !Registrations.ServesAnOperationAfter(statement))
            {
                return null;
            }

            return UsingRegistration(root, model, statement, invocation);
        }

        /// <summary>Replaces <paramref name="statement"/> with <c>using var registration = invocation;</c> (a name free in its block).</summary>
        internal static SyntaxNode UsingRegistration(SyntaxNode root, SemanticModel model, StatementSyntax statement, InvocationExpressionSyntax invocation)
        {
            var name = "registration";
            for (var i = 2; model.LookupSymbols(statement.SpanStart, name: name).Length > 0 || statement.Parent!.DescendantNodes().OfType<VariableDeclaratorSyntax>().Any(v => v.Identifier.ValueText == name); i++)
            {
                name = "registration" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var declaration = SyntaxFactory.LocalDeclarationStatement(
                    SyntaxFactory.VariableDeclaration(
                        SyntaxFactory.IdentifierName("var"),
                        SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                            .WithInitializer(SyntaxFactory.EqualsValueClause(invocation.WithoutTrivia())))))
                .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword))
                .WithLeadingTrivia(statement.GetLeadingTrivia())
                .WithTrailingTrivia(statement.GetTrailingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
            return root.ReplaceNode(statement, declaration);
        }

        /// <summary>
        /// A disposable created and dropped inside an expression (<c>new StreamReader(path).ReadToEnd()</c>,
        /// <c>CancellationTokenSource.CreateLinkedTokenSource(a, b).Token</c> passed to an awaited call): it becomes
        /// <c>using var reader = new StreamReader(path);</c> before the statement, and the expression uses the local. Only
        /// where that keeps the order and the lifetime: the statement is in a block, the creation is evaluated every time
        /// the statement runs (no <c>&amp;&amp;</c>, <c>?:</c>, <c>??</c>, <c>?.</c> or lambda around it), what the statement
        /// keeps from it is a plain value (a string, a number), and a token is only passed to a call that is awaited there.
        /// </summary>
        private static SyntaxNode? HoistDropped(SyntaxNode root, SemanticModel model, SyntaxNode node, Diagnostic diagnostic, bool tokenSource, CancellationToken cancellationToken)
        {
            var acquisition = node.FirstAncestorOrSelf<ExpressionSyntax>(e => e.Span == diagnostic.Location.SourceSpan) ?? node as ExpressionSyntax;
            if (acquisition is null || model.GetTypeInfo(acquisition, cancellationToken).Type is not { } type || type.TypeKind == TypeKind.Error)
            {
                return null;
            }

            StatementSyntax? statement = null;
            var awaited = false;
            for (SyntaxNode? current = acquisition.Parent, child = acquisition; current != null; child = current, current = current.Parent)
            {
                switch (current)
                {
                    case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or QueryExpressionSyntax or SwitchExpressionSyntax:
                    case ConditionalExpressionSyntax conditional when child != conditional.Condition:
                    case BinaryExpressionSyntax binary when child == binary.Right && binary.Kind() is SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression or SyntaxKind.CoalesceExpression:
                    case ConditionalAccessExpressionSyntax access when child == access.WhenNotNull:
                    case AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.CoalesceAssignmentExpression }:
                        return null;
                    case AwaitExpressionSyntax:
                        awaited = true;
                        break;
                    case StatementSyntax s:
                        statement = s;
                        break;
                }

                if (statement is not null)
                {
                    break;
                }
            }

            if (statement?.Parent is not BlockSyntax block || acquisition.Parent is null)
            {
                return null;
            }

            // What outlives the statement must not need the resource: a plain value, or nothing.
            switch (statement)
            {
                case ExpressionStatementSyntax:
                    break;
                case IfStatementSyntax ifStatement when ifStatement.Condition.Span.Contains(acquisition.Span):
                    break;
                case ReturnStatementSyntax { Expression: { } returned } when IsPlainValue(model.GetTypeInfo(returned, cancellationToken).Type):
                    break;
                case LocalDeclarationStatementSyntax { IsConst: false, UsingKeyword.RawKind: (int)SyntaxKind.None } local
                    when local.Declaration.Variables.All(v => v.Initializer is null || !v.Initializer.Value.Span.Contains(acquisition.Span)
                        || IsPlainValue(model.GetTypeInfo(v.Initializer.Value, cancellationToken).Type)):
                    break;
                default:
                    return null;
            }

            if (tokenSource)
            {
                // The source's token, passed to a call that completes within the statement (awaited there, or not a task).
                if (acquisition.Parent is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Token", Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } } }
                    || !(awaited || !IsAwaitable(model.GetTypeInfo(call, cancellationToken).Type)))
                {
                    return null;
                }
            }

            var awaitUsing = NeedsAwaitUsing(type, model.Compilation, statement);
            if (awaitUsing is null)
            {
                return null;
            }

            var baseName = type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name.Substring(1) : type.Name;
            baseName = char.ToLowerInvariant(baseName[0]) + baseName.Substring(1);
            var name = baseName;
            for (var i = 2; SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || model.LookupSymbols(statement.SpanStart, name: name).Length > 0
                || statement.FirstAncestorOrSelf<MemberDeclarationSyntax>()!.DescendantNodes().OfType<VariableDeclaratorSyntax>().Any(v => v.Identifier.ValueText == name); i++)
            {
                name = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var declaration = SyntaxFactory.LocalDeclarationStatement(
                    SyntaxFactory.VariableDeclaration(
                        SyntaxFactory.IdentifierName("var"),
                        SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                            .WithInitializer(SyntaxFactory.EqualsValueClause(acquisition.WithoutTrivia())))))
                .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword));
            if (awaitUsing.Value)
            {
                declaration = declaration.WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword));
            }

            var newStatement = statement.ReplaceNode(acquisition, SyntaxFactory.IdentifierName(name).WithTriviaFrom(acquisition));
            var newBlock = block.ReplaceNode(statement, new[]
            {
                declaration.WithLeadingTrivia(statement.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.ElasticEndOfLine(EndOfLine(statement)))
                    .WithAdditionalAnnotations(Formatter.Annotation),
                newStatement.WithLeadingTrivia(statement.GetLeadingTrivia()),
            });
            return root.ReplaceNode(block, newBlock);
        }

        private static string EndOfLine(SyntaxNode node)
            => node.GetTrailingTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: (int)SyntaxKind.EndOfLineTrivia } eol ? eol.ToString() : "\n";

        /// <summary>A value that needs nothing once computed: a primitive, a string, an enum, a struct that holds no disposable.</summary>
        private static bool IsPlainValue(ITypeSymbol? type)
            => type is not null && (type.SpecialType != SpecialType.None && type.SpecialType != SpecialType.System_Object
                || type.TypeKind == TypeKind.Enum
                || type.IsValueType && !type.IsRefLikeType && type.AllInterfaces.All(i => i.SpecialType != SpecialType.System_IDisposable && i.Name != "IAsyncDisposable")
                    && type.GetMembers().OfType<IFieldSymbol>().All(f => f.Type.IsValueType && f.Type.SpecialType != SpecialType.None));

        private static bool IsAwaitable(ITypeSymbol? type)
            => type is not null && type.GetMembers("GetAwaiter").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0);

        /// <summary>false: using; true: await using; null: neither compiles.</summary>
        private static bool? NeedsAwaitUsing(ITypeSymbol type, Compilation compilation, SyntaxNode statement)
        {
            var asyncDisposable = compilation.GetTypeByMetadataName("System.IAsyncDisposable");
            var isAsyncDisposable = asyncDisposable != null && (SymbolEqualityComparer.Default.Equals(type, asyncDisposable) || type.AllInterfaces.Contains(asyncDisposable, SymbolEqualityComparer.Default));
            var isDisposable = type.SpecialType == SpecialType.System_IDisposable || type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable)
                || (type.IsRefLikeType && type.GetMembers("Dispose").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0 && m.DeclaredAccessibility == Accessibility.Public));
            var inAsync = IsInAsyncFunction(statement);
            if (isAsyncDisposable && inAsync)
            {
                return true;
            }

            return isDisposable ? false : null;
        }

        private static bool IsInAsyncFunction(SyntaxNode node)
        {
            foreach (var ancestor in node.Ancestors())
            {
                switch (ancestor)
                {
                    case MethodDeclarationSyntax method:
                        return method.Modifiers.Any(SyntaxKind.AsyncKeyword);
                    case LocalFunctionStatementSyntax local:
                        return local.Modifiers.Any(SyntaxKind.AsyncKeyword);
                    case AnonymousFunctionExpressionSyntax lambda:
                        return lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                    case MemberDeclarationSyntax:
                        return false;
                }
            }

            return false;
        }

        private static LocalDeclarationStatementSyntax AddUsing(LocalDeclarationStatementSyntax statement, bool awaitUsing)
        {
            var leading = statement.GetLeadingTrivia();
            var result = statement.WithoutLeadingTrivia()
                .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(SyntaxFactory.Space));
            if (awaitUsing)
            {
                result = result.WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space));
            }

            return result.WithLeadingTrivia(leading);
        }
    }
}
