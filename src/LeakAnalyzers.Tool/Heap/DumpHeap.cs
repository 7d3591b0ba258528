using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>A dump that ClrMD cannot read, or that holds no GC heap: the message says which.</summary>
    public sealed class SnapshotException : Exception
    {
        public SnapshotException(string message)
            : base(message)
        {
        }

        public SnapshotException(string message, Exception innerException)
            : base(message, innerException)
        {
        }

        public SnapshotException()
        {
        }
    }

    /// <summary>What keeps a root's object alive.</summary>
    public enum RootKind
    {
        StaticField,
        StrongHandle,
        PinnedHandle,
        Stack,
        FinalizerQueue,
        Other,
    }

    /// <summary>One GC root: a static field (named), a GC handle, a thread's stack, the finalizer queue.</summary>
    public sealed class RootLabel : IEquatable<RootLabel>
    {
        public RootLabel(RootKind kind, string? type = null, string? member = null, string? detail = null)
        {
            Kind = kind;
            Type = type;
            Member = member;
            Detail = detail;
        }

        public RootKind Kind { get; }

        /// <summary>For a static field: the declaring type's runtime name.</summary>
        public string? Type { get; }

        /// <summary>For a static field: its name (an event's or auto-property's backing field is named as the member).</summary>
        public string? Member { get; }

        /// <summary>The handle kind, or the thread and frame of a stack root.</summary>
        public string? Detail { get; }

        public override string ToString() => Kind switch
        {
            RootKind.StaticField => $"static {TypeNames.Readable(Type)}.{Member}",
            RootKind.StrongHandle => $"strong GCHandle{(Detail is null ? string.Empty : " (" + Detail + ")")}",
            RootKind.PinnedHandle => "pinned GCHandle",
            RootKind.Stack => $"the stack of {Detail}",
            RootKind.FinalizerQueue => "the finalizer queue (objects waiting to be finalized)",
            _ => Detail ?? "another root",
        };

        public bool Equals(RootLabel? other) => other is not null && Kind == other.Kind && Type == other.Type && Member == other.Member && Detail == other.Detail;

        public override bool Equals(object? obj) => Equals(obj as RootLabel);

        public override int GetHashCode() => HashCode.Combine(Kind, Type, Member, Detail);
    }

    /// <summary>
    /// A dump opened with ClrMD (the DAC next to the dumped runtime's libcoreclr.so, version check relaxed: needed on
    /// current runtimes). <see cref="Summarize"/> marks the live objects from the roots and counts them per type;
    /// <see cref="RetentionPaths.Find"/> walks from the roots to the instances of given types.
    /// </summary>
    public sealed class DumpHeap : IDisposable
    {
        private readonly DataTarget _target;
        private readonly ClrRuntime _runtime;
        private List<(ulong Object, RootLabel Label)>? _roots;

        private DumpHeap(DataTarget target, ClrRuntime runtime)
        {
            _target = target;
            _runtime = runtime;
        }

        public ClrHeap Heap => _runtime.Heap;

        public ClrRuntime Runtime => _runtime;

        /// <summary>Opens a dump; a clear <see cref="SnapshotException"/> when it is not a .NET dump with a GC heap.</summary>
        public static DumpHeap Open(string path)
        {
            if (!File.Exists(path))
            {
                throw new SnapshotException($"no such dump file: {path}");
            }

            DataTarget? target = null;
            try
            {
                target = DataTarget.LoadDump(path, new DataTargetOptions { UseLockFreeMemoryMapReader = true });
                var info = target.ClrVersions.FirstOrDefault() ?? throw new SnapshotException($"{path} holds no .NET runtime (is it a dump of a .NET process?)");
                var dac = Path.Combine(Path.GetDirectoryName(info.ModuleInfo.FileName) ?? string.Empty, OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
                var runtime = File.Exists(dac) ? info.CreateRuntime(dac, ignoreMismatch: true) : info.CreateRuntime();
                var heap = runtime.Heap;
                if (!heap.CanWalkHeap || !heap.Segments.Any() || !heap.EnumerateObjects().Take(64).Any(o => o.IsValid && o.Type is not null && !o.Type.IsFree))
                {
                    runtime.Dispose();
                    throw new SnapshotException($"{path} holds no walkable GC heap (a dump without the heap, e.g. a 'Normal' or 'Mini' dump? take it with the heap: dotnet-dump collect --type Heap)");
                }

                var result = new DumpHeap(target, runtime);
                target = null;
                return result;
            }
            catch (SnapshotException)
            {
                throw;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ClrDiagnosticsException or InvalidOperationException or NotSupportedException or ArgumentException or FileNotFoundException or BadImageFormatException or UnauthorizedAccessException or EndOfStreamException)
            {
                throw new SnapshotException($"cannot read {path} as a .NET dump ({e.Message.Split('\n')[0].Trim()})", e);
            }
            finally
            {
                target?.Dispose();
            }
        }

        /// <summary>The roots, persistent ones first: static fields (named), then strong and pinned handles, then stacks, then the finalizer queue.</summary>
        public IReadOnlyList<(ulong Object, RootLabel Label)> Roots => _roots ??= CollectRoots();

        /// <summary>Marks every object reachable from the roots and counts the live ones per type.</summary>
        /// <param name="keepIdentities">Keep every live object's identity (8 bytes each), so that a later snapshot can count survivors.</param>
        /// <param name="previous">An earlier snapshot with identities: count, per type, the live objects that were already there.</param>
        public HeapSummary Summarize(bool keepIdentities, HeapSummary? previous = null, long maxObjects = long.MaxValue)
        {
            var survivors = previous?.Identities is not null ? new Dictionary<ulong, long>() : null;
            var heap = _runtime.Heap;
            var marks = new MarkSet(heap);
            var perType = new Dictionary<ulong, (ClrType Type, long Count, long Bytes)>();
            var identities = keepIdentities ? new List<ulong>() : null;
            var countContents = keepIdentities || previous?.Contents is not null;
            var contents = countContents ? new List<ulong>() : null;
            ulong heapStart = ulong.MaxValue, heapEnd = 0;
            foreach (var segment in heap.Segments)
            {
                heapStart = Math.Min(heapStart, segment.Start);
                heapEnd = Math.Max(heapEnd, segment.End);
            }

            var reader = _target.DataReader;
            Span<byte> payload = stackalloc byte[64];
            var stack = new Stack<ulong>();
            long objects = 0, bytes = 0;
            var complete = true;
            foreach (var (obj, _) in Roots)
            {
                if (marks.TryMark(obj))
                {
                    stack.Push(obj);
                }
            }

            while (stack.Count > 0)
            {
                if (objects >= maxObjects)
                {
                    complete = false;
                    break;
                }

                var address = stack.Pop();
                var type = heap.GetObjectType(address);
                if (type is null || type.IsFree)
                {
                    continue;
                }

                var obj = heap.GetObject(address, type);
                var size = (long)obj.Size;
                objects++;
                bytes += size;
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(perType, type.MethodTable, out var exists);
                if (!exists)
                {
                    entry.Type = type;
                }

                entry.Count++;
                entry.Bytes += size;
                if (identities is not null || survivors is not null)
                {
                    var key = HeapSummary.Key(address, type.MethodTable);
                    identities?.Add(key);
                    if (survivors is not null && previous!.Contains(key))
                    {
                        CollectionsMarshal.GetValueRefOrAddDefault(survivors, type.MethodTable, out _)++;
                    }
                }

                if (contents is not null)
                {
                    var length = (int)Math.Min(payload.Length, Math.Max(0, size - 16));
                    var read = length > 0 ? reader.Read(address + 8, payload[..length]) : 0;
                    contents.Add(HeapSummary.ContentKey(type.MethodTable, size, payload[..read], heapStart, heapEnd));
                }

                if (!type.ContainsPointers && !type.IsCollectible)
                {
                    continue;
                }

                foreach (var child in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
                {
                    if (marks.TryMark(child))
                    {
                        stack.Push(child);
                    }
                }
            }

            var types = new Dictionary<string, TypeStats>(StringComparer.Ordinal);
            var survived = survivors is null ? null : new Dictionary<string, long>(StringComparer.Ordinal);
            ulong[]? contentKeys = null;
            Dictionary<ulong, long>? sameContent = null;
            if (contents is not null)
            {
                contentKeys = contents.ToArray();
                Array.Sort(contentKeys);
                if (previous?.Contents is { } earlier)
                {
                    sameContent = HeapSummary.CommonByTag(earlier, contentKeys);
                }
            }

            foreach (var (type, count, size) in perType.Values)
            {
                var name = type.Name ?? $"<unknown type {type.MethodTable:x}>";
                if (survived is not null)
                {
                    // The larger of the two counts (see HeapSummary.Survivors): at the same address, or with the same content.
                    var kept = Math.Max(survivors!.GetValueOrDefault(type.MethodTable), Math.Min(count, sameContent?.GetValueOrDefault(HeapSummary.Tag(type.MethodTable)) ?? 0));
                    survived[name] = survived.GetValueOrDefault(name) + kept;
                }

                if (types.TryGetValue(name, out var stats))
                {
                    stats.Count += count;
                    stats.Bytes += size;
                }
                else
                {
                    types[name] = new TypeStats(name, count, size);
                }
            }

            ulong[]? keys = null;
            if (identities is not null)
            {
                keys = identities.ToArray();
                Array.Sort(keys);
            }

            return new HeapSummary(types, objects, bytes, keys, complete) { Survivors = survived, Contents = keepIdentities ? contentKeys : null };
        }

        public void Dispose()
        {
            _runtime.Dispose();
            _target.Dispose();
        }

        private List<(ulong, RootLabel)> CollectRoots()
        {
            var roots = new List<(ulong, RootLabel)>();
            var domain = _runtime.AppDomains.FirstOrDefault() ?? _runtime.SystemDomain;
            if (domain is not null)
            {
                foreach (var module in _runtime.EnumerateModules())
                {
                    foreach (var (methodTable, _) in module.EnumerateTypeDefToMethodTableMap())
                    {
                        var type = _runtime.GetTypeByMethodTable(methodTable);
                        if (type is null)
                        {
                            continue;
                        }

                        foreach (var field in type.StaticFields)
                        {
                            if (!field.IsObjectReference)
                            {
                                continue;
                            }

                            ClrObject value;
                            try
                            {
                                if (!field.IsInitialized(domain))
                                {
                                    continue;
                                }

                                value = field.ReadObject(domain);
                            }
                            catch (Exception e) when (e is InvalidOperationException or ArgumentException or ClrDiagnosticsException)
                            {
                                continue;
                            }

                            if (!value.IsNull && value.IsValid)
                            {
                                roots.Add((value.Address, new RootLabel(RootKind.StaticField, type.Name, MemberName(field.Name))));
                            }
                        }
                    }
                }
            }

            var stackRoots = new List<(ulong, RootLabel)>();
            var finalizer = new List<(ulong, RootLabel)>();
            foreach (var root in _runtime.Heap.EnumerateRoots())
            {
                var obj = root.Object;
                if (obj.IsNull)
                {
                    continue;
                }

                switch (root.RootKind)
                {
                    case ClrRootKind.StrongHandle or ClrRootKind.RefCountedHandle or ClrRootKind.SizedRefHandle:
                        roots.Add((obj.Address, new RootLabel(RootKind.StrongHandle)));
                        break;
                    case ClrRootKind.PinnedHandle or ClrRootKind.AsyncPinnedHandle:
                        roots.Add((obj.Address, new RootLabel(RootKind.PinnedHandle)));
                        break;
                    case ClrRootKind.Stack:
                        stackRoots.Add((obj.Address, new RootLabel(RootKind.Stack, detail: StackDetail(root))));
                        break;
                    case ClrRootKind.FinalizerQueue:
                        finalizer.Add((obj.Address, new RootLabel(RootKind.FinalizerQueue)));
                        break;
                    case ClrRootKind.StaticVar:
                        roots.Add((obj.Address, new RootLabel(RootKind.Other, detail: "a static variable")));
                        break;
                    default:
                        stackRoots.Add((obj.Address, new RootLabel(RootKind.Other, detail: root.RootKind.ToString())));
                        break;
                }
            }

            roots.AddRange(stackRoots);
            roots.AddRange(finalizer);
            return roots;
        }

        private static string StackDetail(ClrRoot root)
        {
            // ClrMD's stack roots carry their frame (ClrStackRoot.StackFrame); read it without depending on the subtype's name.
            var frame = root.GetType().GetProperty("StackFrame")?.GetValue(root) as ClrStackFrame;
            var thread = frame?.Thread;
            var method = frame?.Method;
            var who = thread is null ? "a thread" : $"thread {thread.ManagedThreadId}";
            return method is null ? who : $"{who} in {TypeNames.Short(method.Type?.Name)}.{method.Name}";
        }

        /// <summary>"&lt;Name&gt;k__BackingField" is the auto-property Name.</summary>
        internal static string MemberName(string? fieldName)
        {
            if (fieldName is null)
            {
                return "?";
            }

            if (fieldName.StartsWith('<'))
            {
                var close = fieldName.IndexOf('>', StringComparison.Ordinal);
                if (close > 1 && fieldName.EndsWith("k__BackingField", StringComparison.Ordinal))
                {
                    return fieldName[1..close];
                }
            }

            return fieldName;
        }
    }

    /// <summary>A mark bit per 8 bytes of every heap segment: 1/64 of the heap's size.</summary>
    internal sealed class MarkSet
    {
        private readonly ulong[] _starts;
        private readonly ulong[] _ends;
        private readonly ulong[][] _bits;

        public MarkSet(ClrHeap heap)
        {
            var segments = heap.Segments.OrderBy(s => s.Start).ToArray();
            _starts = segments.Select(s => s.Start).ToArray();
            _ends = segments.Select(s => s.End).ToArray();
            _bits = segments.Select(s => new ulong[((s.End - s.Start) / 8 / 64) + 1]).ToArray();
        }

        /// <summary>Marks the object; false when it was marked already or is not on the heap.</summary>
        public bool TryMark(ulong address)
        {
            var index = Array.BinarySearch(_starts, address);
            if (index < 0)
            {
                index = ~index - 1;
            }

            if (index < 0 || address >= _ends[index])
            {
                return false;
            }

            var slot = (address - _starts[index]) / 8;
            ref var word = ref _bits[index][slot / 64];
            var bit = 1UL << (int)(slot % 64);
            if ((word & bit) != 0)
            {
                return false;
            }

            word |= bit;
            return true;
        }

        public bool IsMarked(ulong address)
        {
            var index = Array.BinarySearch(_starts, address);
            if (index < 0)
            {
                index = ~index - 1;
            }

            if (index < 0 || address >= _ends[index])
            {
                return false;
            }

            var slot = (address - _starts[index]) / 8;
            return (_bits[index][slot / 64] & (1UL << (int)(slot % 64))) != 0;
        }
    }
}
