using System;
using System.Diagnostics.Tracing;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>
    /// The out-of-process equivalent of <c>GC.GetTotalMemory(true)</c>: a short EventPipe session on the runtime provider
    /// with the GC and GCHeapCollect keywords makes the target run one blocking gen-2 collection, and the GCHeapStats
    /// event's promoted sizes are the live bytes. No ptrace needed; costs one induced GC per sample.
    /// </summary>
    public sealed class HeapSampler
    {
        private const long GcHeapCollectKeyword = 0x800000;
        private readonly DiagnosticsClient _client;

        public HeapSampler(int processId)
        {
            _client = new DiagnosticsClient(processId);
        }

        /// <summary>Live bytes after an induced full collection, or null when no GCHeapStats arrived in time.</summary>
        public async Task<double?> SampleAsync(CancellationToken cancellationToken)
        {
            var providers = new[]
            {
                new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC | GcHeapCollectKeyword),
            };

            using var session = _client.StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 16);
            double? live = null;
            using var done = new SemaphoreSlim(0);
            var reader = Task.Run(() =>
            {
                using var source = new EventPipeEventSource(session.EventStream);
                source.Clr.GCHeapStats += stats =>
                {
                    if (live is null)
                    {
                        live = stats.TotalPromotedSize0 + stats.TotalPromotedSize1 + stats.TotalPromotedSize2 + stats.TotalPromotedSize3 + stats.TotalPromotedSize4;
                        done.Release();
                    }
                };

                try
                {
                    source.Process();
                }
                catch (Exception e) when (e is ObjectDisposedException or System.IO.EndOfStreamException or System.IO.IOException)
                {
                    // The session ended.
                }
            }, cancellationToken);

            await done.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            try
            {
                session.Stop();
            }
            catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or System.IO.IOException or TimeoutException)
            {
                // The target went away while stopping: the sample (if any) stands.
            }

            // Let the reader drain the stream completely, so that nothing talks to the target after this returns.
            await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken)).ConfigureAwait(false);
            return live;
        }
    }
}
