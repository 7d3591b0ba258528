using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Threading;
using LeakAnalyzers.Runtime;
using LeakAnalyzers.Runtime.Statistics;

// Runs each scenario 20 times with LeakProbe at its defaults while a background thread allocates and drops garbage,
// and prints how often each verdict came out. Usage: ProbeScenarios [runs] [scenario...] [--quiet] (no background thread).
// Server GC: run with DOTNET_gcServer=1.
internal static class Program
{
    private const int Payload = 10 * 1024;

    public static int Main(string[] args)
    {
        var runs = args.Length > 0 && int.TryParse(args[0], out var r) ? r : 20;
        var quiet = args.Contains("--quiet");
        var names = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var scenarios = new (string Name, Action Iteration, Action Reset)[]
        {
            ("leak 10 KB/it", Scenarios.Leak, Scenarios.Reset),
            ("steady (no leak)", Scenarios.Steady, Scenarios.Reset),
            ("LRU 200 x 10 KB", Scenarios.Lru, Scenarios.Reset),
            ("queue bounded at 16", Scenarios.Queue, Scenarios.Reset),
            ("leak 10 KB every 10th it", Scenarios.LeakEveryTenth, Scenarios.Reset),
            ("leak 2 KB/it", Scenarios.LeakSmall, Scenarios.Reset),
        };
        Console.WriteLine($"GC: {(GCSettings.IsServerGC ? "server" : "workstation")}, background allocator: {(quiet ? "off" : "on")}, {runs} runs each, LeakProbe defaults");
        using var background = quiet ? null : new BackgroundAllocator();
        foreach (var (name, iteration, reset) in scenarios.Where(s => names.Length == 0 || names.Any(n => s.Name.StartsWith(n, StringComparison.OrdinalIgnoreCase))))
        {
            var verdicts = new List<Verdict>();
            var iterations = new List<int>();
            var seconds = new List<double>();
            var slopes = new List<double>();
            var readings = new List<double>();
            var stillGrowing = 0;
            for (var run = 0; run < runs; run++)
            {
                reset();
                var clock = Stopwatch.StartNew();
                var report = LeakProbe.For(iteration).Run();
                seconds.Add(clock.Elapsed.TotalSeconds);
                verdicts.Add(report.Verdict);
                iterations.Add(report.Iterations);
                slopes.Add(report.Heap.Trend.Slope);
                readings.Add(report.ReadingsPerSample);
                stillGrowing += report.StillGrowing ? 1 : 0;
                if (args.Contains("--verbose"))
                {
                    Console.WriteLine(report.Describe());
                    if (args.Contains("--dump")) Console.WriteLine(string.Join(" ", report.Heap.Samples.Select(v => (v / 1024).ToString("0", CultureInfo.InvariantCulture))));
                }
            }

            reset();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-26} Leaking {verdicts.Count(v => v == Verdict.Leaking),2}/{runs}  NotLeaking {verdicts.Count(v => v == Verdict.NotLeaking),2}/{runs}  Inconclusive {verdicts.Count(v => v == Verdict.Inconclusive),2}/{runs}  still growing {stillGrowing,2}  iterations median {Median(iterations.Select(i => (double)i))} (max {iterations.Max()})  slope median {Median(slopes) / 1024:0.00} KB/it  readings/sample {readings.Average():0.0}  time median {Median(seconds):0.00} s"));
        }

        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    private static class Scenarios
    {
        private static readonly List<byte[]> History = new();
        private static readonly Queue<byte[]> Bounded = new();
        private static readonly Dictionary<int, LinkedListNode<(int Key, byte[] Value)>> LruMap = new();
        private static readonly LinkedList<(int Key, byte[] Value)> LruOrder = new();
        private static int counter;
        private static byte[]? last;

        public static void Reset()
        {
            History.Clear();
            History.TrimExcess();
            Bounded.Clear();
            LruMap.Clear();
            LruOrder.Clear();
            counter = 0;
        }

        private static void Work()
        {
            // Some transient garbage per request, as a handler makes.
            var scratch = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                scratch.Add("item" + i.ToString(CultureInfo.InvariantCulture));
            }

            last = new byte[Payload];
        }

        public static void Leak()
        {
            Work();
            History.Add(new byte[Payload]);
        }

        public static void LeakSmall()
        {
            Work();
            History.Add(new byte[2 * 1024]);
        }

        public static void LeakEveryTenth()
        {
            Work();
            if (++counter % 10 == 0)
            {
                History.Add(new byte[Payload]);
            }
        }

        public static void Steady() => Work();

        public static void Queue()
        {
            Work();
            Bounded.Enqueue(new byte[Payload]);
            while (Bounded.Count > 16)
            {
                Bounded.Dequeue();
            }
        }

        public static void Lru()
        {
            Work();
            var key = counter++;
            if (!LruMap.TryGetValue(key, out var node))
            {
                node = LruOrder.AddFirst((key, new byte[Payload]));
                LruMap[key] = node;
                if (LruMap.Count > 200)
                {
                    var oldest = LruOrder.Last!;
                    LruOrder.RemoveLast();
                    LruMap.Remove(oldest.Value.Key);
                }
            }
        }
    }

    /// <summary>A background thread that allocates and drops garbage all the time, as every server has.</summary>
    private sealed class BackgroundAllocator : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public BackgroundAllocator()
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = "background allocator" };
            _thread.Start();
        }

        public static long Sink { get; private set; }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }

        private void Loop()
        {
            var random = new Random(1);
            while (!_stop)
            {
                // A batch of mixed objects (about 300 KB) held for a moment and dropped.
                var batch = new List<object>();
                for (var i = 0; i < 200; i++)
                {
                    batch.Add(random.Next(4) switch
                    {
                        0 => new string('x', random.Next(10, 200)),
                        1 => new byte[random.Next(16, 4096)],
                        2 => new Dictionary<int, string> { [i] = "v" },
                        _ => new int[random.Next(4, 512)],
                    });
                }

                Sink += batch.Count;
                Thread.Yield();
            }
        }
    }
}
