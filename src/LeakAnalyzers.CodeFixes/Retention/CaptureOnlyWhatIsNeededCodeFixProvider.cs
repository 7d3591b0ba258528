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
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.CodeFixes.Retention
{
    /// <summary>
    /// LEAK004 fixes. "Capture only what is needed": the read-only instance fields and get-only properties a lambda reads
    /// are copied into locals before the statement, so the stored delegate no longer holds <c>this</c>.
    /// "Keep and dispose the registration": <c>token.Register(...);</c> becomes <c>using var registration = token.Register(...);</c>.
    /// New local names are chosen per block, so Fix All goes through one editor per document.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class CaptureOnlyWhatIsNeededCodeFixProvider : CodeFixProvider
    {
        public const string CaptureKey = "LEAK004.CaptureOnlyNeeded";
        public const string RegistrationKey = "LEAK004.DisposeRegistration";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.LongLivedDelegateCaptures);

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
                if (RegistrationStatement(root, model, diagnostic, context.CancellationToken) is not null)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Keep and dispose the registration", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), RegistrationKey, ct), RegistrationKey),
                        diagnostic);
                }

                if (CapturePlan(root, model, diagnostic, context.CancellationToken) is not null)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Capture only what is needed", ct => ApplyAsync(context.Document.Project.Solution, ImmutableArray.Create(diagnostic), CaptureKey, ct), CaptureKey),
                        diagnostic);
                }
            }
        }

        private static bool IsThisCapture(Diagnostic diagnostic)
            => diagnostic.Properties.TryGetValue(LongLivedDelegateCapturesAnalyzer.CapturedProperty, out var captured) && captured == "this";

        /// <summary>
        /// <c>token.Register(...);</c> (or <c>_ = token.Register(...);</c>) as a statement of a block, followed by an await or
        /// yield that the registration serves: it becomes a <c>using var</c>. A registration meant to outlive the method is
        /// kept in a field instead (<see cref="Resources.KeepTimerInFieldCodeFixProvider"/>).
        /// </summary>
        private static ExpressionStatementSyntax? RegistrationStatement(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.TryGetValue(LongLivedDelegateCapturesAnalyzer.SinkProperty, out var sink)
                || sink != nameof(LongLivedDelegateCapturesAnalyzer.Sink.TokenRegistration)
                || Resources.Registrations.RegisterCall(root.FindToken(diagnostic.Location.SourceSpan.Start).Parent, model, cancellationToken) is not { } invocation
                || Resources.Registrations.Dropped(invocation, out var statement) is null || statement is null)
            {
                return null;
            }

            return Resources.Registrations.ServesAnOperationAfter(statement) ? statement : null;
        }

        private sealed class Plan
        {
            public Plan(AnonymousFunctionExpressionSyntax lambda, StatementSyntax statement, List<(ISymbol Member, List<SyntaxNode> Uses)> members)
            {
                Lambda = lambda;
                Statement = statement;
                Members = members;
            }

            public AnonymousFunctionExpressionSyntax Lambda { get; }

            public StatementSyntax Statement { get; }

            public List<(ISymbol Member, List<SyntaxNode> Uses)> Members { get; }
        }

        /// <summary>Offered when every use of <c>this</c> in the lambda reads a read-only field or a get-only property.</summary>
        private static Plan? CapturePlan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (!IsThisCapture(diagnostic)
                || root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<AnonymousFunctionExpressionSyntax>() is not { } lambda
                || model.GetOperation(lambda, cancellationToken) is not IAnonymousFunctionOperation function)
            {
                return null;
            }

            StatementSyntax? statement = null;
            for (SyntaxNode? node = lambda.Parent; node != null; node = node.Parent)
            {
                if (node is StatementSyntax s)
                {
                    statement = s.Parent is BlockSyntax ? s : null;
                    break;
                }

                if (node is MemberDeclarationSyntax)
                {
                    break;
                }
            }

            if (statement is null)
            {
                return null;
            }

            var members = new List<(ISymbol Member, List<SyntaxNode> Uses)>();
            foreach (var operation in function.Body.Descendants())
            {
                switch (operation)
                {
                    case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } instance:
                        if (instance.Parent is not IMemberReferenceOperation reference || !IsReadOnlyValue(reference) || IsWritten(reference))
                        {
                            return null;
                        }

                        var index = members.FindIndex(m => SymbolEqualityComparer.Default.Equals(m.Member, reference.Member));
                        if (index < 0)
                        {
                            members.Add((reference.Member, new List<SyntaxNode> { reference.Syntax }));
                        }
                        else
                        {
                            members[index].Uses.Add(reference.Syntax);
                        }

                        break;
                    case IParameterReferenceOperation parameter when DelegateCaptures.IsPrimaryConstructorParameter(parameter.Parameter):
                        return null;
                }
            }

            return members.Count == 0 ? null : new Plan(lambda, statement, members);
        }

        private static bool IsReadOnlyValue(IMemberReferenceOperation reference)
            => reference switch
            {
                IFieldReferenceOperation field => field.Field.IsReadOnly || field.Field.IsConst,
                IPropertyReferenceOperation property => !property.Property.IsIndexer && property.Property.SetMethod is null,
                _ => false,
            };

        private static bool IsWritten(IOperation reference)
        {
            var parent = reference.Parent;
            return parent is IAssignmentOperation assignment && assignment.Target == reference
                || parent is IIncrementOrDecrementOperation
                || parent is IArgumentOperation { Parameter.RefKind: not RefKind.None and not RefKind.In };
        }

        private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var editors = new Dictionary<DocumentId, DocumentEditor>();
            var names = new Dictionary<SyntaxNode, HashSet<string>>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath).ThenBy(d => d.Location.SourceSpan.Start))
            {
                if (diagnostic.Id != RuleIdentifiers.LongLivedDelegateCaptures
                    || diagnostic.Location.SourceTree is not { } tree || solution.GetDocumentId(tree) is not { } id)
                {
                    continue;
                }

                if (!editors.TryGetValue(id, out var editor))
                {
                    editor = await DocumentEditor.CreateAsync(solution.GetDocument(id)!, cancellationToken).ConfigureAwait(false);
                    editors[id] = editor;
                }

                var root = editor.OriginalRoot;
                var model = editor.SemanticModel;
                if (key == RegistrationKey)
                {
                    if (RegistrationStatement(root, model, diagnostic, cancellationToken) is { } statement)
                    {
                        var name = UniqueName(names, model, statement, "registration");
                        var call = statement.Expression is AssignmentExpressionSyntax discard ? discard.Right : statement.Expression;
                        var declaration = SyntaxFactory.ParseStatement($"using var {name} = {call.WithoutTrivia()};").WithTriviaFrom(statement);
                        editor.ReplaceNode(statement, SyntaxEditing.Format(declaration));
                    }

                    continue;
                }

                if (CapturePlan(root, model, diagnostic, cancellationToken) is not { } plan)
                {
                    continue;
                }

                foreach (var (member, uses) in plan.Members)
                {
                    var baseName = member.Name.TrimStart('_');
                    baseName = baseName.Length == 0 ? "value" : char.ToLowerInvariant(baseName[0]) + baseName.Substring(1);
                    var local = UniqueName(names, model, plan.Statement, baseName);
                    var copy = SyntaxFactory.ParseStatement($"var {local} = this.{member.Name};");
                    editor.InsertBefore(plan.Statement, SyntaxEditing.Format(copy.WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithTrailingTrivia(SyntaxFactory.ElasticMarker)));
                    foreach (var use in uses)
                    {
                        editor.ReplaceNode(use, SyntaxFactory.IdentifierName(local).WithTriviaFrom(use));
                    }
                }
            }

            foreach (var pair in editors)
            {
                solution = solution.WithDocumentSyntaxRoot(pair.Key, pair.Value.GetChangedRoot());
            }

            return solution;
        }

        private static string UniqueName(Dictionary<SyntaxNode, HashSet<string>> names, SemanticModel model, StatementSyntax statement, string baseName)
        {
            var block = statement.Parent!;
            if (!names.TryGetValue(block, out var used))
            {
                used = new HashSet<string>();
                names[block] = used;
            }

            var candidate = baseName;
            for (var i = 2; !IsFree(candidate); i++)
            {
                candidate = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            used.Add(candidate);
            return candidate;

            bool IsFree(string name)
            {
                if (used.Contains(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
                {
                    return false;
                }

                foreach (var symbol in model.LookupSymbols(statement.SpanStart, name: name))
                {
                    if (symbol is ILocalSymbol or IParameterSymbol or IRangeVariableSymbol)
                    {
                        return false;
                    }
                }

                // Locals declared anywhere in the enclosing body are in scope for nested blocks too.
                var body = statement.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax) ?? block;
                return !body.DescendantNodes().OfType<VariableDeclaratorSyntax>().Any(v => v.Identifier.ValueText == name)
                    && !body.DescendantNodes().OfType<SingleVariableDesignationSyntax>().Any(v => v.Identifier.ValueText == name);
            }
        }
    }
}
