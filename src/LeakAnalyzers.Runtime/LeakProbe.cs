using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime.Statistics;

namespace LeakAnalyzers.Runtime
{
    /// <summary>
    /// Runs a scenario many times and samples, after each iteration, the live managed heap
    /// (<c>GC.GetTotalMemory(forceFullCollection: true)</c>: the signal that separates a leak from allocation churn) and any
    /// tracked values; warm-up samples are discarded. <c>LeakProbe.For(iteration).Track(...).Run()</c>.
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

        /// <summary>Sampled iterations (default 50; 100 or more for noisy scenarios).</summary>
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

            var heap = new double[_iterations];
            var tracked = new double[_tracked.Count][];
            for (var t = 0; t < tracked.Length; t++)
            {
                tracked[t] = new double[_iterations];
            }

            for (var i = 0; i < _iterations; i++)
            {
                await _iteration().ConfigureAwait(false);
                heap[i] = GC.GetTotalMemory(forceFullCollection: true);
                for (var t = 0; t < tracked.Length; t++)
                {
                    tracked[t][i] = _tracked[t].Read();
                    changed[t] |= _tracked[t].Fingerprint is { } fingerprint && fingerprint() != fingerprints[t];
                }
            }

            var heapSeries = new SeriesReport("live heap", "bytes", heap, TrendAnalysis.Analyze(heap, new TrendOptions { MinimumSlope = _minimumGrowth }), baseline: double.NaN);
            var trackedSeries = new List<SeriesReport>();
            for (var t = 0; t < tracked.Length; t++)
            {
                trackedSeries.Add(new SeriesReport(_tracked[t].Name, "elements", tracked[t], TrendAnalysis.Analyze(tracked[t], new TrendOptions { MinimumSlope = _minimumCountGrowth }), baseline[t], changed[t]));
            }

            return new LeakReport(heapSeries, trackedSeries, _warmUp, _iterationsPerSecond);
        }
    }
}
