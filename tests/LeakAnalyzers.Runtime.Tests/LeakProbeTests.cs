using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime.Statistics;
using Xunit;
using Xunit.Abstractions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace LeakAnalyzers.Runtime.Tests
{
    /// <summary>End to end: real leaking scenarios are confirmed, their fixed versions are not.</summary>
    public class LeakProbeTests
    {
        private const int Runs = 20;
        private readonly ITestOutputHelper output;

        public LeakProbeTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        public static TheoryData<string> Leaks() => new() { "StaticList", "Cache", "Events" };

        private static (Action Leak, Action Fixed, Action Reset) Scenario(string name) => name switch
        {
            "StaticList" => (Scenarios.StaticList.Leak, Scenarios.StaticList.Fixed, Scenarios.StaticList.Reset),
            "Cache" => (Scenarios.Cache.Leak, Scenarios.Cache.Fixed, Scenarios.Cache.Reset),
            _ => (Scenarios.Events.Leak, Scenarios.Events.Fixed, Scenarios.Events.Reset),
        };

        [Theory]
        [MemberData(nameof(Leaks))]
        public void LeakIsConfirmedAndItsFixIsNotOverRepeatedRuns(string name)
        {
            var (leak, fix, reset) = Scenario(name);
            var detected = 0;
            var falseAlarms = 0;
            var slopes = new double[Runs];
            for (var run = 0; run < Runs; run++)
            {
                reset();
                // One fixed window (the cap equal to it): these quiet leaks need no sampling on to be told from a bound.
                var report = LeakProbe.For(leak).MaxIterations(50).Run();
                slopes[run] = report.Heap.Trend.Slope;
                detected += report.Verdict == Verdict.Leaking ? 1 : 0;
                reset();
                falseAlarms += LeakProbe.For(fix).Run().Verdict == Verdict.Leaking ? 1 : 0;
            }

            reset();
            output.WriteLine($"{name}: detected {detected}/{Runs} (5 warm-up + one window of 50 iterations), false alarms {falseAlarms}/{Runs}, slope median {slopes.OrderBy(s => s).ElementAt(Runs / 2) / 1024:0.0} KB/iteration");
            Assert.Equal(Runs, detected);
            Assert.True(falseAlarms <= 1, $"{falseAlarms} false alarms in {Runs} runs");
        }

        [Fact]
        public void ShouldNotLeakExplainsTheGrowthWithProjectionAndSparkline()
        {
            Scenarios.StaticList.Reset();
            var report = LeakProbe.For(Scenarios.StaticList.Leak)
                .TrackMember(typeof(Scenarios.StaticList), "History")
                .IterationsPerSecond(100)
                .Run();
            Scenarios.StaticList.Reset();

            var error = Assert.Throws<LeakAssertionException>(report.ShouldNotLeak);
            output.WriteLine(error.Message);
            Assert.Contains("Live heap: +10.", error.Message);
            Assert.Contains("KB per iteration", error.Message);
            Assert.Contains("per hour", error.Message);
            Assert.Contains("per day", error.Message);
            Assert.Contains("Still growing after 400 iterations (the cap)", error.Message);
            Assert.Contains("Tracked 'History': +1 elements per iteration", error.Message);
            Assert.Contains("<- grows", error.Message);
            Assert.Contains("█", error.Message);
            report.ShouldLeak();
        }

        [Fact]
        public void ABoundedCacheThatFillsForLongerThanTheWindowIsSampledOnUntilItLevelsOff()
        {
            // 120 entries of 10 KB, a new key each iteration: it grows for the whole first window of 50, then stays flat.
            var cache = new Queue<byte[]>();
            var report = LeakProbe.For(() =>
            {
                cache.Enqueue(new byte[Scenarios.Payload]);
                if (cache.Count > 120)
                {
                    cache.Dequeue();
                }
            }).Run();
            output.WriteLine(report.Describe());
            Assert.Equal(Verdict.NotLeaking, report.Verdict);
            Assert.InRange(report.Iterations, 150, 399);
            Assert.False(report.StillGrowing);
            Assert.Contains("then levelled off", report.Describe());
        }

        [Fact]
        public void ALeakRunsToTheCapAndSaysItIsStillGrowing()
        {
            Scenarios.StaticList.Reset();
            var report = LeakProbe.For(Scenarios.StaticList.Leak).Iterations(20).MaxIterations(80).Run();
            Scenarios.StaticList.Reset();
            Assert.Equal(Verdict.Leaking, report.Verdict);
            Assert.Equal(80, report.Iterations);
            // The latest window of 20 decides; when other tests of this process make it too noisy to call, the probe judges
            // the second half of the samples at the cap instead (documented): either way a window, not the whole run.
            Assert.Contains(report.Heap.Judged, new[] { 20, 40 });
            Assert.True(report.StillGrowing);
            // At least what the scenario kept (after its warm-up); other tests of this process allocate too, so no upper bound.
            Assert.True(report.Heap.TotalGrowth >= 70 * Scenarios.Payload, $"grew {report.Heap.TotalGrowth} bytes");
            Assert.Contains("Still growing after 80 iterations (the cap)", report.Describe());
            Assert.DoesNotContain("per 1,000,000", report.Describe());
        }

        [Fact]
        public async Task AsyncScenarioAndShouldLeakOnAFixedScenarioThrows()
        {
            Scenarios.Cache.Reset();
            var report = await LeakProbe.For(async () =>
            {
                await Task.Yield();
                Scenarios.Cache.Fixed();
            }).Track("entries", () => Scenarios.Cache.Count).RunAsync();
            Scenarios.Cache.Reset();

            report.ShouldNotLeak();
            var error = Assert.Throws<LeakAssertionException>(report.ShouldLeak);
            Assert.Contains("Expected a leak", error.Message);
        }

        [Fact]
        public void EventSubscribersAreCountedThroughTheBackingDelegate()
        {
            Scenarios.Events.Reset();
            var report = LeakProbe.For(Scenarios.Events.Leak).TrackMember(typeof(Scenarios.Events), "Changed").Iterations(20).MaxIterations(20).Run();
            Scenarios.Events.Reset();
            var series = Assert.Single(report.Tracked);
            Assert.Equal(Enumerable.Range(6, 20).Select(i => (double)i), series.Samples);
        }

        [Fact]
        public void UnknownMembersAreRejectedClearly()
        {
            var error = Assert.Throws<ArgumentException>(() => LeakProbe.For(() => { }).TrackMember("No.Such.Type", "Field"));
            Assert.Contains("No.Such.Type", error.Message);
        }
    }
}
