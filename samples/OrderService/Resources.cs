using System;
using System.Buffers;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace OrderService
{
    /// <summary>Writes receipts to disk and talks to a (simulated) native printer driver: one instance of each resource rule.</summary>
    public sealed class ReceiptArchive
    {
        private readonly string folder;

        public ReceiptArchive(string folder)
        {
            this.folder = folder;
        }

        // LEAK005: the writer (and its file handle) is never disposed; the handle stays open until a finalizer runs.
        public void Store(Order order, string receipt)
        {
            var writer = new StreamWriter(File.Create(Path.Combine(folder, order.Id + ".txt")));
            writer.Write(receipt);
            writer.Flush();
        }

        // LEAK007: the native buffer is not freed when the driver call throws.
        public int Print(string receipt)
        {
            var buffer = Marshal.StringToHGlobalUni(receipt);
            var written = PrinterDriver.Write(buffer, receipt.Length);
            Marshal.FreeHGlobal(buffer);
            return written;
        }

        // LEAK008: an empty receipt returns early and never gives the rented buffer back.
        public int Checksum(string receipt)
        {
            var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(receipt.Length));
            var length = Encoding.UTF8.GetBytes(receipt, 0, receipt.Length, bytes, 0);
            if (length == 0)
            {
                return 0;
            }

            var sum = 0;
            for (var i = 0; i < length; i++)
            {
                sum = unchecked(sum * 31 + bytes[i]);
            }

            ArrayPool<byte>.Shared.Return(bytes);
            return sum;
        }

        // LEAK009: every call registers on the caller's (application-lifetime) token and never unregisters.
        public Task<bool> WaitForPrinterAsync(CancellationToken shutdown)
        {
            var ready = new TaskCompletionSource<bool>();
            shutdown.Register(() => ready.TrySetCanceled());
            ThreadPool.QueueUserWorkItem(_ => ready.TrySetResult(true));
            return ready.Task;
        }

        // LEAK009: CancelAfter queues a timer that keeps the source (and its callbacks) for the whole delay; nothing disposes it.
        public async Task<bool> PrintWithTimeoutAsync(string receipt)
        {
            var timeout = new CancellationTokenSource();
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await Task.Delay(1, timeout.Token).ConfigureAwait(false);
            return receipt.Length > 0;
        }

        // LEAK009: the heartbeat timer is dropped; it keeps firing (and keeps this archive alive) until a GC collects it.
        public void StartHeartbeat() => new Timer(_ => PrinterDriver.Ping(), null, 0, 60_000);
    }

    /// <summary>Stands in for a P/Invoke printer driver.</summary>
    internal static class PrinterDriver
    {
        public static int Write(IntPtr text, int length) => text == IntPtr.Zero ? throw new IOException("printer offline") : length;

        public static void Ping()
        {
        }
    }
}
