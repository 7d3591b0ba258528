using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Tool.Heap;
using LeakAnalyzers.Tool.Scan;
using LeakAnalyzers.Tool.Watch;

namespace LeakAnalyzers.Tool
{
    /// <summary>
    /// Exit codes: 0 clean (for watch/run: no leak and enough samples to say so), 1 findings (scan) or a confirmed leak
    /// (watch/run), 2 usage, load or attach error, 3 inconclusive (watch/run: too few samples or a trend too noisy to call).
    /// </summary>
    public static class Program
    {
        public const int Clean = 0;
        public const int Found = 1;
        public const int Error = 2;
        public const int Inconclusive = 3;

        private const string ExitCodes = "Exit codes: 0 no leak (watch/run: and enough samples to say so), 1 findings (scan) or a confirmed leak, 2 usage or attach error, 3 inconclusive (too few samples or too noisy: watch longer).";

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
            var root = new RootCommand("leakcheck: find memory leaks in C# code and confirm them in a running process. " + ExitCodes);

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
            var watchOptions = WatchOptions();
            var watch = new Command("watch", "Sample a running .NET process's live heap (and the fields its findings name) and judge the trend. " + ExitCodes) { pid };
            watchOptions.AddTo(watch);
            watch.SetAction((result, ct) => new WatchCommand(output, error).WatchAsync(result.GetValue(pid), watchOptions.Settings(result), ct));
            root.Subcommands.Add(watch);

            var runOptions = WatchOptions();
            var command = new Argument<string[]>("command") { Description = "The program to start and watch (after --).", Arity = ArgumentArity.OneOrMore };
            var run = new Command("run", "Start a program, watch it like 'watch', stop it at the end. " + ExitCodes);
            runOptions.AddTo(run);
            run.Arguments.Add(command);
            run.SetAction((result, ct) => new WatchCommand(output, error).RunAsync(result.GetValue(command)!, runOptions.Settings(result), ct));
            root.Subcommands.Add(run);

            root.Subcommands.Add(SnapshotDiffCommand.Create(output, error));

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
                return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) }, cancellationToken).ConfigureAwait(false);
            }
            catch (UsageException e)
            {
                await error.WriteLineAsync($"leakcheck: {e.Message}").ConfigureAwait(false);
                return Error;
            }
        }

        private static WatchOptionSet WatchOptions() => new WatchOptionSet();

        /// <summary>The options watch and run share.</summary>
        private sealed class WatchOptionSet
        {
            private readonly Option<string?> _findings = new("--findings") { Description = "SARIF from the build (-p:ErrorLog=...): also count the static fields its findings name." };
            private readonly Option<string> _duration = new("--duration") { Description = "How long to watch (e.g. 90s, 5m).", DefaultValueFactory = _ => "60s" };
            private readonly Option<string> _interval = new("--interval") { Description = "Time between samples (e.g. 2s, 500ms).", DefaultValueFactory = _ => "2s" };
            private readonly Option<string?> _limit = new("--limit") { Description = "Memory limit for the projection (e.g. 2GB)." };
            private readonly Option<string?> _report = new("--report") { Description = "Write a self-contained HTML report with charts to this file." };
            private readonly Option<string> _maxPause = new("--max-pause") { Description = "Most of the target's wall time leakcheck may pause it for by inducing collections when the target runs none of its own (e.g. 5%, 0.02).", DefaultValueFactory = _ => "5%" };
            private readonly Option<bool> _verbose = new("--verbose") { Description = "Print each sample: its time, live heap and the target's pause for it." };
            private readonly RetentionOptions _retention = new();

            public void AddTo(Command command)
            {
                foreach (var option in new Option[] { _findings, _duration, _interval, _limit, _report, _maxPause, _verbose })
                {
                    command.Options.Add(option);
                }

                _retention.AddTo(command);
            }

            public WatchSettings Settings(ParseResult result)
                => new WatchSettings(
                    result.GetValue(_findings),
                    Units.ParseDuration(result.GetValue(_duration)!, "--duration"),
                    Units.ParseDuration(result.GetValue(_interval)!, "--interval"),
                    result.GetValue(_limit) is { } l ? Units.ParseBytes(l, "--limit") : null,
                    result.GetValue(_report),
                    Units.ParseShare(result.GetValue(_maxPause)!, "--max-pause"),
                    result.GetValue(_verbose))
                {
                    Retention = _retention.Settings(result),
                };
        }
    }
}
