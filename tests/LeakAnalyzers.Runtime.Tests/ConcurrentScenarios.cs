using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Threading;
using LeakAnalyzers.Runtime.Statistics;

namespace LeakAnalyzers.Runtime.Tests
{
    /// <summary>
    /// Scenarios that look like a server: another thread allocates and drops garbage all the time while the probe runs.
    /// The test assembly runs them in a child process of its own (<see cref="Program"/>), so that the GC mode can be chosen
    /// (DOTNET_gcServer=1): <c>dotnet LeakAnalyzers.Runtime.Tests.dll probe &lt;scenario&gt; &lt;runs&gt;</c> prints one verdict per line.
    /// </summary>
    internal static class ConcurrentScenarios
    {
        private const int Payload = 10 * 1024;
        private static readonly List<byte[]> History = new();
        private static readonly Queue<byte[]> Bounded = new();
        private static readonly Dictionary<int, LinkedListNode<(int Key, byte[] Value)>> LruMap = new();
        private static readonly LinkedList<(int Key, byte[] Value)> LruOrder = new();
        private static int counter;
        private static byte[]? last;

        /// <summary>The last request's buffer (kept until the next request, as a handler's state is).</summary>
        public static int LastLength => last?.Length ?? 0;

        public static Action Scenario(string name) => name switch
        {
            "leak" => Leak,
            "steady" => Steady,
            "lru" => Lru,
            "queue" => Queue,
            _ => throw new ArgumentException("unknown scenario " + name, nameof(name)),
        };

        public static void Reset()
        {
            History.Clear();
            History.TrimExcess();
            Bounded.Clear();
            LruMap.Clear();
            LruOrder.Clear();
            counter = 0;
        }

        /// <summary>Runs the scenario <paramref name="runs"/> times at LeakProbe's defaults with the background allocator on; one line per run: verdict, iterations, slope.</summary>
        public static int Probe(string name, int runs)
        {
            var iteration = Scenario(name);
            Console.WriteLine("gc " + (GCSettings.IsServerGC ? "server" : "workstation"));
            using var background = new BackgroundAllocator();
            for (var run = 0; run < runs; run++)
            {
                Reset();
                var report = LeakProbe.For(iteration).Run();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {report.Verdict} {report.Iterations} {report.Heap.Trend.Slope:0}"));
            }

            Reset();
            return 0;
        }

        private static void Work()
        {
            var scratch = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                scratch.Add("item" + i.ToString(CultureInfo.InvariantCulture));
            }

            last = new byte[Payload];
        }

        private static void Leak()
        {
            Work();
            History.Add(new byte[Payload]);
        }

        private static void Steady() => Work();

        private static void Queue()
        {
            Work();
            Bounded.Enqueue(new byte[Payload]);
            while (Bounded.Count > 16)
            {
                Bounded.Dequeue();
            }
        }

        /// <summary>An LRU cache of 200 entries of 10 KB, a new key every iteration: it fills for 200 iterations, then evicts.</summary>
        private static void Lru()
        {
            Work();
            var key = counter++;
            var node = LruOrder.AddFirst((key, new byte[Payload]));
            LruMap[key] = node;
            if (LruMap.Count > 200)
            {
                var oldest = LruOrder.Last!;
                LruOrder.RemoveLast();
                LruMap.Remove(oldest.Value.Key);
            }
        }

        /// <summary>Allocates batches of mixed objects (about 300 KB each), holds each for a moment and drops it, until disposed.</summary>
        private sealed class BackgroundAllocator : IDisposable
        {
            private readonly Thread _thread;
            private volatile bool _stop;
            private long _sink;

            public BackgroundAllocator()
            {
                _thread = new Thread(Loop) { IsBackground = true, Name = "background allocator" };
                _thread.Start();
            }

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

                    _sink += batch.Count;
                    Thread.Yield();
                }
            }
        }
    }

    /// <summary>The test assembly's entry point: <c>probe &lt;scenario&gt; &lt;runs&gt;</c> for the child processes of the concurrency tests.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length == 3 && args[0] == "probe")
            {
                return ConcurrentScenarios.Probe(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
            }

            Console.Error.WriteLine("usage: LeakAnalyzers.Runtime.Tests probe <leak|steady|lru|queue> <runs>");
            return 2;
        }
    }
}
