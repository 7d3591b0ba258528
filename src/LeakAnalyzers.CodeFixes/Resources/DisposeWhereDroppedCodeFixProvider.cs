using System.Collections.Generic;
using System.Collections.Immutable;
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
    /// LEAK005 where <c>using</c> cannot be added because the local is handed over on some paths (<c>return x;</c>,
    /// <c>yield return x;</c>, stored in a field, a property, an out parameter or added to a collection) and dropped on
    /// others: <c>x.Dispose();</c> goes on the paths that drop it — before an early <c>return</c>, <c>throw</c>,
    /// <c>yield break</c>, <c>break</c> or <c>continue</c> that leaves the block, at the end of the branch of an
    /// <c>if</c> that does not hand it over (an <c>else</c> is added when there is none), and at the end of the block.
    /// Offered only when every use of the local is a member access on it, a release or one of those hand-overs, outside
    /// lambdas, <c>try</c>, <c>switch</c> and <c>goto</c>; a loop keeps the local's state or the fix is not offered.
    /// </summary>
    // Offered through LeakCodeFixProvider (one exported provider for every rule).
    public sealed class DisposeWhereDroppedCodeFixProvider : CodeFixProvider
    {
        public const string Key = "LEAK005.DisposeWhereDropped";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.DisposableNotDisposed);

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
                var newRoot = TryFix(root, model, diagnostic, context.CancellationToken);
                if (newRoot is null)
                {
                    continue;
                }

                var document = context.Document;
                context.RegisterCodeFix(
                    CodeAction.Create("Dispose it on the paths that drop it", _ => Task.FromResult(document.WithSyntaxRoot(newRoot)), Key),
                    diagnostic);
            }
        }

        private static SyntaxNode? TryFix(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (diagnostic.Properties.ContainsKey(DiagnosticPropertyNames.Reassigned)
                || !diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.LeakShape, out var shape)
                || shape is not ("NeverReleased" or "NotOnEveryPath"))
            {
                return null;
            }

            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var declarator = node.FirstAncestorOrSelf<VariableDeclaratorSyntax>();
            if (declarator?.Parent?.Parent is not LocalDeclarationStatementSyntax statement
                || statement.Parent is not BlockSyntax block
                || statement.Declaration.Variables.Count != 1
                || statement.UsingKeyword.IsKind(SyntaxKind.UsingKeyword)
                || declarator.Initializer is null
                || !declarator.Initializer.Value.Span.Contains(diagnostic.Location.SourceSpan)
                || model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol local
                || !HasPublicDispose(local.Type))
            {
                return null;
            }

            var walker = new Walker(local, model, cancellationToken);
            var state = State.Held;
            foreach (var next in block.Statements.SkipWhile(s => s != statement).Skip(1))
            {
                state = walker.Statement(next, state);
            }

            if (state == State.Held)
            {
                walker.AppendAtEnd(block);
            }
            else if (IsMixed(state))
            {
                return null;
            }

            if (walker.Failed || !walker.HandedOver)
            {
                return null;
            }

            var nullable = model.GetTypeInfo(declarator.Initializer.Value, cancellationToken).Nullability.FlowState == NullableFlowState.MaybeNull;
            string? hoistedType = null;
            if (block.Parent is TryStatementSyntax tryStatement && tryStatement.Block == block && tryStatement.Catches.Count > 0)
            {
                // A catch that swallows the exception drops what the try block acquired: the local moves before the try
                // (null until the acquisition) and every catch disposes it. Only when the try hands it over by return alone,
                // so that no catch sees it handed over.
                hoistedType = HoistedType(tryStatement, local, model, cancellationToken);
                if (hoistedType is null || walker.KeptBeyondAReturn)
                {
                    return null;
                }

                walker.Edits.Add(new Edit(EditKind.Hoist, statement));
                walker.Edits.Add(new Edit(EditKind.DeclareBefore, tryStatement));
                foreach (var clause in tryStatement.Catches)
                {
                    walker.Edits.Add(new Edit(EditKind.AtStart, clause.Block));
                }
            }

            if (walker.Edits.Count == 0)
            {
                return null;
            }

            return Apply(root, walker.Edits, local.Name, nullable, hoistedType);
        }

        /// <summary>
        /// <c>T?</c> for the declaration before the try, or null when the local cannot move there: a value type, a name the
        /// enclosing block uses elsewhere, a finally or catch filter that mentions it, or a try not directly in a block.
        /// </summary>
        private static string? HoistedType(TryStatementSyntax tryStatement, ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
        {
            if (tryStatement.Parent is not BlockSyntax outer || local.Type.IsValueType || local.Type.TypeKind == TypeKind.Error
                || local.Type is INamedTypeSymbol { IsAnonymousType: true }
                || outer.DescendantTokens().Any(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == local.Name && !tryStatement.Block.Span.Contains(t.Span)))
            {
                return null;
            }

            var type = local.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToMinimalDisplayString(model, tryStatement.SpanStart);
            var nullableContext = model.GetNullableContext(tryStatement.SpanStart);
            return (nullableContext & NullableContext.AnnotationsEnabled) != 0 ? type + "?" : type;
        }

        /// <summary>Whether the local is handed over somewhere in <paramref name="scope"/> (<c>using</c> would dispose what it hands over).</summary>
        internal static bool IsHandedOver(SyntaxNode scope, ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
        {
            foreach (var name in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (name.Identifier.ValueText == local.Name
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local)
                    && Walker.IsHandOver(name, model, cancellationToken))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool HasPublicDispose(ITypeSymbol type)
        {
            for (var current = type; current != null; current = current.BaseType)
            {
                if (current.GetMembers("Dispose").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0 && !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public))
                {
                    return true;
                }
            }

            return type.TypeKind == TypeKind.Interface
                && (type.SpecialType == SpecialType.System_IDisposable || type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable));
        }

        private static SyntaxNode? Apply(SyntaxNode root, List<Edit> edits, string name, bool nullable, string? hoistedType)
        {
            var tracked = root.TrackNodes(edits.Select(e => e.Target));
            foreach (var edit in edits)
            {
                // In a catch, the acquisition may not have run: the hoisted local can still be null there.
                var dispose = (StatementSyntax)SyntaxFactory.ParseStatement(name + (nullable || edit.Kind == EditKind.AtStart ? "?" : string.Empty) + ".Dispose();")
                    .WithAdditionalAnnotations(Formatter.Annotation);
                if (tracked.GetCurrentNode(edit.Target) is not { } current)
                {
                    // An earlier edit replaced the target: no partial fix.
                    return null;
                }

                switch (edit.Kind)
                {
                    case EditKind.Before when current.Parent is BlockSyntax:
                        tracked = tracked.InsertNodesBefore(current, new[] { dispose.WithLeadingTrivia(current.GetLeadingTrivia()).WithTrailingTrivia(EndOfLine(current)) });
                        break;
                    case EditKind.Before:
                        tracked = tracked.ReplaceNode(current, SyntaxFactory.Block(Elastic(dispose), Elastic((StatementSyntax)current))
                            .WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
                        break;
                    case EditKind.AtEnd when current is BlockSyntax { Statements.Count: > 0 } block:
                        var last = block.Statements.Last();
                        tracked = tracked.InsertNodesAfter(last, new[] { dispose.WithLeadingTrivia(last.GetLeadingTrivia()).WithTrailingTrivia(EndOfLine(last)) });
                        break;
                    case EditKind.AtEnd when current is BlockSyntax block:
                        tracked = tracked.ReplaceNode(current, block.WithStatements(SyntaxFactory.SingletonList(dispose)).WithAdditionalAnnotations(Formatter.Annotation));
                        break;
                    case EditKind.AtEnd:
                        tracked = tracked.ReplaceNode(current, SyntaxFactory.Block(Elastic((StatementSyntax)current), Elastic(dispose))
                            .WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
                        break;
                    case EditKind.Hoist:
                        var declaration = (LocalDeclarationStatementSyntax)current;
                        var assignment = SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(
                                SyntaxKind.SimpleAssignmentExpression,
                                SyntaxFactory.IdentifierName(name),
                                declaration.Declaration.Variables[0].Initializer!.Value.WithoutTrivia()))
                            .WithTriviaFrom(declaration);
                        tracked = tracked.ReplaceNode(current, assignment);
                        break;
                    case EditKind.DeclareBefore:
                        var hoisted = SyntaxFactory.ParseStatement(hoistedType + " " + name + " = null;")
                            .WithLeadingTrivia(current.GetLeadingTrivia()).WithTrailingTrivia(EndOfLine(((TryStatementSyntax)current).Block))
                            .WithAdditionalAnnotations(Formatter.Annotation, Microsoft.CodeAnalysis.Simplification.Simplifier.Annotation);
                        tracked = tracked.InsertNodesBefore(current, new[] { hoisted });
                        break;
                    case EditKind.AtStart when current is BlockSyntax { Statements.Count: > 0 } block:
                        var first = block.Statements.First();
                        tracked = tracked.InsertNodesBefore(first, new[] { dispose.WithLeadingTrivia(first.GetLeadingTrivia()).WithTrailingTrivia(EndOfLine(first)) });
                        break;
                    case EditKind.AtStart when current is BlockSyntax block:
                        tracked = tracked.ReplaceNode(current, block.WithStatements(SyntaxFactory.SingletonList(dispose)).WithAdditionalAnnotations(Formatter.Annotation));
                        break;
                    case EditKind.AddElse:
                        var ifStatement = (IfStatementSyntax)current;
                        tracked = tracked.ReplaceNode(current, ifStatement
                            .WithStatement(ifStatement.Statement.WithoutTrailingTrivia())
                            .WithElse(SyntaxFactory.ElseClause(SyntaxFactory.Block(dispose)).WithTrailingTrivia(ifStatement.Statement.GetTrailingTrivia())
                                .WithAdditionalAnnotations(Formatter.Annotation)));
                        break;
                }
            }

            return tracked;
        }

        private static StatementSyntax Elastic(StatementSyntax statement)
            => statement.WithoutTrivia().WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithTrailingTrivia(SyntaxFactory.ElasticMarker);

        private static SyntaxTrivia EndOfLine(SyntaxNode node)
            => node.GetTrailingTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: (int)SyntaxKind.EndOfLineTrivia } eol
                ? eol
                : SyntaxFactory.ElasticCarriageReturnLineFeed;

        private static bool IsMixed(State state) => (state & State.Held) != 0 && (state & ~State.Held) != 0;

        /// <summary>Where the local may still be held: a set of states, the empty set for unreachable code.</summary>
        [System.Flags]
        private enum State
        {
            Unreachable = 0,
            Held = 1,
            Gone = 2,

            /// <summary>Disposed by the fix at the end of a branch: the local must not be used after it.</summary>
            Closed = 4,
        }

        private enum EditKind
        {
            Before,
            AtEnd,
            AddElse,

            /// <summary>The declaration in the try block becomes an assignment.</summary>
            Hoist,

            /// <summary><c>T? x = null;</c> before the try.</summary>
            DeclareBefore,

            /// <summary>The dispose as the first statement of a catch block.</summary>
            AtStart,
        }

        private readonly struct Edit
        {
            public Edit(EditKind kind, SyntaxNode target)
            {
                Kind = kind;
                Target = target;
            }

            public EditKind Kind { get; }

            public SyntaxNode Target { get; }
        }

        private sealed class Walker
        {
            private static readonly HashSet<string> AddMethods = new HashSet<string>(System.StringComparer.Ordinal)
            {
                "Add", "TryAdd", "Enqueue", "Push", "Insert", "AddLast", "AddFirst",
            };

            private readonly ILocalSymbol _local;
            private readonly SemanticModel _model;
            private readonly CancellationToken _cancellationToken;
            private readonly Stack<(List<State> Breaks, List<State> Continues)> _loops = new Stack<(List<State>, List<State>)>();

            public Walker(ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
            {
                _local = local;
                _model = model;
                _cancellationToken = cancellationToken;
            }

            public List<Edit> Edits { get; } = new List<Edit>();

            public bool Failed { get; private set; }

            public bool HandedOver { get; private set; }

            /// <summary>Handed over by something other than <c>return x;</c> (which cannot throw after it).</summary>
            public bool KeptBeyondAReturn { get; private set; }

            public void AppendAtEnd(StatementSyntax statement) => Edits.Add(new Edit(EditKind.AtEnd, statement));

            public State Statement(StatementSyntax statement, State state)
            {
                if (Failed || state == State.Unreachable)
                {
                    return state;
                }

                if ((state & State.Closed) != 0 && Mentions(statement).Any())
                {
                    return Fail();
                }

                switch (statement)
                {
                    case BlockSyntax block:
                        foreach (var inner in block.Statements)
                        {
                            state = Statement(inner, state);
                        }

                        return state;
                    case CheckedStatementSyntax { Block: var block }:
                        return Statement(block, state);
                    case UnsafeStatementSyntax { Block: var block }:
                        return Statement(block, state);
                    case LockStatementSyntax lockStatement:
                        return UsesOnly(lockStatement.Expression) ? Statement(lockStatement.Statement, state) : Fail();
                    case EmptyStatementSyntax:
                        return state;
                    case LocalDeclarationStatementSyntax or ExpressionStatementSyntax:
                        return Simple(statement, state);
                    case IfStatementSyntax ifStatement:
                        return If(ifStatement, state);
                    case ReturnStatementSyntax { Expression: var returned }:
                        if (returned != null && Mentions(returned).Any())
                        {
                            if (IsLocal(returned))
                            {
                                HandedOver = true;
                                return State.Unreachable;
                            }

                            // The value computed from the resource would have to be kept before the Dispose: not this fix's shape.
                            return Fail();
                        }

                        return Exit(statement, state);
                    case ThrowStatementSyntax throwStatement:
                        return Mentions(throwStatement).Any() ? Fail() : Exit(statement, state);
                    case YieldStatementSyntax yield when yield.IsKind(SyntaxKind.YieldBreakStatement):
                        return Exit(statement, state);
                    case YieldStatementSyntax { Expression: { } yielded }:
                        if (IsLocal(yielded))
                        {
                            HandedOver = true;
                            KeptBeyondAReturn = true;
                            return (state & ~State.Held) | State.Gone;
                        }

                        return UsesOnly(yielded) ? state : Fail();
                    case BreakStatementSyntax or ContinueStatementSyntax:
                        if (_loops.Count > 0)
                        {
                            (statement is BreakStatementSyntax ? _loops.Peek().Breaks : _loops.Peek().Continues).Add(state);
                            return State.Unreachable;
                        }

                        return Exit(statement, state);
                    case WhileStatementSyntax whileStatement:
                        return UsesOnly(whileStatement.Condition)
                            ? Loop(whileStatement.Statement, state, infinite: whileStatement.Condition.IsKind(SyntaxKind.TrueLiteralExpression))
                            : Fail();
                    case DoStatementSyntax doStatement:
                        return UsesOnly(doStatement.Condition) ? Loop(doStatement.Statement, state, infinite: doStatement.Condition.IsKind(SyntaxKind.TrueLiteralExpression), runsOnce: true) : Fail();
                    case ForStatementSyntax forStatement:
                        return (forStatement.Declaration?.Variables.All(v => v.Initializer is null || UsesOnly(v.Initializer.Value)) ?? true)
                            && forStatement.Initializers.All(UsesOnly) && (forStatement.Condition is null || UsesOnly(forStatement.Condition))
                            && forStatement.Incrementors.All(UsesOnly)
                            ? Loop(forStatement.Statement, state, infinite: forStatement.Condition is null or { RawKind: (int)SyntaxKind.TrueLiteralExpression })
                            : Fail();
                    case CommonForEachStatementSyntax forEach:
                        return UsesOnly(forEach.Expression) ? Loop(forEach.Statement, state, infinite: false) : Fail();
                    case LocalFunctionStatementSyntax:
                        return Mentions(statement).Any() ? Fail() : state;
                    default:
                        // try, switch, using, fixed, goto, labels: the fix does not reason about them. Harmless only when they
                        // neither use the local nor leave the block.
                        return Mentions(statement).Any() || Jumps(statement) ? Fail() : state;
                }
            }

            private State If(IfStatementSyntax ifStatement, State state)
            {
                if (!UsesOnly(ifStatement.Condition))
                {
                    return Fail();
                }

                var whenTrue = Statement(ifStatement.Statement, state);
                var whenFalse = ifStatement.Else is { } elseClause ? Statement(elseClause.Statement, state) : state;
                if (Failed)
                {
                    return State.Unreachable;
                }

                if (IsMixed(whenTrue) || IsMixed(whenFalse))
                {
                    return Fail();
                }

                if (whenTrue == State.Held && whenFalse is not (State.Held or State.Unreachable))
                {
                    AppendAtEnd(ifStatement.Statement);
                    return whenFalse | State.Closed;
                }

                if (whenFalse == State.Held && whenTrue is not (State.Held or State.Unreachable))
                {
                    if (ifStatement.Else is { } clause)
                    {
                        AppendAtEnd(clause.Statement);
                    }
                    else
                    {
                        Edits.Add(new Edit(EditKind.AddElse, ifStatement));
                    }

                    return whenTrue | State.Closed;
                }

                return whenTrue | whenFalse;
            }

            /// <summary>A loop must leave the local as it found it: a body that hands it over (or disposes it) may run again.</summary>
            private State Loop(StatementSyntax body, State state, bool infinite, bool runsOnce = false)
            {
                var jumps = (Breaks: new List<State>(), Continues: new List<State>());
                _loops.Push(jumps);
                var end = Statement(body, state);
                _loops.Pop();
                if (Failed)
                {
                    return State.Unreachable;
                }

                foreach (var jump in jumps.Continues)
                {
                    end |= jump;
                }

                var after = infinite ? State.Unreachable : (runsOnce ? end : state | end);
                foreach (var jump in jumps.Breaks)
                {
                    after |= jump;
                }

                return (end & ~state) != 0 || (after & ~state) != 0 ? Fail() : after;
            }

            private State Exit(StatementSyntax exit, State state)
            {
                if (IsMixed(state))
                {
                    return Fail();
                }

                if (state == State.Held)
                {
                    Edits.Add(new Edit(EditKind.Before, exit));
                }

                return State.Unreachable;
            }

            /// <summary>A declaration or expression statement: a release, a hand-over, uses through member access, or no mention.</summary>
            private State Simple(StatementSyntax statement, State state)
            {
                if (statement is ExpressionStatementSyntax { Expression: var expression } && IsRelease(expression))
                {
                    return (state & ~State.Held) | State.Gone;
                }

                var handedOver = false;
                foreach (var name in Mentions(statement))
                {
                    if (IsHandOver(name, _model, _cancellationToken) && statement is ExpressionStatementSyntax { Expression: var whole } && HandOverExpression(name) == whole)
                    {
                        handedOver = true;
                    }
                    else if (!IsUse(name))
                    {
                        return Fail();
                    }
                }

                if (handedOver)
                {
                    HandedOver = true;
                    KeptBeyondAReturn = true;
                    return (state & ~State.Held) | State.Gone;
                }

                return state;
            }

            private bool IsRelease(ExpressionSyntax expression)
            {
                if (expression is AwaitExpressionSyntax { Expression: var awaited })
                {
                    expression = awaited;
                }

                var (target, method) = expression switch
                {
                    InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: var e, Name: var n } } => (e, n.Identifier.ValueText),
                    ConditionalAccessExpressionSyntax { Expression: var e, WhenNotNull: InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax { Name: var n } } } => (e, n.Identifier.ValueText),
                    _ => (null, null),
                };
                return method is "Dispose" or "DisposeAsync" or "Close" && target is not null && IsLocal(target);
            }

            /// <summary>Returned, yielded, stored in a field, property, element or ref/out parameter, or added to a collection.</summary>
            public static bool IsHandOver(IdentifierNameSyntax name, SemanticModel model, CancellationToken cancellationToken)
            {
                SyntaxNode value = name;
                while (value.Parent is ParenthesizedExpressionSyntax or CastExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression })
                {
                    value = value.Parent;
                }

                switch (value.Parent)
                {
                    case ReturnStatementSyntax or YieldStatementSyntax or ArrowExpressionClauseSyntax:
                        return true;
                    case AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && assignment.Right == value:
                        return model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol switch
                        {
                            IFieldSymbol or IPropertySymbol => true,
                            IParameterSymbol { RefKind: RefKind.Out or RefKind.Ref } => true,
                            null => assignment.Left is ElementAccessExpressionSyntax,
                            _ => false,
                        };
                    case ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } }:
                        return invocation.Expression is MemberAccessExpressionSyntax { Name: var method } && AddMethods.Contains(method.Identifier.ValueText);
                    default:
                        return false;
                }
            }

            private static SyntaxNode? HandOverExpression(IdentifierNameSyntax name)
            {
                for (SyntaxNode? node = name.Parent; node != null; node = node.Parent)
                {
                    if (node is AssignmentExpressionSyntax or InvocationExpressionSyntax)
                    {
                        return node;
                    }
                }

                return null;
            }

            /// <summary>A member access on the local (<c>x.Length</c>, <c>x.Write(...)</c>, <c>x?.Flush()</c>) or a null test.</summary>
            private static bool IsUse(IdentifierNameSyntax name)
            {
                return name.Parent switch
                {
                    MemberAccessExpressionSyntax access when access.Expression == name => access.Name.Identifier.ValueText is not ("Dispose" or "DisposeAsync" or "Close"),
                    ConditionalAccessExpressionSyntax access when access.Expression == name => true,
                    BinaryExpressionSyntax { RawKind: (int)SyntaxKind.EqualsExpression or (int)SyntaxKind.NotEqualsExpression } binary
                        => (binary.Left == name ? binary.Right : binary.Left).IsKind(SyntaxKind.NullLiteralExpression),
                    IsPatternExpressionSyntax => true,
                    _ => false,
                };
            }

            private bool UsesOnly(SyntaxNode node) => Mentions(node).All(IsUse);

            private bool IsLocal(SyntaxNode expression)
            {
                while (expression is ParenthesizedExpressionSyntax { Expression: var inner })
                {
                    expression = inner;
                }

                if (expression is CastExpressionSyntax { Expression: var cast })
                {
                    return IsLocal(cast);
                }

                return expression is IdentifierNameSyntax name && Mentions(name).Any();
            }

            /// <summary>The references to the local in <paramref name="node"/>; one inside a lambda or local function fails the fix.</summary>
            private IEnumerable<IdentifierNameSyntax> Mentions(SyntaxNode node)
            {
                var found = new List<IdentifierNameSyntax>();
                foreach (var name in node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                {
                    if (name.Identifier.ValueText != _local.Name
                        || !SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(name, _cancellationToken).Symbol, _local))
                    {
                        continue;
                    }

                    if (name.Ancestors().TakeWhile(a => a != node).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                    {
                        Failed = true;
                    }

                    found.Add(name);
                }

                return found;
            }

            private static bool Jumps(StatementSyntax statement)
                => statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                    .Any(n => n is ReturnStatementSyntax or ThrowStatementSyntax or YieldStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax);

            private State Fail()
            {
                Failed = true;
                return State.Unreachable;
            }
        }
    }
}
