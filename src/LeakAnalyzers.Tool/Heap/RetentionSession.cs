using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;
using LeakAnalyzers.Runtime.Statistics;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>What one snapshot cost: the dump's writing time (the target is suspended meanwhile), its size, the reading time.</summary>
    public sealed record SnapshotCost(double Seconds, TimeSpan DumpTime, long DumpBytes, TimeSpan AnalysisTime);

    /// <summary>
    /// The snapshots of one watch: the first after the first heap sample, more when the live heap has grown by
    /// <see cref="RetentionSettings.SnapshotEveryBytes"/>, the last at the end. Each dump is read as soon as it is written
    /// and deleted; only the first one's summary (with the identities of its live objects) and the latest diff are kept.
    /// </summary>
    public sealed class RetentionSession
    {
        private readonly int _pid;
        private readonly RetentionSettings _settings;
        private double? _liveAtLast;
        private bool _taken;
        private Task _pending = Task.CompletedTask;

        public RetentionSession(int pid, RetentionSettings settings, SourceMap map)
        {
            _pid = pid;
            _settings = settings;
            Map = map;
        }

        public SourceMap Map { get; }

        public HeapSummary? First { get; private set; }

        public HeapDiff? Diff { get; private set; }

        public PathSearchStats? Search { get; private set; }

        public List<SnapshotCost> Costs { get; } = new();

        /// <summary>
        /// True when the first snapshot is due (at the first tick, with or without a heap sample: a watch whose pause budget
        /// allows no induced collection still gets its start), or the live heap grew by the given step since the last one.
        /// </summary>
        public bool Due(double? liveBytes)
        {
            if (!_taken)
            {
                return true;
            }

            if (liveBytes is not { } live || _settings.SnapshotEveryBytes is not { } step)
            {
                return false;
            }

            // The first snapshot came before any heap sample: the first sample is the baseline of the step.
            _liveAtLast ??= live;
            return live - _liveAtLast.Value >= step;
        }

        /// <summary>
        /// Takes a snapshot: waits for the previous one to be read, writes the dump (the target is suspended meanwhile), then
        /// reads and deletes it in the background (the watch goes on). At most one dump is on disk at a time.
        /// Throws <see cref="SnapshotException"/> on a fault, with nothing left on disk.
        /// </summary>
        public async Task TakeAsync(double seconds, double? liveBytes, CancellationToken cancellationToken)
        {
            // The previous dump is read (and deleted) before the next is written: on a small machine the reading would take the
            // CPU that createdump needs while the target is suspended (measured at 1 GB: one dump took 21 s instead of 3-5 s
            // while the previous one was being read), and only one dump is ever on disk.
            var waiting = System.Diagnostics.Stopwatch.StartNew();
            await _pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            seconds += waiting.Elapsed.TotalSeconds;
            var (path, elapsed, bytes, expected) = await DumpWriter.WriteAsync(_pid, _settings.DumpDirectory, _settings.MaxDumpBytes, null, cancellationToken).ConfigureAwait(false);
            _taken = true;
            _liveAtLast = liveBytes ?? _liveAtLast;
            _pending = Task.Run(() =>
            {
                try
                {
                    HeapSummary summary;
                    HeapDiff? diff;
                    PathSearchStats? search;
                    try
                    {
                        (summary, diff, search) = SnapshotAnalysis.Analyze(path, First, _settings.Budget);
                    }
                    catch (SnapshotException e)
                    {
                        throw DumpWriter.Unreadable(e, _pid, path, bytes, expected);
                    }

                    summary.Seconds = seconds;
                    summary.DumpTime = elapsed;
                    summary.DumpBytes = bytes;
                    lock (Costs)
                    {
                        Costs.Add(new SnapshotCost(seconds, elapsed, bytes, summary.AnalysisTime));
                    }

                    if (First is null)
                    {
                        First = summary;
                    }
                    else
                    {
                        Diff = diff;
                        Search = search;
                    }
                }
                finally
                {
                    DumpWriter.Delete(path);
                }
            }, CancellationToken.None);
        }

        /// <summary>Waits for the last snapshot to be read (and its dump deleted); rethrows its fault.</summary>
        public Task CompleteAsync() => _pending;

        public RetentionReport? Report(IReadOnlyDictionary<SarifFinding, string> statuses)
            => Diff is null ? null : new RetentionReport(Diff, Diff.Top(_settings.Budget.TopTypes), Search, Map, statuses, Costs.Count);

        /// <summary>"Snapshots: 2 dumps written in 0.41 s and 0.52 s (the target is suspended while a dump is written), at most 180 MB on disk, read in ...".</summary>
        public string DescribeCosts()
        {
            var c = CultureInfo.InvariantCulture;
            if (Costs.Count == 0)
            {
                return "Snapshots: none taken.";
            }

            var left = DumpWriter.LiveDumps.Count;
            return $"Snapshots: {Costs.Count} dump(s) written in {string.Join(", ", Costs.Select(x => x.DumpTime.TotalSeconds.ToString("0.00", c) + " s"))} (the target is suspended while a dump is written), at most {Projection.FormatBytes(Costs.Max(x => x.DumpBytes))} on disk in {_settings.DumpDirectory}, read in {string.Join(", ", Costs.Select(x => x.AnalysisTime.TotalSeconds.ToString("0.0", c) + " s"))}; {(left == 0 ? "every dump deleted" : left + " dump(s) could not be deleted: " + string.Join(", ", DumpWriter.LiveDumps))}.";
        }
    }
}
