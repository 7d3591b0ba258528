using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace LeakAnalyzers.Benchmarks
{
    /// <summary>
    /// Generates a large body of C# that mixes every pattern the rules look at (leaks and their look-alikes) with a
    /// majority of ordinary code, so that analyzer time is measured on realistic proportions.
    /// </summary>
    internal static class SyntheticCode
    {
        public static List<(string Path, string Text)> Generate(int files)
        {
            var result = new List<(string, string)>(files);
            for (var i = 0; i < files; i++)
            {
                result.Add(($"Generated/File{i}.cs", File(i)));
            }

            return result;
        }

        private static string File(int n)
        {
            var s = new StringBuilder();
            string N(string name) => name + n.ToString(CultureInfo.InvariantCulture);
            s.Append($$"""
                using System;
                using System.Buffers;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.IO;
                using System.Linq;
                using System.Runtime.InteropServices;
                using System.Text;
                using System.Threading;
                using System.Threading.Tasks;

                namespace Generated.Area{{n % 20}}
                {
                    public enum {{N("Kind")}} { A, B, C }

                    public static class {{N("Registry")}}
                    {
                        private static readonly List<string> History = new();
                        private static readonly Queue<int> Recent = new();
                        private static readonly Dictionary<{{N("Kind")}}, int> ByKind = new();
                        private static readonly ConcurrentDictionary<string, int> Lengths = new();
                        private static readonly Dictionary<string, string> Lookup = new() { ["a"] = "b" };

                        public static void Record(string entry) => History.Add(entry);

                        public static void Remember(int x)
                        {
                            Recent.Enqueue(x);
                            while (Recent.Count > 100)
                            {
                                Recent.Dequeue();
                            }
                        }

                        public static void Count({{N("Kind")}} k) => ByKind[k] = ByKind.TryGetValue(k, out var c) ? c + 1 : 1;

                        public static int Length(string s) => Lengths.GetOrAdd(s, x => x.Length);

                        public static string Get(string k) => Lookup.TryGetValue(k, out var v) ? v : k;
                    }

                    public sealed class {{N("Publisher")}}
                    {
                        public static event EventHandler? Tick;

                        public event EventHandler? Changed;

                        public void Raise() { Changed?.Invoke(this, EventArgs.Empty); Tick?.Invoke(null, EventArgs.Empty); }
                    }

                    public sealed class {{N("ViewModel")}} : IDisposable
                    {
                        private readonly {{N("Publisher")}} publisher;
                        private readonly Timer timer;
                        private int count;

                        public {{N("ViewModel")}}({{N("Publisher")}} publisher)
                        {
                            this.publisher = publisher;
                            publisher.Changed += OnChanged;
                            {{N("Publisher")}}.Tick += OnTick;
                            timer = new Timer(_ => count++, null, 1000, 1000);
                        }

                        private void OnChanged(object? sender, EventArgs e) => count++;

                        private void OnTick(object? sender, EventArgs e) => count--;

                        public void Dispose()
                        {
                            publisher.Changed -= OnChanged;
                            timer.Dispose();
                        }
                    }

                    public sealed class {{N("Worker")}}
                    {
                        public async Task<int> ProcessAsync(string path, CancellationToken token)
                        {
                            using var stream = File.OpenRead(path);
                            var reader = new StreamReader(stream);
                            var text = await reader.ReadToEndAsync(token);
                            var buffer = ArrayPool<byte>.Shared.Rent(1024);
                            try
                            {
                                return text.Length + buffer.Length;
                            }
                            finally
                            {
                                ArrayPool<byte>.Shared.Return(buffer);
                            }
                        }

                        public int Leaky(string path)
                        {
                            var stream = File.OpenRead(path);
                            var memory = Marshal.AllocHGlobal(64);
                            var rented = ArrayPool<byte>.Shared.Rent(16);
                            token.Register(() => Console.WriteLine(path));
                            return (int)stream.Length + (int)memory + rented.Length;
                        }

                        private CancellationToken token = CancellationToken.None;

                        public int CountErrors(string path)
                        {
                            var n = 0;
                            foreach (var line in File.ReadAllLines(path))
                            {
                                if (line.Contains("ERROR", StringComparison.Ordinal)) n++;
                            }

                            return n;
                        }

                        public string Join(IEnumerable<string> parts)
                        {
                            var s = "";
                            foreach (var p in parts)
                            {
                                s += p + ",";
                            }

                            return s;
                        }
                    }

                """);

            // Ordinary code: the bulk of any real code base.
            for (var c = 0; c < 3; c++)
            {
                s.Append($$"""
                    public sealed class {{N("Service")}}_{{c}}
                    {
                        private readonly Dictionary<string, decimal> prices = new();
                        private readonly List<string> log = new();

                        public decimal Total(IEnumerable<(string Sku, int Qty)> lines)
                        {
                            decimal total = 0;
                            foreach (var (sku, qty) in lines)
                            {
                                if (!prices.TryGetValue(sku, out var price))
                                {
                                    price = sku.Length * 1.5m;
                                    prices[sku] = price;
                                }

                                total += price * qty;
                            }

                            log.Add(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
                            return total;
                        }

                        public IEnumerable<string> Describe(int[] values) => values
                            .Where(v => v % 2 == 0)
                            .Select(v => v switch { 0 => "zero", < 10 => "small", _ => "large" })
                            .OrderBy(x => x, StringComparer.Ordinal);

                        public async Task<string> FetchAsync(Func<int, Task<string>> load, int id)
                        {
                            var result = await load(id).ConfigureAwait(false);
                            return result is { Length: > 0 } ? result.ToUpperInvariant() : string.Empty;
                        }

                        public int Fibonacci(int n)
                        {
                            if (n < 2) return n;
                            int a = 0, b = 1;
                            for (var i = 2; i <= n; i++)
                            {
                                (a, b) = (b, a + b);
                            }

                            return b;
                        }

                        public string Format(object? value) => value switch
                        {
                            null => "null",
                            int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            string text => '"' + text + '"',
                            IEnumerable<object> items => "[" + string.Join(", ", items.Select(Format)) + "]",
                            _ => value.ToString() ?? string.Empty,
                        };

                        public bool TryParse(string text, out int value)
                        {
                            value = 0;
                            foreach (var ch in text)
                            {
                                if (ch < '0' || ch > '9') return false;
                                value = checked(value * 10 + (ch - '0'));
                            }

                            return text.Length > 0;
                        }
                    }

                """);
            }

            s.Append("}\n");
            return s.ToString();
        }
    }
}
