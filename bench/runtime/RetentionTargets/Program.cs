using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using RetentionTargets;

// RetentionTargets <list|cache|event|timer|gchandle|locator> [--rate N] [--ballast MB] [--requests N]
// leaks about 1 KB per "request" at N requests per second (default 200) the way the scenario says, makes ~200 KB of
// garbage per tick, optionally holds a ballast of MB in 32-byte objects that never change (for 300 MB / 1 GB heaps), and
// logs every gap of 50 ms or more its 1 ms ticker sees ("gap <ms>"): the target's own view of its pauses.
var scenario = args.Length > 0 ? args[0] : "list";
var rate = Option("--rate", 200);
var ballastMb = Option("--ballast", 0);
var requests = Option("--requests", int.MaxValue);
Action<int> request = scenario switch
{
    "list" => AuditLog.Record,
    "cache" => id => OrderCache.Get(id),
    "event" => _ => new View(),
    "timer" => _ => new Poller(),
    "gchandle" => Interop.Register,
    "locator" => Locator(),
    _ => throw new ArgumentException("scenario: list, cache, event, timer, gchandle or locator"),
};
Ballast.Fill(ballastMb);
GC.Collect();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready {scenario} pid {Environment.ProcessId} heap {GC.GetTotalMemory(false) / (1024 * 1024)} MB"));
var ticker = new Thread(() =>
{
    var watch = Stopwatch.StartNew();
    var last = watch.Elapsed;
    while (true)
    {
        Thread.Sleep(1);
        var now = watch.Elapsed;
        if ((now - last).TotalMilliseconds >= 50)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gap {(now - last).TotalMilliseconds:0} at {now.TotalSeconds:0.0}"));
        }

        last = now;
    }
}) { IsBackground = true };
ticker.Start();
var clock = Stopwatch.StartNew();
var done = 0;
var garbage = new List<byte[]>();
while (done < requests)
{
    var due = Math.Min(requests, (int)(clock.Elapsed.TotalSeconds * rate));
    for (; done < due; done++)
    {
        request(done);
        garbage.Add(new byte[1024]);
    }

    if (garbage.Count > 200)
    {
        garbage.Clear();
    }

    Thread.Sleep(5);
}

Console.WriteLine("done");
return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static Action<int> Locator()
{
    ServiceLocator.Register(new SessionStore());
    return id => ServiceLocator.Get<SessionStore>().Open(id);
}

/// <summary>A live heap of 32-byte objects that never changes (a big service's caches), held by one static field.</summary>
internal static class Ballast
{
    private static Node? s_head;

    public static void Fill(int megabytes)
    {
        var count = megabytes * 1024L * 1024 / 32;
        Node? head = null;
        for (long i = 0; i < count; i++)
        {
            head = new Node { Next = head, Value = i };
        }

        s_head = head;
    }

    private sealed class Node
    {
        public Node? Next;
        public long Value;
    }
}
