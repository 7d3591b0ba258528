using System.Collections.Generic;

namespace LeakAnalyzers.Package.Tests
{
    /// <summary>
    /// One self-contained file per rule (BCL only) with an instance the rule reports and its recommended fix changes, and a
    /// fragment the fixed file holds. The FixAll e2e puts them all in one consumer project; the Roslyn 4.8 host test
    /// compiles each on its own.
    /// </summary>
    public static class RuleInstances
    {
        public sealed record Instance(string Rule, string File, string Source, string FixedFragment);

        public static IReadOnlyList<Instance> All { get; } = new[]
        {
            new Instance("LEAK001", "Leak001.cs", """
                using System.Collections.Generic;

                public static class RequestHistory
                {
                    private static readonly List<string> History = new();

                    public static void Record(string entry) => History.Add(entry);
                }
                """, "MaxHistoryCount"),
            new Instance("LEAK002", "Leak002.cs", """
                using System;
                using System.Collections.Concurrent;

                public static class CustomerLabels
                {
                    private static readonly ConcurrentDictionary<string, string> Labels = new();

                    public static string Label(string customer)
                        => Labels.GetOrAdd(customer, c => c.ToUpperInvariant().Replace("-", " #", StringComparison.Ordinal));
                }
                """, "MaxLabelsEntries"),
            new Instance("LEAK003", "Leak003.cs", """
                using System;

                public static class PricingSettings
                {
                    public static event EventHandler? Reloaded;

                    public static decimal Discount { get; private set; }

                    public static void Reload(decimal discount)
                    {
                        Discount = discount;
                        Reloaded?.Invoke(null, EventArgs.Empty);
                    }
                }

                public sealed class OrderQuote
                {
                    private decimal _discount;

                    public OrderQuote()
                    {
                        _discount = PricingSettings.Discount;
                        PricingSettings.Reloaded += OnPricingReloaded;
                    }

                    public decimal Apply(decimal total) => total * (1 - _discount);

                    private void OnPricingReloaded(object? sender, EventArgs e) => _discount = PricingSettings.Discount;
                }
                """, "PricingSettings.Reloaded -= OnPricingReloaded;"),
            new Instance("LEAK004", "Leak004.cs", """
                using System;

                public sealed class PriceWatcher
                {
                    private static Func<decimal>? s_watchers;
                    private readonly decimal _price;

                    public PriceWatcher(decimal price) => _price = price;

                    public void Watch()
                    {
                        s_watchers += () => _price * 2;
                    }

                    public static decimal Last() => s_watchers?.Invoke() ?? 0;
                }
                """, "var price = _price;"),
            new Instance("LEAK005", "Leak005.cs", """
                using System.IO;

                public sealed class ReceiptArchive
                {
                    public void Store(string folder, string id, string receipt)
                    {
                        var writer = new StreamWriter(File.Create(Path.Combine(folder, id + ".txt")));
                        writer.Write(receipt);
                        writer.Flush();
                    }

                    public Stream? OpenReceipt(string folder, string id)
                    {
                        var stream = File.OpenRead(Path.Combine(folder, id + ".txt"));
                        if (stream.Length == 0)
                        {
                            return null;
                        }

                        return stream;
                    }
                }
                """, "using var writer"),
            new Instance("LEAK006", "Leak006.cs", """
                using System.IO;

                public sealed class NightlyExporter
                {
                    private readonly FileStream output = new FileStream(Path.Combine(Path.GetTempPath(), "orders-export.csv"), FileMode.Append);

                    public void Write(byte[] bytes)
                    {
                        output.Write(bytes, 0, bytes.Length);
                    }
                }
                """, "output?.Dispose();"),
            new Instance("LEAK007", "Leak007.cs", """
                using System;
                using System.IO;
                using System.Runtime.InteropServices;

                public static class Printer
                {
                    public static int Print(string receipt)
                    {
                        var buffer = Marshal.StringToHGlobalUni(receipt);
                        var written = Driver.Write(buffer, receipt.Length);
                        Marshal.FreeHGlobal(buffer);
                        return written;
                    }
                }

                internal static class Driver
                {
                    public static int Write(IntPtr text, int length) => text == IntPtr.Zero ? throw new IOException("printer offline") : length;
                }
                """, "finally"),
            new Instance("LEAK008", "Leak008.cs", """
                using System.Buffers;
                using System.Text;

                public static class Checksums
                {
                    public static int Checksum(string receipt)
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
                }
                """, "finally"),
            new Instance("LEAK009", "Leak009.cs", """
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Heartbeat
                {
                    public void Start() => new Timer(_ => Ping(), null, 0, 60_000);

                    public async Task<bool> WaitAsync(CancellationToken shutdown)
                    {
                        var ready = new TaskCompletionSource<bool>();
                        shutdown.Register(() => ready.TrySetCanceled());
                        ThreadPool.QueueUserWorkItem(_ => ready.TrySetResult(true));
                        return await ready.Task;
                    }

                    private static void Ping()
                    {
                    }
                }
                """, "_timer"),
            new Instance("LEAK010", "Leak010.cs", """
                using System;
                using System.IO;
                using System.Linq;

                public static class Logs
                {
                    public static int CountFailures(string path)
                        => File.ReadAllLines(path).Count(line => line.Contains("FAILED", StringComparison.Ordinal));
                }
                """, "File.ReadLines(path)"),
            new Instance("LEAK011", "Leak011.cs", """
                using System.Collections.Generic;

                public static class Csv
                {
                    public static string Join(IEnumerable<string> ids)
                    {
                        var csv = "id\n";
                        foreach (var id in ids)
                        {
                            csv += id + "\n";
                        }
                        return csv;
                    }
                }
                """, "csvBuilder.Append"),
        };
    }
}
