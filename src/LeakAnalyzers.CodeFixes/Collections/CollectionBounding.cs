using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace LeakAnalyzers.CodeFixes.Collections
{
    /// <summary>What a bounding fix inserts: which rule, the constant's suffix and value, trim or clear, before or after the add.</summary>
    internal sealed class BoundingSettings
    {
        public BoundingSettings(string diagnosticId, string constantSuffix, string bound, bool trim, bool before)
        {
            DiagnosticId = diagnosticId;
            ConstantSuffix = constantSuffix;
            Bound = bound;
            Trim = trim;
            Before = before;
        }

        public string DiagnosticId { get; }

        public string ConstantSuffix { get; }

        public string Bound { get; }

        public bool Trim { get; }

        public bool Before { get; }
    }

    /// <summary>
    /// Bounds a collection member at every growth site the diagnostic lists (its additional locations): one named constant
    /// per member, and a trim or clear statement next to each growth, in whatever document it is.
    /// </summary>
    internal static class CollectionBounding
    {
        public static CollectionKind GetKind(Diagnostic diagnostic)
            => diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.CollectionKind, out var text) && Enum.TryParse<CollectionKind>(text, out var kind)
                ? kind
                : CollectionKind.None;

        public static bool CanTrim(CollectionKind kind)
            => kind is CollectionKind.Queue or CollectionKind.ConcurrentQueue or CollectionKind.List or CollectionKind.IndexedCollection
                or CollectionKind.LinkedList or CollectionKind.ConcurrentBag;

        public static bool CanClear(CollectionKind kind)
            => kind is not (CollectionKind.None or CollectionKind.ConcurrentBag) && !kind.IsImmutable();

        public static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, BoundingSettings settings, CancellationToken cancellationToken)
        {
            var editors = new Dictionary<DocumentId, (DocumentEditor Editor, SemanticModel Model)>();
            var handled = new HashSet<(DocumentId, int, int)>();

            async Task<(DocumentEditor Editor, SemanticModel Model)?> EditorFor(SyntaxTree? tree)
            {
                if (tree is null || solution.GetDocumentId(tree) is not { } id)
                {
                    return null;
                }

                if (!editors.TryGetValue(id, out var entry))
                {
                    var document = solution.GetDocument(id)!;
                    var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
                    entry = (editor, editor.SemanticModel);
                    editors[id] = entry;
                }

                return entry;
            }

            foreach (var diagnostic in diagnostics)
            {
                if (diagnostic.Id != settings.DiagnosticId)
                {
                    continue;
                }

                var kind = GetKind(diagnostic);
                var trim = settings.Trim;
                if (trim ? !CanTrim(kind) : !CanClear(kind))
                {
                    continue;
                }

                var declaring = await EditorFor(diagnostic.Location.SourceTree).ConfigureAwait(false);
                if (declaring is not { } decl)
                {
                    continue;
                }

                var root = decl.Editor.OriginalRoot;
                var declarator = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                var memberDeclaration = declarator.FirstAncestorOrSelf<MemberDeclarationSyntax>(m => m is FieldDeclarationSyntax or PropertyDeclarationSyntax);
                if (memberDeclaration is null)
                {
                    continue;
                }

                var memberName = diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.MemberName, out var name) && name is not null ? name : "Items";
                var type = decl.Model.GetDeclaredSymbol(memberDeclaration.Parent!, cancellationToken) as INamedTypeSymbol;
                var constant = SyntaxEditing.ConstantName("Max", memberName, settings.ConstantSuffix, type);

                var sitesEdited = false;
                var usedOutside = false;
                foreach (var location in diagnostic.AdditionalLocations)
                {
                    var site = await EditorFor(location.SourceTree).ConfigureAwait(false);
                    if (site is not { } s)
                    {
                        continue;
                    }

                    var growth = s.Editor.OriginalRoot.FindNode(location.SourceSpan, getInnermostNodeForTie: true) as ExpressionSyntax;
                    if (growth is null || Receiver(growth) is not { } receiver
                        || !handled.Add((s.Editor.OriginalDocument.Id, location.SourceSpan.Start, location.SourceSpan.Length)))
                    {
                        continue;
                    }

                    var bound = constant;
                    if (type is not null && !IsInside(s.Model.GetEnclosingSymbol(growth.SpanStart, cancellationToken), type))
                    {
                        // Used from another type: the constant becomes internal and is qualified (the simplifier shortens it).
                        if (type.IsGenericType)
                        {
                            continue;
                        }

                        bound = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + constant;
                        usedOutside = true;
                    }

                    var target = receiver.WithoutTrivia().ToString();
                    var nullable = growth is ConditionalAccessExpressionSyntax;
                    var after = settings.Before ? null : Statement(kind, trim, target, bound, full: false, nullable);
                    var before = Statement(kind, trim, target, bound, full: true, nullable);
                    sitesEdited |= SyntaxEditing.AddStatementNextTo(s.Editor, growth, after, before, s.Model);
                }

                if (sitesEdited)
                {
                    SyntaxEditing.InsertMemberBefore(decl.Editor, memberDeclaration, SyntaxEditing.IntConstant(constant, settings.Bound, usedOutside));
                }
            }

            foreach (var pair in editors)
            {
                solution = solution.WithDocumentSyntaxRoot(pair.Key, pair.Value.Editor.GetChangedRoot());
            }

            return solution;
        }

        private static bool IsInside(ISymbol? symbol, INamedTypeSymbol type)
        {
            for (var current = symbol; current != null; current = current.ContainingSymbol)
            {
                if (SymbolEqualityComparer.Default.Equals(current, type))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The collection expression of a growth: <c>X</c> in <c>X.Add(..)</c>, <c>X[k] = v</c>, <c>X?.Add(..)</c>.</summary>
        private static ExpressionSyntax? Receiver(ExpressionSyntax growth)
        {
            switch (growth)
            {
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation:
                    // An extension call such as CollectionExtensions.TryAdd(map, k, v) written in static form has its receiver first.
                    return access.Expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or ThisExpressionSyntax && !IsStaticExtensionForm(invocation)
                        ? access.Expression
                        : invocation.ArgumentList.Arguments.FirstOrDefault()?.Expression;
                case AssignmentExpressionSyntax { Left: ElementAccessExpressionSyntax element }:
                    return element.Expression;
                case ConditionalAccessExpressionSyntax conditional:
                    return conditional.Expression;
                default:
                    return null;
            }
        }

        private static bool IsStaticExtensionForm(InvocationExpressionSyntax invocation)
            => invocation.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "CollectionExtensions" or "ImmutableInterlocked" } };

        /// <summary>The trimming statement. <paramref name="full"/>: placed before the add, so it leaves room for one more.</summary>
        private static StatementSyntax Statement(CollectionKind kind, bool trim, string target, string bound, bool full, bool nullable)
        {
            var over = full ? $"{target}.Count >= {bound}" : $"{target}.Count > {bound}";
            var keep = full ? $"({bound} - 1)" : bound;
            var guard = nullable ? $"{target} != null && " : string.Empty;
            string text;
            if (!trim)
            {
                text = $"if ({guard}{over}) {{ {target}.Clear(); }}";
            }
            else
            {
                text = kind switch
                {
                    CollectionKind.Queue => $"while ({guard}{over}) {{ {target}.Dequeue(); }}",
                    CollectionKind.ConcurrentQueue => $"while ({guard}{over} && {target}.TryDequeue(out _)) {{ }}",
                    CollectionKind.List => $"if ({guard}{over}) {{ {target}.RemoveRange(0, {target}.Count - {keep}); }}",
                    CollectionKind.IndexedCollection => $"while ({guard}{over}) {{ {target}.RemoveAt(0); }}",
                    CollectionKind.LinkedList => $"while ({guard}{over}) {{ {target}.RemoveFirst(); }}",
                    CollectionKind.ConcurrentBag => $"while ({guard}{over} && {target}.TryTake(out _)) {{ }}",
                    _ => $"if ({guard}{over}) {{ {target}.Clear(); }}",
                };
            }

            return SyntaxFactory.ParseStatement(text);
        }
    }
}
