using System;
using System.Diagnostics;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>Budgets and sizes of the heap analysis (the defaults are what docs/tool.md states).</summary>
    public sealed class RetentionBudget
    {
        /// <summary>Top growing types to find paths for.</summary>
        public int TopTypes { get; init; } = 5;

        /// <summary>Path groups printed per type.</summary>
        public int PathsPerType { get; init; } = 3;

        /// <summary>The path search visits at most this many objects...</summary>
        public long MaxPathObjects { get; init; } = 10_000_000;

        /// <summary>...and spends at most this long.</summary>
        public TimeSpan MaxPathTime { get; init; } = TimeSpan.FromSeconds(60);
    }

    /// <summary>Reads one dump: the live objects per type, and, given the first snapshot, the diff and the paths of the top growing types.</summary>
    public static class SnapshotAnalysis
    {
        public static (HeapSummary Summary, HeapDiff? Diff, PathSearchStats? Search) Analyze(string dumpPath, HeapSummary? first, RetentionBudget budget)
        {
            var clock = Stopwatch.StartNew();
            using var dump = DumpHeap.Open(dumpPath);
            var opened = clock.Elapsed;
            _ = dump.Roots;
            var rooted = clock.Elapsed;
            var summary = dump.Summarize(keepIdentities: first is null, previous: first);
            var marked = clock.Elapsed;
            HeapDiff? diff = null;
            PathSearchStats? search = null;
            if (first is not null)
            {
                diff = HeapDiff.Compute(first, summary, summary.Survivors);
                search = RetentionPaths.Find(dump, diff.Top(budget.TopTypes), diff, budget.MaxPathObjects, budget.MaxPathTime, budget.PathsPerType);
            }

            summary.AnalysisTime = clock.Elapsed;
            summary.Phases = $"open {opened.TotalSeconds:0.00} s, roots {(rooted - opened).TotalSeconds:0.00} s, marking {(marked - rooted).TotalSeconds:0.00} s, paths {(clock.Elapsed - marked).TotalSeconds:0.00} s ({search?.Visited ?? 0:#,0} objects visited)";
            return (summary, diff, search);
        }
    }
}
