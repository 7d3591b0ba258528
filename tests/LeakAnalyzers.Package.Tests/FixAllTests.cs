using System.IO;
using System.Linq;
using Xunit;

namespace LeakAnalyzers.Package.Tests
{
    /// <summary>
    /// Fix All as <c>dotnet format analyzers</c> applies it: one consumer with an instance of every rule (RuleInstances),
    /// formatted once for all rule ids, then each rule's fix checked in its file and the whole project built clean with
    /// every rule a warning (the All preset) and warnings as errors.
    /// </summary>
    public partial class PackageTests
    {
        private (string Dir, string Output) FixedConsumer() => fixture.Once("fixall", () =>
        {
            var dir = fixture.NewConsumer("fixall", properties: "<LeakAnalyzersMode>All</LeakAnalyzersMode>",
                files: RuleInstances.All.Select(i => (i.File, i.Source)), targetFrameworks: "net10.0", leaky: false);
            var ids = string.Join(" ", RuleInstances.All.Select(i => i.Rule));
            var format = ConsumerFixture.Run(dir, "dotnet", $"format analyzers Consumer.csproj --no-restore --diagnostics {ids} --severity info");
            Assert.True(format.ExitCode == 0, format.Output);
            return (dir, format.Output);
        });

        public static TheoryData<string> Rules()
        {
            var data = new TheoryData<string>();
            foreach (var instance in RuleInstances.All)
            {
                data.Add(instance.Rule);
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Rules))]
        public void DotnetFormatAppliesTheFixAllOfEveryRule(string rule)
        {
            var (dir, output) = FixedConsumer();
            var instance = RuleInstances.All.Single(i => i.Rule == rule);
            var text = File.ReadAllText(Path.Combine(dir, instance.File));
            Assert.True(text.Contains(instance.FixedFragment, System.StringComparison.Ordinal), $"{rule}: '{instance.FixedFragment}' not in the fixed {instance.File}:\n{text}\n\ndotnet format:\n{output}");
            Assert.DoesNotContain("Unable to fix " + rule, output);
        }

        [Fact]
        public void TheProjectFixedByDotnetFormatBuildsWithNoFindingLeft()
        {
            var (dir, output) = FixedConsumer();
            Assert.DoesNotContain("didn't return a Fix All action", output);
            var build = ConsumerFixture.Run(dir, "dotnet", "build --no-restore --no-incremental -warnaserror");
            Assert.True(build.ExitCode == 0, build.Output + "\n" + string.Join("\n", RuleInstances.All.Select(i => File.ReadAllText(Path.Combine(dir, i.File)))));
            Assert.DoesNotContain("LEAK0", build.Output);

            // LEAK005's second finding is returned on one path: disposed on the path that drops it, not by using.
            var leak005 = File.ReadAllText(Path.Combine(dir, "Leak005.cs"));
            Assert.Matches(@"stream\.Dispose\(\);\s+return null;", leak005);
            Assert.DoesNotContain("using var stream", leak005);
        }
    }
}
