using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.CodeFixes.Resources
{
    /// <summary>
    /// Adds disposal statements for fields to a type's Dispose: into <c>if (disposing)</c> of an existing Dispose(bool),
    /// the end of an existing Dispose(), an override of a base Dispose(bool), or a new IDisposable implementation (plain
    /// Dispose for sealed classes and structs, the Dispose(bool) pattern otherwise). Native memory goes outside
    /// <c>if (disposing)</c>. Shared by the LEAK006–LEAK009 fixes.
    /// </summary>
    internal static class DisposeMembers
    {
        public static StatementSyntax DisposeStatement(string fieldName, ITypeSymbol fieldType)
        {
            var text = fieldType.IsValueType ? fieldName + ".Dispose();" : fieldName + "?.Dispose();";
            return Statement(text);
        }

        /// <summary>A statement with elastic trivia, so that the formatter puts it on its own line.</summary>
        /// <param name="simplify">A fully qualified name in the text to shorten (with a using added when needed).</param>
        public static StatementSyntax Statement(string text, string? simplify = null)
        {
            var statement = SyntaxFactory.ParseStatement(text).NormalizeWhitespace(eol: "\n").WithoutTrivia();
            if (simplify != null)
            {
                statement = statement.ReplaceNodes(
                    statement.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Where(n => n.ToString() == simplify),
                    (_, current) => current.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
            }

            return statement
                .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)
                .WithAdditionalAnnotations(Formatter.Annotation);
        }

        /// <summary>Whether <see cref="AddDisposals"/> finds a place in <paramref name="type"/> (before any edit is made).</summary>
        public static bool CanAddDisposals(INamedTypeSymbol type)
        {
            if (type.IsStatic)
            {
                return false;
            }

            if (type.GetMembers("Dispose").OfType<IMethodSymbol>().Any(m => !m.IsStatic && !m.IsAbstract && m.DeclaringSyntaxReferences.Length == 1
                    && (m.Parameters.Length == 1 && m.Parameters[0].Type.SpecialType == SpecialType.System_Boolean || m.Parameters.Length == 0 && m.ReturnsVoid))
                || type.GetMembers().OfType<IMethodSymbol>().Any(m => m.Name == "System.IDisposable.Dispose" && m.DeclaringSyntaxReferences.Length == 1))
            {
                return true;
            }

            for (var baseType = type.BaseType; baseType != null; baseType = baseType.BaseType)
            {
                if (baseType.GetMembers("Dispose").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 1 && m.Parameters[0].Type.SpecialType == SpecialType.System_Boolean
                        && (m.IsVirtual || m.IsOverride || m.IsAbstract) && !m.IsSealed
                        && m.DeclaredAccessibility is Accessibility.Protected or Accessibility.Public or Accessibility.ProtectedOrInternal))
                {
                    return true;
                }

                if (baseType.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable) || baseType.SpecialType == SpecialType.System_IDisposable)
                {
                    return false;
                }
            }

            return !type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable || i.Name == "IAsyncDisposable");
        }

        /// <summary>Registers the edit with the editor of the declaration it changes; false when no safe edit exists.</summary>
        public static bool AddDisposals(
            System.Func<SyntaxTree, DocumentEditor?> editorFor,
            INamedTypeSymbol type,
            TypeDeclarationSyntax preferredDeclaration,
            IReadOnlyList<StatementSyntax> statements,
            bool unmanaged = false)
        {
            if (statements.Count == 0 || type.IsStatic)
            {
                return false;
            }

            // 1. Dispose(bool) declared in this type.
            var disposeBool = type.GetMembers("Dispose").OfType<IMethodSymbol>()
                .FirstOrDefault(m => !m.IsStatic && !m.IsAbstract && m.Parameters.Length == 1 && m.Parameters[0].Type.SpecialType == SpecialType.System_Boolean && m.DeclaringSyntaxReferences.Length == 1);
            if (disposeBool != null)
            {
                // Native memory is freed whether or not Dispose(bool) is called from Dispose: after the managed part.
                return Edit(editorFor, disposeBool, current => unmanaged ? Append(current, statements) : InsertIntoDisposing(current, disposeBool.Parameters[0].Name, statements));
            }

            // 2. Dispose() declared in this type.
            var dispose = type.GetMembers("Dispose").OfType<IMethodSymbol>()
                .FirstOrDefault(m => !m.IsStatic && !m.IsAbstract && m.Parameters.Length == 0 && m.ReturnsVoid && m.DeclaringSyntaxReferences.Length == 1)
                ?? type.GetMembers().OfType<IMethodSymbol>().FirstOrDefault(m => m.Name == "System.IDisposable.Dispose" && m.DeclaringSyntaxReferences.Length == 1);
            if (dispose != null)
            {
                return Edit(editorFor, dispose, current => Append(current, statements));
            }

            var editor = editorFor(preferredDeclaration.SyntaxTree);
            if (editor is null)
            {
                return false;
            }

            // 3. A base class with an overridable Dispose(bool).
            for (var baseType = type.BaseType; baseType != null; baseType = baseType.BaseType)
            {
                var baseDispose = baseType.GetMembers("Dispose").OfType<IMethodSymbol>()
                    .FirstOrDefault(m => m.Parameters.Length == 1 && m.Parameters[0].Type.SpecialType == SpecialType.System_Boolean && (m.IsVirtual || m.IsOverride || m.IsAbstract) && !m.IsSealed
                        && m.DeclaredAccessibility is Accessibility.Protected or Accessibility.Public or Accessibility.ProtectedOrInternal);
                if (baseDispose != null)
                {
                    var accessibility = baseDispose.DeclaredAccessibility == Accessibility.Public ? "public" : "protected";
                    var baseCall = baseDispose.IsAbstract ? string.Empty : "base.Dispose(disposing);";
                    var method = unmanaged
                        ? Parse($"{accessibility} override void Dispose(bool disposing) {{ {Text(statements)} {baseCall} }}")
                        : Parse($"{accessibility} override void Dispose(bool disposing) {{ if (disposing) {{ {Text(statements)} }} {baseCall} }}");
                    editor.AddMember(preferredDeclaration, method);
                    return true;
                }

                if (baseType.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable) || baseType.SpecialType == SpecialType.System_IDisposable)
                {
                    // Disposable base without an overridable Dispose(bool): no safe place.
                    return false;
                }
            }

            if (type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable || i.Name == "IAsyncDisposable"))
            {
                // Dispose comes from somewhere we do not edit (DisposeAsync only, a default interface method).
                return false;
            }

            // 4. Implement IDisposable.
            editor.AddInterfaceType(preferredDeclaration, SyntaxFactory.ParseTypeName("System.IDisposable").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
            if (type.IsSealed || type.IsValueType)
            {
                editor.AddMember(preferredDeclaration, Parse($"public void Dispose() {{ {Text(statements)} }}"));
            }
            else
            {
                editor.AddMember(preferredDeclaration, Parse("public void Dispose() { Dispose(true); System.GC.SuppressFinalize(this); }"));
                editor.AddMember(preferredDeclaration, unmanaged
                    ? Parse($"protected virtual void Dispose(bool disposing) {{ {Text(statements)} }}")
                    : Parse($"protected virtual void Dispose(bool disposing) {{ if (disposing) {{ {Text(statements)} }} }}"));
            }

            return true;
        }

        /// <summary>Applies the editors' changes, adds imports, simplifies and formats what the fix added.</summary>
        public static async System.Threading.Tasks.Task<Solution> CommitAsync(Solution solution, Dictionary<DocumentId, DocumentEditor> editors, System.Threading.CancellationToken cancellationToken)
        {
            foreach (var pair in editors)
            {
                var document = solution.GetDocument(pair.Key)!.WithSyntaxRoot(pair.Value.GetChangedRoot());
                document = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
                document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
                document = await Formatter.FormatAsync(document, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
                solution = document.Project.Solution;
            }

            return solution;
        }

        private static string Text(IReadOnlyList<StatementSyntax> statements)
            => string.Join(" ", statements.Select(s => s.WithoutTrivia().ToFullString()));

        private static MemberDeclarationSyntax Parse(string text)
            => SyntaxFactory.ParseMemberDeclaration(text)!.NormalizeWhitespace(eol: "\n")
                .WithLeadingTrivia(SyntaxFactory.ElasticLineFeed)
                .WithTrailingTrivia(SyntaxFactory.ElasticLineFeed)
                .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation, Simplifier.AddImportsAnnotation);

        private static bool Edit(System.Func<SyntaxTree, DocumentEditor?> editorFor, IMethodSymbol method, System.Func<BaseMethodDeclarationSyntax, SyntaxNode?> change)
        {
            var reference = method.DeclaringSyntaxReferences[0];
            if (reference.GetSyntax() is not BaseMethodDeclarationSyntax declaration || editorFor(reference.SyntaxTree) is not { } editor)
            {
                return false;
            }

            if (change(declaration) is null)
            {
                return false;
            }

            editor.ReplaceNode(declaration, (current, _) => change((BaseMethodDeclarationSyntax)current) ?? current);
            return true;
        }

        private static BlockSyntax? BodyOf(BaseMethodDeclarationSyntax method)
        {
            if (method.Body is { } body)
            {
                return body;
            }

            if (method.ExpressionBody is { } arrow)
            {
                return SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(arrow.Expression.WithoutTrivia()));
            }

            return null;
        }

        private static SyntaxNode? WithBody(BaseMethodDeclarationSyntax method, BlockSyntax body)
            => method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body.WithAdditionalAnnotations(Formatter.Annotation));

        private static SyntaxNode? Append(BaseMethodDeclarationSyntax method, IReadOnlyList<StatementSyntax> statements)
        {
            var body = BodyOf(method);
            if (body is null || method.Modifiers.Any(SyntaxKind.AsyncKeyword) && method.ExpressionBody != null)
            {
                return null;
            }

            return WithBody(method, body.AddStatements(statements.ToArray()));
        }

        private static SyntaxNode? InsertIntoDisposing(BaseMethodDeclarationSyntax method, string parameter, IReadOnlyList<StatementSyntax> statements)
        {
            var body = BodyOf(method);
            if (body is null)
            {
                return null;
            }

            foreach (var statement in body.Statements)
            {
                if (statement is IfStatementSyntax { Condition: IdentifierNameSyntax condition, Statement: BlockSyntax block } ifStatement && condition.Identifier.ValueText == parameter)
                {
                    return WithBody(method, body.ReplaceNode(block, block.AddStatements(statements.ToArray())));
                }
            }

            var guard = SyntaxFactory.IfStatement(SyntaxFactory.IdentifierName(parameter), SyntaxFactory.Block(statements)).WithAdditionalAnnotations(Formatter.Annotation);
            return WithBody(method, body.WithStatements(body.Statements.Insert(0, guard)));
        }
    }
}
