using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
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

namespace LeakAnalyzers.CodeFixes.Resources
{
    /// <summary>
    /// Fields that own a resource (LEAK006 disposables, LEAK007 native memory and GC handles, LEAK008 pool rentals):
    /// "Release it in Dispose" (see <see cref="DisposeMembers"/>: into the type's Dispose, or a new IDisposable
    /// implementation) and, for a field replaced or cleared, "Release the previous value" right before the assignment (an
    /// expression-bodied member becomes a block). Offered only where the edit can be made; Fix All gathers the fields of
    /// one type into one edit.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class DisposeFieldCodeFixProvider : CodeFixProvider
    {
        public const string DisposeFieldKey = "LEAK006.DisposeField";
        public const string DisposePreviousKey = "LEAK006.DisposePrevious";
        public const string FreeFieldKey = "LEAK007.FreeField";
        public const string FreePreviousKey = "LEAK007.FreePrevious";
        public const string ReturnFieldKey = "LEAK008.ReturnField";
        public const string ReturnPreviousKey = "LEAK008.ReturnPrevious";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(
            RuleIdentifiers.OwnedDisposableFieldNotDisposed, RuleIdentifiers.NativeMemoryNotFreed, RuleIdentifiers.PooledArrayNotReturned);

        public override FixAllProvider GetFixAllProvider() => new SolutionFixAllProvider(ApplyAsync);

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
                if (KeyOf(diagnostic) is not { } key || Plan(root, model, diagnostic, context.CancellationToken) is null)
                {
                    continue;
                }

                var title = key switch
                {
                    DisposeFieldKey => "Dispose the field in Dispose",
                    DisposePreviousKey => "Dispose the previous value",
                    FreeFieldKey => "Free it in Dispose",
                    FreePreviousKey => "Free the previous value",
                    ReturnFieldKey => "Return it to the pool in Dispose",
                    _ => "Return the previous array to the pool",
                };
                var solution = context.Document.Project.Solution;
                context.RegisterCodeFix(CodeAction.Create(title, ct => ApplyAsync(solution, ImmutableArray.Create(diagnostic), key, ct), key), diagnostic);
            }
        }

        /// <summary>The fix's equivalence key for a field diagnostic; null for the local-variable findings of the same rules.</summary>
        private static string? KeyOf(Diagnostic diagnostic)
        {
            if (!diagnostic.Properties.ContainsKey(DiagnosticPropertyNames.MemberName)
                || !diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.LeakShape, out var shape))
            {
                return null;
            }

            var previous = shape is OwnedDisposableFieldNotDisposedAnalyzer.ShapeReassigned or OwnedDisposableFieldNotDisposedAnalyzer.ShapeCleared;
            if (!previous && shape is not (OwnedDisposableFieldNotDisposedAnalyzer.ShapeNotDisposed or OwnedDisposableFieldNotDisposedAnalyzer.ShapeOwnerNotDisposable))
            {
                return null;
            }

            return diagnostic.Id switch
            {
                RuleIdentifiers.OwnedDisposableFieldNotDisposed => previous ? DisposePreviousKey : DisposeFieldKey,
                RuleIdentifiers.NativeMemoryNotFreed => previous ? FreePreviousKey : FreeFieldKey,
                RuleIdentifiers.PooledArrayNotReturned => previous ? ReturnPreviousKey : ReturnFieldKey,
                _ => null,
            };
        }

        /// <summary>What the fix would do for one diagnostic, or null when it cannot change the code safely.</summary>
        private static Edit? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var key = KeyOf(diagnostic);
            if (key is null)
            {
                return null;
            }

            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var previous = key is DisposePreviousKey or FreePreviousKey or ReturnPreviousKey;
            if (previous)
            {
                if (node.FirstAncestorOrSelf<AssignmentExpressionSyntax>() is not { } assignment
                    || model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is not IFieldSymbol field
                    || ReleaseText(diagnostic, field, assignment.Left.WithoutTrivia().ToString(), model, reset: false) is not { } text)
                {
                    return null;
                }

                switch (assignment.Parent)
                {
                    case ExpressionStatementSyntax { Parent: BlockSyntax } statement:
                        return new Edit(field, text, statement, null);
                    case ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax or AccessorDeclarationSyntax } arrow
                        when !ReturnsValue(arrow.Parent!, model, cancellationToken):
                        return new Edit(field, text, null, arrow);
                    default:
                        return null;
                }
            }

            if (node.FirstAncestorOrSelf<VariableDeclaratorSyntax>() is not { } declarator
                || model.GetDeclaredSymbol(declarator, cancellationToken) is not IFieldSymbol owned
                || declarator.FirstAncestorOrSelf<TypeDeclarationSyntax>() is null
                || ReleaseText(diagnostic, owned, owned.Name, model, reset: !owned.IsReadOnly) is not { } release)
            {
                return null;
            }

            return new Edit(owned, release, null, null);
        }

        private static bool ReturnsValue(SyntaxNode member, SemanticModel model, CancellationToken cancellationToken)
            => model.GetDeclaredSymbol(member, cancellationToken) is IMethodSymbol { ReturnsVoid: false };

        /// <summary>
        /// The statement that releases the field: <c>_f?.Dispose();</c>, <c>Marshal.FreeHGlobal(_f);</c>,
        /// <c>if (_h.IsAllocated) _h.Free();</c>, <c>if (_a != null) pool.Return(_a);</c> (and, in Dispose, a reset of a
        /// writable field so that a second Dispose does not free twice).
        /// </summary>
        private static string? ReleaseText(Diagnostic diagnostic, IFieldSymbol field, string target, SemanticModel model, bool reset)
        {
            switch (diagnostic.Id)
            {
                case RuleIdentifiers.OwnedDisposableFieldNotDisposed:
                    return field.Type.IsValueType ? target + ".Dispose();" : target + "?.Dispose();";
                case RuleIdentifiers.NativeMemoryNotFreed:
                    if (!diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.ReleaseCall, out var call) || call is null)
                    {
                        return null;
                    }

                    if (call == ".Free")
                    {
                        return $"if ({target}.IsAllocated) {{ {target}.Free(); }}";
                    }

                    // The field's own type as declared (IntPtr, nint, UIntPtr) is in scope wherever the field is.
                    var empty = field.Type.TypeKind == TypeKind.Pointer ? "null" : DeclaredTypeText(field) + ".Zero";
                    return reset
                        ? $"if ({target} != {empty}) {{ {call}({target}); {target} = {empty}; }}"
                        : $"{call}({target});";
                case RuleIdentifiers.PooledArrayNotReturned:
                    if (!diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.PoolExpression, out var pool) || pool is null || !IsReachableFromMembers(pool, field, model))
                    {
                        return null;
                    }

                    return reset
                        ? $"if ({target} != null) {{ {pool}.Return({target}); {target} = null; }}"
                        : $"if ({target} != null) {{ {pool}.Return({target}); }}";
                default:
                    return null;
            }
        }

        private static string? ReleaseCallOf(Diagnostic diagnostic)
            => diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.ReleaseCall, out var call) && call != ".Free" ? call : null;

        private static string DeclaredTypeText(IFieldSymbol field)
            => field.DeclaringSyntaxReferences.Length > 0 && field.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration }
                ? declaration.Type.WithoutTrivia().ToString()
                : "System.IntPtr";

        /// <summary>The pool expression names a type (<c>ArrayPool&lt;byte&gt;.Shared</c>) or a member of the field's type, not a local.</summary>
        private static bool IsReachableFromMembers(string pool, IFieldSymbol field, SemanticModel model)
        {
            var first = pool.Split('.', '<', '(')[0].Trim();
            if (first.Length == 0)
            {
                return false;
            }

            for (var t = field.ContainingType; t != null; t = t.BaseType)
            {
                if (!t.GetMembers(first).IsEmpty)
                {
                    return true;
                }
            }

            return !model.LookupNamespacesAndTypes(field.Locations[0].SourceSpan.Start, name: first).IsEmpty;
        }

        private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var editors = new Dictionary<DocumentId, DocumentEditor>();
            DocumentEditor? EditorFor(SyntaxTree tree)
            {
                var id = solution.GetDocumentId(tree);
                if (id is null)
                {
                    return null;
                }

                if (!editors.TryGetValue(id, out var editor))
                {
                    editor = DocumentEditor.CreateAsync(solution.GetDocument(id)!, cancellationToken).GetAwaiter().GetResult();
                    editors[id] = editor;
                }

                return editor;
            }

            var byType = new Dictionary<INamedTypeSymbol, (TypeDeclarationSyntax Declaration, List<StatementSyntax> Statements, HashSet<string> Names)>(SymbolEqualityComparer.Default);
            var unmanaged = key == FreeFieldKey;
            var arrows = new HashSet<ArrowExpressionClauseSyntax>();
            foreach (var diagnostic in diagnostics)
            {
                if (KeyOf(diagnostic) != key || diagnostic.Location.SourceTree is not { } tree || EditorFor(tree) is not { } editor)
                {
                    continue;
                }

                var root = await tree.GetRootAsync(cancellationToken).ConfigureAwait(false);
                if (Plan(root, editor.SemanticModel, diagnostic, cancellationToken) is not { } edit)
                {
                    continue;
                }

                if (edit.Before is { } statement)
                {
                    editor.InsertBefore(statement, DisposeMembers.Statement(edit.Text, ReleaseCallOf(diagnostic)));
                    continue;
                }

                if (edit.Arrow is { } arrow)
                {
                    if (arrows.Add(arrow))
                    {
                        var body = SyntaxFactory.Block(DisposeMembers.Statement(edit.Text, ReleaseCallOf(diagnostic)), SyntaxFactory.ExpressionStatement(arrow.Expression.WithoutTrivia()))
                            .WithAdditionalAnnotations(Formatter.Annotation);
                        editor.ReplaceNode(arrow.Parent!, (current, _) => current switch
                        {
                            MethodDeclarationSyntax method => method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body),
                            AccessorDeclarationSyntax accessor => accessor.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body),
                            _ => current,
                        });
                    }

                    continue;
                }

                var field = edit.Field;
                if (field.DeclaringSyntaxReferences.Length == 0
                    || field.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration)
                {
                    continue;
                }

                if (!byType.TryGetValue(field.ContainingType, out var entry))
                {
                    entry = (declaration, new List<StatementSyntax>(), new HashSet<string>());
                    byType[field.ContainingType] = entry;
                }

                if (entry.Names.Add(field.Name))
                {
                    entry.Statements.Add(DisposeMembers.Statement(edit.Text, ReleaseCallOf(diagnostic)));
                }
            }

            foreach (var pair in byType)
            {
                DisposeMembers.AddDisposals(EditorFor, pair.Key, pair.Value.Declaration, pair.Value.Statements, unmanaged);
            }

            return await DisposeMembers.CommitAsync(solution, editors, cancellationToken).ConfigureAwait(false);
        }

        private sealed class Edit
        {
            public Edit(IFieldSymbol field, string text, StatementSyntax? before, ArrowExpressionClauseSyntax? arrow)
            {
                Field = field;
                Text = text;
                Before = before;
                Arrow = arrow;
            }

            public IFieldSymbol Field { get; }

            public string Text { get; }

            /// <summary>Insert the release before this statement (a replacement or clear).</summary>
            public StatementSyntax? Before { get; }

            /// <summary>Turn this expression body into a block that releases first.</summary>
            public ArrowExpressionClauseSyntax? Arrow { get; }
        }
    }
}
