using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>One garbage collection of the target, as its GC events told it.</summary>
    public sealed class GcRecord
    {
        internal GcRecord(int index, int generation, bool induced, DateTime start)
        {
            Index = index;
            Generation = generation;
            Induced = induced;
            Start = start;
        }

        /// <summary>The runtime's GC number.</summary>
        public int Index { get; }

        public int Generation { get; }

        /// <summary>Reason Induced (GC.Collect or an EventPipe GCHeapCollect request).</summary>
        public bool Induced { get; }

        public DateTime Start { get; }

        /// <summary>When its GCHeapStats arrived (the end of the collection).</summary>
        public DateTime? End { get; internal set; }

        /// <summary>Bytes that survived the collection (GCHeapStats TotalPromotedSize0..4): for a gen-2 collection, the live heap.</summary>
        public double? LiveBytes { get; internal set; }

        /// <summary>The heap's size after the collection (GCHeapStats GenerationSize0..4).</summary>
        public double? HeapBytes { get; internal set; }

        /// <summary>How long the target's threads were suspended for it (SuspendEEStart to RestartEEStop), in ms.</summary>
        public double PauseMs { get; internal set; }
    }

    /// <summary>
    /// One EventPipe session on the target's runtime provider (GC keyword) for the whole watch: every collection's start,
    /// heap statistics and suspension, without causing any. A gen-2 collection's promoted bytes are the live heap, so the
    /// target's own full collections are free samples. <see cref="InduceAsync"/> asks for one more (a short second session
    /// with the GCHeapCollect keyword) when none happened; its pause is read from the same events, in the target's time.
    /// </summary>
    public sealed class GcMonitor : IDisposable
    {
        private const long GcHeapCollectKeyword = 0x800000;
        private readonly DiagnosticsClient _client;
        private readonly EventPipeSession _session;
        private readonly Task _reader;
        private readonly object _gate = new();
        private readonly List<GcRecord> _collections = new();
        private readonly Dictionary<int, GcRecord> _open = new();
        private readonly List<GcRecord> _suspendedFor = new();
        private DateTime? _suspendedSince;
        private GcRecord? _lastEnded;
        private double _totalPauseMs;

        public GcMonitor(int processId)
        {
            _client = new DiagnosticsClient(processId);
            var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC) };
            _session = _client.StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 64);
            Started = DateTime.Now;
            _reader = Task.Run(Read);
        }

        /// <summary>When the session started.</summary>
        public DateTime Started { get; }

        /// <summary>Completes when the event stream ends: the target exited or stopped its diagnostics.</summary>
        public Task Ended => _reader;

        /// <summary>Time the target's threads spent suspended for collections (all of them, its own and induced) since the session started.</summary>
        public double TotalPauseMs
        {
            get
            {
                lock (_gate)
                {
                    return _totalPauseMs;
                }
            }
        }

        /// <summary>The collections seen so far whose statistics have arrived.</summary>
        public IReadOnlyList<GcRecord> Completed()
        {
            lock (_gate)
            {
                return _collections.Where(c => c.LiveBytes is not null).ToList();
            }
        }

        /// <summary>The latest heap size the events reported, if any collection happened yet.</summary>
        public double? LastHeapBytes()
        {
            lock (_gate)
            {
                return _collections.LastOrDefault(c => c.HeapBytes is not null)?.HeapBytes;
            }
        }

        /// <summary>
        /// Asks the target for one blocking gen-2 collection and waits for its statistics and the end of its suspension;
        /// null when none arrived within the timeout.
        /// </summary>
        public async Task<GcRecord?> InduceAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            int before;
            lock (_gate)
            {
                before = _collections.Count == 0 ? int.MinValue : _collections.Max(c => c.Index);
            }

            var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollectKeyword) };
            using var trigger = _client.StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 1);
            var drain = Task.Run(async () =>
            {
                // The trigger session carries no events we need; read its stream so that it never blocks the target.
                var buffer = new byte[16 * 1024];
                try
                {
                    while (await trigger.EventStream.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false) > 0)
                    {
                    }
                }
                catch (Exception e) when (e is ObjectDisposedException or System.IO.IOException)
                {
                }
            }, CancellationToken.None);
            GcRecord? induced = null;
            var deadline = DateTime.UtcNow + timeout;
            DateTime? statsSeen = null;
            while (DateTime.UtcNow < deadline && !_reader.IsCompleted)
            {
                bool resumed;
                lock (_gate)
                {
                    induced = _collections.FirstOrDefault(c => c.Index > before && c.Induced && c.Generation == 2 && c.LiveBytes is not null);
                    resumed = induced is not null && !_suspendedFor.Contains(induced) && induced.PauseMs > 0;
                }

                // Done when the target resumed (its pause is known), or a second after the statistics if that event is lost.
                statsSeen ??= induced is not null ? DateTime.UtcNow : null;
                if (resumed || statsSeen is { } seen && DateTime.UtcNow - seen > TimeSpan.FromSeconds(1))
                {
                    break;
                }

                induced = null;
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                trigger.Stop();
            }
            catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or System.IO.IOException or TimeoutException)
            {
            }

            await Task.WhenAny(drain, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
            return induced;
        }

        public void Dispose()
        {
            try
            {
                _session.Stop();
            }
            catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or System.IO.IOException or TimeoutException or ObjectDisposedException)
            {
                // The target is gone: the session went with it.
            }

            // Let the reader drain the stream, so that nothing talks to the target after this returns.
            _reader.Wait(TimeSpan.FromSeconds(10));
            _session.Dispose();
        }

        private void Read()
        {
            try
            {
                using var source = new EventPipeEventSource(_session.EventStream);
                source.Clr.GCSuspendEEStart += e =>
                {
                    lock (_gate)
                    {
                        _suspendedSince = e.TimeStamp;
                        _suspendedFor.Clear();
                    }
                };
                source.Clr.GCStart += (GCStartTraceData e) =>
                {
                    lock (_gate)
                    {
                        var record = new GcRecord(e.Count, e.Depth, e.Reason is GCReason.Induced or GCReason.InducedNotForced or GCReason.InducedCompacting, e.TimeStamp);
                        _collections.Add(record);
                        _open[e.Count] = record;
                        if (_suspendedSince is not null)
                        {
                            _suspendedFor.Add(record);
                        }
                    }
                };
                source.Clr.GCStop += (GCEndTraceData e) =>
                {
                    lock (_gate)
                    {
                        if (_open.Remove(e.Count, out var record))
                        {
                            _lastEnded = record;
                        }
                    }
                };
                source.Clr.GCHeapStats += (GCHeapStatsTraceData e) =>
                {
                    lock (_gate)
                    {
                        if (_lastEnded is { LiveBytes: null } record)
                        {
                            record.LiveBytes = e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2 + e.TotalPromotedSize3 + e.TotalPromotedSize4;
                            record.HeapBytes = e.GenerationSize0 + e.GenerationSize1 + e.GenerationSize2 + e.GenerationSize3 + e.GenerationSize4;
                            record.End = e.TimeStamp;
                        }
                    }
                };
                source.Clr.GCRestartEEStop += e =>
                {
                    lock (_gate)
                    {
                        if (_suspendedSince is { } since)
                        {
                            var pause = (e.TimeStamp - since).TotalMilliseconds;
                            _totalPauseMs += pause;
                            foreach (var record in _suspendedFor)
                            {
                                record.PauseMs += pause;
                            }
                        }

                        _suspendedSince = null;
                        _suspendedFor.Clear();
                    }
                };
                source.Process();
            }
            catch (Exception e) when (e is ObjectDisposedException or System.IO.EndOfStreamException or System.IO.IOException or InvalidOperationException)
            {
                // The session ended.
            }
        }
    }
}
