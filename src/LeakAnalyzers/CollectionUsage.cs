using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace LeakAnalyzers
{
    /// <summary>A place that adds to a collection member.</summary>
    internal sealed class GrowthSite
    {
        public GrowthSite(Location location, ISymbol? container, bool inInitializer, string? keyText, ITypeSymbol? keyType, bool isCacheShaped)
        {
            Location = location;
            Container = container;
            InInitializer = inInitializer;
            KeyText = keyText;
            KeyType = keyType;
            IsCacheShaped = isCacheShaped;
        }

        public Location Location { get; }

        /// <summary>The method (or field, for an initializer) that contains the growth.</summary>
        public ISymbol? Container { get; }

        /// <summary>Directly in the static constructor or an initializer (not in a lambda there).</summary>
        public bool InInitializer { get; }

        public string? KeyText { get; }

        public ITypeSymbol? KeyType { get; }

        public bool IsCacheShaped { get; set; }

        /// <summary>The key is a compile-time constant (a parameter key is judged by its callers: <see cref="KeyParameter"/>).</summary>
        public bool KeyIsConstant { get; set; }

        /// <summary>The key is this parameter of <see cref="Container"/>; its callers decide whether keys are bounded.</summary>
        public IParameterSymbol? KeyParameter { get; set; }

        /// <summary>
        /// The key is this property of a parameter of <see cref="Container"/> (<c>s_codecs.Add(codec.Name, codec)</c>,
        /// the parameter in <see cref="KeyParameter"/>): bounded when every caller hands in a new object whose class
        /// returns a constant for it.
        /// </summary>
        public IPropertySymbol? KeyProperty { get; set; }
    }

    /// <summary>Everything the compilation does with one collection member, summarised.</summary>
    internal sealed class CollectionUsage
    {
        private readonly List<(ISymbol? Container, string KeyText)> _lookups = new List<(ISymbol?, string)>();

        public CollectionUsage(ISymbol member, CollectionKind kind)
        {
            Member = member;
            Kind = kind;
        }

        public ISymbol Member { get; }

        public CollectionKind Kind { get; }

        public List<GrowthSite> Growth { get; } = new List<GrowthSite>();

        public bool Shrinks { get; set; }

        /// <summary>Re-assigned outside its initializer or static constructor.</summary>
        public bool Replaced { get; set; }

        public bool Escapes { get; set; }

        /// <summary>The kind of the map's values when they are mutable collections (per-key lists), else None.</summary>
        public CollectionKind ValueKind { get; set; }

        /// <summary>
        /// For a map whose values are mutable collections (<c>Dictionary&lt;K, List&lt;V&gt;&gt;</c>): the places that add to a
        /// value reached through the member (<c>map[k].Add(v)</c>, <c>map.GetOrAdd(k, ..).Add(v)</c>, the list a
        /// <c>TryGetValue</c> hands out). Growth of the per-key collections, not of the map's keys.
        /// </summary>
        public List<GrowthSite> InnerGrowth { get; } = new List<GrowthSite>();

        /// <summary>A value reached through the member is removed from, cleared or trimmed.</summary>
        public bool InnerShrinks { get; set; }

        /// <summary>A value reached through the member (or put into it) goes somewhere we do not follow: its size is not known.</summary>
        public bool InnerUnknown { get; set; }

        /// <summary>
        /// Every use is one a <c>ConditionalWeakTable</c> also has (GetOrAdd, TryGetValue, ContainsKey, Add, TryAdd,
        /// Remove, indexer set as a statement): the "Use ConditionalWeakTable" fix can rewrite them all.
        /// </summary>
        public bool WeakTableCompatible { get; set; } = true;

        /// <summary>Every use has a MemoryCache equivalent (GetOrAdd with a factory, TryGetValue, ContainsKey, adds as statements).</summary>
        public bool MemoryCacheCompatible { get; set; } = true;

        public void AddLookup(ISymbol? container, string keyText) => _lookups.Add((container, keyText));

        /// <summary>True when some growth is a lookup-then-add of the same key in the same member: a cache (LEAK002's domain).</summary>
        public bool IsCache
        {
            get
            {
                if (!Kind.IsMap())
                {
                    return false;
                }

                foreach (var site in Growth)
                {
                    if (site.IsCacheShaped)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        /// <summary>Marks growth sites whose key was looked up first in the same member as cache-shaped.</summary>
        public void ResolveCacheShapes()
        {
            if (!Kind.IsMap() || _lookups.Count == 0)
            {
                return;
            }

            foreach (var site in Growth)
            {
                if (site.IsCacheShaped || site.KeyText is null)
                {
                    continue;
                }

                foreach (var (container, keyText) in _lookups)
                {
                    if (keyText == site.KeyText && SymbolEqualityComparer.Default.Equals(container, site.Container))
                    {
                        site.IsCacheShaped = true;
                        break;
                    }
                }
            }
        }

        /// <summary>The growth sites that run after start-up: not in the static constructor, an initializer or a helper only they call.</summary>
        public ImmutableArray<GrowthSite> GetRuntimeGrowth(System.Func<ISymbol, bool> isInitOnlyMethod) => GetRuntimeGrowth(Growth, isInitOnlyMethod);

        /// <summary>Of <paramref name="sites"/>, those that run after start-up, in source order.</summary>
        public ImmutableArray<GrowthSite> GetRuntimeGrowth(List<GrowthSite> sites, System.Func<ISymbol, bool> isInitOnlyMethod)
        {
            var builder = ImmutableArray.CreateBuilder<GrowthSite>();
            foreach (var site in sites)
            {
                if (site.InInitializer || site.Container is not null && isInitOnlyMethod(site.Container))
                {
                    continue;
                }

                builder.Add(site);
            }

            // Report in source order so results are stable.
            builder.Sort((a, b) =>
            {
                var byFile = string.CompareOrdinal(a.Location.SourceTree?.FilePath, b.Location.SourceTree?.FilePath);
                return byFile != 0 ? byFile : a.Location.SourceSpan.Start.CompareTo(b.Location.SourceSpan.Start);
            });
            return builder.ToImmutable();
        }

        /// <summary>
        /// True when the member's type alone bounds its keys: a keyed collection of a bounded key type, or a map whose values
        /// are reflection results (resolution caches: name → Type). Needs no use of the member.
        /// </summary>
        public static bool HasBoundedKeyType(ISymbol member, CollectionKind kind, KnownTypes known)
            => kind.IsKeyed() && member.GetMemberType() is INamedTypeSymbol { IsGenericType: true } generic && generic.TypeArguments.Length > 0
                && (known.IsBoundedKeyType(generic.TypeArguments[0]) || kind.IsMap() && generic.TypeArguments.Length > 1 && known.IsBoundedReflectionType(generic.TypeArguments[1]));

        /// <summary>
        /// True when every key that goes in comes from a domain that cannot grow without bound: a bounded key type, a map
        /// whose values are (resolution caches: name → Type), or constant keys at every growth site
        /// (<paramref name="keyIsConstant"/>: a constant, or a parameter every caller passes a constant for).
        /// </summary>
        public bool HasBoundedKeys(KnownTypes known, System.Func<GrowthSite, bool> keyIsConstant)
        {
            if (!Kind.IsKeyed())
            {
                return false;
            }

            if (HasBoundedKeyType(Member, Kind, known))
            {
                return true;
            }

            // Only now, when the cheap answers did not settle it, look at what the callers pass.
            if (Growth.Count > 0 && Growth.TrueForAll(site => keyIsConstant(site)))
            {
                return true;
            }

            if (Member.GetMemberType() is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: > 0 })
            {
                return false;
            }

            // Non-generic Hashtable: judge by what is put in.
            if (Growth.Count == 0)
            {
                return false;
            }

            foreach (var site in Growth)
            {
                if (!known.IsBoundedKeyType(site.KeyType))
                {
                    return false;
                }
            }

            return true;
        }
    }

    internal static class MemberSymbolExtensions
    {
        public static ITypeSymbol? GetMemberType(this ISymbol member) => member switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            IEventSymbol @event => @event.Type,
            _ => null,
        };
    }
}
