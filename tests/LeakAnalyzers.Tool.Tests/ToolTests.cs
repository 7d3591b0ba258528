using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;
using Xunit;
using Xunit.Abstractions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace LeakAnalyzers.Tool.Tests
{
    [AttributeUsage(AttributeTargets.Assembly)]
    public sealed class RepositoryRootAttribute(string path) : Attribute
    {
        public string Path { get; } = path;
    }

    public class ToolTests
    {
        private static readonly string Root = typeof(ToolTests).Assembly.GetCustomAttribute<RepositoryRootAttribute>()!.Path;
        private static readonly string Sample = Path.Combine(Root, "samples", "OrderService");
        private static readonly string SampleDll = Path.Combine(Sample, "bin", "Debug", "net10.0", "OrderService.dll");
        private static readonly string SampleSarif = Path.Combine(Sample, "obj", "OrderService.sarif");
        private readonly ITestOutputHelper output;

        public ToolTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        private async Task<(int Exit, string Out, string Err)> Leakcheck(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await Program.RunAsync(args, stdout, stderr, CancellationToken.None);
            output.WriteLine($"leakcheck {string.Join(" ", args)} -> {exit}\n{stdout}\n{stderr}");
            return (exit, stdout.ToString(), stderr.ToString());
        }

        [Fact]
        public async Task ScanOfTheSampleFindsEveryRuleInstanceAndWritesSarif()
        {
            var sarif = Path.Combine(Path.GetTempPath(), "leakcheck-" + Guid.NewGuid().ToString("N") + ".sarif");
            var (exit, stdout, _) = await Leakcheck("scan", Path.Combine(Sample, "OrderService.csproj"), "--sarif", sarif);
            Assert.Equal(1, exit);
            Assert.Contains("Orders.cs:84: Static collection 'RequestHistory.History'", stdout);
            Assert.Contains("LEAK002", stdout);
            Assert.Contains("total", stdout);

            var findings = SarifFindings.Load(sarif);
            File.Delete(sarif);
            Assert.Contains(findings, f => f.RuleId == "LEAK001" && f.TypeMetadataName == "OrderService.RequestHistory" && f.MemberName == "History");
        }

        [Fact]
        public async Task RulesOptionFiltersAndUnknownRulesAreUsageErrors()
        {
            var (exit, stdout, _) = await Leakcheck("scan", Path.Combine(Sample, "OrderService.csproj"), "--rules", "LEAK010");
            Assert.Equal(1, exit);
            Assert.Contains("LEAK010", stdout);
            Assert.DoesNotContain("LEAK001", stdout);

            var (bad, _, error) = await Leakcheck("scan", Sample, "--rules", "LEAK999");
            Assert.Equal(2, bad);
            Assert.Contains("unknown rule(s): LEAK999", error);
        }

        [Fact]
        public async Task ScanFixRewritesTheFilesAndTheFixedProjectCompilesClean()
        {
            var copy = Directory.CreateTempSubdirectory("leakcheck-fix-").FullName;
            foreach (var file in Directory.GetFiles(Sample, "*.cs"))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            File.Copy(Path.Combine(Sample, ".editorconfig"), Path.Combine(copy, ".editorconfig"));
            File.WriteAllText(Path.Combine(copy, "Copy.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>
                </Project>
                """);

            var (exit, stdout, _) = await Leakcheck("scan", copy, "--fix");
            Assert.Equal(0, exit);
            Assert.Matches(@"Applied [1-9][0-9]* fix\(es\)", stdout);
            Assert.Contains("No leaks found", stdout);

            using var build = Process.Start(new ProcessStartInfo("dotnet", "build") { WorkingDirectory = copy, RedirectStandardOutput = true, UseShellExecute = false })!;
            var log = await build.StandardOutput.ReadToEndAsync();
            await build.WaitForExitAsync();
            Assert.True(build.ExitCode == 0, log);
            Directory.Delete(copy, recursive: true);
        }

        [Fact]
        public async Task LooseFilesFolderIsScannedAsAnAdHocProject()
        {
            var folder = Directory.CreateTempSubdirectory("leakcheck-loose-").FullName;
            File.WriteAllText(Path.Combine(folder, "Log.cs"), """
                using System.Collections.Generic;
                public static class Log
                {
                    private static readonly List<string> Lines = new();
                    public static void Write(string line) => Lines.Add(line);
                }
                """);
            var (exit, stdout, _) = await Leakcheck("scan", folder);
            Directory.Delete(folder, recursive: true);
            Assert.Equal(1, exit);
            Assert.Contains("Log.Lines", stdout);
        }

        [Theory]
        [InlineData(new[] { "scan", "/no/such/place" }, "no such file or folder")]
        [InlineData(new[] { "scan" }, "Required argument missing")]
        [InlineData(new[] { "frobnicate" }, "Unrecognized command")]
        [InlineData(new[] { "watch", "--pid", "999999" }, "no process with id 999999")]
        [InlineData(new[] { "watch", "--pid", "1", "--interval", "soon" }, "--interval: 'soon' is not a duration")]
        [InlineData(new[] { "watch", "--pid", "1", "--max-pause", "lots" }, "--max-pause: 'lots' is not a share of time")]
        [InlineData(new[] { "watch", "--pid", "1", "--max-pause", "150%" }, "at most 100%")]
        public async Task BadInputGivesAClearMessageAndExitCode2(string[] args, string message)
        {
            var (exit, stdout, error) = await Leakcheck(args);
            Assert.Equal(2, exit);
            Assert.Contains(message, error + stdout, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("   at ", error);
        }

        [Fact]
        public void ReportPathsAreRelativeToTheSolutionOrElseTheProject()
        {
            Assert.Equal(Path.Combine("samples", "OrderService", "Orders.cs"), LeakAnalyzers.Tool.Watch.HtmlReport.RelativePath(Path.Combine(Sample, "Orders.cs")));
            var folder = Directory.CreateTempSubdirectory("leakcheck-paths-").FullName;
            Directory.CreateDirectory(Path.Combine(folder, "src"));
            File.WriteAllText(Path.Combine(folder, "App.sln"), string.Empty);
            File.WriteAllText(Path.Combine(folder, "src", "App.csproj"), "<Project />");
            Assert.Equal(Path.Combine("src", "Cache.cs"), LeakAnalyzers.Tool.Watch.HtmlReport.RelativePath(Path.Combine(folder, "src", "Cache.cs")));
            Directory.Delete(folder, recursive: true);
            Assert.Equal("/nowhere/x.cs", LeakAnalyzers.Tool.Watch.HtmlReport.RelativePath("/nowhere/x.cs"));
        }

        [Fact]
        public async Task HelpDocumentsTheExitCodes()
        {
            var (exit, stdout, _) = await Leakcheck("watch", "--help");
            Assert.Equal(0, exit);
            Assert.Contains("3 inconclusive", stdout);
            Assert.Contains("--max-pause", stdout);
        }

        [Fact]
        public async Task ScanOfAFileThatIsNotASolutionOrProject()
        {
            var file = Path.GetTempFileName();
            var (exit, _, error) = await Leakcheck("scan", file);
            File.Delete(file);
            Assert.Equal(2, exit);
            Assert.Contains("is not a solution", error);
        }

        [Fact]
        public async Task ABrokenProjectShowsMsBuildsErrors()
        {
            var folder = Directory.CreateTempSubdirectory("leakcheck-broken-").FullName;
            File.WriteAllText(Path.Combine(folder, "Broken.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup>");
            var (exit, _, error) = await Leakcheck("scan", folder);
            Directory.Delete(folder, recursive: true);
            Assert.Equal(2, exit);
            Assert.Contains("MSBuild", error);
        }

        [Fact]
        public async Task NonDotNetProcessAndMalformedSarifAreRejected()
        {
            using var sleeper = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
            try
            {
                var (exit, _, error) = await Leakcheck("watch", "--pid", sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(2, exit);
                Assert.Contains("is not a .NET process", error);
            }
            finally
            {
                sleeper.Kill();
            }

            var bad = Path.GetTempFileName();
            File.WriteAllText(bad, "{ this is not json");
            var (runExit, _, runError) = await Leakcheck("run", "--findings", bad, "--duration", "2s", "--", "dotnet", SampleDll);
            File.Delete(bad);
            Assert.Equal(2, runExit);
            Assert.Contains("not valid JSON", runError);
        }

        [Fact]
        public async Task RunConfirmsTheSampleLeaksAndNotItsFixedMode()
        {
            var report = Path.Combine(Path.GetTempPath(), "leakcheck-" + Guid.NewGuid().ToString("N") + ".html");
            var (leaky, leakyOut, _) = await Leakcheck("run", "--findings", SampleSarif, "--duration", "8s", "--interval", "500ms", "--limit", "2GB", "--report", report, "--verbose",
                "--", "dotnet", SampleDll, "--forever", "--delay-ms", "2");
            Assert.Equal(1, leaky);
            Assert.Contains("Live heap: Leaking", leakyOut);
            Assert.Contains("RequestHistory.History: Confirmed", leakyOut);
            Assert.Contains("CustomerLabels.Labels: Confirmed", leakyOut);
            Assert.Contains("reaches 2.0 GB in", leakyOut);
            Assert.Contains("Verdict: LEAK (exit code 1)", leakyOut);

            // Each induced sample says how long the target was paused for it (from its GC events), and the total is within the budget.
            Assert.Matches(@"induced, target paused \d+ ms", leakyOut);
            Assert.Matches(@"Pause: (\d+ induced collection\(s\), target paused \d+ ms median, \d+ ms max per sample, \d+ ms in all = \d+\.\d% of wall time \(budget 5%\)|no collection induced)", leakyOut);

            // Paths are relative to the sample's solution; the report is drawn, and its headline is on the first screen.
            Assert.Contains("[samples/OrderService/Orders.cs:84]", leakyOut);
            Assert.True(File.Exists(report));
            var dom = Browser.AssertChartsDrawn(report, minimumCharts: 3, output);
            Assert.Contains("LEAK001 samples/OrderService/Orders.cs:84", dom);
            Assert.DoesNotContain(Sample + "/Orders.cs", dom);
            Assert.Contains("no data", dom);
            Browser.AssertLeakHeadlineVisibleWithoutScrolling(report, output);
            File.Delete(report);

            var (fixedExit, fixedOut, _) = await Leakcheck("run", "--findings", SampleSarif, "--duration", "8s", "--interval", "500ms",
                "--", "dotnet", SampleDll, "--forever", "--delay-ms", "2", "--mode", "fixed");
            Assert.Equal(0, fixedExit);
            Assert.DoesNotContain("Confirmed", fixedOut);
            Assert.Contains("Verdict: no leak (exit code 0)", fixedOut);
        }

        [Theory]
        [InlineData("3s", "1s")]
        [InlineData("4s", "1h")]
        public async Task TooFewSamplesNeverExit0(string duration, string interval)
        {
            // A strictly rising heap, but too few samples for a verdict: exit code 3 and the minimum duration, never 0.
            var (exit, stdout, error) = await Leakcheck("run", "--findings", SampleSarif, "--duration", duration, "--interval", interval,
                "--", "dotnet", SampleDll, "--forever", "--delay-ms", "2");
            Assert.Equal(3, exit);
            Assert.Contains("INCONCLUSIVE (exit code 3)", stdout);
            Assert.Matches(@"a verdict needs at least 8\. .* watch for at least \d+ s", error);
            Assert.Contains("NotEnoughSamples", stdout);
            Assert.DoesNotContain("NotConfirmed", stdout);
        }

        [Fact]
        public async Task AProcessThatExitsMidWatchKeepsWhatWasCollected()
        {
            var report = Path.Combine(Path.GetTempPath(), "leakcheck-" + Guid.NewGuid().ToString("N") + ".html");
            var (exit, stdout, error) = await Leakcheck("run", "--duration", "60s", "--interval", "250ms", "--report", report,
                "--", "dotnet", SampleDll, "--requests", "3000", "--delay-ms", "1");
            Assert.Contains("the process exited after", error);
            Assert.Contains("judging the", error);
            Assert.True(File.Exists(report), "the report is still written");
            Assert.Contains(exit, new[] { 1, 3 });
            Assert.Contains("Verdict:", stdout);
            File.Delete(report);
        }
    }
}
