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
        internal SeriesReport(string name, string unit, IReadOnlyList<double> samples, TrendResult trend, double baseline, bool contentsChanged = false)
        {
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

        public TrendResult Trend { get; }

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
        internal LeakReport(SeriesReport heap, IReadOnlyList<SeriesReport> tracked, int warmUp, double? iterationsPerSecond)
        {
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

        /// <summary>Leaking when the heap or a tracked value leaks; NotLeaking when all are stable; otherwise Inconclusive.</summary>
        public Verdict Verdict
        {
            get
            {
                var all = new[] { Heap }.Concat(Tracked).Select(s => s.Trend.Verdict).ToArray();
                return all.Contains(Verdict.Leaking) ? Verdict.Leaking : all.All(v => v == Verdict.NotLeaking) ? Verdict.NotLeaking : Verdict.Inconclusive;
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
                .Append(") over ").Append(t.Count).Append(" iterations after ").Append(WarmUp).Append(" warm-up: ").Append(t.Verdict).Append('\n');
            if (t.Slope > 0)
            {
                if (IterationsPerSecond is { } rate)
                {
                    text.Append("At ").Append(rate.ToString("0.##", c)).Append(" iterations/s that is ")
                        .Append(Projection.FormatBytes(Projection.GrowthOver(TimeSpan.FromHours(1), t.Slope, rate))).Append(" per hour, ")
                        .Append(Projection.FormatBytes(Projection.GrowthOver(TimeSpan.FromDays(1), t.Slope, rate))).Append(" per day, ")
                        .Append(Projection.FormatBytes(Projection.GrowthOver(TimeSpan.FromDays(30), t.Slope, rate))).Append(" per month.\n");
                }
                else
                {
                    text.Append("Per 1,000 iterations: ").Append(Projection.FormatBytes(t.Slope * 1_000))
                        .Append("; per 1,000,000: ").Append(Projection.FormatBytes(t.Slope * 1_000_000)).Append(".\n");
                }
            }

            text.Append("  ").Append(Heap.Sparkline).Append("  live heap\n");
            foreach (var series in Tracked)
            {
                text.Append("Tracked '").Append(series.Name).Append("': ").Append(Sign(series.Trend.Slope)).Append(series.Trend.Slope.ToString("0.###", c))
                    .Append(" elements per iteration (from ").Append(series.Samples.FirstOrDefault().ToString("0", c)).Append(" to ")
                    .Append(series.Samples.LastOrDefault().ToString("0", c)).Append("): ").Append(series.Trend.Verdict)
                    .Append(series.Trend.Verdict == Verdict.Leaking ? "  <- grows" : string.Empty).Append('\n')
                    .Append("  ").Append(series.Sparkline).Append("  ").Append(series.Name).Append('\n');
            }

            return text.ToString();
        }

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
