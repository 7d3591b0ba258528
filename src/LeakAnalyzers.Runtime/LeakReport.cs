using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LeakAnalyzers.Runtime.Statistics;

namespace LeakAnalyzers.Runtime
{
    /// <summary>One sampled series with its trend.</summary>
    public sealed class SeriesReport
    {
        internal SeriesReport(string name, string unit, IReadOnlyList<double> samples, TrendResult trend, double baseline, bool contentsChanged = false, int judged = -1)
        {
            Judged = judged < 0 ? samples.Count : judged;
            ContentsChanged = contentsChanged;
            Name = name;
            Unit = unit;
            Samples = samples;
            Trend = trend;
            Baseline = baseline;
        }

        public string Name { get; }

        /// <summary>"bytes" or "elements".</summary>
        public string Unit { get; }

        public IReadOnlyList<double> Samples { get; }

        /// <summary>The trend of the latest window (the last <see cref="Judged"/> samples), which the verdict is about.</summary>
        public TrendResult Trend { get; }

        /// <summary>How many of the latest samples <see cref="Trend"/> judges (the window; all of them unless the run sampled on).</summary>
        public int Judged { get; }

        /// <summary>Last sample minus first: what the series gained over the whole run.</summary>
        public double TotalGrowth => Samples.Count == 0 ? 0 : Samples[Samples.Count - 1] - Samples[0];

        /// <summary>The value before the first iteration (NaN for the heap).</summary>
        public double Baseline { get; }

        /// <summary>The collection's contents changed even if its count did not (a full, bounded collection rolling over).</summary>
        public bool ContentsChanged { get; }

        /// <summary>True when neither the count nor the contents changed from before the scenario to its end: the scenario did not touch it.</summary>
        public bool Untouched => !double.IsNaN(Baseline) && !ContentsChanged && Samples.All(s => s.Equals(Baseline));

        /// <summary>"▁▂▃▅▇": the series at a glance.</summary>
        public string Sparkline => Runtime.Sparkline.Render(Samples);
    }

    /// <summary>What a <see cref="LeakProbe"/> run measured, and the assertions on it.</summary>
    public sealed class LeakReport
    {
        internal LeakReport(SeriesReport heap, IReadOnlyList<SeriesReport> tracked, int warmUp, double? iterationsPerSecond, int maxIterations = int.MaxValue, double readingsPerSample = 1)
        {
            MaxIterations = maxIterations;
            ReadingsPerSample = readingsPerSample;
            Heap = heap;
            Tracked = tracked;
            WarmUp = warmUp;
            IterationsPerSecond = iterationsPerSecond;
        }

        /// <summary>Live managed heap after a full collection, per iteration.</summary>
        public SeriesReport Heap { get; }

        public IReadOnlyList<SeriesReport> Tracked { get; }

        public int WarmUp { get; }

        public double? IterationsPerSecond { get; }

        /// <summary>Sampled iterations (after the warm-up).</summary>
        public int Iterations => Heap.Samples.Count;

        /// <summary>The cap on sampled iterations this run had (see <see cref="LeakProbe.MaxIterations"/>).</summary>
        public int MaxIterations { get; }

        /// <summary>Average number of full-collection readings per heap sample (3 on a quiet process, up to 7 when other threads make them spread).</summary>
        public double ReadingsPerSample { get; }

        /// <summary>The run reached its cap with the latest window still growing: a leak, or a bound larger than the run.</summary>
        public bool StillGrowing => Verdict == Verdict.Leaking && Iterations >= MaxIterations && Iterations > Heap.Judged;

        /// <summary>
        /// Leaking when the heap or a tracked value leaks. Otherwise, when members are tracked they are the primary signal
        /// (their counts are exact, the heap is shared with every other thread): NotLeaking when all of them are stable and
        /// the heap is not Leaking. Without tracked members the heap decides. Inconclusive in every other case.
        /// </summary>
        public Verdict Verdict
        {
            get
            {
                var all = new[] { Heap }.Concat(Tracked).Select(s => s.Trend.Verdict).ToArray();
                if (all.Contains(Verdict.Leaking))
                {
                    return Verdict.Leaking;
                }

                if (Tracked.Count > 0)
                {
                    return Tracked.All(s => s.Trend.Verdict == Verdict.NotLeaking) ? Verdict.NotLeaking : Verdict.Inconclusive;
                }

                return Heap.Trend.Verdict;
            }
        }

        /// <summary>Throws <see cref="LeakAssertionException"/> unless the verdict is NotLeaking.</summary>
        public void ShouldNotLeak()
        {
            if (Verdict != Verdict.NotLeaking)
            {
                throw new LeakAssertionException((Verdict == Verdict.Leaking ? "Expected no leak, but memory grows.\n" : "Expected no leak, but the growth is inconclusive (run more iterations).\n") + Describe());
            }
        }

        /// <summary>Throws unless the verdict is Leaking: for tests that pin a known leak.</summary>
        public void ShouldLeak()
        {
            if (Verdict != Verdict.Leaking)
            {
                throw new LeakAssertionException("Expected a leak, but none was confirmed.\n" + Describe());
            }
        }

        /// <summary>The readable summary the assertions print.</summary>
        public string Describe()
        {
            var c = CultureInfo.InvariantCulture;
            var text = new StringBuilder();
            var t = Heap.Trend;
            text.Append("Live heap: ").Append(Sign(t.Slope)).Append(Projection.FormatBytes(t.Slope)).Append(" per iteration (95% CI ")
                .Append(Projection.FormatBytes(t.SlopeLower)).Append(" to ").Append(Projection.FormatBytes(t.SlopeUpper))
                .Append(", Mann-Kendall p = ").Append(t.PValue.ToString(t.PValue < 0.0001 ? "0.0e0" : "0.0000", c))
                .Append(") over ").Append(Window(Heap)).Append(" iterations after ").Append(WarmUp).Append(" warm-up: ").Append(t.Verdict).Append('\n');
            if (StillGrowing)
            {
                text.Append("Still growing after ").Append(Iterations).Append(" iterations (the cap): ").Append(Sign(Heap.TotalGrowth)).Append(Projection.FormatBytes(Heap.TotalGrowth))
                    .Append(" since the first sample. A bounded structure that fills for longer looks the same; raise MaxIterations to tell.\n");
            }
            else if (Iterations > Heap.Judged && t.Verdict == Verdict.NotLeaking && Heap.TotalGrowth > 0)
            {
                text.Append("Grew ").Append(Projection.FormatBytes(Heap.TotalGrowth)).Append(" over ").Append(Iterations).Append(" iterations, then levelled off: flat over the last ")
                    .Append(Heap.Judged).Append(" (a bound was reached).\n");
            }

            if (t.Slope > 0 && t.Verdict != Verdict.NotLeaking && IterationsPerSecond is { } rate)
            {
                text.Append("At ").Append(rate.ToString("0.##", c)).Append(" iterations/s that rate is ")
                    .Append(Projection.FormatBytes(Projection.GrowthOver(TimeSpan.FromHours(1), t.Slope, rate))).Append(" per hour, ")
                    .Append(Projection.FormatBytes(Projection.GrowthOver(TimeSpan.FromDays(1), t.Slope, rate))).Append(" per day for as long as it keeps growing.\n");
            }

            text.Append("  ").Append(Heap.Sparkline).Append("  live heap\n");
            foreach (var series in Tracked)
            {
                text.Append("Tracked '").Append(series.Name).Append("': ").Append(Sign(series.Trend.Slope)).Append(series.Trend.Slope.ToString("0.###", c))
                    .Append(" elements per iteration (from ").Append(series.Samples.FirstOrDefault().ToString("0", c)).Append(" to ")
                    .Append(series.Samples.LastOrDefault().ToString("0", c)).Append(", judged over ").Append(Window(series)).Append("): ").Append(series.Trend.Verdict)
                    .Append(series.Trend.Verdict == Verdict.Leaking ? "  <- grows" : string.Empty).Append('\n')
                    .Append("  ").Append(series.Sparkline).Append("  ").Append(series.Name).Append('\n');
            }

            if (Tracked.Count > 0 && t.Verdict == Verdict.Inconclusive && Verdict == Verdict.NotLeaking)
            {
                text.Append("Judged by the tracked members: the live heap alone is inconclusive (other threads, or growth below the floor).\n");
            }

            return text.ToString();
        }

        private static string Window(SeriesReport series)
            => series.Judged < series.Samples.Count
                ? "the last " + series.Judged.ToString(CultureInfo.InvariantCulture) + " of " + series.Samples.Count.ToString(CultureInfo.InvariantCulture)
                : series.Samples.Count.ToString(CultureInfo.InvariantCulture);

        public override string ToString() => Describe();

        private static string Sign(double value) => value > 0 ? "+" : string.Empty;
    }

    /// <summary>Thrown by <see cref="LeakReport.ShouldNotLeak"/> and <see cref="LeakReport.ShouldLeak"/>; test frameworks print the message.</summary>
    public sealed class LeakAssertionException : Exception
    {
        public LeakAssertionException(string message)
            : base(message)
        {
        }

        public LeakAssertionException()
        {
        }

        public LeakAssertionException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }

    /// <summary>A one-line text chart of a series.</summary>
    public static class Sparkline
    {
        private const string Bars = "▁▂▃▄▅▆▇█";

        public static string Render(IReadOnlyList<double> values, int width = 40)
        {
            var finite = values.Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).ToArray();
            if (finite.Length == 0)
            {
                return string.Empty;
            }

            var buckets = Math.Min(width, finite.Length);
            var min = finite.Min();
            var max = finite.Max();
            var text = new StringBuilder(buckets);
            for (var b = 0; b < buckets; b++)
            {
                var from = b * finite.Length / buckets;
                var to = Math.Max(from + 1, (b + 1) * finite.Length / buckets);
                var mean = finite.Skip(from).Take(to - from).Average();
                var level = max > min ? (int)Math.Round((mean - min) / (max - min) * (Bars.Length - 1)) : 0;
                text.Append(Bars[level]);
            }

            return text.ToString();
        }
    }
}
