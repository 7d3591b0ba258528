using System;
using System.Collections.Generic;
using System.Linq;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>One type's change between two snapshots.</summary>
    public sealed class TypeGrowth
    {
        public TypeGrowth(string name, long countBefore, long bytesBefore, long countAfter, long bytesAfter, long? survived)
        {
            Name = name;
            CountBefore = countBefore;
            BytesBefore = bytesBefore;
            CountAfter = countAfter;
            BytesAfter = bytesAfter;
            Survived = survived;
        }

        /// <summary>The runtime's name; <see cref="TypeNames.Readable"/> for display.</summary>
        public string Name { get; }

        public long CountBefore { get; }

        public long BytesBefore { get; }

        public long CountAfter { get; }

        public long BytesAfter { get; }

        public long CountGrowth => CountAfter - CountBefore;

        public long BytesGrowth => BytesAfter - BytesBefore;

        /// <summary>Objects of the second snapshot that were already there in the first (same address, same type); null when unknown.</summary>
        public long? Survived { get; }

        /// <summary>Held by each path group in the second snapshot (filled for the top growing types).</summary>
        public List<PathGroup> Paths { get; } = new();

        /// <summary>Instances the path search did not reach within its budget.</summary>
        public long Unreached { get; set; }
    }

    /// <summary>The per-type difference of two snapshots, largest growth in bytes first.</summary>
    public sealed class HeapDiff
    {
        private HeapDiff(HeapSummary before, HeapSummary after, List<TypeGrowth> rows)
        {
            Before = before;
            After = after;
            Rows = rows;
        }

        public HeapSummary Before { get; }

        public HeapSummary After { get; }

        /// <summary>Every type in either snapshot, by growth in bytes (largest first).</summary>
        public IReadOnlyList<TypeGrowth> Rows { get; }

        /// <summary>Live bytes gained between the snapshots (the sum over every type).</summary>
        public long Growth => After.LiveBytes - Before.LiveBytes;

        /// <summary>Bytes gained by the types that grew: what the shares of <see cref="PathGroup.GrowthShare"/> are of.</summary>
        public long PositiveGrowth => Rows.Where(r => r.BytesGrowth > 0).Sum(r => r.BytesGrowth);

        /// <summary>The types whose bytes grew most; at most <paramref name="count"/>, none that did not grow.</summary>
        public IReadOnlyList<TypeGrowth> Top(int count) => Rows.Where(r => r.BytesGrowth > 0).Take(count).ToList();

        /// <param name="survivors">Per type in <paramref name="after"/>, how many of its objects are in the identities of <paramref name="before"/>.</param>
        public static HeapDiff Compute(HeapSummary before, HeapSummary after, IReadOnlyDictionary<string, long>? survivors = null)
        {
            var names = before.Types.Keys.Union(after.Types.Keys, StringComparer.Ordinal);
            var rows = new List<TypeGrowth>();
            foreach (var name in names)
            {
                before.Types.TryGetValue(name, out var a);
                after.Types.TryGetValue(name, out var b);
                long? survived = survivors is null ? null : survivors.TryGetValue(name, out var s) ? s : 0;
                rows.Add(new TypeGrowth(name, a?.Count ?? 0, a?.Bytes ?? 0, b?.Count ?? 0, b?.Bytes ?? 0, survived));
            }

            rows.Sort((x, y) =>
            {
                var byBytes = y.BytesGrowth.CompareTo(x.BytesGrowth);
                return byBytes != 0 ? byBytes : string.CompareOrdinal(x.Name, y.Name);
            });
            return new HeapDiff(before, after, rows);
        }
    }
}
