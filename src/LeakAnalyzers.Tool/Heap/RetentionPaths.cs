using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.Diagnostics.Runtime;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>One hop of a path: an object of <see cref="Type"/> that refers to the next through <see cref="Field"/>.</summary>
    public sealed class PathStep : IEquatable<PathStep>
    {
        public PathStep(string type, string? field, string? method = null)
        {
            Type = type;
            Field = field;
            Method = method;
        }

        /// <summary>The runtime's type name.</summary>
        public string Type { get; }

        /// <summary>The field that refers to the next object ("[]" for an array element, "[].value" for a field of a struct element).</summary>
        public string? Field { get; }

        /// <summary>For a delegate: the method it calls ("Shop.Subscriber.OnChanged").</summary>
        public string? Method { get; }

        /// <summary>How many times this hop repeats in a row at most (a linked list, e.g. the timer queue's timers); 1 for one hop.</summary>
        public int MaxRun { get; internal set; } = 1;

        public bool Equals(PathStep? other) => other is not null && Type == other.Type && Field == other.Field && Method == other.Method;

        public override bool Equals(object? obj) => Equals(obj as PathStep);

        public override int GetHashCode() => HashCode.Combine(Type, Field, Method);
    }

    /// <summary>Many instances of one type held the same way: one root, the same hops (runs of a repeated hop counted once).</summary>
    public sealed class PathGroup
    {
        internal PathGroup(RootLabel root, IReadOnlyList<PathStep> steps, string target)
        {
            Root = root;
            Steps = steps;
            Target = target;
        }

        public RootLabel Root { get; }

        /// <summary>From the root's object down to the object that holds the instance (the instance's own type is <see cref="Target"/>).</summary>
        public IReadOnlyList<PathStep> Steps { get; }

        public string Target { get; }

        public long Objects { get; internal set; }

        public long Bytes { get; internal set; }

        /// <summary>The share of the heap's growth this group holds: its type's growth, in proportion to the bytes of that type it holds.</summary>
        public double GrowthShare { get; internal set; }

        /// <summary>
        /// The member that holds the growth: the last field of a type that is not the framework's on the way (an instance
        /// collection of a singleton), else the root's static field; null when the path runs through framework code alone
        /// (a GC handle, the timer queue).
        /// </summary>
        public (string Type, string Member)? Holder
        {
            get
            {
                for (var i = Steps.Count - 1; i >= 0; i--)
                {
                    var step = Steps[i];
                    if (!TypeNames.IsFramework(step.Type) && step.Field is { } hop && !hop.StartsWith('[') && !step.Type.Contains("<>", StringComparison.Ordinal))
                    {
                        return (TypeNames.Definition(step.Type), DumpHeap.MemberName(hop));
                    }
                }

                return Root.Kind == RootKind.StaticField && !TypeNames.IsFramework(Root.Type) ? (TypeNames.Definition(Root.Type!), Root.Member!) : null;
            }
        }

        /// <summary>Every member of a non-framework type on the way, the root first: the candidates a finding may name.</summary>
        public IEnumerable<(string Type, string Member)> Members
        {
            get
            {
                if (Root.Kind == RootKind.StaticField && !TypeNames.IsFramework(Root.Type))
                {
                    yield return (TypeNames.Definition(Root.Type!), Root.Member!);
                }

                foreach (var step in Steps)
                {
                    if (!TypeNames.IsFramework(step.Type) && step.Field is { } hop && !hop.StartsWith('['))
                    {
                        yield return (TypeNames.Definition(step.Type), DumpHeap.MemberName(hop));
                    }
                }
            }
        }

        /// <summary>The delegates' methods on the way (an event's handler, a timer's callback).</summary>
        public IEnumerable<string> Methods => Steps.Where(s => s.Method is not null).Select(s => s.Method!);

        /// <summary>True when the path runs through the runtime's timer queue (a timer that was never disposed).</summary>
        public bool ThroughTimerQueue => Root.Type == "System.Threading.TimerQueue" || Steps.Any(s => s.Type == "System.Threading.TimerQueueTimer");

        public string Key => Root + "|" + string.Join("|", Steps.Select(s => s.Type + "." + s.Field + "." + s.Method)) + "|" + Target;
    }

    /// <summary>What the path search did, for the output ("stopped at its budget").</summary>
    public sealed class PathSearchStats
    {
        public long Visited { get; internal set; }

        public bool HitObjectBudget { get; internal set; }

        public bool HitTimeBudget { get; internal set; }

        public TimeSpan Elapsed { get; internal set; }

        public long MaxObjects { get; internal set; }

        public TimeSpan MaxTime { get; internal set; }
    }

    /// <summary>
    /// Shortest paths from the GC roots to the instances of given types: a breadth-first walk from the persistent roots
    /// (static fields, strong and pinned handles) and then from stacks and the finalizer queue, recording each object's
    /// parent. It stops when every instance is reached, or at a budget of objects visited and of time. Each instance's path is
    /// then folded into a group with every other instance held the same way.
    /// </summary>
    public static class RetentionPaths
    {
        private const ulong RootBit = 1UL << 63;

        public static PathSearchStats Find(DumpHeap dump, IReadOnlyList<TypeGrowth> types, HeapDiff? diff, long maxObjects = 10_000_000, TimeSpan? maxTime = null, int groupsPerType = 3)
        {
            var stats = new PathSearchStats { MaxObjects = maxObjects, MaxTime = maxTime ?? TimeSpan.FromSeconds(60) };
            var clock = Stopwatch.StartNew();
            var heap = dump.Heap;
            var roots = dump.Roots;
            var wanted = types.ToDictionary(t => t.Name, t => t, StringComparer.Ordinal);
            var remaining = types.Sum(t => t.CountAfter);
            var found = types.ToDictionary(t => t.Name, _ => new List<ulong>(), StringComparer.Ordinal);
            var parents = new Dictionary<ulong, ulong>();
            var queue = new Queue<ulong>();
            var typeOfMt = new Dictionary<ulong, string?>();

            bool Persistent(RootLabel label) => label.Kind is RootKind.StaticField or RootKind.StrongHandle or RootKind.PinnedHandle || (label.Kind == RootKind.Other && label.Detail == "a static variable");

            void Visit(ulong address)
            {
                var type = heap.GetObjectType(address);
                if (type is null || type.IsFree)
                {
                    return;
                }

                if (!typeOfMt.TryGetValue(type.MethodTable, out var name))
                {
                    name = type.Name is { } n && wanted.ContainsKey(n) ? n : null;
                    typeOfMt[type.MethodTable] = name;
                }

                if (name is not null)
                {
                    found[name].Add(address);
                    remaining--;
                }

                if (!type.ContainsPointers && !type.IsCollectible)
                {
                    return;
                }

                foreach (var child in heap.GetObject(address, type).EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
                {
                    if (child != 0 && !parents.ContainsKey(child))
                    {
                        parents[child] = address;
                        queue.Enqueue(child);
                    }
                }
            }

            foreach (var persistentPhase in new[] { true, false })
            {
                for (var i = 0; i < roots.Count; i++)
                {
                    var (obj, label) = roots[i];
                    if (Persistent(label) == persistentPhase && !parents.ContainsKey(obj))
                    {
                        parents[obj] = (uint)i | RootBit;
                        queue.Enqueue(obj);
                    }
                }

                while (queue.Count > 0 && remaining > 0)
                {
                    if (parents.Count >= maxObjects)
                    {
                        stats.HitObjectBudget = true;
                        break;
                    }

                    if ((stats.Visited & 0xFFFF) == 0 && clock.Elapsed > stats.MaxTime)
                    {
                        stats.HitTimeBudget = true;
                        break;
                    }

                    stats.Visited++;
                    Visit(queue.Dequeue());
                }

                if (remaining <= 0 || stats.HitObjectBudget || stats.HitTimeBudget)
                {
                    break;
                }
            }

            // Fold each instance's path into its group, memoising the groups of the objects on the way (many share them).
            var fieldsOf = new Dictionary<ulong, Dictionary<ulong, string>>();
            var folder = new PathFolder(parents, i => roots[i].Label, (parent, child) => StepOf(heap, fieldsOf, parent, child));
            var totalGrowth = diff?.PositiveGrowth ?? 0;
            foreach (var type in types)
            {
                var groups = Group(folder, found[type.Name].Select(a => (a, (long)heap.GetObject(a).Size)), type.Name);
                foreach (var group in groups)
                {
                    group.GrowthShare = totalGrowth > 0 && type.BytesAfter > 0 ? Math.Max(0, type.BytesGrowth) * ((double)group.Bytes / type.BytesAfter) / totalGrowth : 0;
                }

                type.Paths.Clear();
                type.Paths.AddRange(groups.OrderByDescending(g => g.Bytes).ThenBy(g => g.Steps.Count).Take(groupsPerType));
                type.Unreached = Math.Max(0, type.CountAfter - found[type.Name].Count);
            }

            stats.Elapsed = clock.Elapsed;
            return stats;
        }

        /// <summary>The instances' paths folded into groups: one per root and sequence of hops (a repeated hop counted once).</summary>
        internal static List<PathGroup> Group(PathFolder folder, IEnumerable<(ulong Address, long Size)> instances, string typeName)
        {
            var groups = new Dictionary<string, PathGroup>(StringComparer.Ordinal);
            foreach (var (instance, size) in instances)
            {
                var path = folder.PathOf(instance);
                if (path is null)
                {
                    continue;
                }

                if (!groups.TryGetValue(path.Value.Key, out var group))
                {
                    group = new PathGroup(path.Value.Root, path.Value.Steps.Select(s => new PathStep(s.Type, s.Field, s.Method) { MaxRun = s.MaxRun }).ToList(), typeName);
                    groups[path.Value.Key] = group;
                }
                else
                {
                    for (var i = 0; i < group.Steps.Count; i++)
                    {
                        group.Steps[i].MaxRun = Math.Max(group.Steps[i].MaxRun, path.Value.Steps[i].MaxRun);
                    }
                }

                group.Objects++;
                group.Bytes += size;
            }

            return groups.Values.ToList();
        }

        /// <summary>The hop from a parent to a child: the parent's type, the field (or array slot) that refers to the child, a delegate's method.</summary>
        private static PathStep StepOf(ClrHeap heap, Dictionary<ulong, Dictionary<ulong, string>> fieldsOf, ulong parent, ulong child)
        {
            var obj = heap.GetObject(parent);
            var type = obj.Type;
            if (!fieldsOf.TryGetValue(parent, out var fields))
            {
                // Once per parent (a big array is the parent of many): every reference it holds, with its field.
                fields = new Dictionary<ulong, string>();
                if (type is not null)
                {
                    foreach (var reference in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: true))
                    {
                        var label = reference.IsDependentHandle ? "(dependent handle)"
                            : reference.IsArrayElement ? "[]" + (reference.InnerField is { Field: { } inner } ? "." + inner.Name : string.Empty)
                            : reference.Field is { } f ? f.Name + (reference.InnerField is { Field: { } innerField } ? "." + innerField.Name : string.Empty)
                            : "?";
                        fields.TryAdd(reference.Object.Address, label ?? "?");
                    }
                }

                fieldsOf[parent] = fields;
            }

            fields.TryGetValue(child, out var name);
            string? method = null;
            if (IsDelegate(type) && name == "_target")
            {
                try
                {
                    var target = obj.AsDelegate().GetDelegateTarget();
                    if (target?.Method is { } m)
                    {
                        method = (m.Type?.Name ?? "?") + "." + m.Name;
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or ClrDiagnosticsException)
                {
                }
            }

            return new PathStep(type?.Name ?? "?", name, method);
        }

        private static bool IsDelegate(ClrType? type)
        {
            for (var t = type?.BaseType; t is not null; t = t.BaseType)
            {
                if (t.Name == "System.MulticastDelegate")
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Builds paths back from the parents the walk recorded (root entries carry the root's index with the top bit set), with runs of a repeated hop folded.</summary>
        internal sealed class PathFolder
        {
            private readonly Dictionary<ulong, ulong> _parents;
            private readonly Func<int, RootLabel> _rootOf;
            private readonly Func<ulong, ulong, PathStep> _step;
            private readonly Dictionary<ulong, (RootLabel Root, List<PathStep> Steps, string Key)?> _memo = new();

            public PathFolder(Dictionary<ulong, ulong> parents, Func<int, RootLabel> rootOf, Func<ulong, ulong, PathStep> step)
            {
                _parents = parents;
                _rootOf = rootOf;
                _step = step;
            }

            /// <summary>The entry of a root object in the parents map.</summary>
            public static ulong RootEntry(int index) => (uint)index | RootBit;

            /// <summary>The root and hops that lead to the object (its own type excluded); null when it was not reached.</summary>
            public (RootLabel Root, List<PathStep> Steps, string Key)? PathOf(ulong address)
            {
                // Walk up to the first memoised ancestor (or the root), then build down, memoising each object on the way.
                var chain = new List<ulong>();
                var current = address;
                (RootLabel Root, List<PathStep> Steps, string Key)? known = null;
                while (true)
                {
                    if (_memo.TryGetValue(current, out var memo))
                    {
                        known = memo;
                        break;
                    }

                    if (!_parents.TryGetValue(current, out var parent))
                    {
                        return null;
                    }

                    chain.Add(current);
                    if ((parent & RootBit) != 0)
                    {
                        var root = _rootOf((int)(parent & ~RootBit));
                        known = (root, new List<PathStep>(), root.ToString());
                        _memo[current] = known;
                        chain.RemoveAt(chain.Count - 1);
                        break;
                    }

                    current = parent;
                }

                if (known is null)
                {
                    return null;
                }

                // chain holds the objects below 'current', deepest first.
                var path = known.Value;
                var above = current;
                for (var i = chain.Count - 1; i >= 0; i--)
                {
                    var below = chain[i];
                    var step = Step(above, below);
                    var steps = path.Steps;
                    List<PathStep> next;
                    string key;
                    if (steps.Count > 0 && steps[^1].Type == step.Type && steps[^1].Method == step.Method)
                    {
                        // Another object of the same type in a row (a linked list: the timer queue's timers): one hop, one more in its run.
                        next = new List<PathStep>(steps);
                        next[^1] = new PathStep(step.Type, step.Field, step.Method) { MaxRun = steps[^1].MaxRun + 1 };
                    }
                    else
                    {
                        next = new List<PathStep>(steps) { step };
                    }

                    key = path.Root + "|" + string.Join("|", next.Select(s => s.Type + "." + s.Field + "." + s.Method));
                    path = (path.Root, next, key);
                    _memo[below] = path;
                    above = below;
                }

                return path;
            }

            private PathStep Step(ulong parent, ulong child) => _step(parent, child);
        }
    }
}
