namespace LeakAnalyzers
{
    /// <summary>What shape of collection a member has: decides which operations grow or shrink it and how a fix can bound it.</summary>
    public enum CollectionKind
    {
        None,

        /// <summary>List&lt;T&gt;, ArrayList: ordered, RemoveRange from the front is the natural trim.</summary>
        List,

        /// <summary>Collection&lt;T&gt;, ObservableCollection&lt;T&gt;, IList&lt;T&gt;: ordered, RemoveAt(0).</summary>
        IndexedCollection,

        Queue,
        ConcurrentQueue,

        /// <summary>Stack&lt;T&gt;, ConcurrentStack&lt;T&gt;: the oldest element is unreachable, only clearing bounds it.</summary>
        Stack,

        LinkedList,

        /// <summary>HashSet, SortedSet, ISet: keyed by element.</summary>
        Set,

        /// <summary>Dictionary, SortedDictionary, SortedList, Hashtable, ConcurrentDictionary, IDictionary: keyed maps.</summary>
        Map,

        /// <summary>ConcurrentBag, BlockingCollection: unordered, TryTake.</summary>
        ConcurrentBag,

        /// <summary>ICollection&lt;T&gt;: only Add/Remove/Clear are known.</summary>
        Bag,

        PriorityQueue,
        ImmutableList,
        ImmutableSet,
        ImmutableMap,

        /// <summary>ImmutableQueue, ImmutableStack: no Count.</summary>
        ImmutableUncounted,
    }

    internal static class CollectionKindFacts
    {
        public static bool IsKeyed(this CollectionKind kind)
            => kind is CollectionKind.Map or CollectionKind.Set or CollectionKind.ImmutableMap or CollectionKind.ImmutableSet;

        public static bool IsMap(this CollectionKind kind)
            => kind is CollectionKind.Map or CollectionKind.ImmutableMap;

        public static bool IsImmutable(this CollectionKind kind)
            => kind is CollectionKind.ImmutableList or CollectionKind.ImmutableSet or CollectionKind.ImmutableMap or CollectionKind.ImmutableUncounted;
    }
}
