using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace LeakAnalyzers
{
    /// <summary>
    /// The well-known types the rules ask about, resolved once per compilation (each table the first time a rule asks) and then only compared.
    /// A type the compilation does not reference is simply null.
    /// </summary>
    internal sealed class KnownTypes
    {
        private Dictionary<INamedTypeSymbol, CollectionKind>? _collectionKinds;
        private HashSet<INamedTypeSymbol>? _readOnlyViews;
        private HashSet<INamedTypeSymbol>? _boundedKeyTypes;
        private StrongBox<INamedTypeSymbol?>? _immutableInterlocked;
        private StrongBox<INamedTypeSymbol?>? _conditionalWeakTable;
        private StrongBox<INamedTypeSymbol?>? _memoryCache;

        /// <summary>Nothing is resolved here: each table is built the first time a rule asks (a request for a document without collections asks nothing).</summary>
        private KnownTypes(Compilation compilation)
        {
            Compilation = compilation;
        }

        private Dictionary<INamedTypeSymbol, CollectionKind> CollectionKinds => LazyInitializer.EnsureInitialized(ref _collectionKinds, () =>
        {
            var kinds = new Dictionary<INamedTypeSymbol, CollectionKind>(SymbolEqualityComparer.Default);
            void Kind(string name, CollectionKind kind)
            {
                if (MetadataTypes.Get(Compilation, name) is { } t)
                {
                    kinds[t] = kind;
                }
            }

            Kind("System.Collections.Generic.List`1", CollectionKind.List);
            Kind("System.Collections.ArrayList", CollectionKind.List);
            Kind("System.Collections.ObjectModel.Collection`1", CollectionKind.IndexedCollection);
            Kind("System.Collections.ObjectModel.ObservableCollection`1", CollectionKind.IndexedCollection);
            Kind("System.Collections.Generic.IList`1", CollectionKind.IndexedCollection);
            Kind("System.Collections.Generic.ICollection`1", CollectionKind.Bag);
            Kind("System.Collections.Generic.Queue`1", CollectionKind.Queue);
            Kind("System.Collections.Concurrent.ConcurrentQueue`1", CollectionKind.ConcurrentQueue);
            Kind("System.Collections.Generic.Stack`1", CollectionKind.Stack);
            Kind("System.Collections.Concurrent.ConcurrentStack`1", CollectionKind.Stack);
            Kind("System.Collections.Generic.LinkedList`1", CollectionKind.LinkedList);
            Kind("System.Collections.Generic.HashSet`1", CollectionKind.Set);
            Kind("System.Collections.Generic.SortedSet`1", CollectionKind.Set);
            Kind("System.Collections.Generic.ISet`1", CollectionKind.Set);
            Kind("System.Collections.Generic.Dictionary`2", CollectionKind.Map);
            Kind("System.Collections.Generic.SortedDictionary`2", CollectionKind.Map);
            Kind("System.Collections.Generic.SortedList`2", CollectionKind.Map);
            Kind("System.Collections.Generic.IDictionary`2", CollectionKind.Map);
            Kind("System.Collections.Hashtable", CollectionKind.Map);
            Kind("System.Collections.Concurrent.ConcurrentDictionary`2", CollectionKind.Map);
            Kind("System.Collections.Concurrent.ConcurrentBag`1", CollectionKind.ConcurrentBag);
            Kind("System.Collections.Concurrent.BlockingCollection`1", CollectionKind.ConcurrentBag);
            Kind("System.Collections.Generic.PriorityQueue`2", CollectionKind.PriorityQueue);
            Kind("System.Collections.Immutable.ImmutableList`1", CollectionKind.ImmutableList);
            Kind("System.Collections.Immutable.ImmutableArray`1", CollectionKind.ImmutableList);
            Kind("System.Collections.Immutable.ImmutableHashSet`1", CollectionKind.ImmutableSet);
            Kind("System.Collections.Immutable.ImmutableSortedSet`1", CollectionKind.ImmutableSet);
            Kind("System.Collections.Immutable.ImmutableDictionary`2", CollectionKind.ImmutableMap);
            Kind("System.Collections.Immutable.ImmutableSortedDictionary`2", CollectionKind.ImmutableMap);
            Kind("System.Collections.Immutable.ImmutableQueue`1", CollectionKind.ImmutableUncounted);
            Kind("System.Collections.Immutable.ImmutableStack`1", CollectionKind.ImmutableUncounted);
            return kinds;
        })!;

        private HashSet<INamedTypeSymbol> ReadOnlyViews => LazyInitializer.EnsureInitialized(ref _readOnlyViews, () => Set(Compilation,
                "System.Collections.Generic.IEnumerable`1",
                "System.Collections.IEnumerable",
                "System.Collections.Generic.IReadOnlyCollection`1",
                "System.Collections.Generic.IReadOnlyList`1",
                "System.Collections.Generic.IReadOnlyDictionary`2",
                "System.Collections.Generic.IReadOnlySet`1",
                "System.Collections.ObjectModel.ReadOnlyCollection`1",
                "System.Collections.ObjectModel.ReadOnlyDictionary`2",
                "System.ReadOnlySpan`1",
                "System.Linq.IOrderedEnumerable`1"))!;

        private HashSet<INamedTypeSymbol> BoundedKeyTypes => LazyInitializer.EnsureInitialized(ref _boundedKeyTypes, () => Set(Compilation,
                "System.Type",
                "System.Reflection.MemberInfo",
                "System.Reflection.Assembly",
                "System.Reflection.Module",
                "System.Reflection.ParameterInfo",
                "System.RuntimeTypeHandle",
                "System.RuntimeMethodHandle",
                "System.RuntimeFieldHandle"))!;

        public Compilation Compilation { get; }

        public INamedTypeSymbol? ImmutableInterlocked => Lookup(ref _immutableInterlocked, "System.Collections.Immutable.ImmutableInterlocked");

        public INamedTypeSymbol? ConditionalWeakTable => Lookup(ref _conditionalWeakTable, "System.Runtime.CompilerServices.ConditionalWeakTable`2");

        /// <summary>Microsoft.Extensions.Caching.Memory.MemoryCache, when the compilation references it.</summary>
        public INamedTypeSymbol? MemoryCache => Lookup(ref _memoryCache, "Microsoft.Extensions.Caching.Memory.MemoryCache");

        public static KnownTypes Create(Compilation compilation) => new KnownTypes(compilation);

        /// <summary>The kind of a BCL collection type (by its original definition), or <see cref="CollectionKind.None"/>.</summary>
        public CollectionKind GetCollectionKind(ITypeSymbol? type)
        {
            if (type is INamedTypeSymbol named && CollectionKinds.TryGetValue(named.OriginalDefinition, out var kind))
            {
                return kind;
            }

            return CollectionKind.None;
        }

        /// <summary>True for interfaces and wrappers through which a collection can only be read.</summary>
        public bool IsReadOnlyView(ITypeSymbol? type)
        {
            return type is INamedTypeSymbol named && ReadOnlyViews.Contains(named.OriginalDefinition);
        }

        /// <summary>Keys drawn from a domain that cannot grow without bound while the process runs.</summary>
        public bool IsBoundedKeyType(ITypeSymbol? type)
        {
            switch (type)
            {
                case null:
                    return false;
                case INamedTypeSymbol { TypeKind: TypeKind.Enum }:
                    return true;
                case INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable:
                    return IsBoundedKeyType(nullable.TypeArguments[0]);
                case INamedTypeSymbol { IsTupleType: true } tuple:
                    foreach (var element in tuple.TupleElements)
                    {
                        if (!IsBoundedKeyType(element.Type))
                        {
                            return false;
                        }
                    }

                    return tuple.TupleElements.Length > 0;
            }

            switch (type.SpecialType)
            {
                case SpecialType.System_Boolean:
                case SpecialType.System_Char:
                case SpecialType.System_Byte:
                case SpecialType.System_SByte:
                    return true;
            }

            for (var t = type as INamedTypeSymbol; t != null; t = t.BaseType)
            {
                if (BoundedKeyTypes.Contains(t.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Type, MemberInfo, Assembly and friends (not enums or primitives): values of a resolution cache.</summary>
        public bool IsBoundedReflectionType(ITypeSymbol? type)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                type = nullable.TypeArguments[0];
            }

            for (var t = type as INamedTypeSymbol; t != null; t = t.BaseType)
            {
                if (BoundedKeyTypes.Contains(t.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        private INamedTypeSymbol? Lookup(ref StrongBox<INamedTypeSymbol?>? slot, string metadataName)
            => LazyInitializer.EnsureInitialized(ref slot, () => new StrongBox<INamedTypeSymbol?>(MetadataTypes.Get(Compilation, metadataName)))!.Value;

        private static HashSet<INamedTypeSymbol> Set(Compilation compilation, params string[] names)
        {
            var set = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach (var name in names)
            {
                if (MetadataTypes.Get(compilation, name) is { } t)
                {
                    set.Add(t);
                }
            }

            return set;
        }
    }
}
