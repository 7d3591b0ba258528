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

        /// <summary>Per type, the live objects that were already live in the snapshot this one was compared with; null when not counted.</summary>
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
    }
}
