using System.Runtime.CompilerServices;
using System.Threading;
using LeakAnalyzers.Resources;
using LeakAnalyzers.Retention;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;

namespace LeakAnalyzers
{
    /// <summary>
    /// Everything the analyzers of one compilation share: the well-known types (resolved lazily, once, for all rules), the
    /// method summaries and the name index. One instance per compilation object, found through a weak table, so every
    /// analyzer's CompilationStart gets the same one and nothing outlives the compilation.
    /// </summary>
    internal sealed class CompilationModel
    {
        private static readonly ConditionalWeakTable<Compilation, CompilationModel> Models = new ConditionalWeakTable<Compilation, CompilationModel>();

        private KnownTypes? _known;
        private DisposableTypes? _disposables;
        private PublisherLifetime? _publishers;
        private MethodSummaries? _summaries;
        private ExternalReferenceFinder? _references;
        private CreationSites? _creations;
        private OwnedElements? _elements;
        private LongLivedOwners? _longLivedOwners;

        private CompilationModel(Compilation compilation)
        {
            Compilation = compilation;
        }

        public Compilation Compilation { get; }

        public KnownTypes Known => LazyInitializer.EnsureInitialized(ref _known, () => KnownTypes.Create(Compilation))!;

        public DisposableTypes Disposables => LazyInitializer.EnsureInitialized(ref _disposables, () => DisposableTypes.Create(Compilation))!;

        public PublisherLifetime Publishers => LazyInitializer.EnsureInitialized(ref _publishers, () => PublisherLifetime.Create(Compilation, Known))!;

        public MethodSummaries Summaries => LazyInitializer.EnsureInitialized(ref _summaries, () => new MethodSummaries(this))!;

        public ExternalReferenceFinder References => LazyInitializer.EnsureInitialized(ref _references, () => new ExternalReferenceFinder(Compilation))!;

        public CreationSites Creations => LazyInitializer.EnsureInitialized(ref _creations, () => new CreationSites(this))!;

        public OwnedElements Elements => LazyInitializer.EnsureInitialized(ref _elements, () => new OwnedElements(this))!;

        public LongLivedOwners LongLivedOwners => LazyInitializer.EnsureInitialized(ref _longLivedOwners, () => new LongLivedOwners(this))!;

        public static CompilationModel For(Compilation compilation) => Models.GetValue(compilation, c => new CompilationModel(c));
    }
}
