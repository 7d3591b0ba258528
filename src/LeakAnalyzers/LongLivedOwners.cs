using System.Collections.Concurrent;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers
{
    /// <summary>
    /// Types whose instances live as long as the process, decided from the code: a singleton the compilation shows
    /// (<see cref="CreationSites.IsSingleton"/>: it keeps an instance of itself in a static member and creates no other, or
    /// it is registered as a container singleton), a class whose every instance the code stores into a static holder that
    /// keeps it (<see cref="CreationSites.IsKeptByStatics"/>: a pool kept in a static dictionary nothing removes from), or a
    /// type named in <c>leak_analyzers.long_lived_types</c> for its trees.
    /// An instance collection of such a type is as long-lived as a static one (LEAK001, LEAK002); a subscription or a
    /// delegate that keeps such an object costs nothing (LEAK003, LEAK004). One per compilation
    /// (<see cref="CompilationModel.LongLivedOwners"/>).
    /// </summary>
    internal sealed class LongLivedOwners
    {
        private readonly CompilationModel _model;
        private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _owners = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);

        public LongLivedOwners(CompilationModel model) => _model = model;

        public bool Contains(INamedTypeSymbol owner, AnalyzerOptions options, CancellationToken cancellationToken)
        {
            owner = owner.OriginalDefinition;
            if (_owners.TryGetValue(owner, out var known))
            {
                return known;
            }

            var value = _model.Creations.IsSingleton(owner, cancellationToken)
                || Lifetime.IsConfiguredLongLived(owner, Lifetime.ConfiguredLongLivedTypes(options, owner))
                || _model.Creations.IsKeptByStatics(owner, cancellationToken);
            return _owners.GetOrAdd(owner, value);
        }
    }
}
