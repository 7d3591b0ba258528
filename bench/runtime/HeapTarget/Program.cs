using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

// HeapTarget <live MB>: holds that many MB in 32-byte objects (millions of them, as a big service's caches do), makes
// about 20 MB/s of short-lived garbage, and prints "gap <ms>" whenever its 1 ms ticker was held up for 50 ms or more:
// the pauses the target itself saw, whoever caused them. HeapTarget <MB> --gen2 also keeps objects alive long enough
// to reach gen 2, so that the runtime runs gen-2 collections of its own.
internal static class Program
{
    private static Node? live;

    public static void Main(string[] args)
    {
        var megabytes = int.Parse(args[0], CultureInfo.InvariantCulture);
        var count = megabytes * 1024L * 1024 / 32; // a Node is 32 bytes on x64: header, method table, one reference, one long
        Node? head = null;
        for (long i = 0; i < count; i++)
        {
            head = new Node { Next = head, Value = i };
        }

        live = head;
        GC.Collect();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready {GC.GetTotalMemory(false) / (1024 * 1024)} MB"));
        var ticker = new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            var last = clock.Elapsed;
            while (true)
            {
                Thread.Sleep(1);
                var now = clock.Elapsed;
                var gap = (now - last).TotalMilliseconds;
                if (gap >= 50)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gap {gap:0} at {now.TotalSeconds:0.0}"));
                }

                last = now;
            }
        }) { IsBackground = true };
        ticker.Start();
        var garbage = new List<byte[]>();
        var midLife = new Queue<byte[]>();
        var promote = args.Length > 1 && args[1] == "--gen2";
        while (true)
        {
            for (var i = 0; i < 200; i++)
            {
                garbage.Add(new byte[1024]);
                if (promote)
                {
                    // With --gen2, objects that live for a while (a 50 MB rotating queue) reach gen 2 and make the
                    // runtime run gen-2 collections of its own.
                    midLife.Enqueue(new byte[1024]);
                    if (midLife.Count > 50_000)
                    {
                        midLife.Dequeue();
                    }
                }
            }

            garbage.Clear();
            Thread.Sleep(promote ? 1 : 10);
        }
    }

    private sealed class Node
    {
        public Node? Next;
        public long Value;
    }
}
