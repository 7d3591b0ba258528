using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>What a watch cost the target, from its GC events (suspension start to restart), not from leakcheck's own timing.</summary>
    public sealed class PauseSummary
    {
        public PauseSummary(IReadOnlyList<double> inducedPausesMs, double wallMs, double allPausesMs, int ownSamples, int skippedForBudget, double budgetShare)
        {
            InducedPausesMs = inducedPausesMs;
            WallMs = wallMs;
            AllPausesMs = allPausesMs;
            OwnSamples = ownSamples;
            SkippedForBudget = skippedForBudget;
            BudgetShare = budgetShare;
        }

        /// <summary>The target's pause for each collection leakcheck induced, in ms.</summary>
        public IReadOnlyList<double> InducedPausesMs { get; }

        public double WallMs { get; }

        /// <summary>Every GC suspension of the target during the watch (its own collections too), in ms.</summary>
        public double AllPausesMs { get; }

        /// <summary>Samples taken from the target's own gen-2 collections (free).</summary>
        public int OwnSamples { get; }

        /// <summary>Intervals without a sample because no gen-2 collection happened and inducing one would exceed the budget.</summary>
        public int SkippedForBudget { get; }

        public double BudgetShare { get; }

        public double InducedTotalMs => InducedPausesMs.Sum();

        /// <summary>Induced pause time as a share of the watch's wall time.</summary>
        public double InducedShare => WallMs > 0 ? InducedTotalMs / WallMs : 0;

        public string Describe()
        {
            var c = CultureInfo.InvariantCulture;
            var induced = InducedPausesMs.Count == 0
                ? "no collection induced"
                : $"{InducedPausesMs.Count} induced collection(s), target paused {Median().ToString("0", c)} ms median, {InducedPausesMs.Max().ToString("0", c)} ms max per sample, {InducedTotalMs.ToString("0", c)} ms in all = {(InducedShare * 100).ToString("0.0", c)}% of wall time (budget {(BudgetShare * 100).ToString("0.#", c)}%)";
            var skipped = SkippedForBudget > 0 ? $"; {SkippedForBudget} interval(s) skipped to stay in the budget" : string.Empty;
            return $"Pause: {induced}; {OwnSamples} sample(s) from the target's own gen-2 collections{skipped}; all GC pauses of the target {AllPausesMs.ToString("0", c)} ms.";
        }

        public double Median()
        {
            var sorted = InducedPausesMs.OrderBy(v => v).ToArray();
            return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
        }
    }
}
