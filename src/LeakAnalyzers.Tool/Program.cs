using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Tool.Scan;
using LeakAnalyzers.Tool.Watch;

namespace LeakAnalyzers.Tool
{
    /// <summary>Exit codes: 0 clean, 1 findings (scan) or a confirmed leak (watch/run), 2 usage, load or attach error.</summary>
    public static class Program
    {
        public const int Clean = 0;
        public const int Found = 1;
        public const int Error = 2;

        public static async Task<int> Main(string[] args)
        {
            try
            {
                return await RunAsync(args, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Never a stack trace: say what went wrong.
                Console.Error.WriteLine($"leakcheck: {e.GetType().Name}: {e.Message}");
                return Error;
            }
        }

        public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
        {
            var root = new RootCommand("leakcheck: find memory leaks in C# code and confirm them in a running process.");

            var scanPath = new Argument<string>("path") { Description = "A .sln/.slnx, a .csproj, or a folder (its solution or project, or loose .cs files)." };
            var scanSarif = new Option<string?>("--sarif") { Description = "Write the findings as SARIF 2.1 to this file." };
            var scanFix = new Option<bool>("--fix") { Description = "Apply the code fixes (Fix All) and write the files." };
            var scanRules = new Option<string?>("--rules") { Description = "Only these rules, e.g. LEAK001,LEAK003." };
            var scanNoRestore = new Option<bool>("--no-restore") { Description = "Do not run dotnet restore first (a project that is not restored is then an error, never 'no leaks')." };
            var scan = new Command("scan", "Run the LeakAnalyzers rules over a solution, project or folder.") { scanPath, scanSarif, scanFix, scanRules, scanNoRestore };
            scan.SetAction((result, ct) => new ScanCommand(output, error).RunAsync(
                result.GetValue(scanPath)!, result.GetValue(scanSarif), result.GetValue(scanFix), result.GetValue(scanRules), result.GetValue(scanNoRestore), ct));
            root.Subcommands.Add(scan);
            root.Subcommands.Add(RulesCommand.Create(output, error));

            var pid = new Option<int>("--pid") { Description = "The process to watch.", Required = true };
            var (findings, duration, interval, limit, report) = WatchOptions();
            var watch = new Command("watch", "Sample a running .NET process's live heap (and the fields its findings name) and judge the trend.") { pid, findings, duration, interval, limit, report };
            watch.SetAction((result, ct) => new WatchCommand(output, error).WatchAsync(
                result.GetValue(pid), Settings(result, findings, duration, interval, limit, report), ct));
            root.Subcommands.Add(watch);

            var (runFindings, runDuration, runInterval, runLimit, runReport) = WatchOptions();
            var command = new Argument<string[]>("command") { Description = "The program to start and watch (after --).", Arity = ArgumentArity.OneOrMore };
            var run = new Command("run", "Start a program, watch it like 'watch', stop it at the end.") { runFindings, runDuration, runInterval, runLimit, runReport, command };
            run.SetAction((result, ct) => new WatchCommand(output, error).RunAsync(
                result.GetValue(command)!, Settings(result, runFindings, runDuration, runInterval, runLimit, runReport), ct));
            root.Subcommands.Add(run);

            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var parseError in parsed.Errors)
                {
                    await error.WriteLineAsync($"leakcheck: {parseError.Message}").ConfigureAwait(false);
                }

                await error.WriteLineAsync("Run 'leakcheck --help' for usage.").ConfigureAwait(false);
                return Error;
            }

            try
            {
                return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
            }
            catch (UsageException e)
            {
                await error.WriteLineAsync($"leakcheck: {e.Message}").ConfigureAwait(false);
                return Error;
            }
        }

        private static (Option<string?> Findings, Option<string> Duration, Option<string> Interval, Option<string?> Limit, Option<string?> Report) WatchOptions()
            => (new Option<string?>("--findings") { Description = "SARIF from the build (-p:ErrorLog=...): also count the static fields its findings name." },
                new Option<string>("--duration") { Description = "How long to watch (e.g. 90s, 5m).", DefaultValueFactory = _ => "60s" },
                new Option<string>("--interval") { Description = "Time between samples (e.g. 2s, 500ms).", DefaultValueFactory = _ => "2s" },
                new Option<string?>("--limit") { Description = "Memory limit for the projection (e.g. 2GB)." },
                new Option<string?>("--report") { Description = "Write a self-contained HTML report with charts to this file." });

        private static WatchSettings Settings(ParseResult result, Option<string?> findings, Option<string> duration, Option<string> interval, Option<string?> limit, Option<string?> report)
            => new WatchSettings(
                result.GetValue(findings),
                Units.ParseDuration(result.GetValue(duration)!, "--duration"),
                Units.ParseDuration(result.GetValue(interval)!, "--interval"),
                result.GetValue(limit) is { } l ? Units.ParseBytes(l, "--limit") : null,
                result.GetValue(report));
    }
}
