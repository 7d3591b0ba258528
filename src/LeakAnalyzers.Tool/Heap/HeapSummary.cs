using System;
using System.Collections.Generic;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>Live objects of one type in one snapshot.</summary>
    public sealed class TypeStats
    {
        public TypeStats(string name, long count, long bytes)
        {
            Name = name;
            Count = count;
            Bytes = bytes;
        }

        /// <summary>The runtime's name (<c>System.Collections.Generic.List&lt;Shop.Order&gt;</c>).</summary>
        public string Name { get; }

        public long Count { get; internal set; }

        public long Bytes { get; internal set; }
    }

    /// <summary>
    /// What is kept of one heap snapshot once its dump is deleted: per type, the count and bytes of the live objects
    /// (reachable from the roots: objects a dump holds that are already garbage are not counted), and, for the first
    /// snapshot of a window, the identity of every live object (its address and type, 8 bytes each) so that a later
    /// snapshot can tell which objects survived.
    /// </summary>
    public sealed class HeapSummary
    {
        internal HeapSummary(IReadOnlyDictionary<string, TypeStats> types, long objects, long bytes, ulong[]? identities, bool complete)
        {
            Types = types;
            LiveObjects = objects;
            LiveBytes = bytes;
            Identities = identities;
            Complete = complete;
        }

        public IReadOnlyDictionary<string, TypeStats> Types { get; }

        public long LiveObjects { get; }

        public long LiveBytes { get; }

        /// <summary>False when the marking stopped at its budget: the counts are then a lower bound.</summary>
        public bool Complete { get; }

        /// <summary>Sorted keys (address and a type tag) of the live objects, when asked for.</summary>
        internal ulong[]? Identities { get; }

        /// <summary>
        /// Per type, the live objects that were already live in the snapshot this one was compared with; null when not counted.
        /// The larger of two counts: objects at the same address with the same type (exact, but an object the GC moved in
        /// between is missed), and objects with the same type and content (finds moved ones, but cannot tell apart objects
        /// whose first words are equal, e.g. two zeroed buffers of one size: for such types it can count a replaced object as
        /// a survivor).
        /// </summary>
        public IReadOnlyDictionary<string, long>? Survivors { get; internal set; }

        /// <summary>Where the reading time went (open, roots, marking, paths).</summary>
        public string? Phases { get; internal set; }

        /// <summary>Seconds since the watch started (or 0 for a dump file).</summary>
        public double Seconds { get; set; }

        /// <summary>How long writing the dump took (the target is suspended meanwhile); zero for a dump file given by the user.</summary>
        public TimeSpan DumpTime { get; set; }

        /// <summary>Size of the dump file.</summary>
        public long DumpBytes { get; set; }

        /// <summary>How long reading the dump took (the target runs meanwhile).</summary>
        public TimeSpan AnalysisTime { get; set; }

        /// <summary>The key of an object for <see cref="Identities"/>: its address (47 bits, 8-byte aligned) and 20 bits of its method table.</summary>
        internal static ulong Key(ulong address, ulong methodTable)
        {
            var tag = (methodTable ^ (methodTable >> 20) ^ (methodTable >> 40)) & 0xFFFFF;
            return (address >> 3) | (tag << 44);
        }

        internal bool Contains(ulong key) => Identities is not null && Array.BinarySearch(Identities, key) >= 0;

        /// <summary>Sorted content keys (<see cref="ContentKey"/>) of the live objects, when identities were asked for.</summary>
        internal ulong[]? Contents { get; init; }

        /// <summary>
        /// The key of an object's content, for objects the GC moved between two snapshots (a compacting collection changes
        /// addresses, not contents): 20 bits of the method table and 44 bits of a hash of the object's size and its first
        /// payload words, leaving out words that point into the GC heap (references change when their targets move).
        /// </summary>
        internal static ulong ContentKey(ulong methodTable, long size, ReadOnlySpan<byte> payload, ulong heapStart, ulong heapEnd)
        {
            var tag = (methodTable ^ (methodTable >> 20) ^ (methodTable >> 40)) & 0xFFFFF;
            var hash = Mix(0x243F6A8885A308D3UL, (ulong)size);
            for (var i = 0; i + 8 <= payload.Length; i += 8)
            {
                var word = BitConverter.ToUInt64(payload.Slice(i, 8));
                hash = Mix(hash, word >= heapStart && word < heapEnd ? 0x5EF5EF5EF5EFUL : word);
            }

            for (var i = payload.Length & ~7; i < payload.Length; i++)
            {
                hash = Mix(hash, payload[i]);
            }

            return (hash & 0xFFFFFFFFFFFUL) | (tag << 44);
        }

        /// <summary>Per type tag (the top 20 bits of a key), how many keys the two sorted arrays have in common (as multisets).</summary>
        internal static Dictionary<ulong, long> CommonByTag(ulong[] before, ulong[] after)
        {
            var common = new Dictionary<ulong, long>();
            int i = 0, j = 0;
            while (i < before.Length && j < after.Length)
            {
                if (before[i] < after[j])
                {
                    i++;
                }
                else if (before[i] > after[j])
                {
                    j++;
                }
                else
                {
                    var tag = before[i] >> 44;
                    common[tag] = common.GetValueOrDefault(tag) + 1;
                    i++;
                    j++;
                }
            }

            return common;
        }

        internal static ulong Tag(ulong methodTable) => (methodTable ^ (methodTable >> 20) ^ (methodTable >> 40)) & 0xFFFFF;

        private static ulong Mix(ulong hash, ulong value)
        {
            hash = (hash ^ value) * 0x9E3779B97F4A7C15UL;
            return hash ^ (hash >> 29);
        }
    }
}
