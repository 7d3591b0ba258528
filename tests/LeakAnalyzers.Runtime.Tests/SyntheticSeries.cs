using System;
using System.Linq;

namespace LeakAnalyzers.Runtime.Tests
{
    /// <summary>Memory-like series with known truth, for judging the statistics.</summary>
    internal static class SyntheticSeries
    {
        public const double Kb = 1024;

        private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

        public static double[] LinearLeak(int n, double slope, double noise, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, n).Select(i => 50_000_000 + slope * i + noise * Gaussian(random)).ToArray();
        }

        public static double[] FillThenFlat(int n, double slope, int fillFor, double noise, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, n).Select(i => 50_000_000 + slope * Math.Min(i, fillFor) + noise * Gaussian(random)).ToArray();
        }

        public static double[] RandomWalk(int n, double step, int seed)
        {
            var random = new Random(seed);
            var value = 50_000_000.0;
            return Enumerable.Range(0, n).Select(_ => value += step * Gaussian(random)).ToArray();
        }

        public static double[] Sawtooth(int n, double slope, int period, double noise, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, n).Select(i => 50_000_000 + slope * (i % period) + noise * Gaussian(random)).ToArray();
        }

        public static double[] StartUpDrift(int n, double total, double timeConstant, double noise, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, n).Select(i => 50_000_000 + total * (1 - Math.Exp(-i / timeConstant)) + noise * Gaussian(random)).ToArray();
        }
    }
}
