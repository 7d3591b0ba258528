using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Retention
{
    /// <summary>
    /// The paths through a handler that removes itself from its publisher (<c>sender.Completed -= OnCompleted</c>): is
    /// there a way out of the handler that does not pass the removal? A structured walk over the body's statements
    /// (bounded; recursion into the calls it follows is capped), not a control-flow graph: it needs to read the tests that
    /// guard a removal (<c>if (previous != null) previous.Completed -= H</c>: when the publisher is null there is nothing to
    /// remove).
    /// <para>
    /// A way out counts when the handler leaves on purpose: a <c>return</c>, or an explicit <c>throw</c> of a new exception,
    /// on a branch that did something of its own first (<c>{ OnComplete(error); return; }</c>, a <c>catch</c> that reports
    /// and returns, a <c>case</c> that finishes). A bare <c>if (!ready) return;</c> waits for a later raise, and falling off
    /// the end without a removal keeps listening: both are how handlers wait for a condition. An exception from called
    /// code (or a <c>throw;</c> that passes one on) is not a path. A <c>finally</c> that removes covers every exit of its
    /// <c>try</c>. A call counts as the removal when it is handed the handler (<c>RemoveHandler(.., H)</c>) or when its
    /// body (one of the code's own, found by <see cref="CalleeBody"/>) removes on every path. Anything the walk does not
    /// model (a <c>goto</c> to a label, a body past the budget) counts as removing: the rule stays quiet.
    /// </para>
    /// </summary>
    internal sealed class RemovalPaths
    {
        private const int MaxOperations = 20_000;
        private const int MaxCallDepth = 3;

        private readonly Func<IEventAssignmentOperation, bool> _isRemoval;
        private readonly Func<IOperation, bool> _isHandler;
        private readonly CalleeBody _calleeBody;
        private readonly bool _strict;
        private readonly int _depth;
        private readonly Budget _budget;
        private readonly HashSet<ISymbol> _publishers = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        private readonly List<JumpTarget> _targets = new List<JumpTarget>();
        private readonly List<(bool Removes, int Targets)> _finallies = new List<(bool, int)>();
        private int _tryWithCatch;
        private bool _gaveUp;
        private IOperation? _exit;

        private RemovalPaths(Func<IEventAssignmentOperation, bool> isRemoval, Func<IOperation, bool> isHandler, CalleeBody calleeBody, bool strict, int depth, Budget budget)
        {
            _isRemoval = isRemoval;
            _isHandler = isHandler;
            _calleeBody = calleeBody;
            _strict = strict;
            _depth = depth;
            _budget = budget;
        }

        /// <summary>Finds a body of the code's own for a called method, when it is one that may remove the handler; null otherwise.</summary>
        public delegate IOperation? CalleeBody(IMethodSymbol method);

        /// <summary>
        /// The <c>return</c> or <c>throw</c> of <paramref name="body"/> (a method body, a block, a lambda's or local
        /// function's body) that leaves without the removal, after doing something on its own branch; null when every
        /// such exit removes first, or when the walk cannot tell.
        /// </summary>
        /// <param name="isRemoval">A <c>-=</c> of the handler (from the publisher it was added to).</param>
        /// <param name="isHandler">An operation (already unwrapped) that is the handler, such as an argument of a call that may remove it.</param>
        public static IOperation? ExitSkippingRemoval(IOperation body, Func<IEventAssignmentOperation, bool> isRemoval, Func<IOperation, bool> isHandler, CalleeBody calleeBody)
        {
            var walker = new RemovalPaths(isRemoval, isHandler, calleeBody, strict: false, depth: 0, new Budget());
            walker.Run(body);
            return walker._gaveUp ? null : walker._exit;
        }

        private void Run(IOperation body)
        {
            var block = body switch
            {
                IMethodBodyOperation method => (IOperation?)method.BlockBody ?? method.ExpressionBody,
                IAnonymousFunctionOperation lambda => lambda.Body,
                ILocalFunctionOperation function => function.Body ?? function.IgnoredBody,
                _ => body,
            };
            if (block is null)
            {
                _gaveUp = true;
                return;
            }

            CollectPublishers(block);
            var end = Statement(block, PathState.Start, inArm: false);
            if (_strict && end.Reachable && !end.Removed && !_gaveUp)
            {
                _exit ??= block;
            }
        }

        /// <summary>True when every path through <paramref name="body"/> removes the handler (for a called method).</summary>
        private bool CalleeRemoves(IOperation body)
        {
            if (_depth >= MaxCallDepth)
            {
                return false;
            }

            var walker = new RemovalPaths(_isRemoval, _isHandler, _calleeBody, strict: true, _depth + 1, _budget);
            walker.Run(body);
            return !walker._gaveUp && walker._exit is null;
        }

        /// <summary>The variables the removals name as their publisher (and what a local alias was declared from): tests of them guard a removal.</summary>
        private void CollectPublishers(IOperation block)
        {
            foreach (var operation in Operations(block))
            {
                if (operation is IEventAssignmentOperation { Adds: false, EventReference: IEventReferenceOperation reference } removal && _isRemoval(removal))
                {
                    var publisher = DelegateCaptures.Unwrap(reference.Instance);
                    for (var i = 0; i < 4 && publisher != null; i++)
                    {
                        if (VariableOf(publisher) is not { } symbol || !_publishers.Add(symbol))
                        {
                            break;
                        }

                        publisher = publisher is ILocalReferenceOperation local ? DelegateCaptures.Unwrap(LocalAliases.DeclaredValue(local)) : null;
                    }
                }
            }
        }

        private static ISymbol? VariableOf(IOperation? operation) => DelegateCaptures.Unwrap(operation) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol, Instance: null or IInstanceReferenceOperation } member => member.Member,
            _ => null,
        };

        /// <summary>The state after <paramref name="operation"/>; <paramref name="inArm"/>: inside a branch of its own (an if's arm, a case, a catch).</summary>
        private PathState Statement(IOperation? operation, PathState state, bool inArm)
        {
            if (operation is null || !state.Reachable || _gaveUp || _exit != null)
            {
                return state;
            }

            if (!_budget.Take())
            {
                _gaveUp = true;
                return state;
            }

            // At the top of the body, each statement is the common path again: work done on an earlier branch that
            // rejoined is not a branch of its own any more.
            if (!inArm && operation is not (IReturnOperation or IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation }))
            {
                state = state.WithWorked(false);
            }

            switch (operation)
            {
                case IBlockOperation block:
                    foreach (var statement in block.Operations)
                    {
                        state = Statement(statement, state, inArm);
                    }

                    return state;
                case IMethodBodyOperation method:
                    return Statement((IOperation?)method.BlockBody ?? method.ExpressionBody, state, inArm);
                case IConditionalOperation conditional:
                    return If(conditional, state, inArm);
                case ISwitchOperation @switch:
                    return Switch(@switch, state);
                case ILoopOperation loop:
                    return Loop(loop, state, inArm);
                case ITryOperation @try:
                    return Try(@try, state, inArm);
                case IUsingOperation @using:
                    state = Simple(@using.Resources, state, inArm: false);
                    return Statement(@using.Body, state, inArm);
                case ILockOperation @lock:
                    state = Simple(@lock.LockedValue, state, inArm: false);
                    return Statement(@lock.Body, state, inArm);
                case IReturnOperation { Kind: OperationKind.Return } @return:
                    state = Simple(@return.ReturnedValue, state, inArm);
                    if (!@return.IsImplicit || _strict)
                    {
                        // (The implicit return of an expression-bodied lambda is the end of the body.)
                        Exit(state, @return, isThrow: false);
                    }

                    return PathState.Unreachable;
                case IReturnOperation:
                    // yield return / yield break: not a handler's body.
                    _gaveUp = true;
                    return state;
                case IExpressionStatementOperation { Operation: IThrowOperation @throw }:
                    return Throw(@throw, state, inArm);
                case IThrowOperation @throw:
                    return Throw(@throw, state, inArm);
                case IBranchOperation branch:
                    return Branch(branch, state);
                case ILabeledOperation:
                    // A goto target: paths the walk does not follow.
                    _gaveUp = true;
                    return state;
                case ILocalFunctionOperation:
                case IEmptyOperation:
                    return state;
                default:
                    return Simple(operation, state, inArm);
            }
        }

        private PathState If(IConditionalOperation conditional, PathState state, bool inArm)
        {
            state = Simple(conditional.Condition, state, inArm: false);
            var (removedWhenTrue, removedWhenFalse) = Guard(conditional.Condition, 0);
            var whenTrue = Statement(conditional.WhenTrue, removedWhenTrue ? state.AsRemoved() : state, inArm: true);
            var whenFalseStart = removedWhenFalse ? state.AsRemoved() : state;
            var whenFalse = conditional.WhenFalse is null ? whenFalseStart : Statement(conditional.WhenFalse, whenFalseStart, inArm: true);
            return PathState.Merge(whenTrue, whenFalse);
        }

        private PathState Switch(ISwitchOperation @switch, PathState state)
        {
            state = Simple(@switch.Value, state, inArm: false);
            var target = new JumpTarget(@switch.ExitLabel, null);
            _targets.Add(target);
            var hasDefault = false;
            foreach (var section in @switch.Cases)
            {
                foreach (var clause in section.Clauses)
                {
                    hasDefault |= clause.CaseKind == CaseKind.Default
                        || clause is IPatternCaseClauseOperation { Guard: null, Pattern: IDiscardPatternOperation };
                }

                var sectionState = state;
                foreach (var statement in section.Body)
                {
                    sectionState = Statement(statement, sectionState, inArm: true);
                }

                // (C# does not fall through; half-typed code may.)
                target.Exits = PathState.Merge(target.Exits, sectionState);
            }

            _targets.Remove(target);
            return hasDefault ? target.Exits : PathState.Merge(target.Exits, state);
        }

        private PathState Loop(ILoopOperation loop, PathState state, bool inArm)
        {
            var runsAtLeastOnce = false;
            var endless = false;
            switch (loop)
            {
                case IForLoopOperation @for:
                    foreach (var before in @for.Before)
                    {
                        state = Statement(before, state, inArm);
                    }

                    state = Simple(@for.Condition, state, inArm: false);
                    endless = @for.Condition is null || @for.Condition.ConstantValue is { HasValue: true, Value: true };
                    break;
                case IWhileLoopOperation @while:
                    runsAtLeastOnce = !@while.ConditionIsTop;
                    endless = @while.Condition is null || @while.Condition.ConstantValue is { HasValue: true, Value: true } && !@while.ConditionIsUntil;
                    if (@while.ConditionIsTop)
                    {
                        state = Simple(@while.Condition, state, inArm: false);
                    }

                    break;
                case IForEachLoopOperation @foreach:
                    state = Simple(@foreach.Collection, state, inArm: false);
                    break;
                default:
                    _gaveUp = true;
                    return state;
            }

            var target = new JumpTarget(loop.ExitLabel, loop.ContinueLabel);
            _targets.Add(target);

            // One pass over the body (the first iteration): a removal only adds, so later iterations start no less removed.
            var end = Statement(loop.Body, state, inArm);
            _targets.Remove(target);
            var repeated = PathState.Merge(end, target.Continues);
            var exits = endless ? target.Exits : PathState.Merge(target.Exits, runsAtLeastOnce ? repeated : PathState.Merge(state, repeated));
            return exits;
        }

        private PathState Try(ITryOperation @try, PathState state, bool inArm)
        {
            var finallyRemoves = false;
            if (@try.Finally is { } @finally)
            {
                // Every exit of the try and its catches runs the finally first.
                var saved = _exit;
                var strictEnd = Statement(@finally, PathState.Start, inArm: false);
                _exit = saved;
                finallyRemoves = strictEnd.Reachable && strictEnd.Removed;
                _finallies.Add((finallyRemoves, _targets.Count));
            }

            var entry = state;
            var hasCatch = @try.Catches.Length > 0;
            if (hasCatch)
            {
                _tryWithCatch++;
            }

            var end = Statement(@try.Body, state, inArm);
            if (hasCatch)
            {
                _tryWithCatch--;
            }

            foreach (var @catch in @try.Catches)
            {
                // An exception may come before anything in the try ran: the catch starts where the try did.
                var catchState = Simple(@catch.Filter, entry, inArm: true);
                end = PathState.Merge(end, Statement(@catch.Handler, catchState, inArm: true));
            }

            if (@try.Finally != null)
            {
                _finallies.RemoveAt(_finallies.Count - 1);
                if (finallyRemoves)
                {
                    end = end.AsRemoved();
                }
            }

            return end;
        }

        private PathState Throw(IThrowOperation @throw, PathState state, bool inArm)
        {
            state = Simple(@throw.Exception, state, inArm);
            if (@throw.Exception is null)
            {
                // throw; passes on an exception from code the handler called: not a path of its own.
                return PathState.Unreachable;
            }

            if (_tryWithCatch == 0 && !_strict)
            {
                Exit(state, @throw.Parent is IExpressionStatementOperation statement ? statement : @throw, isThrow: true);
            }

            return PathState.Unreachable;
        }

        private PathState Branch(IBranchOperation branch, PathState state)
        {
            for (var i = _targets.Count - 1; i >= 0; i--)
            {
                var target = _targets[i];
                var isExit = SymbolEqualityComparer.Default.Equals(branch.Target, target.Exit);
                var isContinue = target.Continue != null && SymbolEqualityComparer.Default.Equals(branch.Target, target.Continue);
                if (!isExit && !isContinue)
                {
                    continue;
                }

                // A finally between the jump and its target runs on the way.
                foreach (var (removes, targets) in _finallies)
                {
                    if (removes && targets > i)
                    {
                        state = state.AsRemoved();
                    }
                }

                if (isExit)
                {
                    target.Exits = PathState.Merge(target.Exits, state);
                }
                else
                {
                    target.Continues = PathState.Merge(target.Continues, state);
                }

                return PathState.Unreachable;
            }

            // goto to a label, goto case: not followed.
            _gaveUp = true;
            return state;
        }

        private void Exit(PathState state, IOperation exit, bool isThrow)
        {
            if (!state.Reachable || state.Removed || _gaveUp)
            {
                return;
            }

            foreach (var (removes, _) in _finallies)
            {
                if (removes)
                {
                    return;
                }
            }

            if (_strict || state.Worked || isThrow)
            {
                _exit ??= exit;
            }
        }

        /// <summary>A statement without control flow of its own: removes when it holds a removal (outside nested functions).</summary>
        private PathState Simple(IOperation? operation, PathState state, bool inArm)
        {
            if (operation is null || !state.Reachable)
            {
                return state;
            }

            var removes = false;
            var works = false;
            foreach (var part in Operations(operation))
            {
                if (!_budget.Take())
                {
                    _gaveUp = true;
                    return state;
                }

                switch (part)
                {
                    case IEventAssignmentOperation { Adds: false } removal when _isRemoval(removal):
                        removes = true;
                        break;
                    case IInvocationOperation invocation:
                        works = true;
                        removes |= CallRemoves(invocation);
                        break;
                    case IAssignmentOperation or IIncrementOrDecrementOperation or IAwaitOperation or IObjectCreationOperation or IEventAssignmentOperation:
                        works = true;
                        break;
                }
            }

            if (removes)
            {
                return state.AsRemoved();
            }

            return inArm && works ? state.WithWorked(true) : state;
        }

        private bool CallRemoves(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (DelegateCaptures.Unwrap(argument.Value) is { } value && _isHandler(value))
                {
                    return true;
                }
            }

            return _calleeBody(invocation.TargetMethod.OriginalDefinition) is { } body && CalleeRemoves(body);
        }

        /// <summary>
        /// Whether the branch taken when <paramref name="condition"/> is true (or false) has no publisher to remove from:
        /// <c>previous != null</c>, <c>sender is IResult r</c> (false: null or another object), <c>previous == null</c> (true).
        /// </summary>
        private (bool WhenTrue, bool WhenFalse) Guard(IOperation condition, int depth)
        {
            var operation = DelegateCaptures.Unwrap(condition);
            if (depth > 4 || operation is null)
            {
                return (false, false);
            }

            switch (operation)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                    var (t, f) = Guard(not.Operand, depth + 1);
                    return (f, t);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary
                    when IsNull(binary.RightOperand) && IsPublisher(binary.LeftOperand) || IsNull(binary.LeftOperand) && IsPublisher(binary.RightOperand):
                    return binary.OperatorKind == BinaryOperatorKind.Equals ? (true, false) : (false, true);
                case IIsTypeOperation isType when IsPublisher(isType.ValueOperand):
                    return isType.IsNegated ? (true, false) : (false, true);
                case IIsPatternOperation isPattern when IsPublisher(isPattern.Value):
                    return PatternGuard(isPattern.Pattern);
                default:
                    return (false, false);
            }
        }

        private static (bool WhenTrue, bool WhenFalse) PatternGuard(IPatternOperation pattern) => pattern switch
        {
            IConstantPatternOperation constant when IsNull(constant.Value) => (true, false),
            INegatedPatternOperation { Pattern: IConstantPatternOperation constant } when IsNull(constant.Value) => (false, true),
            INegatedPatternOperation { Pattern: ITypePatternOperation or IDeclarationPatternOperation } => (true, false),
            ITypePatternOperation or IDeclarationPatternOperation { MatchesNull: false } => (false, true),
            IRecursivePatternOperation { PropertySubpatterns.Length: 0, DeconstructionSubpatterns.Length: 0 } => (false, true),
            _ => (false, false),
        };

        private static bool IsNull(IOperation? operation)
            => DelegateCaptures.Unwrap(operation) is { ConstantValue: { HasValue: true, Value: null } };

        private bool IsPublisher(IOperation? operation) => VariableOf(operation) is { } symbol && _publishers.Contains(symbol);

        /// <summary>The operations of <paramref name="root"/>, not those of the lambdas and local functions in it (they run later, if at all).</summary>
        private static IEnumerable<IOperation> Operations(IOperation root)
        {
            var stack = new Stack<IOperation>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var current = stack.Pop();
                yield return current;
                foreach (var child in current.ChildOperations)
                {
                    if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                    {
                        stack.Push(child);
                    }
                }
            }
        }

        /// <summary>The paths that reach a point: none (unreachable), all removed, or some not yet removed (and whether one of those did work on its own branch).</summary>
        private readonly struct PathState
        {
            public static readonly PathState Unreachable = default;

            public static readonly PathState Start = new PathState(reachable: true, removed: false, worked: false);

            private PathState(bool reachable, bool removed, bool worked)
            {
                Reachable = reachable;
                Removed = removed;
                Worked = worked;
            }

            public bool Reachable { get; }

            public bool Removed { get; }

            public bool Worked { get; }

            public PathState AsRemoved() => Reachable ? new PathState(true, true, false) : this;

            public PathState WithWorked(bool worked) => Reachable && !Removed ? new PathState(true, false, worked) : this;

            public static PathState Merge(PathState a, PathState b)
            {
                if (!a.Reachable)
                {
                    return b;
                }

                if (!b.Reachable)
                {
                    return a;
                }

                var removed = a.Removed && b.Removed;
                return new PathState(true, removed, !removed && (!a.Removed && a.Worked || !b.Removed && b.Worked));
            }
        }

        private sealed class JumpTarget
        {
            public JumpTarget(ILabelSymbol exit, ILabelSymbol? @continue)
            {
                Exit = exit;
                Continue = @continue;
            }

            public ILabelSymbol Exit { get; }

            public ILabelSymbol? Continue { get; }

            public PathState Exits { get; set; } = PathState.Unreachable;

            public PathState Continues { get; set; } = PathState.Unreachable;
        }

        private sealed class Budget
        {
            private int _left = MaxOperations;

            public bool Take() => --_left >= 0;
        }
    }
}
