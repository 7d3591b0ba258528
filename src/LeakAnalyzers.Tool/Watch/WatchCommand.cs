using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;
using LeakAnalyzers.Runtime.Statistics;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>One series watched over time, with its verdict.</summary>
    public sealed class WatchedSeries
    {
        public WatchedSeries(string name, string unit, SarifFinding? finding)
        {
            Name = name;
            Unit = unit;
            Finding = finding;
        }

        public string Name { get; }

        public string Unit { get; }

        public SarifFinding? Finding { get; }

        public List<double> Seconds { get; } = new();

        public List<double> Values { get; } = new();

        public TrendResult? Trend { get; set; }

        public string Status { get; set; } = "NotExercised";
    }

    /// <summary><c>leakcheck watch</c> and <c>leakcheck run</c>.</summary>
    public sealed class WatchCommand
    {
        private readonly TextWriter _output;
        private readonly TextWriter _error;

        public WatchCommand(TextWriter output, TextWriter error)
        {
            _output = output;
            _error = error;
        }

        public async Task<int> RunAsync(string[] command, WatchSettings settings, CancellationToken cancellationToken)
        {
            var findings = await LoadFindingsAsync(settings).ConfigureAwait(false);
            if (findings is null)
            {
                return Program.Error;
            }

            Process process;
            try
            {
                var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var argument in command.Skip(1))
                {
                    start.ArgumentList.Add(argument);
                }

                process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                await _error.WriteLineAsync($"leakcheck: cannot start '{command[0]}': {e.Message}").ConfigureAwait(false);
                return Program.Error;
            }

            using (process)
            {
                process.OutputDataReceived += (_, _) => { };
                process.ErrorDataReceived += (_, _) => { };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                try
                {
                    // The runtime publishes its diagnostics socket shortly after start.
                    var ready = Stopwatch.StartNew();
                    while (!DiagnosticsClient.GetPublishedProcesses().Contains(process.Id))
                    {
                        if (process.HasExited)
                        {
                            await _error.WriteLineAsync($"leakcheck: '{command[0]}' exited (code {process.ExitCode}) before it could be watched.").ConfigureAwait(false);
                            return Program.Error;
                        }

                        if (ready.Elapsed > TimeSpan.FromSeconds(15))
                        {
                            await _error.WriteLineAsync($"leakcheck: '{command[0]}' (pid {process.Id}) is not a .NET process, or its diagnostics are disabled (DOTNET_EnableDiagnostics=0).").ConfigureAwait(false);
                            return Program.Error;
                        }

                        await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                    }

                    return await WatchAsync(process.Id, settings, findings, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                        process.WaitForExit(5000);
                    }
                }
            }
        }

        public async Task<int> WatchAsync(int pid, WatchSettings settings, CancellationToken cancellationToken)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                await _error.WriteLineAsync($"leakcheck: no process with id {pid}.").ConfigureAwait(false);
                return Program.Error;
            }

            if (!DiagnosticsClient.GetPublishedProcesses().Contains(pid))
            {
                await _error.WriteLineAsync($"leakcheck: process {pid} is not a .NET process, or its diagnostics are disabled (DOTNET_EnableDiagnostics=0), or it runs as another user (run leakcheck as the same user or as root).").ConfigureAwait(false);
                return Program.Error;
            }

            var findings = await LoadFindingsAsync(settings).ConfigureAwait(false);
            return findings is null ? Program.Error : await WatchAsync(pid, settings, findings, cancellationToken).ConfigureAwait(false);
        }

        private async Task<IReadOnlyList<SarifFinding>?> LoadFindingsAsync(WatchSettings settings)
        {
            if (settings.Findings is null)
            {
                return Array.Empty<SarifFinding>();
            }

            try
            {
                var all = SarifFindings.Load(settings.Findings);
                var named = all.Where(f => f.NamesMember).ToList();
                if (named.Count == 0)
                {
                    await _error.WriteLineAsync($"leakcheck: {settings.Findings} has no LeakAnalyzers finding that names a field ({all.Count} LEAK finding(s) in all); watching the heap only.").ConfigureAwait(false);
                }

                return named;
            }
            catch (SarifFormatException e)
            {
                await _error.WriteLineAsync($"leakcheck: {e.Message}").ConfigureAwait(false);
                return null;
            }
        }

        private async Task<int> WatchAsync(int pid, WatchSettings settings, IReadOnlyList<SarifFinding> findings, CancellationToken cancellationToken)
        {
            var heap = new WatchedSeries("live heap", "bytes", null);
            var workingSet = new WatchedSeries("working set", "bytes", null);
            var fields = findings.Select(f => new WatchedSeries($"{f.TypeMetadataName}.{f.MemberName}", "elements", f)).ToList();
            var sampler = new HeapSampler(pid);
            var clock = Stopwatch.StartNew();
            var pauses = new List<double>();
            string? stopped = null;
            var fieldsReadable = findings.Count > 0;
            await _output.WriteLineAsync($"Watching process {pid} for {Projection.FormatDuration(settings.Duration)}, a sample every {settings.Interval.TotalSeconds:0.###} s{(findings.Count > 0 ? $", {findings.Count} finding(s)" : string.Empty)}.").ConfigureAwait(false);
            while (clock.Elapsed < settings.Duration)
            {
                var tick = clock.Elapsed;
                try
                {
                    using var process = Process.GetProcessById(pid);
                    if (process.HasExited)
                    {
                        stopped = $"the process exited after {clock.Elapsed.TotalSeconds:0} s";
                        break;
                    }

                    if (fieldsReadable)
                    {
                        try
                        {
                            var counts = await Task.Run(() => FieldCounter.Read(pid, findings), cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
                            foreach (var series in fields)
                            {
                                series.Seconds.Add(clock.Elapsed.TotalSeconds);
                                series.Values.Add(counts[series.Finding!]);
                            }
                        }
                        catch (Exception e) when (e is UnauthorizedAccessException or InvalidOperationException or IOException or Microsoft.Diagnostics.Runtime.ClrDiagnosticsException)
                        {
                            fieldsReadable = false;
                            await _error.WriteLineAsync($"leakcheck: cannot read the findings' fields ({e.Message}). Attaching needs ptrace: run leakcheck as the target's user or as root, with CAP_SYS_PTRACE in containers. Watching the heap only.").ConfigureAwait(false);
                        }
                    }

                    var pauseClock = Stopwatch.StartNew();
                    var live = await Task.Run(() => sampler.SampleAsync(cancellationToken), cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
                    pauses.Add(pauseClock.Elapsed.TotalMilliseconds);
                    process.Refresh();
                    var seconds = clock.Elapsed.TotalSeconds;
                    if (live is { } bytes)
                    {
                        heap.Seconds.Add(seconds);
                        heap.Values.Add(bytes);
                    }

                    workingSet.Seconds.Add(seconds);
                    workingSet.Values.Add(process.WorkingSet64);
                }
                catch (TimeoutException)
                {
                    stopped = $"the process stopped answering after {clock.Elapsed.TotalSeconds:0} s";
                    break;
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or ServerNotAvailableException or ServerErrorException or IOException or UnauthorizedAccessException)
                {
                    stopped = e is UnauthorizedAccessException || e.Message.Contains("ermission", StringComparison.Ordinal)
                        ? $"permission denied ({e.Message}): run leakcheck as the target's user or as root"
                        : e is ArgumentException || !ProcessIsRunning(pid)
                            ? $"the process exited after {clock.Elapsed.TotalSeconds:0} s"
                            : $"the process stopped answering after {clock.Elapsed.TotalSeconds:0} s ({e.Message})";
                    break;
                }

                var wait = settings.Interval - (clock.Elapsed - tick);
                if (wait > TimeSpan.Zero && clock.Elapsed + wait < settings.Duration)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
                else if (wait > TimeSpan.Zero)
                {
                    break;
                }
            }

            if (stopped is not null)
            {
                await _error.WriteLineAsync($"leakcheck: {stopped}; judging the {heap.Values.Count} sample(s) collected.").ConfigureAwait(false);
            }

            var interval = settings.Interval.TotalSeconds;
            heap.Trend = TrendAnalysis.Analyze(heap.Values, new TrendOptions { MinimumSlope = 1024 * interval });
            heap.Status = heap.Trend.Verdict.ToString();
            workingSet.Trend = TrendAnalysis.Analyze(workingSet.Values, new TrendOptions { MinimumSlope = 1024 * interval });
            workingSet.Status = "context";
            foreach (var series in fields)
            {
                series.Trend = TrendAnalysis.Analyze(series.Values, new TrendOptions { MinimumSlope = 0.5 });
                var finite = series.Values.Where(v => !double.IsNaN(v)).ToList();
                series.Status = finite.Count == 0 ? "NotExercised"
                    : finite.Distinct().Count() == 1 ? "NotExercised"
                    : series.Trend.Verdict == Verdict.Leaking ? "Confirmed"
                    : "NotConfirmed";
            }

            var confirmed = heap.Trend.Verdict == Verdict.Leaking || fields.Any(f => f.Status == "Confirmed");
            await PrintAsync(heap, workingSet, fields, settings, pauses).ConfigureAwait(false);
            if (settings.Report is not null)
            {
                HtmlReport.Write(settings.Report, pid, heap, workingSet, fields, settings, stopped);
                await _output.WriteLineAsync($"Report written to {settings.Report}.").ConfigureAwait(false);
            }

            return heap.Values.Count < 4 && stopped is not null ? Program.Error : confirmed ? Program.Found : Program.Clean;
        }

        private async Task PrintAsync(WatchedSeries heap, WatchedSeries workingSet, List<WatchedSeries> fields, WatchSettings settings, List<double> pauses)
        {
            var c = CultureInfo.InvariantCulture;
            var perSecond = heap.Trend!.Slope / settings.Interval.TotalSeconds;
            await _output.WriteLineAsync($"Live heap: {heap.Trend.Verdict}, {Sign(perSecond)}{Projection.FormatBytes(perSecond)}/s over {heap.Values.Count} samples (p = {heap.Trend.PValue.ToString("0.####", c)}), now {Projection.FormatBytes(heap.Values.LastOrDefault())}.").ConfigureAwait(false);
            if (perSecond > 0)
            {
                var line = $"  per hour {Projection.FormatBytes(perSecond * 3600)}, per day {Projection.FormatBytes(perSecond * 86400)}";
                if (settings.LimitBytes is { } limit && Projection.TimeToExhaustion(perSecond, 1, heap.Values.LastOrDefault(), limit) is { } until)
                {
                    line += $", reaches {Projection.FormatBytes(limit)} in {Projection.FormatDuration(until)}";
                }

                await _output.WriteLineAsync(line).ConfigureAwait(false);
            }

            await _output.WriteLineAsync($"  {Sparkline.Render(heap.Values)}  (working set {Projection.FormatBytes(workingSet.Values.LastOrDefault())}; median sampling pause {(pauses.Count > 0 ? pauses.OrderBy(p => p).ElementAt(pauses.Count / 2) : 0).ToString("0", c)} ms)").ConfigureAwait(false);
            foreach (var series in fields)
            {
                var rate = series.Trend!.Slope / settings.Interval.TotalSeconds;
                await _output.WriteLineAsync($"{series.Finding!.RuleId} {series.Name}: {series.Status}, {Sign(rate)}{rate.ToString("0.##", c)} elements/s ({(rate * 3600).ToString("0", c)}/hour), {series.Values.LastOrDefault().ToString("0", c)} now  {Sparkline.Render(series.Values)}  [{series.Finding.File}:{series.Finding.Line}]").ConfigureAwait(false);
            }
        }

        private static string Sign(double value) => value > 0 ? "+" : string.Empty;

        private static bool ProcessIsRunning(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}
