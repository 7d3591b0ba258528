using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;
using Xunit;
using Xunit.Abstractions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace OrderService.Tests
{
    [AttributeUsage(AttributeTargets.Assembly)]
    public sealed class SarifPathAttribute(string path) : Attribute
    {
        public string Path { get; } = path;
    }

    /// <summary>
    /// The sample's build writes its findings to obj/OrderService.sarif (ErrorLog). These tests run the service's request
    /// pipeline in-process and ask the runtime companion which of those findings really grow.
    /// </summary>
    public class LeakTests
    {
        private static readonly string Sarif = typeof(LeakTests).Assembly.GetCustomAttribute<SarifPathAttribute>()!.Path;
        private readonly ITestOutputHelper output;

        public LeakTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        [Fact]
        public async Task LeakyPipelineConfirmsTheHistoryAndCacheFindings()
        {
            var pipeline = new LeakyPipeline();
            var orders = new OrderGenerator(seed: 7);
            var results = await FindingConfirmation.ConfirmAsync(Sarif, () =>
            {
                pipeline.Handle(orders.Next());
                return Task.CompletedTask;
            });

            foreach (var result in results)
            {
                output.WriteLine(result.ToString());
            }

            Assert.Equal(ConfirmationStatus.Confirmed, results.Single(r => r.Finding.MemberName == "History").Status);
            Assert.Equal(ConfirmationStatus.Confirmed, results.Single(r => r.Finding.MemberName == "Labels").Status);
        }

        [Fact]
        public void LeakyPipelineGrowsTheHeap()
        {
            var pipeline = new LeakyPipeline();
            var orders = new OrderGenerator(seed: 8);
            var report = LeakProbe.For(() => pipeline.Handle(orders.Next())).IterationsPerSecond(100).Run();
            output.WriteLine(report.Describe());
            report.ShouldLeak();
        }

        [Fact]
        public void FixedPipelineDoesNotLeakAndItsBoundedHistoryIsNotConfirmed()
        {
            var pipeline = new FixedPipeline();
            var orders = new OrderGenerator(seed: 9);

            // Warm up past the bounds (256 entries) so that the window shows the steady state, not the fill.
            var report = LeakProbe.For(() => pipeline.Handle(orders.Next())).WarmUp(600).Iterations(100).Run();
            output.WriteLine(report.Describe());
            report.ShouldNotLeak();

            var results = FindingConfirmation.Confirm(
                new[] { new SarifFinding("LEAK001", "bounded history", null, 0, "OrderService.RecentRequests", "Entries", "OrderService") },
                () => pipeline.Handle(orders.Next()),
                probe => probe.WarmUp(300));
            Assert.Equal(ConfirmationStatus.NotConfirmed, Assert.Single(results).Status);
        }
    }
}
