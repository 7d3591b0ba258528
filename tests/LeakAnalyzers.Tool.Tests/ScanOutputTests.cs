using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;
using Xunit;

namespace LeakAnalyzers.Tool.Tests
{
    /// <summary>What scan and rules print when their output is not a terminal (CI logs, pipes), and the SARIF error text.</summary>
    public class ScanOutputTests
    {
        private static readonly string Root = typeof(ScanOutputTests).Assembly.GetCustomAttribute<RepositoryRootAttribute>()!.Path;

        private static async Task<(int Exit, string Out, string Err)> Leakcheck(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await Program.RunAsync(args, stdout, stderr, CancellationToken.None);
            return (exit, stdout.ToString(), stderr.ToString());
        }

        [Fact]
        public async Task RedirectedScanOutputHasPlainHeadersAndOneLinePerFinding()
        {
            var (exit, stdout, stderr) = await Leakcheck("scan", Path.Combine(Root, "samples", "OrderService", "OrderService.csproj"), "--rules", "LEAK009");
            Assert.True(exit == 1, stdout + stderr);
            var lines = stdout.Replace("\r\n", "\n").Split('\n');
            Assert.Contains("LEAK009 Timer or token registration keeps its callback alive", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("──", StringComparison.Ordinal));

            // The longest message stays on its line, not wrapped at a fixed width.
            var finding = Assert.Single(lines, l => l.Contains("Events.cs:", StringComparison.Ordinal) && l.Contains("CancellationTokenRegistration", StringComparison.Ordinal));
            Assert.EndsWith("until the registration is disposed", finding.TrimEnd());
            Assert.True(finding.Length > 200, finding);
        }

        [Fact]
        public async Task RulesWithoutAPathListsEveryRuleWithItsDefaultSeverityAndTheOptions()
        {
            var (exit, stdout, _) = await Leakcheck("rules");
            Assert.Equal(0, exit);
            for (var i = 1; i <= 11; i++)
            {
                Assert.Contains($"LEAK{i:000}", stdout);
            }

            Assert.Matches(@"LEAK001 .* warning .* warning", stdout);
            Assert.Matches(@"LEAK010 .* suggestion .* suggestion", stdout);
            Assert.Contains("leak_analyzers.long_lived_types", stdout);
        }

        [Fact]
        public void MalformedSarifNamesOnePositionOneBased()
        {
            var error = Assert.Throws<SarifFormatException>(() => SarifFindings.Parse("{\n  this is not json", "bad.sarif"));
            Assert.Contains("bad.sarif is not valid JSON (line 2, column 3)", error.Message);
            Assert.DoesNotContain("LineNumber", error.Message);
        }
    }
}
