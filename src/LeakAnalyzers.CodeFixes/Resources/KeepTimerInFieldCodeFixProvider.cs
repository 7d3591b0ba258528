using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Resources;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes.Resources
{
    /// <summary>
    /// LEAK009, a dropped timer in an instance method or constructor: keeps it in a new field <c>_timer</c> (disposing the
    /// previous one first when a method may run twice) and disposes the field in the type's Dispose (see <see cref="DisposeMembers"/>).
    /// The same for a dropped <c>token.Register(...)</c> (LEAK009, and LEAK004 when its callback captures <c>this</c>) that is
    /// meant to outlive the method (no await or yield after it, see <see cref="Registrations"/>): a field <c>_registration</c>.
    /// And for a subscription to a handed-in observable thrown away in a disposable type (LEAK004): a field
    /// <c>_subscription</c> of the call's type, offered only where the type's Dispose can be extended.
    /// Fix All gathers the fields of one type into one edit.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class KeepTimerInFieldCodeFixProvider : CodeFixProvider, SolutionFixAllProvider.IAppliesEveryKey
    {
        public const string Key = "LEAK009.KeepTimerInField";
        public const string RegistrationKey = "LEAK009.KeepRegistrationInField";
        public const string CaptureRegistrationKey = "LEAK004.KeepRegistrationInField";
        public const string SubscriptionKey = "LEAK004.KeepSubscriptionInField";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.TimerOrRegistrationKeptAlive, RuleIdentifiers.LongLivedDelegateCaptures);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (KeyOf(diagnostic) is { } key)
                {
                    // Offered only where a field suits it (computed here: one diagnostic's edit is small).
                    var solution = context.Document.Project.Solution;
                    var changed = await ApplyAsync(solution, ImmutableArray.Create(diagnostic), key, context.CancellationToken).ConfigureAwait(false);
                    if (!await LeakCodeFixProvider.ChangesTextAsync(solution, changed, context.CancellationToken).ConfigureAwait(false))
                    {
                        continue;
                    }

                    var title = key == Key ? "Keep the timer in a field and dispose it"
                        : key == SubscriptionKey ? "Keep the subscription in a field and dispose it in Dispose"
                        : "Keep the registration in a field and dispose it";
                    context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(changed), key), diagnostic);
                }
            }
        }

        /// <summary>The fix's key for a dropped timer or registration (whether a field suits it is decided at the syntax).</summary>
        private static string? KeyOf(Diagnostic diagnostic)
        {
            if (diagnostic.Id == RuleIdentifiers.LongLivedDelegateCaptures)
            {
                return !diagnostic.Properties.TryGetValue(LeakAnalyzers.Retention.LongLivedDelegateCapturesAnalyzer.SinkProperty, out var sink) ? null
                    : sink == nameof(LeakAnalyzers.Retention.LongLivedDelegateCapturesAnalyzer.Sink.TokenRegistration) ? CaptureRegistrationKey
                    : sink == nameof(LeakAnalyzers.Retention.LongLivedDelegateCapturesAnalyzer.Sink.Subscription) ? SubscriptionKey
                    : null;
            }

            if (!diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.LeakShape, out var shape) || shape != nameof(LeakShape.Dropped)
                || !diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.ResourceKind, out var kind))
            {
                return null;
            }

            return kind == TimerOrRegistrationKeptAliveAnalyzer.TimerKind ? Key : kind == TimerOrRegistrationKeptAliveAnalyzer.RegistrationKind ? RegistrationKey : null;
        }

        private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var editors = new Dictionary<DocumentId, DocumentEditor>();
            async Task<DocumentEditor?> EditorForAsync(SyntaxTree tree)
            {
                var id = solution.GetDocumentId(tree);
                if (id is null)
                {
                    return null;
                }

                if (!editors.TryGetValue(id, out var editor))
                {
                    editor = await DocumentEditor.CreateAsync(solution.GetDocument(id)!, cancellationToken).ConfigureAwait(false);
                    editors[id] = editor;
                }

                return editor;
            }

            var byType = new Dictionary<INamedTypeSymbol, (TypeDeclarationSyntax Declaration, List<StatementSyntax> Statements, HashSet<string> Names)>(SymbolEqualityComparer.Default);
            // One call can carry several findings (onNext and onError callbacks): one field for it.
            var handled = new HashSet<SyntaxNode>();
            foreach (var diagnostic in diagnostics)
            {
                if (KeyOf(diagnostic) is not { } diagnosticKey || diagnosticKey != key && key != SolutionFixAllProvider.AnyKey || diagnostic.Location.SourceTree is not { } tree || await EditorForAsync(tree).ConfigureAwait(false) is not { } editor)
                {
                    continue;
                }

                var model = editor.SemanticModel;
                var node = editor.OriginalRoot.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                var isTimer = diagnosticKey == Key;
                var isSubscription = diagnosticKey == SubscriptionKey;
                ExpressionSyntax? creation = isTimer ? node.FirstAncestorOrSelf<BaseObjectCreationExpressionSyntax>()
                    : isSubscription ? SubscribeCall(node, model, cancellationToken)
                    : Registrations.RegisterCall(node, model, cancellationToken);
                if (creation is null || !handled.Add(creation) || model.GetTypeInfo(creation, cancellationToken).Type is not INamedTypeSymbol timerType
                    || creation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
                    || model.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type || type.IsStatic)
                {
                    continue;
                }

                // A registration followed by an await or yield serves that operation: 'using var' (AddUsing) ends it there.
                // A subscription is meant to last as long as the object, awaits or not (and may be an expression body).
                if (isSubscription ? Registrations.Dropped(creation, out _) is null && creation.Parent is not ArrowExpressionClauseSyntax
                    : !isTimer && (Registrations.Dropped(creation, out var registrationStatement) is null || registrationStatement is null
                        || Registrations.ServesAnOperationAfter(registrationStatement)))
                {
                    continue;
                }

                // Kept in a field that nothing disposes would only move the leak (a timer, a registration or a subscription
                // alike): offered where Dispose can be extended.
                if (!DisposeMembers.CanAddDisposals(type))
                {
                    continue;
                }

                // A subscription reported in a type that is not disposable (its stop method ends what it keeps): a new
                // Dispose that nothing calls would not end it either.
                if (isSubscription && !type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable || i.Name == "IAsyncDisposable"))
                {
                    continue;
                }

                var member = creation.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>();
                if (member is null || model.GetDeclaredSymbol(member, cancellationToken) is not IMethodSymbol { IsStatic: false } method
                    || member.Parent != declaration || creation.Ancestors().Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                {
                    continue;
                }

                if (!byType.TryGetValue(type, out var entry))
                {
                    entry = (declaration, new List<StatementSyntax>(), new HashSet<string>(type.GetMembers().Select(m => m.Name)));
                    byType[type] = entry;
                }

                var baseName = isTimer ? "_timer" : isSubscription ? "_subscription" : "_registration";
                var name = baseName;
                for (var i = 2; entry.Names.Contains(name) || model.LookupSymbols(creation.SpanStart, name: name).Any(s => s is ILocalSymbol or IParameterSymbol); i++)
                {
                    name = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                var isConstructor = method.MethodKind == MethodKind.Constructor;
                var assignment = SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(name), creation.WithoutTrivia());
                if (Registrations.Dropped(creation, out var statement) is { } dropped && statement is not null)
                {
                    editor.ReplaceNode(dropped, assignment.WithTriviaFrom(dropped));
                    if (!isConstructor)
                    {
                        editor.InsertBefore(statement, DisposeMembers.DisposeStatement(name, timerType));
                    }
                }
                else if (creation.Parent is ArrowExpressionClauseSyntax && member is MethodDeclarationSyntax { ExpressionBody: not null } arrowMethod && method.ReturnsVoid)
                {
                    var statements = new List<StatementSyntax>();
                    if (!isConstructor)
                    {
                        statements.Add(DisposeMembers.DisposeStatement(name, timerType));
                    }

                    statements.Add(SyntaxFactory.ExpressionStatement(assignment));
                    editor.ReplaceNode(arrowMethod, arrowMethod.WithExpressionBody(null).WithSemicolonToken(default)
                        .WithBody(SyntaxFactory.Block(statements)).WithAdditionalAnnotations(Formatter.Annotation));
                }
                else
                {
                    continue;
                }

                entry.Names.Add(name);
                var nullable = !timerType.IsValueType && model.GetNullableContext(creation.SpanStart).AnnotationsEnabled() ? "?" : string.Empty;
                var typeName = timerType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + nullable;
                var field = SyntaxFactory.ParseMemberDeclaration("private " + typeName + " " + name + ";")!
                    .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                    .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)
                    .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);
                editor.InsertMembers(declaration, 0, new[] { field });
                entry.Statements.Add(DisposeMembers.DisposeStatement(name, timerType));
            }

            foreach (var pair in byType)
            {
                DisposeMembers.AddDisposals(tree => editors.TryGetValue(solution.GetDocumentId(tree)!, out var e) ? e : null, pair.Key, pair.Value.Declaration, pair.Value.Statements);
            }

            return await DisposeMembers.CommitAsync(solution, editors, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The call whose delegate argument is at <paramref name="node"/> when it returns an <see cref="System.IDisposable"/>
        /// (<c>source.Subscribe(x => ..)</c>, an extension over <c>IObservable&lt;T&gt;</c>), else null.
        /// </summary>
        private static InvocationExpressionSyntax? SubscribeCall(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
        {
            if (node.FirstAncestorOrSelf<ArgumentSyntax>() is not { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } }
                || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
            {
                return null;
            }

            var returned = method.ReturnType;
            return returned.SpecialType == SpecialType.System_IDisposable || returned.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable)
                ? invocation
                : null;
        }
    }
}
