using System;
using System.Collections.Generic;
using System.Linq;

namespace LeakAnalyzers.Runtime.Statistics
{
    /// <summary>The result of a Mann–Kendall trend test.</summary>
    public sealed class MannKendallResult
    {
        internal MannKendallResult(double s, double variance, double correction, double z, double pIncreasing)
        {
            S = s;
            Variance = variance;
            Correction = correction;
            Z = z;
            PIncreasing = pIncreasing;
        }

        /// <summary>Σ sign(x_j − x_i) over all pairs i &lt; j.</summary>
        public double S { get; }

        /// <summary>Variance of S, ties accounted for and corrected for autocorrelation.</summary>
        public double Variance { get; }

        /// <summary>The Hamed–Rao factor n/n* the variance was multiplied by (1 when the ranks are not autocorrelated).</summary>
        public double Correction { get; }

        public double Z { get; }

        /// <summary>One-sided p-value for an increasing trend.</summary>
        public double PIncreasing { get; }
    }

    /// <summary>
    /// The Mann–Kendall test for a monotonic trend, with the Hamed–Rao (1998) variance correction for autocorrelated
    /// series: memory samples are autocorrelated (a cache that fills keeps its entries), and the plain test would see
    /// trends in random walks.
    /// </summary>
    public static class MannKendall
    {
        public static MannKendallResult Test(IReadOnlyList<double> series)
        {
            var n = series.Count;
            if (n < 3)
            {
                return new MannKendallResult(0, 0, 1, 0, 1);
            }

            double s = 0;
            for (var i = 0; i < n - 1; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    s += Math.Sign(series[j] - series[i]);
                }
            }

            var variance = n * (n - 1.0) * (2 * n + 5);
            foreach (var group in series.GroupBy(x => x))
            {
                var t = group.Count();
                if (t > 1)
                {
                    variance -= t * (t - 1.0) * (2 * t + 5);
                }
            }

            variance /= 18;
            var correction = HamedRaoCorrection(series);
            variance *= correction;
            if (variance <= 0)
            {
                return new MannKendallResult(s, 0, correction, 0, s > 0 ? 0 : 1);
            }

            var z = s > 0 ? (s - 1) / Math.Sqrt(variance) : s < 0 ? (s + 1) / Math.Sqrt(variance) : 0;
            return new MannKendallResult(s, variance, correction, z, 1 - Normal.Cdf(z));
        }

        /// <summary>n/n*: 1 + 2/(n(n−1)(n−2)) Σ (n−k)(n−k−1)(n−k−2) ρ_k over the significant lag-k autocorrelations of the detrended ranks; never below 1.</summary>
        private static double HamedRaoCorrection(IReadOnlyList<double> series)
        {
            var n = series.Count;
            var slope = TheilSen.Slope(series);
            var detrended = new double[n];
            for (var i = 0; i < n; i++)
            {
                detrended[i] = series[i] - slope * i;
            }

            var ranks = Ranks(detrended);
            var mean = ranks.Average();
            double denominator = 0;
            for (var i = 0; i < n; i++)
            {
                denominator += (ranks[i] - mean) * (ranks[i] - mean);
            }

            if (denominator <= 0)
            {
                return 1;
            }

            var bound = Normal.Quantile(0.975) / Math.Sqrt(n);
            double sum = 0;
            for (var k = 1; k < n - 2; k++)
            {
                double numerator = 0;
                for (var i = 0; i < n - k; i++)
                {
                    numerator += (ranks[i] - mean) * (ranks[i + k] - mean);
                }

                var rho = numerator / denominator;
                if (Math.Abs(rho) > bound)
                {
                    sum += (n - k) * (n - k - 1.0) * (n - k - 2.0) * rho;
                }
            }

            var correction = 1 + 2 / (n * (n - 1.0) * (n - 2.0)) * sum;
            return Math.Max(1, correction);
        }

        private static double[] Ranks(double[] values)
        {
            var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
            var ranks = new double[values.Length];
            for (var i = 0; i < order.Length;)
            {
                var j = i;
                while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]])
                {
                    j++;
                }

                var rank = (i + j) / 2.0 + 1;
                for (var k = i; k <= j; k++)
                {
                    ranks[order[k]] = rank;
                }

                i = j + 1;
            }

            return ranks;
        }
    }
}
