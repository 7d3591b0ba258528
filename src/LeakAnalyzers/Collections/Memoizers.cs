using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Collections
{
    /// <summary>What a memoizing helper does: the local map it closes over and where the returned delegate fills it.</summary>
    internal sealed class MemoizerInfo
    {
        public MemoizerInfo(ILocalSymbol map, ITypeSymbol keyType, IReadOnlyList<Location> growth)
        {
            Map = map;
            KeyType = keyType;
            Growth = growth;
        }

        public ILocalSymbol Map { get; }

        public ITypeSymbol KeyType { get; }

        public IReadOnlyList<Location> Growth { get; }
    }

    /// <summary>
    /// Recognises "Memoize"-style helpers: a method that creates a local map and returns a delegate that fills it
    /// cache-style (GetOrAdd, or lookup then add of the same key) and never evicts. The map then lives as long as the
    /// delegate; the rule reports where such a delegate is stored in a long-lived place. One answer per method and
    /// compilation; only source methods that return a delegate are looked at.
    /// </summary>
    internal sealed class Memoizers
    {
        private readonly Compilation _compilation;
        private readonly KnownTypes _known;
        private readonly ConcurrentDictionary<IMethodSymbol, MemoizerInfo?> _cache = new ConcurrentDictionary<IMethodSymbol, MemoizerInfo?>(SymbolEqualityComparer.Default);

        public Memoizers(Compilation compilation, KnownTypes known)
        {
            _compilation = compilation;
            _known = known;
        }

        public MemoizerInfo? Get(IMethodSymbol method, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            if (method.ReturnType.TypeKind != TypeKind.Delegate || method.DeclaringSyntaxReferences.Length != 1)
            {
                return null;
            }

            return _cache.GetOrAdd(method, m => Analyze(m, cancellationToken));
        }

        private MemoizerInfo? Analyze(IMethodSymbol method, CancellationToken cancellationToken)
        {
            var syntax = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
#pragma warning disable RS1030 // Only source methods returning a delegate that initialise a long-lived member get here, once each.
            var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
            if (model.GetOperation(syntax, cancellationToken) is not { } body)
            {
                return null;
            }

            // Local maps created in the method.
            var maps = new Dictionary<ILocalSymbol, CollectionKind>(SymbolEqualityComparer.Default);
            foreach (var operation in body.Descendants())
            {
                if (operation is IVariableDeclaratorOperation { Symbol: { } local, Initializer.Value: var value }
                    && _known.GetCollectionKind(local.Type) is var kind && kind.IsMap() && Unwrap(value) is IObjectCreationOperation)
                {
                    maps[local] = kind;
                }
            }

            if (maps.Count == 0)
            {
                return null;
            }

            foreach (var operation in body.Descendants())
            {
                if (operation is not IReturnOperation { ReturnedValue: { } returned } || Unwrap(returned) is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
                {
                    continue;
                }

                foreach (var pair in maps)
                {
                    var growth = new List<Location>();
                    var lookups = new HashSet<string>();
                    var growthKeys = new List<(string Key, Location Location, bool CacheShaped)>();
                    var shrinks = false;
                    var escapes = false;
                    foreach (var node in body.Descendants())
                    {
                        if (node is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, pair.Key))
                        {
                            continue;
                        }

                        var use = CollectionMutation.Classify(reference, pair.Key, pair.Value, _known);
                        var insideLambda = lambda.Syntax.Span.Contains(reference.Syntax.Span);
                        switch (use.Kind)
                        {
                            case MemberUseKind.Growth when insideLambda:
                                growthKeys.Add((use.Key?.Syntax.ToString() ?? string.Empty, use.Operation.Syntax.GetLocation(), use.IsCacheShaped));
                                break;
                            case MemberUseKind.Lookup when use.Key is not null:
                                lookups.Add(use.Key.Syntax.ToString());
                                break;
                            case MemberUseKind.Shrink:
                            case MemberUseKind.Replace:
                                shrinks = true;
                                break;
                            case MemberUseKind.Escape:
                                escapes = true;
                                break;
                        }
                    }

                    var cacheShaped = false;
                    foreach (var (key, location, shaped) in growthKeys)
                    {
                        cacheShaped |= shaped || lookups.Contains(key);
                        growth.Add(location);
                    }

                    if (cacheShaped && !shrinks && !escapes && pair.Key.Type is INamedTypeSymbol { TypeArguments.Length: 2 } mapType
                        && !_known.IsBoundedKeyType(mapType.TypeArguments[0]))
                    {
                        return new MemoizerInfo(pair.Key, mapType.TypeArguments[0], growth);
                    }
                }
            }

            return null;
        }

        private static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }
    }
}
