using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>The outcome of following a resource through a method's control-flow graph.</summary>
    internal enum FlowVerdict
    {
        /// <summary>Released (or handed over by a finally) on every path the analysis follows.</summary>
        Released,

        /// <summary>Some normal path (early return, branch, loop exit) reaches the end of the method without releasing it.</summary>
        NotOnEveryPath,

        /// <summary>Released on normal paths, but an exception between acquisition and release skips it.</summary>
        NotOnExceptionPath,

        /// <summary>The local is assigned again (or the acquisition runs again in a loop) while it still holds the resource.</summary>
        Overwritten,

        /// <summary>The graph is too large, the acquisition is not found, or control flow the analysis does not model: stay quiet.</summary>
        Unknown,
    }

    /// <summary>
    /// The bounded per-method flow check over the operation <see cref="ControlFlowGraph"/>: starting right after the
    /// acquisition, is the resource released on every path, exception paths included (a finally that releases it covers
    /// every exception in its try; a catch continues the path)? Acquisition, releases and re-assignments are recognised by
    /// their syntax (found beforehand by <see cref="ResourceCheck"/>). Null checks of the local (<c>if (x != null)</c>,
    /// <c>x?.Dispose()</c>) make the null branch count as released.
    /// </summary>
    internal sealed class ReleaseFlow
    {
        /// <summary>Graphs with more blocks than this are not analysed ("don't know → don't report").</summary>
        public const int MaxBlocks = 1500;

        private enum EventKind
        {
            Acquire,
            Release,
            Reassign,
            MayThrow,
        }

        private readonly ControlFlowGraph _graph;
        private readonly SyntaxNode _acquisition;
        private readonly HashSet<SyntaxNode> _releases;
        private readonly HashSet<SyntaxNode> _handOvers;
        private readonly HashSet<SyntaxNode> _ownCalls;
        private readonly HashSet<SyntaxNode> _weakReassignments;
        private readonly HashSet<SyntaxNode> _reassignments;
        private readonly ILocalSymbol _local;
        private readonly ResourceKind _kind;
        private readonly bool _exceptionPaths;
        private readonly bool _freshEachIteration;
        private readonly bool _conditionalInLoop;
        private readonly List<(EventKind Kind, SyntaxNode? Node)>[] _events;
        private readonly bool[] _releasesInBlock;
        private readonly HashSet<CaptureId> _captures = new HashSet<CaptureId>();
        private readonly HashSet<(int, bool)> _visited = new HashSet<(int, bool)>();

        private ReleaseFlow(ControlFlowGraph graph, SyntaxNode acquisition, LocalUses uses, ILocalSymbol local, ResourceKind kind, bool exceptionPaths, bool freshEachIteration, bool conditionalInLoop)
        {
            _exceptionPaths = exceptionPaths;
            _conditionalInLoop = conditionalInLoop;
            _freshEachIteration = freshEachIteration;
            _graph = graph;
            _acquisition = acquisition;
            _releases = new HashSet<SyntaxNode>(uses.Releases);
            _handOvers = new HashSet<SyntaxNode>(uses.HandOvers);
            _ownCalls = new HashSet<SyntaxNode>(uses.OwnCalls);
            _weakReassignments = new HashSet<SyntaxNode>(uses.ConditionalReassignments);
            _reassignments = new HashSet<SyntaxNode>(uses.Reassignments);
            _local = local;
            _kind = kind;
            _events = new List<(EventKind, SyntaxNode?)>[graph.Blocks.Length];
            _releasesInBlock = new bool[graph.Blocks.Length];
        }

        /// <summary>The call on the resource whose exception loses it, when that is how it is lost.</summary>
        public SyntaxNode? ThrowingCall { get; private set; }

        /// <summary>Locations of a second release on a path where the resource was already released.</summary>
        public List<SyntaxNode> DoubleReleases { get; } = new List<SyntaxNode>();

        /// <summary>Follows the resource acquired at <paramref name="acquisition"/> into <paramref name="local"/>.</summary>
        public static FlowVerdict Check(
            ControlFlowGraph? methodGraph,
            IOperation? function,
            SyntaxNode acquisition,
            ILocalSymbol local,
            LocalUses uses,
            ResourceKind kind,
            out List<SyntaxNode> doubleReleases,
            out SyntaxNode? throwingCall,
            bool exceptionPaths = true,
            bool freshEachIteration = false,
            bool conditionalInLoop = false)
        {
            doubleReleases = new List<SyntaxNode>();
            throwingCall = null;
            var graph = methodGraph is null ? null : GraphOf(methodGraph, function);
            if (graph is null || graph.Blocks.Length > MaxBlocks)
            {
                return FlowVerdict.Unknown;
            }

            var flow = new ReleaseFlow(graph, acquisition, uses, local, kind, exceptionPaths && kind.ExceptionPaths, freshEachIteration, conditionalInLoop);
            var verdict = flow.Run();
            doubleReleases = flow.DoubleReleases;
            throwingCall = flow.ThrowingCall;
            return verdict;
        }

        /// <summary>The graph of the lambda or local function <paramref name="function"/> (nested ones included), or of the method.</summary>
        private static ControlFlowGraph? GraphOf(ControlFlowGraph methodGraph, IOperation? function)
        {
            if (function is null)
            {
                return methodGraph;
            }

            var chain = new List<IOperation>();
            for (var f = function; f != null; f = BodyIndex.EnclosingFunction(f))
            {
                chain.Add(f);
            }

            var graph = methodGraph;
            for (var i = chain.Count - 1; i >= 0 && graph != null; i--)
            {
                graph = chain[i] switch
                {
                    ILocalFunctionOperation localFunction => LocalFunctionGraph(graph, localFunction.Symbol),
                    IAnonymousFunctionOperation lambda => LambdaGraph(graph, lambda.Syntax),
                    _ => null,
                };
            }

            return graph;
        }

        private static ControlFlowGraph? LocalFunctionGraph(ControlFlowGraph graph, IMethodSymbol symbol)
        {
            foreach (var candidate in graph.LocalFunctions)
            {
                if (SymbolEqualityComparer.Default.Equals(candidate, symbol))
                {
                    return graph.GetLocalFunctionControlFlowGraph(candidate);
                }
            }

            return null;
        }

        private static ControlFlowGraph? LambdaGraph(ControlFlowGraph graph, SyntaxNode syntax)
        {
            foreach (var block in graph.Blocks)
            {
                foreach (var operation in Operations(block))
                {
                    foreach (var node in operation.DescendantsAndSelf())
                    {
                        if (node is IFlowAnonymousFunctionOperation lambda && lambda.Syntax == syntax)
                        {
                            return graph.GetAnonymousFunctionControlFlowGraph(lambda);
                        }
                    }
                }
            }

            return null;
        }

        private static IEnumerable<IOperation> Operations(BasicBlock block)
        {
            foreach (var operation in block.Operations)
            {
                yield return operation;
            }

            if (block.BranchValue is { } branch)
            {
                yield return branch;
            }
        }

        private FlowVerdict Run()
        {
            int startBlock = -1, startIndex = -1;
            for (var b = 0; b < _graph.Blocks.Length; b++)
            {
                var events = Events(b);
                for (var i = 0; i < events.Count && startBlock < 0; i++)
                {
                    if (events[i].Kind == EventKind.Acquire)
                    {
                        startBlock = b;
                        startIndex = i + 1;
                    }
                }
            }

            if (startBlock < 0)
            {
                return FlowVerdict.Unknown;
            }

            var overwritten = false;
            var notOnEveryPath = false;
            var exceptionPath = false;
            var visited = _visited;
            var work = new Stack<(int Block, int Index, bool Live)>();
            work.Push((startBlock, startIndex, true));
            var steps = 0;
            while (work.Count > 0)
            {
                if (++steps > 4 * MaxBlocks)
                {
                    return FlowVerdict.Unknown;
                }

                var (blockIndex, index, live) = work.Pop();
                var block = _graph.Blocks[blockIndex];
                var events = Events(blockIndex);
                var stopped = false;
                for (var i = index; i < events.Count && !stopped; i++)
                {
                    switch (events[i].Kind)
                    {
                        case EventKind.Acquire:
                            if (live)
                            {
                                // Acquired again while still held: a local of the loop body is lost on that path; one
                                // declared outside the loop is overwritten. An acquisition under a condition inside the
                                // loop may well run once (a switch over distinct values): don't know.
                                if (_conditionalInLoop)
                                {
                                }
                                else if (_freshEachIteration)
                                {
                                    notOnEveryPath = true;
                                }
                                else
                                {
                                    overwritten = true;
                                }

                                stopped = true;
                            }

                            live = true;
                            break;
                        case EventKind.Release:
                            if (!live && _kind.ReportsDoubleRelease && events[i].Node is { } node && _releases.Contains(node) && !DoubleReleases.Contains(node))
                            {
                                DoubleReleases.Add(node);
                            }

                            live = false;
                            break;
                        case EventKind.Reassign:
                            // A reassignment under a condition inside a loop may run once the old value is gone
                            // (a parser loop that keeps the last chunk it saw): only unconditional ones count.
                            if (live && !(events[i].Node is { } weak && _weakReassignments.Contains(weak)))
                            {
                                overwritten = true;
                            }

                            stopped = true;
                            break;
                        case EventKind.MayThrow:
                            // A catch that swallows the exception continues the path (explored always); an exception
                            // that leaves the method counts when exception paths are on, or when it comes from a call on
                            // the resource itself (Connect, Open, Authenticate: where resources are usually lost).
                            if (live && ExceptionEscapes(block.EnclosingRegion, work) && (_exceptionPaths || events[i].Node != null))
                            {
                                exceptionPath = true;
                                ThrowingCall ??= events[i].Node;
                            }

                            break;
                    }
                }

                if (stopped)
                {
                    continue;
                }

                if (block.Kind == BasicBlockKind.Exit)
                {
                    notOnEveryPath |= live;
                    continue;
                }

                var nullSuccessor = NullSuccessor(block);
                foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
                {
                    if (branch is null)
                    {
                        continue;
                    }

                    var next = live && branch != nullSuccessor;
                    if (!live && _kind.ReportsDoubleRelease)
                    {
                        // Already released, and a finally on the way out releases again.
                        foreach (var region in branch.FinallyRegions)
                        {
                            AddReleases(region, DoubleReleases);
                        }
                    }

                    if (next)
                    {
                        foreach (var region in branch.FinallyRegions)
                        {
                            if (RegionReleases(region))
                            {
                                next = false;
                            }
                        }
                    }

                    switch (branch.Semantics)
                    {
                        case ControlFlowBranchSemantics.Regular:
                        case ControlFlowBranchSemantics.Return:
                            if (branch.Destination is { } destination && visited.Add((destination.Ordinal, next)))
                            {
                                work.Push((destination.Ordinal, 0, next));
                            }

                            break;
                        case ControlFlowBranchSemantics.Throw:
                        case ControlFlowBranchSemantics.Rethrow:
                            if (next && ExceptionEscapes(block.EnclosingRegion, work) && _exceptionPaths)
                            {
                                exceptionPath = true;
                            }

                            break;
                    }
                }
            }

            return overwritten ? FlowVerdict.Overwritten
                : notOnEveryPath ? FlowVerdict.NotOnEveryPath
                : exceptionPath ? FlowVerdict.NotOnExceptionPath
                : FlowVerdict.Released;
        }

        /// <summary>
        /// An exception thrown in <paramref name="region"/> while the resource is held: a finally that releases it covers it,
        /// a catch continues the path (queued), otherwise it leaves the method with the resource.
        /// </summary>
        private bool ExceptionEscapes(ControlFlowRegion? region, Stack<(int, int, bool)> work)
        {
            for (var r = region; r != null; r = r.EnclosingRegion)
            {
                if (r.Kind != ControlFlowRegionKind.Try || r.EnclosingRegion is not { } parent)
                {
                    continue;
                }

                if (parent.Kind == ControlFlowRegionKind.TryAndFinally && parent.NestedRegions.Length > 1)
                {
                    if (RegionReleases(parent.NestedRegions[1]))
                    {
                        return false;
                    }
                }
                else if (parent.Kind == ControlFlowRegionKind.TryAndCatch)
                {
                    for (var h = 1; h < parent.NestedRegions.Length; h++)
                    {
                        var handler = parent.NestedRegions[h];
                        if (_visited.Add((handler.FirstBlockOrdinal, true)))
                        {
                            work.Push((handler.FirstBlockOrdinal, 0, true));
                        }
                    }

                    return false;
                }
            }

            return true;
        }

        private void AddReleases(ControlFlowRegion region, List<SyntaxNode> into)
        {
            for (var b = region.FirstBlockOrdinal; b <= region.LastBlockOrdinal && b < _graph.Blocks.Length; b++)
            {
                foreach (var (kind, node) in Events(b))
                {
                    if (kind == EventKind.Release && node != null && _releases.Contains(node) && !into.Contains(node))
                    {
                        into.Add(node);
                    }
                }
            }
        }

        private bool RegionReleases(ControlFlowRegion region)
        {
            for (var b = region.FirstBlockOrdinal; b <= region.LastBlockOrdinal && b < _graph.Blocks.Length; b++)
            {
                Events(b);
                if (_releasesInBlock[b])
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The branch taken when the local is null (<c>x != null</c>, <c>x is null</c>, <c>x?.</c>), or null.</summary>
        private ControlFlowBranch? NullSuccessor(BasicBlock block)
        {
            if (block.BranchValue is not { } value || block.ConditionKind == ControlFlowConditionKind.None)
            {
                return null;
            }

            bool nullWhenTrue;
            switch (Strip(value))
            {
                case IIsNullOperation isNull when IsLocal(isNull.Operand):
                    nullWhenTrue = true;
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary
                    when (IsLocal(binary.LeftOperand) && IsNull(binary.RightOperand)) || (IsLocal(binary.RightOperand) && IsNull(binary.LeftOperand)):
                    nullWhenTrue = binary.OperatorKind == BinaryOperatorKind.Equals;
                    break;
                case IIsPatternOperation { Pattern: IConstantPatternOperation constant } pattern when IsLocal(pattern.Value) && IsNull(constant.Value):
                    nullWhenTrue = true;
                    break;
                case IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation negated } } pattern when IsLocal(pattern.Value) && IsNull(negated.Value):
                    nullWhenTrue = false;
                    break;
                case IIsPatternOperation { Pattern: ITypePatternOperation or IRecursivePatternOperation } pattern when IsLocal(pattern.Value):
                    nullWhenTrue = false;
                    break;
                default:
                    return null;
            }

            var conditionalWhenTrue = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            return nullWhenTrue == conditionalWhenTrue ? block.ConditionalSuccessor : block.FallThroughSuccessor;
        }

        private static IOperation Strip(IOperation operation)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }

        private bool IsLocal(IOperation operation)
        {
            return Strip(operation) switch
            {
                ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, _local),
                IFlowCaptureReferenceOperation capture => _captures.Contains(capture.Id),
                _ => false,
            };
        }

        /// <summary>null, default, and the empty pointer (IntPtr.Zero, 0) that native allocations are compared with.</summary>
        private static bool IsNull(IOperation operation)
            => Strip(operation) is { ConstantValue: { HasValue: true, Value: null or 0 or 0L } } or IDefaultValueOperation
                or IFieldReferenceOperation { Field: { Name: "Zero", IsStatic: true, ContainingType.SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr } };

        private List<(EventKind Kind, SyntaxNode? Node)> Events(int blockIndex)
        {
            if (_events[blockIndex] is { } cached)
            {
                return cached;
            }

            var events = new List<(EventKind, SyntaxNode?)>();
            foreach (var operation in Operations(_graph.Blocks[blockIndex]))
            {
                var acquire = false;
                SyntaxNode? release = null;
                var reassign = false;
                var mayThrow = false;
                SyntaxNode? ownCall = null;
                SyntaxNode? reassignNode = null;
                foreach (var node in operation.DescendantsAndSelf())
                {
                    var syntax = node.Syntax;
                    if (node is IFlowCaptureOperation capture && Strip(capture.Value) is ILocalReferenceOperation captured
                        && SymbolEqualityComparer.Default.Equals(captured.Local, _local))
                    {
                        _captures.Add(capture.Id);
                    }

                    if (syntax == _acquisition && node is IObjectCreationOperation or IInvocationOperation or IPropertyReferenceOperation)
                    {
                        acquire = true;
                    }
                    else if (release is null && (_releases.Contains(syntax) || _handOvers.Contains(syntax)))
                    {
                        release = syntax;
                    }
                    else if (node is ISimpleAssignmentOperation && _reassignments.Contains(syntax))
                    {
                        reassign = true;
                        reassignNode = syntax;
                    }
                    else if (node is IInvocationOperation or IObjectCreationOperation or IAwaitOperation or IDynamicInvocationOperation
                        or IDynamicMemberReferenceOperation or IDynamicObjectCreationOperation)
                    {
                        mayThrow = true;
                        if (node is IInvocationOperation && _ownCalls.Contains(syntax))
                        {
                            ownCall = syntax;
                        }
                    }
                }

                if (acquire)
                {
                    events.Add((EventKind.Acquire, null));
                }
                else if (release != null)
                {
                    events.Add((EventKind.Release, release));
                    _releasesInBlock[blockIndex] = true;
                }
                else if (reassign)
                {
                    events.Add((EventKind.Reassign, reassignNode));
                }
                else if (mayThrow)
                {
                    events.Add((EventKind.MayThrow, ownCall));
                }
            }

            _events[blockIndex] = events;
            return events;
        }
    }
}
