using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Summaries
{
    /// <summary>One classified use of a tracked value, with how the value reached it.</summary>
    internal readonly struct TrackedUse
    {
        public TrackedUse(ValueUse use, IOperation value, bool view, bool wraps, bool nested, ISymbol? local)
        {
            Use = use;
            Value = value;
            View = view;
            Wraps = wraps;
            Nested = nested;
            Local = local;
        }

        public ValueUse Use { get; }

        /// <summary>The operation whose use this is (a local reference, or the value itself).</summary>
        public IOperation Value { get; }

        /// <summary>Reached through a part of the value (its stream, its content), not the value itself.</summary>
        public bool View { get; }

        /// <summary>Reached through an object that wraps the value.</summary>
        public bool Wraps { get; }

        /// <summary>In a lambda or local function other than the one the tracking started in.</summary>
        public bool Nested { get; }

        /// <summary>The variable whose reference this is; null when the use is of the value itself (a temporary) or a start.</summary>
        public ISymbol? Local { get; }

        public bool IsTemporary => Local is null && Value is not IParameterReferenceOperation && Value is not IInstanceReferenceOperation;
    }

    /// <summary>
    /// Follows a value through one body: through pass-through calls, wrappers and conditional expressions
    /// (<see cref="FlowStep.Continue"/>), and into every local it is assigned to (all their references, from the shared
    /// <see cref="BodyIndex"/>), collecting every other use. Bounded; null when the body or the fan-out is too large.
    /// </summary>
    internal static class ValueTracker
    {
        public const int MaxSteps = 512;

        public static List<TrackedUse>? Follow(IEnumerable<IOperation> starts, IOperation? function, FlowContext context)
        {
            var uses = new List<TrackedUse>();
            var work = new Stack<(IOperation Value, bool View, bool Wraps, ISymbol? Local)>();
            BodyIndex? index = null;
            foreach (var start in starts)
            {
                index ??= BodyIndex.For(BodyIndex.RootOf(start));
                work.Push((start, false, false, (start as ILocalReferenceOperation)?.Local));
            }

            if (index is null)
            {
                return uses;
            }

            if (index.TooLarge)
            {
                return null;
            }

            var visited = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var steps = 0;
            while (work.Count > 0)
            {
                if (++steps > MaxSteps)
                {
                    return null;
                }

                if ((steps & 63) == 0)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                }

                var (value, view, wraps, local) = work.Pop();
                var use = ValueFlow.Classify(value, context);
                var nested = !ReferenceEquals(BodyIndex.EnclosingFunction(value), function);
                switch (use.Step)
                {
                    case FlowStep.Continue when use.Next != null:
                        work.Push((use.Next, view || use.View, wraps || use.Wraps, null));
                        continue;
                    case FlowStep.Alias when use.Local != null:
                        uses.Add(new TrackedUse(use, value, view, wraps, nested, local));
                        if (use.Next != null)
                        {
                            work.Push((use.Next, view, wraps, null));
                        }

                        if (!nested && visited.Add(use.Local))
                        {
                            foreach (var reference in index.ReferencesTo(use.Local))
                            {
                                if (!IsTargetOfAssignmentFrom(reference, value))
                                {
                                    work.Push((reference, view, wraps, use.Local));
                                }
                            }
                        }

                        continue;
                    default:
                        uses.Add(new TrackedUse(use, value, view, wraps, nested, local));
                        if (use.Step == FlowStep.Unknown && !view)
                        {
                            // The value itself went somewhere we cannot follow; the rest does not change that.
                            return uses;
                        }

                        continue;
                }
            }

            return uses;
        }

        /// <summary>
        /// The use sits in a lambda or local function (inside <paramref name="function"/>) that outlives the call: a delegate
        /// that is stored, returned, registered as a callback or handed to code that may keep it. A capture in such a
        /// function keeps the value past the method, so the method cannot be the one to release it.
        /// </summary>
        public static bool EscapesThroughNestedFunction(IOperation use, IOperation? function, FlowContext context)
        {
            for (var f = BodyIndex.EnclosingFunction(use); f != null && !ReferenceEquals(f, function); f = BodyIndex.EnclosingFunction(f))
            {
                switch (f)
                {
                    case IAnonymousFunctionOperation lambda:
                        IOperation value = lambda.Parent is IDelegateCreationOperation creation ? creation : lambda;
                        if (ValueFlow.Classify(value, context).Step is not (FlowStep.Neutral or FlowStep.Discard))
                        {
                            return true;
                        }

                        break;
                    case ILocalFunctionOperation local:
                        foreach (var node in BodyIndex.RootOf(local).Descendants())
                        {
                            if (node is IMethodReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Method.OriginalDefinition, local.Symbol))
                            {
                                // Turned into a delegate somewhere: it may run later.
                                return true;
                            }
                        }

                        break;
                }
            }

            return false;
        }

        /// <summary><c>x = value</c>: the reference to <c>x</c> that receives <paramref name="value"/> is not a use of it.</summary>
        private static bool IsTargetOfAssignmentFrom(IOperation reference, IOperation value)
        {
            if (reference.Parent is not IAssignmentOperation assignment || assignment.Target != reference)
            {
                return false;
            }

            for (var o = value; o != null; o = o.Parent)
            {
                if (o == assignment.Value)
                {
                    return true;
                }

                if (o == assignment)
                {
                    return false;
                }
            }

            return false;
        }
    }
}
