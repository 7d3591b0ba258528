using System;
using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary><c>leakcheck snapshot-diff a.dmp b.dmp</c>: what grew between two dumps taken by other means, and who holds it.</summary>
    public static class SnapshotDiffCommand
    {
        public static Command Create(TextWriter output, TextWriter error)
        {
            var first = new Argument<string>("first") { Description = "The earlier dump (with the heap: dotnet-dump collect --type Heap, or createdump)." };
            var second = new Argument<string>("second") { Description = "The later dump of the same process." };
            var findings = new Option<string?>("--findings") { Description = "SARIF from the build: name the LEAK finding on a member that holds the growth." };
            var source = new Option<string?>("--source") { Description = "A solution, project or folder: print the file:line of the members that hold the growth (and scan it for findings)." };
            var top = new Option<int>("--top") { Description = "How many of the top growing types get their paths.", DefaultValueFactory = _ => 5 };
            var command = new Command("snapshot-diff", "Diff two heap dumps of one process by type and show who holds the growth (the dumps are left as they are). Exit codes: 0 nothing grew, 1 something grew, 2 a file that cannot be read.")
            {
                first, second, findings, source, top,
            };
            command.SetAction((result, ct) => RunAsync(output, error, result.GetValue(first)!, result.GetValue(second)!, result.GetValue(findings), result.GetValue(source), result.GetValue(top), ct));
            return command;
        }

        public static async Task<int> RunAsync(TextWriter output, TextWriter error, string first, string second, string? findings, string? source, int top, CancellationToken cancellationToken)
        {
            var map = await RetentionOptions.LoadMapAsync(findings, source, error, cancellationToken).ConfigureAwait(false);
            if (map is null)
            {
                return Program.Error;
            }

            try
            {
                var budget = new RetentionBudget { TopTypes = Math.Max(1, top) };
                var (before, _, _) = SnapshotAnalysis.Analyze(first, null, budget);
                var (after, diff, search) = SnapshotAnalysis.Analyze(second, before, budget);
                var report = new RetentionReport(diff!, diff!.Top(budget.TopTypes), search, map);
                foreach (var line in report.Lines())
                {
                    await output.WriteLineAsync(line).ConfigureAwait(false);
                }

                await output.WriteLineAsync($"Read in {before.AnalysisTime.TotalSeconds:0.0} s ({before.Phases}) and {after.AnalysisTime.TotalSeconds:0.0} s ({after.Phases}).").ConfigureAwait(false);
                return diff.PositiveGrowth > 0 ? Program.Found : Program.Clean;
            }
            catch (SnapshotException e)
            {
                await error.WriteLineAsync($"leakcheck: {e.Message}").ConfigureAwait(false);
                return Program.Error;
            }
        }
    }
}
