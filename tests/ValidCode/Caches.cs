// Caches that look like LEAK002 but are bounded, evicting, weak, per request or keyed by a bounded domain.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ValidCode.Caches
{
    public enum Currency { Eur, Usd, Gbp }

    public static class ReflectionCaches
    {
        private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();
        private static readonly ConcurrentDictionary<PropertyInfo, Func<object, object?>> Getters = new();
        private static readonly ConcurrentDictionary<(Type, string), MethodInfo?> Methods = new();
        private static readonly Dictionary<Currency, string> Symbols = new();

        public static PropertyInfo[] Of(Type type) => Properties.GetOrAdd(type, t => t.GetProperties());

        public static Func<object, object?> Getter(PropertyInfo property) => Getters.GetOrAdd(property, p => o => p.GetValue(o));

        public static string Symbol(Currency currency)
        {
            if (!Symbols.TryGetValue(currency, out var symbol))
            {
                symbol = currency.ToString();
                Symbols[currency] = symbol;
            }

            return symbol;
        }

        public static int CountMethods(Type type) => type.GetMethods().Length + Methods.Count;
    }

    /// <summary>A cache with a size check that evicts.</summary>
    public static class BoundedCache
    {
        private const int MaxEntries = 10_000;
        private static readonly Dictionary<string, string> Normalized = new();
        private static readonly object Gate = new();

        public static string Normalize(string sql)
        {
            lock (Gate)
            {
                if (Normalized.TryGetValue(sql, out var n))
                {
                    return n;
                }

                if (Normalized.Count >= MaxEntries)
                {
                    Normalized.Clear();
                }

                n = sql.Trim();
                Normalized[sql] = n;
                return n;
            }
        }
    }

    /// <summary>A cache swept by a timer.</summary>
    public sealed class SweptCache : IDisposable
    {
        public static readonly SweptCache Instance = new();

        private readonly ConcurrentDictionary<string, (DateTime At, string Value)> entries = new();
        private readonly Timer sweeper;

        private SweptCache()
        {
            sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }

        public string Get(string key) => entries.GetOrAdd(key, k => (DateTime.UtcNow, k.ToUpperInvariant())).Value;

        private void Sweep()
        {
            foreach (var pair in entries)
            {
                if (DateTime.UtcNow - pair.Value.At > TimeSpan.FromMinutes(5))
                {
                    entries.TryRemove(pair.Key, out _);
                }
            }
        }

        public void Dispose() => sweeper.Dispose();
    }

    /// <summary>Entries owned by their keys' lifetime.</summary>
    public static class Annotations
    {
        private static readonly ConditionalWeakTable<object, string> Notes = new();

        public static string Note(object target) => Notes.GetValue(target, t => t.GetType().Name);
    }

    /// <summary>Per-request memoisation: the map dies with the request.</summary>
    public sealed class RequestScope
    {
        private readonly Dictionary<string, int> lengths = new();

        public int Length(string s)
        {
            if (!lengths.TryGetValue(s, out var n))
            {
                n = s.Length;
                lengths[s] = n;
            }

            return n;
        }

        public static int Distinct(IEnumerable<string> words)
        {
            var seen = new ConcurrentDictionary<string, bool>();
            foreach (var w in words)
            {
                seen.GetOrAdd(w, true);
            }

            return seen.Count;
        }
    }
}
