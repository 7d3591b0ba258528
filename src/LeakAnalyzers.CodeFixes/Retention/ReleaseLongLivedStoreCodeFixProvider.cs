using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Resources;
using LeakAnalyzers.Retention;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace LeakAnalyzers.CodeFixes.Retention
{
    /// <summary>
    /// LEAK004 where the store can be released when the object is done, in the type's Dispose (see <see cref="DisposeMembers"/>):
    /// a timer kept in a field of this type whose callback captures <c>this</c> ("Dispose the timer in Dispose": the
    /// runtime's timer queue roots the callback until then), and an instance method added to a static delegate
    /// (<c>s_changed += OnChanged;</c>, "Remove the handler in Dispose"). Fix All gathers the statements of one type.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class ReleaseLongLivedStoreCodeFixProvider : CodeFixProvider
    {
        public const string TimerKey = "LEAK004.DisposeTimer";
        public const string HandlerKey = "LEAK004.RemoveHandler";
        public const string UnregisterKey = "LEAK004.Unregister";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.LongLivedDelegateCaptures);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (KeyOf(diagnostic) is not { } key)
                {
                    continue;
                }

                var solution = context.Document.Project.Solution;
                var changed = await ApplyAsync(solution, ImmutableArray.Create(diagnostic), key, context.CancellationToken).ConfigureAwait(false);
                if (await LeakCodeFixProvider.ChangesTextAsync(solution, changed, context.CancellationToken).ConfigureAwait(false))
                {
                    var title = key switch { TimerKey => "Dispose the timer in Dispose", UnregisterKey => "Unregister in Dispose", _ => "Remove the handler in Dispose" };
                    context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(changed), key), diagnostic);
                }
            }
        }

        private static string? KeyOf(Diagnostic diagnostic)
        {
            if (!diagnostic.Properties.TryGetValue(LongLivedDelegateCapturesAnalyzer.CapturedProperty, out var captured) || captured != "this"
                || !diagnostic.Properties.TryGetValue(LongLivedDelegateCapturesAnalyzer.SinkProperty, out var sink))
            {
                return null;
            }

            return sink switch
            {
                nameof(LongLivedDelegateCapturesAnalyzer.Sink.Timer) => TimerKey,
                nameof(LongLivedDelegateCapturesAnalyzer.Sink.StaticMulticast) => HandlerKey,
                nameof(LongLivedDelegateCapturesAnalyzer.Sink.Registration)
                    when diagnostic.Properties.TryGetValue(LongLivedDelegateCapturesAnalyzer.UnregisterProperty, out var unregister) && !string.IsNullOrEmpty(unregister) => UnregisterKey,
                _ => null,
            };
        }

        private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var editors = new Dictionary<DocumentId, DocumentEditor>();
            var byType = new Dictionary<INamedTypeSymbol, (TypeDeclarationSyntax Declaration, List<StatementSyntax> Statements, HashSet<string> Texts)>(SymbolEqualityComparer.Default);
            foreach (var diagnostic in diagnostics)
            {
                if (KeyOf(diagnostic) != key || diagnostic.Location.SourceTree is not { } tree || solution.GetDocument(tree) is not { } document)
                {
                    continue;
                }

                if (!editors.TryGetValue(document.Id, out var editor))
                {
                    editors[document.Id] = editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
                }

                var model = editor.SemanticModel;
                var node = editor.OriginalRoot.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
                    || model.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type || type.IsStatic)
                {
                    continue;
                }

                var statement = key switch
                {
                    TimerKey => DisposeTimer(node, model, type, cancellationToken),
                    UnregisterKey => Unregister(node, model, diagnostic.Properties[LongLivedDelegateCapturesAnalyzer.UnregisterProperty]!, cancellationToken),
                    _ => RemoveHandler(node, model, cancellationToken),
                };
                if (statement is null)
                {
                    continue;
                }

                if (!byType.TryGetValue(type, out var entry))
                {
                    byType[type] = entry = (declaration, new List<StatementSyntax>(), new HashSet<string>());
                }

                if (entry.Texts.Add(statement.ToString()))
                {
                    entry.Statements.Add(statement);
                }
            }

            foreach (var pair in byType)
            {
                DisposeMembers.AddDisposals(tree => solution.GetDocumentId(tree) is { } id && editors.TryGetValue(id, out var e) ? e : null, pair.Key, pair.Value.Declaration, pair.Value.Statements);
            }

            return await DisposeMembers.CommitAsync(solution, editors, cancellationToken).ConfigureAwait(false);
        }

        /// <summary><c>_timer?.Dispose();</c> for the field of this type that holds the timer the callback belongs to.</summary>
        private static StatementSyntax? DisposeTimer(SyntaxNode node, SemanticModel model, INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            ISymbol? member = null;
            for (var current = node; current != null && current is not MemberDeclarationSyntax; current = current.Parent)
            {
                switch (current)
                {
                    case AssignmentExpressionSyntax { Left: var left } assignment when assignment.IsKind(SyntaxKind.AddAssignmentExpression):
                        // _timer.Elapsed += handler
                        member = left is MemberAccessExpressionSyntax { Expression: var timer } ? model.GetSymbolInfo(timer, cancellationToken).Symbol : null;
                        break;
                    case AssignmentExpressionSyntax { Left: var target } assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression):
                        // _timer = new Timer(callback, ...)
                        member = model.GetSymbolInfo(target, cancellationToken).Symbol;
                        break;
                    case VariableDeclaratorSyntax declarator when declarator.Parent?.Parent is FieldDeclarationSyntax:
                        member = model.GetDeclaredSymbol(declarator, cancellationToken);
                        break;
                }

                if (member is not null)
                {
                    break;
                }
            }

            var memberType = member switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
            return member is { IsStatic: false } && SymbolEqualityComparer.Default.Equals(member.ContainingType, type) && memberType is not null
                && member is IFieldSymbol or IPropertySymbol { SetMethod: not null } or IPropertySymbol { IsReadOnly: true }
                ? DisposeMembers.DisposeStatement(member.Name, memberType)
                : null;
        }

        /// <summary>
        /// <c>Messenger.Default.Unsubscribe(OnMessage);</c> for <c>Messenger.Default.Subscribe(OnMessage);</c>: the same
        /// receiver and arguments as written, with the removal method the analyzer found. Only when every argument means
        /// the same in Dispose: method groups and members of this object, <c>this</c>, statics, constants.
        /// </summary>
        private static StatementSyntax? Unregister(SyntaxNode node, SemanticModel model, string removal, CancellationToken cancellationToken)
        {
            if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } invocation
                || !SyntaxFacts.IsValidIdentifier(removal)
                || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol registration)
            {
                return null;
            }

            string callee;
            switch (invocation.Expression)
            {
                case MemberAccessExpressionSyntax { Name: IdentifierNameSyntax } access when SameInDispose(access.Expression, model, cancellationToken):
                    callee = access.Expression.WithoutTrivia() + "." + removal;
                    break;
                case IdentifierNameSyntax when registration.IsStatic:
                    callee = removal;
                    break;
                default:
                    return null;
            }

            var arguments = new List<string>();
            foreach (var argument in invocation.ArgumentList.Arguments)
            {
                if (argument.NameColon is not null || !argument.RefKindKeyword.IsKind(SyntaxKind.None) || !SameInDispose(argument.Expression, model, cancellationToken))
                {
                    return null;
                }

                arguments.Add(argument.Expression.WithoutTrivia().ToString());
            }

            return DisposeMembers.Statement($"{callee}({string.Join(", ", arguments)});");
        }

        /// <summary>An expression that names the same thing in any member of the type: no locals, parameters, calls or lambdas.</summary>
        private static bool SameInDispose(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
        {
            switch (expression)
            {
                case ThisExpressionSyntax:
                case LiteralExpressionSyntax:
                    return true;
                case IdentifierNameSyntax or GenericNameSyntax:
                    var symbol = model.GetSymbolInfo(expression, cancellationToken);
                    var target = symbol.Symbol ?? (symbol.CandidateSymbols.Length > 0 ? symbol.CandidateSymbols[0] : null);
                    return target is IFieldSymbol or IPropertySymbol or IMethodSymbol or INamedTypeSymbol or INamespaceSymbol;
                case MemberAccessExpressionSyntax access:
                    return SameInDispose(access.Expression, model, cancellationToken)
                        || model.GetSymbolInfo(access.Expression, cancellationToken).Symbol is INamedTypeSymbol or INamespaceSymbol;
                case PredefinedTypeSyntax:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary><c>s_changed -= OnChanged;</c> for <c>s_changed += OnChanged;</c> with an instance method group of this object.</summary>
        private static StatementSyntax? RemoveHandler(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
        {
            var assignment = node.FirstAncestorOrSelf<AssignmentExpressionSyntax>(a => a.IsKind(SyntaxKind.AddAssignmentExpression));
            if (assignment is null
                || assignment.Right is not (IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax })
                || model.GetSymbolInfo(assignment.Right, cancellationToken).Symbol is not IMethodSymbol { IsStatic: false }
                || model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is not { IsStatic: true } target)
            {
                return null;
            }

            // The same target and handler as written: Dispose is in the same type.
            return DisposeMembers.Statement($"{assignment.Left.WithoutTrivia()} -= {assignment.Right.WithoutTrivia()};");
        }
    }
}
