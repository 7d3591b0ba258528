using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace LeakAnalyzers.Runtime.Tests
{
    /// <summary>Real leaks (the shapes LEAK001–LEAK003 report) and their fixed versions, 10 KB per iteration.</summary>
    internal static class Scenarios
    {
        public const int Payload = 10 * 1024;

        internal static class StaticList
        {
            public static readonly List<byte[]> History = new();
            private static readonly Queue<byte[]> Bounded = new();

            public static void Leak() => History.Add(new byte[Payload]);

            public static void Fixed()
            {
                Bounded.Enqueue(new byte[Payload]);
                while (Bounded.Count > 16)
                {
                    Bounded.Dequeue();
                }
            }

            public static void Reset()
            {
                History.Clear();
                Bounded.Clear();
            }
        }

        internal static class Cache
        {
            private static readonly ConcurrentDictionary<string, byte[]> Entries = new();
            private static readonly ConcurrentDictionary<string, byte[]> Evicting = new();
            private static int next;

            public static int Count => Entries.Count;

            public static void Leak()
            {
                var key = "k" + next++;
                Entries.GetOrAdd(key, _ => new byte[Payload]);
            }

            public static void Fixed()
            {
                var key = "k" + next++;
                if (Evicting.Count >= 16)
                {
                    Evicting.Clear();
                }

                Evicting.GetOrAdd(key, _ => new byte[Payload]);
            }

            public static void Reset()
            {
                Entries.Clear();
                Evicting.Clear();
            }
        }

        internal static class Events
        {
            public static event EventHandler? Changed;

            public static int Subscribers => Changed?.GetInvocationList().Length ?? 0;

            public static void Leak() => _ = new Subscriber(unsubscribe: false);

            public static void Fixed()
            {
                using var subscriber = new Subscriber(unsubscribe: true);
            }

            public static void Reset() => Changed = null;

            private sealed class Subscriber : IDisposable
            {
                private readonly byte[] state = new byte[Payload];
                private readonly bool unsubscribe;

                public Subscriber(bool unsubscribe)
                {
                    this.unsubscribe = unsubscribe;
                    Changed += OnChanged;
                }

                public void Dispose()
                {
                    if (unsubscribe)
                    {
                        Changed -= OnChanged;
                    }
                }

                private void OnChanged(object? sender, EventArgs e) => state[0]++;
            }
        }

        internal static class Untouched
        {
            public static readonly List<string> Names = new();
        }
    }
}
