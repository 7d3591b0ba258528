using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using LeakAnalyzers.Runtime.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace LeakAnalyzers.Runtime.Tests
{
    /// <summary>
    /// The probe in a process that looks like a server: another thread allocates and drops garbage all the time, under
    /// workstation and server GC (each in a child process of this assembly, so the GC mode can be set). docs/runtime.md
    /// gives the 20-run figures (bench/runtime/ProbeScenarios); these runs are fewer, to keep CI short.
    /// </summary>
    public class ConcurrencyTests
    {
        private readonly ITestOutputHelper output;

        public ConcurrencyTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void LeakIsFoundWhileAnotherThreadAllocates(bool serverGc)
        {
            var verdicts = Probe("leak", 3, serverGc);
            Assert.All(verdicts, v => Assert.Equal(Verdict.Leaking, v));
        }

        [Theory]
        [InlineData("steady", 10, false)]
        [InlineData("steady", 10, true)]
        [InlineData("queue", 10, false)]
        [InlineData("queue", 10, true)]
        [InlineData("lru", 3, false)]
        [InlineData("lru", 3, true)]
        public void NoLeakRaisesAtMostOneFalseAlarmWhileAnotherThreadAllocates(string scenario, int runs, bool serverGc)
        {
            var verdicts = Probe(scenario, runs, serverGc);
            var alarms = verdicts.Count(v => v == Verdict.Leaking);
            Assert.True(alarms <= 1, $"{alarms} false alarms in {runs} runs");
            Assert.True(verdicts.Count(v => v == Verdict.NotLeaking) >= runs - 1, string.Join(", ", verdicts));
        }

        private List<Verdict> Probe(string scenario, int runs, bool serverGc)
        {
            var assembly = typeof(ConcurrencyTests).Assembly.Location;
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(Path.ChangeExtension(assembly, ".runtimeconfig.json"));
            info.ArgumentList.Add("--depsfile");
            info.ArgumentList.Add(Path.ChangeExtension(assembly, ".deps.json"));
            info.ArgumentList.Add(assembly);
            info.ArgumentList.Add("probe");
            info.ArgumentList.Add(scenario);
            info.ArgumentList.Add(runs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            info.Environment["DOTNET_gcServer"] = serverGc ? "1" : "0";
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            var lines = new List<string>();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                lines.Add(line);
            }

            process.WaitForExit();
            output.WriteLine(string.Join("\n", lines) + error.Result);
            Assert.Equal(0, process.ExitCode);
            Assert.Equal(serverGc ? "gc server" : "gc workstation", lines.FirstOrDefault());
            var verdicts = lines.Where(l => l.StartsWith("run ", StringComparison.Ordinal)).Select(l => Enum.Parse<Verdict>(l.Split(' ')[1])).ToList();
            Assert.Equal(runs, verdicts.Count);
            return verdicts;
        }
    }
}
