using System;
using System.Collections.Generic;

namespace LeakAnalyzers.Runtime.Statistics
{
    /// <summary>
    /// The Theil–Sen estimator: the median of the slopes between every pair of samples. Robust to outliers (a stray GC
    /// or a one-off allocation moves it little) and, with Sen's confidence interval, honest about noise.
    /// </summary>
    public static class TheilSen
    {
        /// <summary>Slope per sample step (x = 0, 1, 2, ...).</summary>
        public static double Slope(IReadOnlyList<double> series)
        {
            var slopes = PairwiseSlopes(series);
            return slopes.Length == 0 ? 0 : Median(slopes);
        }

        /// <summary>Slope per unit of x, for samples taken at the times <paramref name="x"/> (not necessarily evenly spaced).</summary>
        public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> series)
        {
            var slopes = PairwiseSlopes(x, series);
            return slopes.Length == 0 ? 0 : Median(slopes);
        }

        /// <summary>The slope with Sen's confidence interval, given the variance of the Mann–Kendall S statistic.</summary>
        public static (double Slope, double Lower, double Upper) SlopeWithInterval(IReadOnlyList<double> series, double varianceOfS, double confidence = 0.95)
            => SlopeWithInterval(null, series, varianceOfS, confidence);

        /// <summary>The slope per unit of x with Sen's confidence interval; x = 0, 1, 2... when null.</summary>
        public static (double Slope, double Lower, double Upper) SlopeWithInterval(IReadOnlyList<double>? x, IReadOnlyList<double> series, double varianceOfS, double confidence = 0.95)
        {
            var slopes = PairwiseSlopes(x, series);
            if (slopes.Length == 0)
            {
                return (0, 0, 0);
            }

            Array.Sort(slopes);
            var slope = MedianOfSorted(slopes);
            var c = Normal.Quantile(1 - (1 - confidence) / 2) * Math.Sqrt(Math.Max(varianceOfS, 0));
            var n = slopes.Length;
            var lowerRank = (int)Math.Floor((n - c) / 2);
            var upperRank = (int)Math.Ceiling((n + c) / 2);
            var lower = slopes[Clamp(lowerRank - 1, n)];
            var upper = slopes[Clamp(upperRank, n)];
            return (slope, Math.Min(lower, slope), Math.Max(upper, slope));
        }

        /// <summary>The intercept that goes with the slope: the median of x_i − slope·i.</summary>
        public static double Intercept(IReadOnlyList<double> series, double slope) => Intercept(null, series, slope);

        /// <summary>The intercept at x = 0 that goes with the slope: the median of y_i − slope·x_i.</summary>
        public static double Intercept(IReadOnlyList<double>? x, IReadOnlyList<double> series, double slope)
        {
            var residuals = new double[series.Count];
            for (var i = 0; i < series.Count; i++)
            {
                residuals[i] = series[i] - slope * (x?[i] ?? i);
            }

            return series.Count == 0 ? 0 : Median(residuals);
        }

        private static double[] PairwiseSlopes(IReadOnlyList<double> series) => PairwiseSlopes(null, series);

        private static double[] PairwiseSlopes(IReadOnlyList<double>? x, IReadOnlyList<double> series)
        {
            var n = series.Count;
            var slopes = new List<double>(n * (n - 1) / 2);
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    var dx = x is null ? j - i : x[j] - x[i];
                    if (dx > 0)
                    {
                        slopes.Add((series[j] - series[i]) / dx);
                    }
                }
            }

            return slopes.ToArray();
        }

        internal static double Median(double[] values)
        {
            var copy = (double[])values.Clone();
            Array.Sort(copy);
            return MedianOfSorted(copy);
        }

        private static double MedianOfSorted(double[] sorted)
        {
            var n = sorted.Length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        }

        private static int Clamp(int index, int count) => Math.Max(0, Math.Min(count - 1, index));
    }
}
