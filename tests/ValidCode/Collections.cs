// Static collections that look like LEAK001 but are bounded, drained, filled once or handed over.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading;

namespace ValidCode.Collections
{
    public enum Channel { Email, Sms, Push }

    /// <summary>Fill-once lookup tables: the static constructor, initializers and helpers only they call.</summary>
    public static class ContentTypes
    {
        private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase);
        private static readonly List<string> Compressible = CreateCompressible();
        private static readonly HashSet<string> Text = ["txt", "csv", "md"];

        static ContentTypes()
        {
            Add("json", "application/json");
            Add("xml", "application/xml");
            ByExtension["txt"] = "text/plain";
        }

        private static void Add(string extension, string mime) => ByExtension.Add(extension, mime);

        private static List<string> CreateCompressible()
        {
            var list = new List<string>();
            list.Add("text/plain");
            return list;
        }

        public static string Get(string extension) => ByExtension.TryGetValue(extension, out var mime) ? mime : "application/octet-stream";

        public static bool IsCompressible(string mime) => Compressible.Contains(mime) || Text.Any(t => mime.EndsWith(t, StringComparison.Ordinal));
    }

    /// <summary>A work queue that a consumer drains.</summary>
    public static class WorkQueue
    {
        private static readonly ConcurrentQueue<Action> Pending = new();

        public static void Post(Action work) => Pending.Enqueue(work);

        public static void Drain()
        {
            while (Pending.TryDequeue(out var work))
            {
                work();
            }
        }
    }

    /// <summary>A registry whose entries leave when the registered object is disposed.</summary>
    public sealed class Connection : IDisposable
    {
        private static readonly HashSet<Connection> Open = new();
        private static readonly object Gate = new();

        public Connection()
        {
            lock (Gate)
            {
                Open.Add(this);
            }
        }

        public static int Count
        {
            get
            {
                lock (Gate)
                {
                    return Open.Count;
                }
            }
        }

        public void Dispose()
        {
            lock (Gate)
            {
                Open.Remove(this);
            }
        }
    }

    /// <summary>Keys from a bounded domain.</summary>
    public static class Reflection
    {
        private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();
        private static readonly Dictionary<Channel, int> Sent = new();
        private static readonly ConcurrentDictionary<MethodInfo, string> Names = new();

        public static PropertyInfo[] Of(Type type) => Properties.GetOrAdd(type, t => t.GetProperties());

        public static void Count(Channel channel) => Sent[channel] = Sent.TryGetValue(channel, out var n) ? n + 1 : 1;

        public static string Name(MethodInfo method) => Names.GetOrAdd(method, m => m.DeclaringType + "." + m.Name);
    }

    /// <summary>A buffer swapped out and flushed by a timer.</summary>
    public static class Telemetry
    {
        private static List<string> buffer = new();
        private static readonly Timer Flusher = new(_ => Flush(), null, 1000, 1000);

        public static void Track(string name)
        {
            lock (Flusher)
            {
                buffer.Add(name);
            }
        }

        private static void Flush()
        {
            List<string> done;
            lock (Flusher)
            {
                done = buffer;
                buffer = new List<string>();
            }

            Console.WriteLine(done.Count);
        }
    }

    /// <summary>Immutable set that also loses members.</summary>
    public static class Members
    {
        private static ImmutableHashSet<string> online = ImmutableHashSet<string>.Empty;

        public static void Join(string name) => ImmutableInterlocked.Update(ref online, s => s.Add(name));

        public static void Leave(string name) => online = online.Remove(name);

        public static bool IsOnline(string name) => online.Contains(name);
    }

    /// <summary>Per-request and per-instance collections are not static.</summary>
    public sealed class RequestContext
    {
        private readonly List<string> log = new();

        public void Log(string line) => log.Add(line);

        public static int CountWords(IEnumerable<string> lines)
        {
            var words = new HashSet<string>();
            foreach (var line in lines)
            {
                words.UnionWith(line.Split(' '));
            }

            return words.Count;
        }
    }

    /// <summary>A history that is trimmed after each add.</summary>
    public static class History
    {
        private const int MaxEntries = 100;
        private static readonly Queue<string> Entries = new();

        public static void Add(string entry)
        {
            Entries.Enqueue(entry);
            while (Entries.Count > MaxEntries)
            {
                Entries.Dequeue();
            }
        }

        public static IReadOnlyCollection<string> All => Entries;
    }

    /// <summary>Handed to a framework method that may mutate it: the analyzer cannot see, so it stays quiet.</summary>
    public static class Handover
    {
        private static readonly List<int> Numbers = new();

        public static void Add(int n) => Numbers.Add(n);

        public static void Sort(Random random) => Shuffle(Numbers, random);

        private static void Shuffle(IList<int> items, Random random)
        {
            for (var i = items.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }
    }
}
