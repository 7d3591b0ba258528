using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime.Statistics;

namespace LeakAnalyzers.Runtime
{
    /// <summary>
    /// Runs a scenario many times and samples, after each iteration, the live managed heap (the bytes that survive full
    /// blocking collections, the smallest of several readings: the signal that separates a leak from allocation churn,
    /// robust to other threads' garbage) and any tracked values; warm-up samples are discarded. While the latest window
    /// still grows it samples on, up to <see cref="MaxIterations"/>. <c>LeakProbe.For(iteration).Track(...).Run()</c>.
    /// </summary>
    public sealed class LeakProbe
    {
        private readonly Func<Task> _iteration;
        private readonly List<(string Name, Func<double> Read, Func<int>? Fingerprint)> _tracked = new List<(string, Func<double>, Func<int>?)>();
        private int _warmUp = 5;
        private int _iterations = 50;
        private double _minimumGrowth = 1024;
        private double _minimumCountGrowth = 0.5;
        private double? _iterationsPerSecond;
        private int? _maxIterations;

        private LeakProbe(Func<Task> iteration)
        {
            _iteration = iteration;
        }

        /// <summary>A synchronous scenario: one iteration is one request, one message, one page view...</summary>
        public static LeakProbe For(Action iteration)
        {
            if (iteration is null)
            {
                throw new ArgumentNullException(nameof(iteration));
            }

            return new LeakProbe(() =>
            {
                iteration();
                return Task.CompletedTask;
            });
        }

        /// <summary>An asynchronous scenario.</summary>
        public static LeakProbe For(Func<Task> iteration) => new LeakProbe(iteration ?? throw new ArgumentNullException(nameof(iteration)));

        /// <summary>Iterations run before sampling starts (default 5): JIT, static initialisation and first-use caches settle.</summary>
        public LeakProbe WarmUp(int iterations)
        {
            _warmUp = Math.Max(0, iterations);
            return this;
        }

        /// <summary>The window: sampled iterations judged at a time (default 50; 100 or more for noisy scenarios). See <see cref="MaxIterations"/>.</summary>
        public LeakProbe Iterations(int iterations)
        {
            _iterations = Math.Max(4, iterations);
            return this;
        }

        /// <summary>The heap growth per iteration that counts as a leak (default 1024 bytes).</summary>
        public LeakProbe MinimumGrowth(double bytesPerIteration)
        {
            _minimumGrowth = bytesPerIteration;
            return this;
        }

        /// <summary>The element growth per iteration of a tracked value that counts as a leak (default 0.5).</summary>
        public LeakProbe MinimumCountGrowth(double elementsPerIteration)
        {
            _minimumCountGrowth = elementsPerIteration;
            return this;
        }

        /// <summary>The production rate, for projections in the report ("3.4 GB per day").</summary>
        public LeakProbe IterationsPerSecond(double rate)
        {
            _iterationsPerSecond = rate;
            return this;
        }

        /// <summary>Samples any value after each iteration, e.g. <c>Track("History", () => Cache.History.Count)</c>.</summary>
        public LeakProbe Track(string name, Func<double> read)
        {
            _tracked.Add((name, read ?? throw new ArgumentNullException(nameof(read)), null));
            return this;
        }

        /// <summary>Tracks a member found by <see cref="MemberCounter"/>: its count, and whether its contents change.</summary>
        public LeakProbe Track(string name, MemberCounter counter)
        {
            _tracked.Add((name, (counter ?? throw new ArgumentNullException(nameof(counter))).Read, counter.Fingerprint));
            return this;
        }

        /// <summary>Tracks a static collection or event by reflection: its element or handler count.</summary>
        public LeakProbe TrackMember(Type type, string memberName)
        {
            var counter = MemberCounter.TryCreate(type, memberName) ?? throw new ArgumentException($"{type.FullName} has no static or singleton member '{memberName}' that can be counted.", nameof(memberName));
            return Track(memberName, counter);
        }

        /// <summary>Tracks the member a finding names: <c>TrackMember("Shop.RequestLog", "History")</c>.</summary>
        public LeakProbe TrackMember(string typeMetadataName, string memberName)
        {
            var counter = MemberCounter.TryCreate(typeMetadataName, memberName) ?? throw new ArgumentException($"No loaded type '{typeMetadataName}' with a countable member '{memberName}'.", nameof(typeMetadataName));
            return Track(memberName, counter);
        }

        /// <summary>
        /// The most iterations a run samples when growth is seen (default 8 × <see cref="Iterations"/>): while the latest
        /// window still grows, sampling goes on in steps of half a window, so that a bounded structure that fills during the
        /// first window (a cache, an LRU, a queue) is seen to level off. A run that reaches the cap still growing reports
        /// "still growing after N iterations". Set it equal to <see cref="Iterations"/> to judge one fixed window.
        /// </summary>
        public LeakProbe MaxIterations(int iterations)
        {
            _maxIterations = Math.Max(4, iterations);
            return this;
        }

        public LeakReport Run() => RunAsync().GetAwaiter().GetResult();

        public async Task<LeakReport> RunAsync()
        {
            var baseline = new double[_tracked.Count];
            var fingerprints = new int[_tracked.Count];
            var changed = new bool[_tracked.Count];
            for (var t = 0; t < _tracked.Count; t++)
            {
                baseline[t] = _tracked[t].Read();
                fingerprints[t] = _tracked[t].Fingerprint?.Invoke() ?? 0;
            }

            for (var i = 0; i < _warmUp; i++)
            {
                await _iteration().ConfigureAwait(false);
            }

            var window = _iterations;
            var cap = Math.Max(window, _maxIterations ?? 8 * window);
            var step = Math.Max(1, window / 2);
            var heap = new List<double>(window);
            var readings = new List<int>(window);
            var tracked = new List<double>[_tracked.Count];
            for (var t = 0; t < tracked.Length; t++)
            {
                tracked[t] = new List<double>(window);
            }

            var heapOptions = new TrendOptions { MinimumSlope = _minimumGrowth };
            var countOptions = new TrendOptions { MinimumSlope = _minimumCountGrowth };
            while (true)
            {
                await _iteration().ConfigureAwait(false);
                var (live, taken) = LiveHeap.Sample(_minimumGrowth / 2);
                heap.Add(live);
                readings.Add(taken);
                for (var t = 0; t < tracked.Length; t++)
                {
                    tracked[t].Add(_tracked[t].Read());
                    changed[t] |= _tracked[t].Fingerprint is { } fingerprint && fingerprint() != fingerprints[t];
                }

                var count = heap.Count;
                if (count < window || (count - window) % step != 0 && count < cap)
                {
                    continue;
                }

                // Judge the latest window; sample on while any series still grows in it.
                var growing = TrendAnalysis.Analyze(Last(heap, window), heapOptions).Verdict != Verdict.NotLeaking;
                for (var t = 0; t < tracked.Length && !growing; t++)
                {
                    growing = TrendAnalysis.Analyze(Last(tracked[t], window), countOptions).Verdict != Verdict.NotLeaking;
                }

                if (!growing || count >= cap)
                {
                    break;
                }
            }

            var heapSeries = Judge("live heap", "bytes", heap, heapOptions, window, cap, double.NaN, false);
            var trackedSeries = new List<SeriesReport>();
            for (var t = 0; t < tracked.Length; t++)
            {
                trackedSeries.Add(Judge(_tracked[t].Name, "elements", tracked[t], countOptions, window, cap, baseline[t], changed[t]));
            }

            return new LeakReport(heapSeries, trackedSeries, _warmUp, _iterationsPerSecond, cap, readings.Count == 0 ? 0 : readings.Average());
        }

        /// <summary>
        /// The latest window decides. At the cap, a window too noisy to call (Inconclusive) is judged again over the second
        /// half of the run: more samples, and still clear of a fill-up at the start.
        /// </summary>
        private static SeriesReport Judge(string name, string unit, List<double> samples, TrendOptions options, int window, int cap, double baseline, bool changed)
        {
            var judged = Math.Min(window, samples.Count);
            var trend = TrendAnalysis.Analyze(Last(samples, judged), options);
            if (trend.Verdict == Verdict.Inconclusive && samples.Count >= cap && samples.Count / 2 > judged)
            {
                judged = samples.Count / 2;
                trend = TrendAnalysis.Analyze(Last(samples, judged), options);
            }

            return new SeriesReport(name, unit, samples, trend, baseline, changed, judged);
        }

        private static double[] Last(List<double> values, int count)
        {
            var from = Math.Max(0, values.Count - count);
            var result = new double[values.Count - from];
            values.CopyTo(from, result, 0, result.Length);
            return result;
        }
    }

    /// <summary>
    /// The live managed heap as the scenario leaves it, robust to other threads: several full blocking collections, each
    /// read as the bytes that survived it, summarised by the minimum. Another thread's garbage in flight at the moment
    /// of a collection only ever adds to a reading, so the smallest of a few is the closest to what is really retained.
    /// </summary>
    internal static class LiveHeap
    {
        private const int MinimumReadings = 3;
        private const int MaximumReadings = 7;

        /// <summary>The minimum over 3 readings, or up to 7 when they spread by more than <paramref name="tolerance"/> bytes.</summary>
        public static (double Bytes, int Readings) Sample(double tolerance)
        {
            var best = double.MaxValue;
            var worst = double.MinValue;
            var taken = 0;
            while (taken < MaximumReadings && (taken < MinimumReadings || worst - best > tolerance))
            {
                if (taken > 0)
                {
                    // Let other threads move on, so that the next reading catches them elsewhere in their work.
                    System.Threading.Thread.Sleep(1);
                }

                var value = Reading(first: taken == 0);
                best = Math.Min(best, value);
                worst = Math.Max(worst, value);
                taken++;
            }

            return (best, taken);
        }

        private static double Reading(bool first)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            if (first)
            {
                // Objects kept only by finalizers go with the second collection.
                GC.WaitForPendingFinalizers();
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            }
#if NET
            // The bytes that survived this blocking full collection: unlike GetTotalMemory, nothing allocated after it.
            var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            if (info.Index > 0)
            {
                return info.PromotedBytes;
            }
#endif
            return GC.GetTotalMemory(forceFullCollection: false);
        }
    }
}
