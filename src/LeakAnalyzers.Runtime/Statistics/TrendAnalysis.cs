using System;
using System.Collections.Generic;
using System.Linq;

namespace LeakAnalyzers.Runtime.Statistics
{
    /// <summary>What a series says.</summary>
    public enum Verdict
    {
        /// <summary>A significant upward trend whose slope interval lies wholly above the minimum, or a significant slope of at least the minimum that still grows in the second half.</summary>
        Leaking,

        /// <summary>No trend that matters: flat, bounded, or growth below the minimum.</summary>
        NotLeaking,

        /// <summary>Too noisy to say: the slope reaches the minimum but the trend is not significant (more iterations help).</summary>
        Inconclusive,
    }

    /// <summary>How a series is judged.</summary>
    public sealed class TrendOptions
    {
        /// <summary>The smallest growth per sample that counts as a leak, in the series' unit (default 1024: 1 KB per iteration).</summary>
        public double MinimumSlope { get; set; } = 1024;

        /// <summary>Significance level of the one-sided Mann–Kendall test (default 0.01).</summary>
        public double Alpha { get; set; } = 0.01;

        /// <summary>Confidence of the slope interval (default 0.95).</summary>
        public double Confidence { get; set; } = 0.95;

        /// <summary>The second half must still grow by at least this share of the minimum slope (default 0.5), so a cache that fills to its bound and stays flat is not a leak.</summary>
        public double SecondHalfShare { get; set; } = 0.5;

        /// <summary>Significance the second half's own trend needs (default 0.05): a random walk rarely trends in both halves.</summary>
        public double SecondHalfAlpha { get; set; } = 0.05;
    }

    /// <summary>The trend of one series.</summary>
    public sealed class TrendResult
    {
        internal TrendResult(int count, double slope, double lower, double upper, double pValue, double secondHalfSlope, bool secondHalfGrowing, Verdict verdict, double intercept)
        {
            Count = count;
            Slope = slope;
            SlopeLower = lower;
            SlopeUpper = upper;
            PValue = pValue;
            SecondHalfSlope = secondHalfSlope;
            SecondHalfGrowing = secondHalfGrowing;
            Verdict = verdict;
            Intercept = intercept;
        }

        /// <summary>Number of samples judged.</summary>
        public int Count { get; }

        /// <summary>Theil–Sen slope per sample.</summary>
        public double Slope { get; }

        public double SlopeLower { get; }

        public double SlopeUpper { get; }

        /// <summary>One-sided Mann–Kendall p-value for growth (Hamed–Rao corrected).</summary>
        public double PValue { get; }

        public double SecondHalfSlope { get; }

        public bool SecondHalfGrowing { get; }

        public Verdict Verdict { get; }

        /// <summary>Theil–Sen intercept, for drawing the trend line.</summary>
        public double Intercept { get; }
    }

    /// <summary>Judges a series of samples: Theil–Sen slope with confidence interval, Mann–Kendall significance, sustained growth.</summary>
    public static class TrendAnalysis
    {
        public static TrendResult Analyze(IReadOnlyList<double> series, TrendOptions? options = null) => Analyze(null, series, options);

        /// <summary>
        /// Judges samples taken at the times <paramref name="x"/> (seconds, say: the slope and the minimum are then per
        /// second, from the samples' real spacing); x = 0, 1, 2... when null.
        /// </summary>
        public static TrendResult Analyze(IReadOnlyList<double>? x, IReadOnlyList<double> series, TrendOptions? options = null)
        {
            options ??= new TrendOptions();
            var keep = Enumerable.Range(0, series.Count).Where(i => !double.IsNaN(series[i]) && !double.IsInfinity(series[i]) && (x is null || !double.IsNaN(x[i]))).ToArray();
            var values = keep.Select(i => series[i]).ToArray();
            var times = keep.Select(i => x is null ? i : x[i]).ToArray();
            if (values.Length < 4)
            {
                return new TrendResult(values.Length, 0, 0, 0, 1, 0, false, Verdict.Inconclusive, values.Length > 0 ? values[0] : 0);
            }

            var test = MannKendall.Test(values);
            var (slope, lower, upper) = TheilSen.SlopeWithInterval(times, values, test.Variance, options.Confidence);
            var half = values.Skip(values.Length / 2).ToArray();
            var secondHalfSlope = TheilSen.Slope(times.Skip(values.Length / 2).ToArray(), half);
            var secondHalfTest = MannKendall.Test(half);
            var secondHalfGrowing = secondHalfSlope >= options.SecondHalfShare * options.MinimumSlope && secondHalfSlope > 0
                && secondHalfTest.PIncreasing < options.SecondHalfAlpha;
            var significant = test.PIncreasing < options.Alpha && slope > 0;

            // Persistent residuals look like a random walk, which trends by chance: then the steps themselves must
            // drift upward (their mean against their own spread), as a leak's steps do.
            var intercept = TheilSen.Intercept(times, values, slope);
            var pValue = test.PIncreasing;
            if (significant && ResidualAutocorrelation(times, values, slope, intercept) > 0.5)
            {
                var drift = DriftPValue(values);
                pValue = Math.Max(pValue, drift);
                significant = drift < options.Alpha;
            }

            Verdict verdict;
            if (significant && lower >= options.MinimumSlope)
            {
                // The whole interval is above the minimum: the slope decides, no secondary rule overturns it. A bound
                // reached later is told apart by sampling on (LeakProbe's adaptive window), not by discounting the growth seen.
                verdict = Verdict.Leaking;
            }
            else if (significant && slope >= options.MinimumSlope && secondHalfGrowing)
            {
                verdict = Verdict.Leaking;
            }
            else if (upper < options.MinimumSlope
                || slope < options.MinimumSlope && !significant
                || !secondHalfGrowing && secondHalfTest.PIncreasing > 0.2 && slope < options.MinimumSlope)
            {
                // Confidently below the minimum, or no trend worth the name, or grown and then flat (a bound reached).
                verdict = Verdict.NotLeaking;
            }
            else
            {
                verdict = Verdict.Inconclusive;
            }

            return new TrendResult(values.Length, slope, lower, upper, pValue, secondHalfSlope, secondHalfGrowing, verdict, intercept);
        }

        /// <summary>Lag-1 autocorrelation of the residuals around the Theil–Sen line.</summary>
        internal static double ResidualAutocorrelation(double[] times, double[] values, double slope, double intercept)
        {
            var n = values.Length;
            var residuals = new double[n];
            for (var i = 0; i < n; i++)
            {
                residuals[i] = values[i] - (intercept + slope * times[i]);
            }

            var mean = residuals.Average();
            double numerator = 0, denominator = 0;
            for (var i = 0; i < n; i++)
            {
                denominator += (residuals[i] - mean) * (residuals[i] - mean);
                if (i + 1 < n)
                {
                    numerator += (residuals[i] - mean) * (residuals[i + 1] - mean);
                }
            }

            return denominator > 0 ? numerator / denominator : 0;
        }

        /// <summary>One-sided p-value that the steps x[i+1] − x[i] have a positive mean (t statistic, normal approximation).</summary>
        internal static double DriftPValue(double[] values)
        {
            var steps = new double[values.Length - 1];
            for (var i = 0; i < steps.Length; i++)
            {
                steps[i] = values[i + 1] - values[i];
            }

            var mean = steps.Average();
            var variance = steps.Sum(d => (d - mean) * (d - mean)) / Math.Max(1, steps.Length - 1);
            if (variance <= 0)
            {
                return mean > 0 ? 0 : 1;
            }

            return 1 - Normal.Cdf(mean / Math.Sqrt(variance / steps.Length));
        }
    }
}
