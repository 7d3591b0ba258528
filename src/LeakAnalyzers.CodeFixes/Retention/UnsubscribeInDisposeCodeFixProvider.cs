using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
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
    /// LEAK003 "Unsubscribe in Dispose": a lambda handler becomes a private method (or is kept in a delegate field when it
    /// captures locals), and the matching <c>-=</c> goes into <c>Dispose()</c> / <c>Dispose(bool)</c> / <c>DisposeAsync()</c>;
    /// a type with none of them gets <c>IDisposable</c> and a <c>Dispose()</c>. Several subscriptions of one type share one
    /// Dispose, so Fix All applies them together.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class UnsubscribeInDisposeCodeFixProvider : CodeFixProvider
    {
        public const string Key = "LEAK003.UnsubscribeInDispose";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.EventSubscriptionOutlivesSubscriber);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (IsFixable(diagnostic))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Unsubscribe in Dispose", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), Key, ct), Key),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static bool IsFixable(Diagnostic diagnostic)
            => diagnostic.Properties.TryGetValue(EventSubscriptionOutlivesSubscriberAnalyzer.UnsubscribeTargetProperty, out var target) && target is not null
                && diagnostic.Properties.TryGetValue(EventSubscriptionOutlivesSubscriberAnalyzer.HandlerKindProperty, out var kind)
                && kind is "Method" or "Member" or "Lambda" or "CapturingLambda";

        private sealed class TypeWork
        {
            public TypeWork(INamedTypeSymbol type, TypeDeclarationSyntax declaration, DocumentId document)
            {
                Type = type;
                Declaration = declaration;
                Document = document;
            }

            public INamedTypeSymbol Type { get; }

            public TypeDeclarationSyntax Declaration { get; }

            public DocumentId Document { get; }

            public List<StatementSyntax> Removals { get; } = new List<StatementSyntax>();

            public HashSet<string> UsedNames { get; } = new HashSet<string>();
        }

        private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var editors = new Dictionary<DocumentId, DocumentEditor>();
            async Task<DocumentEditor?> EditorFor(SyntaxTree? tree)
            {
                if (tree is null || solution.GetDocumentId(tree) is not { } id)
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

            var work = new Dictionary<INamedTypeSymbol, TypeWork>(SymbolEqualityComparer.Default);
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath).ThenBy(d => d.Location.SourceSpan.Start))
            {
                if (diagnostic.Id != RuleIdentifiers.EventSubscriptionOutlivesSubscriber || !IsFixable(diagnostic)
                    || await EditorFor(diagnostic.Location.SourceTree).ConfigureAwait(false) is not { } editor)
                {
                    continue;
                }

                var model = editor.SemanticModel;
                var assignment = editor.OriginalRoot.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                    .FirstAncestorOrSelf<AssignmentExpressionSyntax>(a => a.IsKind(SyntaxKind.AddAssignmentExpression));
                var declaration = assignment?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
                if (assignment is null || declaration is null || model.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type)
                {
                    continue;
                }

                if (!work.TryGetValue(type, out var typeWork))
                {
                    typeWork = new TypeWork(type, declaration, editor.OriginalDocument.Id);
                    foreach (var name in type.MemberNames)
                    {
                        typeWork.UsedNames.Add(name);
                    }

                    work[type] = typeWork;
                }

                var target = diagnostic.Properties[EventSubscriptionOutlivesSubscriberAnalyzer.UnsubscribeTargetProperty]!;
                var eventName = target.Substring(target.LastIndexOf('.') + 1);
                var kind = diagnostic.Properties[EventSubscriptionOutlivesSubscriberAnalyzer.HandlerKindProperty];
                string handler;
                switch (kind)
                {
                    case "Lambda" when Lambda(assignment.Right) is { } lambda
                        && assignment.FirstAncestorOrSelf<MemberDeclarationSyntax>(m => m.Parent == declaration) is { } enclosingMember
                        && MethodFor(lambda, model, UniqueName(typeWork, "On" + eventName), cancellationToken) is { } method:
                        handler = method.Identifier.ValueText;
                        editor.ReplaceNode(assignment.Right, SyntaxFactory.IdentifierName(handler).WithTriviaFrom(assignment.Right));
                        editor.InsertAfter(enclosingMember, SyntaxEditing.Format(Elastic(method)));
                        typeWork.Removals.Add(SyntaxFactory.ParseStatement($"{target} -= {handler};"));
                        break;
                    case "CapturingLambda" when model.GetTypeInfo(assignment.Right, cancellationToken).ConvertedType is INamedTypeSymbol { TypeKind: TypeKind.Delegate } delegateType:
                        handler = UniqueName(typeWork, "_on" + eventName);
                        var typeName = delegateType.ToMinimalDisplayString(model, declaration.SpanStart);
                        var field = Elastic((FieldDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration($"private {typeName}? {handler};")!);
                        editor.ReplaceNode(assignment.Right, SyntaxFactory.ParseExpression($"{handler} = {assignment.Right.WithoutTrivia()}").WithTriviaFrom(assignment.Right));
                        editor.InsertMembers(declaration, 0, new[] { SyntaxEditing.Format(field) });
                        typeWork.Removals.Add(SyntaxFactory.IfStatement(
                            SyntaxFactory.ParseExpression($"{handler} is not null"),
                            SyntaxFactory.Block(SyntaxFactory.ParseStatement($"{target} -= {handler};"))));
                        break;
                    case "Method":
                    case "Member":
                        typeWork.Removals.Add(SyntaxFactory.ParseStatement($"{target} -= {assignment.Right.WithoutTrivia()};"));
                        break;
                }
            }

            foreach (var typeWork in work.Values)
            {
                if (typeWork.Removals.Count > 0)
                {
                    await AddToDisposeAsync(typeWork, EditorFor, cancellationToken).ConfigureAwait(false);
                }
            }

            foreach (var pair in editors)
            {
                solution = solution.WithDocumentSyntaxRoot(pair.Key, pair.Value.GetChangedRoot());
            }

            return solution;
        }

        private static async Task AddToDisposeAsync(TypeWork work, System.Func<SyntaxTree?, Task<DocumentEditor?>> editorFor, CancellationToken cancellationToken)
        {
            var statements = work.Removals.Select(s => SyntaxEditing.Format(Elastic(s))).ToArray();
            var existing = FindDispose(work.Type);
            if (existing?.DeclaringSyntaxReferences.FirstOrDefault() is { } reference
                && await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is MethodDeclarationSyntax method
                && await editorFor(method.SyntaxTree).ConfigureAwait(false) is { } editor)
            {
                editor.ReplaceNode(method, (current, _) => Prepend((MethodDeclarationSyntax)current, statements, existing.ReturnsVoid));
                return;
            }

            var subscribing = await editorFor(work.Declaration.SyntaxTree).ConfigureAwait(false);
            if (subscribing is null)
            {
                return;
            }

            // An inherited virtual Dispose(bool) is overridden; otherwise the type implements IDisposable itself.
            if (InheritedDisposeBool(work.Type) is { } inherited)
            {
                var accessibility = inherited.DeclaredAccessibility == Accessibility.Public ? SyntaxKind.PublicKeyword : SyntaxKind.ProtectedKeyword;
                var baseCall = SyntaxEditing.Format(Elastic(SyntaxFactory.ParseStatement("base.Dispose(disposing);")));
                var overriding = SyntaxFactory.MethodDeclaration(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.VoidKeyword)), "Dispose")
                    .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(accessibility), SyntaxFactory.Token(SyntaxKind.OverrideKeyword)))
                    .WithParameterList(SyntaxFactory.ParameterList(SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.Parameter(SyntaxFactory.Identifier("disposing")).WithType(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.BoolKeyword))))))
                    .WithBody(SyntaxFactory.Block(statements.Concat(new[] { baseCall })));
                subscribing.AddMember(work.Declaration, SyntaxEditing.Format(overriding));
                return;
            }

            var dispose = (MethodDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration("public void Dispose() { }")!;
            subscribing.AddMember(work.Declaration, SyntaxEditing.Format(Elastic(Prepend(dispose, statements, true))));
            if (!Implements(work.Type, "System.IDisposable"))
            {
                subscribing.AddInterfaceType(work.Declaration, SyntaxEditing.Format(SyntaxFactory.ParseTypeName("System.IDisposable")));
            }
        }

        private static MethodDeclarationSyntax Prepend(MethodDeclarationSyntax method, StatementSyntax[] statements, bool returnsVoid)
        {
            if (method.Body is { } body)
            {
                // After what Dispose already does, but before its final return or base.Dispose(...) call.
                var index = body.Statements.Count;
                if (index > 0 && body.Statements[index - 1] is ReturnStatementSyntax
                    or ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax } } })
                {
                    index--;
                }

                return method.WithBody(body.WithStatements(body.Statements.InsertRange(index, statements)));
            }

            if (method.ExpressionBody is { } arrow)
            {
                StatementSyntax last = returnsVoid
                    ? SyntaxFactory.ExpressionStatement(arrow.Expression.WithoutTrivia())
                    : SyntaxFactory.ReturnStatement(arrow.Expression.WithoutTrivia());
                var ordered = returnsVoid ? new[] { last }.Concat(statements) : statements.Concat(new[] { last });
                return method.WithExpressionBody(null).WithSemicolonToken(default)
                    .WithBody(SyntaxEditing.Format(SyntaxFactory.Block(ordered)));
            }

            return method;
        }

        private static T Elastic<T>(T node)
            where T : SyntaxNode
            => node.WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithTrailingTrivia(SyntaxFactory.ElasticMarker);

        private static IMethodSymbol? FindDispose(INamedTypeSymbol type)
        {
            IMethodSymbol? withBool = null;
            IMethodSymbol? asynchronous = null;
            foreach (var member in type.GetMembers())
            {
                if (member is not IMethodSymbol { IsStatic: false, IsAbstract: false, MethodKind: MethodKind.Ordinary } method || method.DeclaringSyntaxReferences.IsEmpty)
                {
                    continue;
                }

                switch (method.Name)
                {
                    case "Dispose" when method.Parameters.Length == 0:
                        return method;
                    case "Dispose" when method.Parameters.Length == 1 && method.Parameters[0].Type.SpecialType == SpecialType.System_Boolean:
                        withBool = method;
                        break;
                    case "DisposeAsync" when method.Parameters.Length == 0:
                        asynchronous = method;
                        break;
                }
            }

            return withBool ?? asynchronous;
        }

        private static IMethodSymbol? InheritedDisposeBool(INamedTypeSymbol type)
        {
            for (var t = type.BaseType; t != null; t = t.BaseType)
            {
                foreach (var member in t.GetMembers("Dispose"))
                {
                    if (member is IMethodSymbol { IsVirtual: true } or IMethodSymbol { IsOverride: true, IsSealed: false }
                        && member is IMethodSymbol { Parameters.Length: 1 } m && m.Parameters[0].Type.SpecialType == SpecialType.System_Boolean)
                    {
                        return m;
                    }
                }
            }

            return null;
        }

        private static bool Implements(INamedTypeSymbol type, string name)
            => type.AllInterfaces.Any(i => i.ToDisplayString() == name);

        private static string UniqueName(TypeWork work, string name)
        {
            var candidate = name;
            for (var i = 2; !work.UsedNames.Add(candidate); i++)
            {
                candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return candidate;
        }

        private static AnonymousFunctionExpressionSyntax? Lambda(ExpressionSyntax handler)
        {
            switch (handler)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda;
                case ParenthesizedExpressionSyntax parenthesized:
                    return Lambda(parenthesized.Expression);
                case ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 1 } creation:
                    return Lambda(creation.ArgumentList.Arguments[0].Expression);
                default:
                    return null;
            }
        }

        /// <summary>The lambda as a private method with the delegate's signature.</summary>
        private static MethodDeclarationSyntax? MethodFor(AnonymousFunctionExpressionSyntax lambda, SemanticModel model, string name, CancellationToken cancellationToken)
        {
            if (model.GetTypeInfo(lambda, cancellationToken).ConvertedType is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke })
            {
                return null;
            }

            var lambdaParameters = lambda switch
            {
                ParenthesizedLambdaExpressionSyntax p => p.ParameterList.Parameters.Select(x => x.Identifier.ValueText).ToList(),
                SimpleLambdaExpressionSyntax s => new List<string> { s.Parameter.Identifier.ValueText },
                AnonymousMethodExpressionSyntax { ParameterList: { } list } => list.Parameters.Select(x => x.Identifier.ValueText).ToList(),
                _ => new List<string>(),
            };

            var used = new HashSet<string>();
            var parameters = new List<string>();
            for (var i = 0; i < invoke.Parameters.Length; i++)
            {
                var parameter = invoke.Parameters[i];
                var parameterName = i < lambdaParameters.Count && lambdaParameters[i] != "_" && lambdaParameters[i].Length > 0 ? lambdaParameters[i] : parameter.Name;
                while (!used.Add(parameterName))
                {
                    parameterName += "1";
                }

                parameters.Add(parameter.Type.ToMinimalDisplayString(model, lambda.SpanStart) + " " + parameterName);
            }

            var isAsync = lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
            var returnType = invoke.ReturnType.ToMinimalDisplayString(model, lambda.SpanStart);
            var body = lambda.Block is { } block
                ? block.ToFullString()
                : "=> " + lambda.ExpressionBody!.WithoutTrivia().ToFullString() + ";";
            var text = $"private {(isAsync ? "async " : string.Empty)}{returnType} {name}({string.Join(", ", parameters)}) {body}";
            return SyntaxFactory.ParseMemberDeclaration(text) as MethodDeclarationSyntax;
        }
    }
}
