using System.Linq;
using LeakAnalyzers.Runtime.Statistics;
using Xunit;
using static LeakAnalyzers.Runtime.Tests.SyntheticSeries;

namespace LeakAnalyzers.Runtime.Tests
{
    public class StatisticsTests
    {
        private const int Seeds = 20;

        [Fact]
        public void TheilSenIgnoresOutliers()
        {
            var series = Enumerable.Range(0, 30).Select(i => 100.0 + 5 * i).ToArray();
            series[7] = 10_000;
            series[21] = -10_000;
            Assert.Equal(5, TheilSen.Slope(series), 6);
        }

        [Fact]
        public void MannKendallMatchesHandComputedStatistic()
        {
            // Pairs: (1,3)+ (1,2)+ (1,4)+ (3,2)- (3,4)+ (2,4)+ => S = 4; Var = 4*3*13/18 = 8.667
            var result = MannKendall.Test(new[] { 1.0, 3, 2, 4 });
            Assert.Equal(4, result.S);
            Assert.Equal(4 * 3 * 13 / 18.0, result.Variance, 6);
            Assert.True(result.PIncreasing > 0.05);
        }

        [Fact]
        public void LinearLeakIsLeakingWithTheRightSlope()
        {
            for (var seed = 0; seed < Seeds; seed++)
            {
                var result = TrendAnalysis.Analyze(LinearLeak(50, 10 * Kb, 2 * Kb, seed));
                Assert.Equal(Verdict.Leaking, result.Verdict);
                Assert.InRange(result.Slope, 9.5 * Kb, 10.5 * Kb);
                Assert.True(result.SlopeLower <= result.Slope && result.Slope <= result.SlopeUpper);
            }
        }

        [Fact]
        public void LeakUnderNoiseTwentyFiveTimesLargerIsFoundWithin100Samples()
        {
            var found = Enumerable.Range(0, Seeds).Count(seed => TrendAnalysis.Analyze(LinearLeak(100, 10 * Kb, 250 * Kb, seed)).Verdict == Verdict.Leaking);
            Assert.Equal(Seeds, found);
        }

        [Fact]
        public void CacheThatFillsToItsBoundThenStaysFlatIsNotALeak()
        {
            var alarms = Enumerable.Range(0, Seeds).Count(seed => TrendAnalysis.Analyze(FillThenFlat(100, 20 * Kb, 30, 2 * Kb, seed)).Verdict == Verdict.Leaking);
            Assert.True(alarms <= 1, $"{alarms} false alarms in {Seeds}");
        }

        [Fact]
        public void RandomWalkOfSizesIsNotALeak()
        {
            var alarms = Enumerable.Range(0, Seeds).Count(seed => TrendAnalysis.Analyze(RandomWalk(100, 20 * Kb, seed)).Verdict == Verdict.Leaking);
            Assert.True(alarms <= 1, $"{alarms} false alarms in {Seeds}");
        }

        [Fact]
        public void SawtoothFromPeriodicClearsIsNotALeak()
        {
            var alarms = Enumerable.Range(0, Seeds).Count(seed => TrendAnalysis.Analyze(Sawtooth(100, 10 * Kb, 10, 2 * Kb, seed)).Verdict == Verdict.Leaking);
            Assert.True(alarms <= 1, $"{alarms} false alarms in {Seeds}");
        }

        [Fact]
        public void StartUpDriftThatSettlesIsNotALeak()
        {
            var alarms = Enumerable.Range(0, Seeds).Count(seed => TrendAnalysis.Analyze(StartUpDrift(100, 2_000 * Kb, 8, 4 * Kb, seed)).Verdict == Verdict.Leaking);
            Assert.True(alarms <= 1, $"{alarms} false alarms in {Seeds}");
        }

        [Fact]
        public void FlatNoiseIsNotLeaking()
        {
            var verdicts = Enumerable.Range(0, Seeds).Select(seed => TrendAnalysis.Analyze(LinearLeak(50, 0, 5 * Kb, seed)).Verdict).ToArray();
            Assert.True(verdicts.Count(v => v == Verdict.Leaking) <= 1);
            Assert.True(verdicts.Count(v => v == Verdict.NotLeaking) >= Seeds - 2);
        }

        [Fact]
        public void GrowthBelowTheMinimumIsNotALeak()
        {
            var result = TrendAnalysis.Analyze(LinearLeak(60, 100, 10, 1));
            Assert.Equal(Verdict.NotLeaking, result.Verdict);
            Assert.True(result.PValue < 0.01, "the trend itself is significant");
        }

        [Fact]
        public void ASlopeWhoseIntervalIsWhollyAboveTheMinimumIsNeverOverturnedByTheSecondHalfRule()
        {
            // Growth of 20 KB/sample for 30 samples, then flat for 20: the second half alone shows no trend, but the whole
            // window's slope interval is above the minimum. The window is Leaking; telling a bound that was reached is the
            // adaptive window's job (LeakProbe samples on and judges the latest window), not a rule that discounts growth.
            var series = FillThenFlat(50, 20 * Kb, 30, 0.5 * Kb, 3);
            var result = TrendAnalysis.Analyze(series);
            Assert.False(result.SecondHalfGrowing, "precondition: the second-half rule would say flat");
            Assert.True(result.SlopeLower >= 1024, $"precondition: the interval is above the minimum ({result.SlopeLower})");
            Assert.Equal(Verdict.Leaking, result.Verdict);
        }

        [Fact]
        public void SlopesComeFromTheSamplesRealTimestamps()
        {
            // 1 MB per second, sampled at uneven times (late samples under load): the slope is per second, not per sample.
            var times = new[] { 0, 1.4, 2.1, 4.5, 5.0, 7.3, 8.1, 9.9, 12.0, 12.6 };
            var values = times.Select(t => 10_000_000 + 1024 * Kb * t).ToArray();
            var result = TrendAnalysis.Analyze(times, values, new TrendOptions { MinimumSlope = Kb });
            Assert.Equal(1024 * Kb, result.Slope, 3);
            Assert.Equal(Verdict.Leaking, result.Verdict);
            Assert.NotEqual(1024 * Kb, TrendAnalysis.Analyze(values).Slope, 3);
        }

        [Fact]
        public void TooFewSamplesAreInconclusive()
        {
            Assert.Equal(Verdict.Inconclusive, TrendAnalysis.Analyze(new[] { 1.0, 2.0, 3.0 }).Verdict);
        }

        [Fact]
        public void ProjectionGivesTimeToExhaustion()
        {
            // 9.8 KB per request at 10 requests/s, from 200 MB to a 2 GB limit: 1848 MB / 98 KB/s = 5.4 hours.
            var time = Projection.TimeToExhaustion(9.8 * Kb, 10, 200 * Kb * Kb, 2048 * Kb * Kb);
            Assert.NotNull(time);
            Assert.InRange(time!.Value.TotalHours, 5.3, 5.4);
            Assert.Null(Projection.TimeToExhaustion(0, 10, 0, 1));
            Assert.Equal("9.8 KB", Projection.FormatBytes(9.8 * Kb));
            Assert.Equal("5 hours", Projection.FormatDuration(time.Value));
        }
    }
}
