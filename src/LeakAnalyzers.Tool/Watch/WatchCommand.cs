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

        /// <summary>Per heap sample: "gen2" (the target's own full collection) or "induced" (asked for by leakcheck).</summary>
        public List<string> Sources { get; } = new();

        /// <summary>Per heap sample: the target's pause for it in ms (0 for its own collections: leakcheck did not cause them).</summary>
        public List<double> PausesMs { get; } = new();

        public TrendResult? Trend { get; set; }

        /// <summary>Confirmed/NotConfirmed/NotExercised/NotEnoughSamples/Inconclusive for findings; Leaking/NotLeaking/Inconclusive/NotEnoughSamples for the heap.</summary>
        public string Status { get; set; } = "NotExercised";

        /// <summary>Growth per second (the trend's slope over the samples' real timestamps).</summary>
        public double PerSecond => Trend?.Slope ?? 0;
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

                        if (ready.Elapsed > TimeSpan.FromSeconds(60))
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

        /// <summary>The fewest samples a series needs for a verdict: with fewer, Mann–Kendall cannot reach p &lt; 0.01 even on a strictly rising series once corrected.</summary>
        public const int MinimumSamples = 8;

        private async Task<int> WatchAsync(int pid, WatchSettings settings, IReadOnlyList<SarifFinding> findings, CancellationToken cancellationToken)
        {
            var heap = new WatchedSeries("live heap", "bytes", null);
            var workingSet = new WatchedSeries("working set", "bytes", null);
            var fields = findings.Select(f => new WatchedSeries($"{f.TypeMetadataName}.{f.MemberName}", "elements", f)).ToList();
            string? stopped = null;
            var fieldsReadable = findings.Count > 0;
            var skippedForBudget = 0;
            GcMonitor monitor;
            try
            {
                monitor = new GcMonitor(pid);
            }
            catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or IOException or UnauthorizedAccessException or TimeoutException)
            {
                if (!ProcessIsRunning(pid))
                {
                    await _error.WriteLineAsync("leakcheck: the process exited after 0 s; judging the 0 sample(s) collected.").ConfigureAwait(false);
                    var none = Headline(Program.Inconclusive, heap, fields, settings.Interval.TotalSeconds);
                    await _output.WriteLineAsync(none).ConfigureAwait(false);
                    await _error.WriteLineAsync("leakcheck: " + none).ConfigureAwait(false);
                    return Program.Inconclusive;
                }

                await _error.WriteLineAsync($"leakcheck: cannot open a diagnostics session with process {pid} ({e.Message}).").ConfigureAwait(false);
                return Program.Error;
            }

            var clock = Stopwatch.StartNew();
            using (monitor)
            {
                await _output.WriteLineAsync($"Watching process {pid} for {Projection.FormatDuration(settings.Duration)}, a sample every {settings.Interval.TotalSeconds:0.###} s from the target's own gen-2 collections, or one induced when none happened (pause budget {settings.MaxPause * 100:0.#}% of wall time){(findings.Count > 0 ? $", {findings.Count} finding(s)" : string.Empty)}.").ConfigureAwait(false);
                var lastUsedGc = int.MinValue;
                var inducedPauses = new List<double>();
                var inducedPauseTotal = 0.0;
                var next = TimeSpan.Zero;
                while (clock.Elapsed < settings.Duration)
                {
                    if (next > clock.Elapsed)
                    {
                        // Wake at the next tick (or the end of the watch), or as soon as the target's event stream ends (it exited).
                        var until = next < settings.Duration ? next : settings.Duration;
                        if (until > clock.Elapsed)
                        {
                            await Task.WhenAny(Task.Delay(until - clock.Elapsed, cancellationToken), monitor.Ended).ConfigureAwait(false);
                        }

                        if (next >= settings.Duration && !monitor.Ended.IsCompleted)
                        {
                            break;
                        }
                    }

                    next += settings.Interval;
                    if (monitor.Ended.IsCompleted)
                    {
                        stopped = await WhyStoppedAsync(pid, clock, null).ConfigureAwait(false);
                        break;
                    }

                    try
                    {
                        using var process = Process.GetProcessById(pid);
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
                                if (!ProcessIsRunning(pid))
                                {
                                    throw new ArgumentException("exited", e);
                                }

                                fieldsReadable = false;
                                await _error.WriteLineAsync($"leakcheck: cannot read the findings' fields ({e.Message}). Attaching needs ptrace: run leakcheck as the target's user or as root, with CAP_SYS_PTRACE in containers. Watching the heap only.").ConfigureAwait(false);
                            }
                        }

                        // The target's own gen-2 collection since the last sample, if any: it costs the target nothing extra.
                        var own = monitor.Completed().LastOrDefault(c => c.Generation == 2 && c.Index > lastUsedGc && c.LiveBytes is not null);
                        GcRecord? sample = own;
                        if (sample is null)
                        {
                            var elapsedMs = clock.Elapsed.TotalMilliseconds;
                            var estimate = inducedPauses.Count > 0 ? Median(inducedPauses) : EstimatePauseMs(monitor.LastHeapBytes() ?? process.WorkingSet64);
                            if (inducedPauseTotal + estimate <= settings.MaxPause * (elapsedMs + settings.Interval.TotalMilliseconds))
                            {
                                sample = await monitor.InduceAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
                                if (sample is null)
                                {
                                    if (monitor.Ended.IsCompleted || !ProcessIsRunning(pid))
                                    {
                                        stopped = await WhyStoppedAsync(pid, clock, null).ConfigureAwait(false);
                                        break;
                                    }

                                    stopped = $"the process stopped answering after {clock.Elapsed.TotalSeconds:0} s (no collection within 20 s of asking for one)";
                                    break;
                                }

                                inducedPauses.Add(sample.PauseMs);
                                inducedPauseTotal += sample.PauseMs;
                            }
                            else
                            {
                                skippedForBudget++;
                            }
                        }

                        process.Refresh();
                        workingSet.Seconds.Add(clock.Elapsed.TotalSeconds);
                        workingSet.Values.Add(process.WorkingSet64);
                        if (sample is not null)
                        {
                            lastUsedGc = Math.Max(lastUsedGc, monitor.Completed().Where(c => c.Generation == 2).Select(c => c.Index).DefaultIfEmpty(sample.Index).Max());
                            var at = ((sample.End ?? sample.Start) - monitor.Started).TotalSeconds;
                            heap.Seconds.Add(Math.Max(0, at));
                            heap.Values.Add(sample.LiveBytes!.Value);
                            heap.Sources.Add(sample.Induced && sample != own ? "induced" : "gen2");
                            heap.PausesMs.Add(sample != own ? sample.PauseMs : 0);
                            if (settings.Verbose)
                            {
                                await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {at,6:0.0} s  live {Projection.FormatBytes(sample.LiveBytes.Value),9}  {(sample != own ? $"induced, target paused {sample.PauseMs:0} ms" : "the target's own gen-2 collection")}")).ConfigureAwait(false);
                            }
                        }
                    }
                    catch (TimeoutException)
                    {
                        stopped = $"the process stopped answering after {clock.Elapsed.TotalSeconds:0} s";
                        break;
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or ServerNotAvailableException or ServerErrorException or IOException or UnauthorizedAccessException)
                    {
                        stopped = await WhyStoppedAsync(pid, clock, e).ConfigureAwait(false);
                        break;
                    }
                }

                heap.Trend = TrendAnalysis.Analyze(heap.Seconds, heap.Values, new TrendOptions { MinimumSlope = HeapMinimumPerSecond });
                var wall = clock.Elapsed.TotalMilliseconds;
                Pauses = new PauseSummary(inducedPauses, wall, monitor.TotalPauseMs, heap.Sources.Count(x => x == "gen2"), skippedForBudget, settings.MaxPause);
            }

            if (stopped is not null)
            {
                await _error.WriteLineAsync($"leakcheck: {stopped}; judging the {heap.Values.Count} sample(s) collected.").ConfigureAwait(false);
            }

            heap.Status = heap.Values.Count < MinimumSamples ? "NotEnoughSamples" : heap.Trend!.Verdict.ToString();
            workingSet.Trend = TrendAnalysis.Analyze(workingSet.Seconds, workingSet.Values, new TrendOptions { MinimumSlope = HeapMinimumPerSecond });
            workingSet.Status = "context";
            foreach (var series in fields)
            {
                series.Trend = TrendAnalysis.Analyze(series.Seconds, series.Values, new TrendOptions { MinimumSlope = CountMinimumPerSecond });
                var finite = series.Values.Where(v => !double.IsNaN(v)).ToList();
                series.Status = finite.Count == 0 ? "NotExercised"
                    : finite.Count < MinimumSamples ? "NotEnoughSamples"
                    : finite.Distinct().Count() == 1 ? "NotExercised"
                    : series.Trend.Verdict == Verdict.Leaking ? "Confirmed"
                    : series.Trend.Verdict == Verdict.NotLeaking ? "NotConfirmed"
                    : "Inconclusive";
            }

            var exit = ExitCode(heap, fields);
            var spacing = heap.Seconds.Count > 1 ? (heap.Seconds[^1] - heap.Seconds[0]) / (heap.Seconds.Count - 1) : Math.Max(settings.Interval.TotalSeconds, clock.Elapsed.TotalSeconds);
            var verdict = Headline(exit, heap, fields, spacing);
            await PrintAsync(heap, workingSet, fields, settings).ConfigureAwait(false);
            await _output.WriteLineAsync(verdict).ConfigureAwait(false);
            if (exit == Program.Inconclusive)
            {
                await _error.WriteLineAsync("leakcheck: " + verdict).ConfigureAwait(false);
            }

            if (settings.Report is not null)
            {
                HtmlReport.Write(settings.Report, pid, heap, workingSet, fields, settings, stopped, exit, verdict, Pauses);
                await _output.WriteLineAsync($"Report written to {settings.Report}.").ConfigureAwait(false);
            }

            return exit;
        }

        /// <summary>The live heap's floor for a leak: 1 KB per second.</summary>
        public const double HeapMinimumPerSecond = 1024;

        /// <summary>A finding's floor: one element every two seconds.</summary>
        public const double CountMinimumPerSecond = 0.5;

        /// <summary>What the last watch cost the target (null before a watch).</summary>
        public PauseSummary? Pauses { get; private set; }

        /// <summary>1 a leak is confirmed; 0 no leak and enough samples to say so; 3 too few samples or an inconclusive trend.</summary>
        internal static int ExitCode(WatchedSeries heap, IReadOnlyList<WatchedSeries> fields)
        {
            if (heap.Status == "Leaking" || fields.Any(f => f.Status == "Confirmed"))
            {
                return Program.Found;
            }

            if (heap.Status != "NotLeaking" || fields.Any(f => f.Status is "NotEnoughSamples" or "Inconclusive"))
            {
                return Program.Inconclusive;
            }

            return Program.Clean;
        }

        private static string Headline(int exit, WatchedSeries heap, IReadOnlyList<WatchedSeries> fields, double spacingSeconds)
        {
            var c = CultureInfo.InvariantCulture;
            switch (exit)
            {
                case Program.Found:
                    var what = new List<string>();
                    if (heap.Status == "Leaking")
                    {
                        what.Add($"the live heap grows {Projection.FormatBytes(heap.PerSecond)}/s");
                    }

                    what.AddRange(fields.Where(f => f.Status == "Confirmed").Select(f => $"{f.Name} grows {f.PerSecond.ToString("0.##", c)} elements/s"));
                    return $"Verdict: LEAK (exit code 1): {string.Join("; ", what)}.";
                case Program.Clean:
                    return $"Verdict: no leak (exit code 0): the live heap stays flat over {heap.Values.Count} samples.";
                default:
                    var short_ = heap.Values.Count < MinimumSamples || fields.Any(f => f.Status == "NotEnoughSamples");
                    if (short_)
                    {
                        var needed = Math.Ceiling(MinimumSamples * Math.Max(spacingSeconds, 0.001) + 1);
                        return $"Verdict: INCONCLUSIVE (exit code 3): only {heap.Values.Count} heap sample(s); a verdict needs at least {MinimumSamples}. At the spacing seen here ({spacingSeconds.ToString("0.#", c)} s) watch for at least {needed.ToString("0", c)} s (--duration {needed.ToString("0", c)}s), or shorten --interval, or raise --max-pause.";
                    }

                    return $"Verdict: INCONCLUSIVE (exit code 3): the trend over {heap.Values.Count} samples is too noisy to call; watch longer (e.g. --duration {Math.Ceiling(2 * Math.Max(heap.Seconds.LastOrDefault(), 1)).ToString("0", c)}s).";
            }
        }

        private async Task<string> WhyStoppedAsync(int pid, Stopwatch clock, Exception? error)
        {
            var seconds = clock.Elapsed.TotalSeconds;
            if (error is UnauthorizedAccessException || error?.Message.Contains("ermission", StringComparison.Ordinal) == true)
            {
                return $"permission denied ({error.Message}): run leakcheck as the target's user or as root";
            }

            // The event stream ended or a call failed: wait for the process to go (an event, not a guess) before saying it exited.
            try
            {
                using var process = Process.GetProcessById(pid);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return $"the process stopped answering after {seconds:0} s{(error is null ? string.Empty : $" ({error.Message})")}";
            }

            return $"the process exited after {seconds:0} s";
        }

        /// <summary>
        /// The pause to expect from the first induced collection, before one is measured: 1.5 ms per MB of heap, the slowest
        /// measured here (a 240 MB heap of 7.8 million linked objects on a loaded 2-core machine: 164–387 ms); a flat heap
        /// of arrays is 5–10 times faster, so the first sample may come a little late rather than overrun the budget.
        /// </summary>
        private static double EstimatePauseMs(double heapBytes) => 1.5 * heapBytes / (1024 * 1024);

        private static double Median(IReadOnlyCollection<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
        }

        private async Task PrintAsync(WatchedSeries heap, WatchedSeries workingSet, List<WatchedSeries> fields, WatchSettings settings)
        {
            var c = CultureInfo.InvariantCulture;
            var perSecond = heap.PerSecond;
            await _output.WriteLineAsync($"Live heap: {heap.Status}, {Sign(perSecond)}{Projection.FormatBytes(perSecond)}/s over {heap.Values.Count} samples in {heap.Seconds.LastOrDefault().ToString("0", c)} s (p = {heap.Trend!.PValue.ToString("0.####", c)}), now {Projection.FormatBytes(heap.Values.LastOrDefault())}.").ConfigureAwait(false);
            if (perSecond > 0 && heap.Status == "Leaking")
            {
                var line = $"  per hour {Projection.FormatBytes(perSecond * 3600)}, per day {Projection.FormatBytes(perSecond * 86400)}";
                if (settings.LimitBytes is { } limit && Projection.TimeToExhaustion(perSecond, 1, heap.Values.LastOrDefault(), limit) is { } until)
                {
                    line += $", reaches {Projection.FormatBytes(limit)} in {Projection.FormatDuration(until)}";
                }

                await _output.WriteLineAsync(line + " (if it keeps growing)").ConfigureAwait(false);
            }

            await _output.WriteLineAsync($"  {Sparkline.Render(heap.Values)}  (working set {Projection.FormatBytes(workingSet.Values.LastOrDefault())})").ConfigureAwait(false);
            if (Pauses is { } p)
            {
                await _output.WriteLineAsync("  " + p.Describe()).ConfigureAwait(false);
            }

            foreach (var series in fields)
            {
                var rate = series.PerSecond;
                await _output.WriteLineAsync($"{series.Finding!.RuleId} {series.Name}: {series.Status}, {Sign(rate)}{rate.ToString("0.##", c)} elements/s ({(rate * 3600).ToString("0", c)}/hour), {series.Values.LastOrDefault().ToString("0", c)} now  {Sparkline.Render(series.Values)}  [{HtmlReport.RelativePath(series.Finding.File)}:{series.Finding.Line}]").ConfigureAwait(false);
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
