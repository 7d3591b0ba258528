using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace LeakAnalyzers
{
    /// <summary>
    /// <see cref="Compilation.GetTypeByMetadataName"/> for the well-known types every rule resolves, remembered across the
    /// compilations that share their metadata references. The IDE analyses each document request on a fork of the
    /// compilation whose type-lookup cache is empty; the forks of one project keep the same reference symbols (an edit
    /// changes source, not references), so a type found in metadata once is the same symbol in every fork. A name that
    /// the source declares is always looked up afresh (the source's type wins, or makes the name ambiguous).
    /// </summary>
    internal static class MetadataTypes
    {
        /// <summary>Per core library symbol (shared by forks that reuse the references): the reference sets seen with it.</summary>
        private static readonly ConditionalWeakTable<IAssemblySymbol, List<Entry>> ByCoreLibrary = new ConditionalWeakTable<IAssemblySymbol, List<Entry>>();

        /// <summary>The entry each compilation matched, so the references are compared once per compilation.</summary>
        private static readonly ConditionalWeakTable<Compilation, Entry> ByCompilation = new ConditionalWeakTable<Compilation, Entry>();

        private const int MaxReferenceSetsPerCoreLibrary = 16;

        private static readonly char[] Separators = { '.', '+' };

        public static INamedTypeSymbol? Get(Compilation compilation, string metadataName)
        {
            if (DeclaredInSource(compilation, metadataName)
                || compilation.ObjectType.ContainingAssembly is not { } coreLibrary
                || SymbolEqualityComparer.Default.Equals(coreLibrary, compilation.Assembly))
            {
                return compilation.GetTypeByMetadataName(metadataName);
            }

            var entry = ByCompilation.GetValue(compilation, c => EntryFor(c, coreLibrary));
            return entry.Types.GetOrAdd(metadataName, name => compilation.GetTypeByMetadataName(name));
        }

        /// <summary>
        /// True when the source may declare a type of this name: its simple name (no namespace, no arity) is among the names
        /// the source declares (any namespace, nested types too), which the compiler keeps with the declaration table that
        /// the forks share. Cheaper than asking the fork's fresh source assembly for the full name every time.
        /// </summary>
        private static bool DeclaredInSource(Compilation compilation, string metadataName)
        {
            var start = metadataName.LastIndexOfAny(Separators) + 1;
            var tick = metadataName.IndexOf('`', start);
            var simple = tick < 0 ? metadataName.Substring(start) : metadataName.Substring(start, tick - start);
            return compilation.Assembly.TypeNames.Contains(simple);
        }

        private static Entry EntryFor(Compilation compilation, IAssemblySymbol coreLibrary)
        {
            // The references as the options give them (no copy); #r directives (scripts) add their own.
            IReadOnlyList<MetadataReference> references = compilation.DirectiveReferences.IsEmpty ? compilation.ExternalReferences : ImmutableArray.CreateRange(compilation.References);
            var entries = ByCoreLibrary.GetValue(coreLibrary, _ => new List<Entry>());
            lock (entries)
            {
                foreach (var entry in entries)
                {
                    if (entry.Matches(references, compilation))
                    {
                        return entry;
                    }
                }

                if (entries.Count >= MaxReferenceSetsPerCoreLibrary)
                {
                    entries.RemoveAt(0);
                }

                var created = new Entry(references, compilation);
                entries.Add(created);
                return created;
            }
        }

        private sealed class Entry
        {
            private readonly MetadataReference[] _references;
            private readonly ISymbol?[] _assemblies;

            public Entry(IReadOnlyList<MetadataReference> references, Compilation compilation)
            {
                _references = new MetadataReference[references.Count];
                _assemblies = new ISymbol?[references.Count];
                for (var i = 0; i < references.Count; i++)
                {
                    _references[i] = references[i];
                    _assemblies[i] = compilation.GetAssemblyOrModuleSymbol(references[i]);
                }
            }

            public ConcurrentDictionary<string, INamedTypeSymbol?> Types { get; } = new ConcurrentDictionary<string, INamedTypeSymbol?>(System.StringComparer.Ordinal);

            /// <summary>The same references (by identity), bound to the same assembly symbols (so the types found are this compilation's too).</summary>
            public bool Matches(IReadOnlyList<MetadataReference> references, Compilation compilation)
            {
                if (references.Count != _references.Length)
                {
                    return false;
                }

                for (var i = 0; i < _references.Length; i++)
                {
                    if (!ReferenceEquals(references[i], _references[i]))
                    {
                        return false;
                    }
                }

                for (var i = 0; i < _references.Length; i++)
                {
                    if (!ReferenceEquals(compilation.GetAssemblyOrModuleSymbol(_references[i]), _assemblies[i]))
                    {
                        return false;
                    }
                }

                return true;
            }
        }
    }
}
