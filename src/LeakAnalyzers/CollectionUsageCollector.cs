using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers
{
    /// <summary>
    /// Reads every use of one collection member (a field, or an auto-property through its backing field) and summarises
    /// them as a <see cref="CollectionUsage"/>, on demand: the rules ask from a symbol action on the member, which runs in
    /// the document that declares it, and the uses are found by name through <see cref="ExternalReferenceFinder"/> (only
    /// the nodes that name the member, or a property that forwards it, are bound). What callers a growth site's method has
    /// (only start-up code? constants for the key?) is read the same way, and only when a rule gets that far. Answers are
    /// kept per compilation and shared by the collection rules; each rule decides which members are candidates.
    /// </summary>
    internal sealed class CollectionUsageCollector
    {
        private static readonly ConditionalWeakTable<Compilation, CollectionUsageCollector> Collectors = new ConditionalWeakTable<Compilation, CollectionUsageCollector>();

        /// <summary>How deep "only called from start-up code" follows callers of callers.</summary>
        private const int MaxCallerDepth = 8;

        /// <summary>How many local aliases deep (<c>var a = F; var b = a;</c>) a member's uses are followed.</summary>
        private const int MaxAliasDepth = 2;

        private readonly KnownTypes _known;
        private readonly ExternalReferenceFinder _finder;
        private readonly ConcurrentDictionary<ISymbol, CollectionUsage> _usages = new ConcurrentDictionary<ISymbol, CollectionUsage>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _initOnly = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<(IMethodSymbol Method, int Ordinal, IPropertySymbol Property), bool> _constantProperties = new ConcurrentDictionary<(IMethodSymbol, int, IPropertySymbol), bool>(new MethodOrdinalPropertyComparer());
        private readonly ConcurrentDictionary<(IMethodSymbol Method, int Ordinal), bool> _constantArguments = new ConcurrentDictionary<(IMethodSymbol, int), bool>(new MethodOrdinalComparer());

        private CollectionUsageCollector(KnownTypes known, ExternalReferenceFinder finder)
        {
            _known = known;
            _finder = finder;
        }

        public static CollectionUsageCollector For(Compilation compilation)
            => Collectors.GetValue(compilation, c => new CollectionUsageCollector(CompilationModel.For(c).Known, CompilationModel.For(c).References));

        /// <summary>
        /// The collection member a declared field or property stands for (the property for an auto-property, whose backing
        /// field holds the collection) and its kind; null when it is not a collection member.
        /// </summary>
        public (ISymbol Member, CollectionKind Kind)? Candidate(ISymbol symbol)
        {
            var type = symbol switch
            {
                IFieldSymbol { IsConst: false, AssociatedSymbol: null, IsImplicitlyDeclared: false } field => field.Type,
                IPropertySymbol { IsIndexer: false } property => property.Type,
                _ => null,
            };

            if (type is null || symbol.ContainingType is null)
            {
                return null;
            }

            // A property is a collection member only when it is an auto-property: its backing field (of the same type) holds the collection.
            var kind = _known.GetCollectionKind(type);
            return kind == CollectionKind.None || symbol is IPropertySymbol auto && BackingField(auto) is null ? null : (symbol, kind);
        }

        private static IFieldSymbol? BackingField(IPropertySymbol property)
        {
            if (property.GetMethod is null || property.IsAbstract || property.IsExtern)
            {
                return null;
            }

            foreach (var member in property.ContainingType.GetMembers())
            {
                if (member is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property))
                {
                    return field;
                }
            }

            return null;
        }

        /// <summary>
        /// Everything the compilation does with the member. Reading stops at the first use that settles it for every
        /// collection rule (a removal, a reset outside start-up code, an escape): such a usage is only good for "skip".
        /// </summary>
        public CollectionUsage Get(ISymbol member, CollectionKind kind, CancellationToken cancellationToken)
        {
            member = member.OriginalDefinition;
            if (_usages.TryGetValue(member, out var usage))
            {
                return usage;
            }

            return _usages.GetOrAdd(member, Compute(member, kind, cancellationToken));
        }

        private CollectionUsage Compute(ISymbol member, CollectionKind kind, CancellationToken cancellationToken)
        {
            var usage = new CollectionUsage(member, kind) { ValueKind = PerKeyCollectionKind(member, kind) };
            var forwarding = ForwardingProperties(member, cancellationToken);
            if (!Read(usage, member, forwarding, cancellationToken))
            {
                return usage;
            }

            foreach (var property in forwarding)
            {
                if (!Read(usage, property, forwarding, cancellationToken))
                {
                    return usage;
                }
            }

            usage.ResolveCacheShapes();
            return usage;
        }

        /// <summary>Records the references to <paramref name="referenced"/> (the member or a forwarding property); false once the usage is settled.</summary>
        private bool Read(CollectionUsage usage, ISymbol referenced, List<IPropertySymbol> forwarding, CancellationToken cancellationToken)
        {
            var (references, complete) = _finder.FindReferences(referenced, cancellationToken);
            if (!complete)
            {
                // Too many uses to read: say nothing about it.
                usage.Escapes = true;
                return false;
            }

            foreach (var (reference, container) in references)
            {
                Record(usage, referenced, forwarding, reference, container);
                if (usage.Shrinks || usage.Replaced || usage.Escapes)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Properties of the member's type that only hand out the member (=> _items): followed as if they were the member.</summary>
        private List<IPropertySymbol> ForwardingProperties(ISymbol member, CancellationToken cancellationToken)
        {
            var forwarding = new List<IPropertySymbol>();
            if (member is not IFieldSymbol field)
            {
                return forwarding;
            }

            foreach (var candidate in field.ContainingType.GetMembers())
            {
                // A public property that hands out the mutable collection lets other assemblies change it: not followed, an escape.
                if (candidate is IPropertySymbol { IsIndexer: false, SetMethod: null } property
                    && SymbolEqualityComparer.Default.Equals(field.Type, property.Type) && field.IsStatic == property.IsStatic
                    && (!IsVisibleOutsideAssembly(property) || _known.IsReadOnlyView(property.Type))
                    && GetForwardedField(property, cancellationToken) == field.Name)
                {
                    forwarding.Add(property);
                }
            }

            return forwarding;
        }

        private static bool IsVisibleOutsideAssembly(ISymbol symbol)
        {
            for (var current = symbol; current != null && current.Kind != SymbolKind.Namespace; current = current.ContainingSymbol)
            {
                if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
                {
                    return false;
                }
            }

            return true;
        }

        private static string? GetForwardedField(IPropertySymbol property, CancellationToken cancellationToken)
        {
            if (property.DeclaringSyntaxReferences.Length != 1 || property.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not PropertyDeclarationSyntax declaration)
            {
                return null;
            }

            ExpressionSyntax? returned = declaration.ExpressionBody?.Expression;
            if (returned is null && declaration.AccessorList is { Accessors: { Count: 1 } accessors })
            {
                var getter = accessors[0];
                returned = getter.ExpressionBody?.Expression
                    ?? (getter.Body is { Statements: { Count: 1 } statements } && statements[0] is ReturnStatementSyntax ret ? ret.Expression : null);
            }

            return returned switch
            {
                IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax or IdentifierNameSyntax, Name: IdentifierNameSyntax name } => name.Identifier.ValueText,
                _ => null,
            };
        }

        /// <summary>
        /// The kind of the values of a map whose values are mutable collections (<c>Dictionary&lt;K, List&lt;V&gt;&gt;</c>: the
        /// per-key lists), else <see cref="CollectionKind.None"/>.
        /// </summary>
        public CollectionKind PerKeyCollectionKind(ISymbol member, CollectionKind kind)
        {
            if (kind != CollectionKind.Map || member.GetMemberType() is not INamedTypeSymbol { TypeArguments.Length: 2 } map)
            {
                return CollectionKind.None;
            }

            var valueKind = _known.GetCollectionKind(map.TypeArguments[1]);
            return valueKind.IsImmutable() ? CollectionKind.None : valueKind;
        }

        private void Record(CollectionUsage usage, ISymbol referenced, List<IPropertySymbol> forwarding, IOperation reference, ISymbol? container, int aliasDepth = 0)
        {
            if (SymbolEqualityComparer.Default.Equals(referenced, usage.Member) && container is IMethodSymbol { AssociatedSymbol: IPropertySymbol accessorOf }
                && forwarding.Contains(accessorOf, SymbolEqualityComparer.Default))
            {
                // The getter of a forwarding property: its uses are followed instead.
                return;
            }

            var use = CollectionMutation.Classify(reference, usage.Member, usage.Kind, _known);
            usage.WeakTableCompatible &= IsWeakTableCompatible(reference);
            usage.MemoryCacheCompatible &= IsMemoryCacheCompatible(reference);
            if (use.Kind == MemberUseKind.Escape && aliasDepth < MaxAliasDepth && !usage.Kind.IsImmutable()
                && LocalAliases.UsesOfLocalInitializedWith(reference) is { } aliasUses)
            {
                // var pools = PoolManager.Pools; pools[key] = ..: the local is the collection (a mutable one: an immutable
                // collection's local is a snapshot, which changes nothing when it is "added to").
                foreach (var aliasUse in aliasUses)
                {
                    Record(usage, referenced, forwarding, aliasUse, container, aliasDepth + 1);
                    if (usage.Shrinks || usage.Replaced || usage.Escapes)
                    {
                        return;
                    }
                }

                return;
            }

            var inLambda = IsInLambda(use.Operation);
            var inInitializer = !inLambda && IsInitializerOf(container, usage.Member);
            if (usage.ValueKind != CollectionKind.None && use.Kind is not (MemberUseKind.Shrink or MemberUseKind.Replace or MemberUseKind.Escape))
            {
                new PerKeyValues(usage, container, inInitializer, _known).Record(reference);
            }
            switch (use.Kind)
            {
                case MemberUseKind.Growth:
                    var key = use.Key;
                    while (key is IConversionOperation conversion)
                    {
                        key = conversion.Operand;
                    }

                    usage.Growth.Add(new GrowthSite(use.Operation.Syntax.GetLocation(), container, inInitializer, KeyText(use.Key), key?.Type, use.IsCacheShaped)
                    {
                        KeyIsConstant = key is not null && key.ConstantValue.HasValue,
                        KeyParameter = !inLambda && KeyParameterOf(key) is { } parameter
                            && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, container) ? parameter : null,
                        KeyProperty = key is IPropertyReferenceOperation { Property: { IsStatic: false, Parameters.Length: 0 } keyProperty, Instance: IParameterReferenceOperation } ? keyProperty : null,
                    });
                    break;
                case MemberUseKind.Shrink:
                    usage.Shrinks = true;
                    break;
                case MemberUseKind.Replace:
                    usage.Replaced |= !inInitializer;
                    break;
                case MemberUseKind.Escape:
                    usage.Escapes = true;
                    break;
                case MemberUseKind.Lookup when KeyText(use.Key) is { } keyText:
                    usage.AddLookup(container, keyText);
                    break;
            }
        }

        /// <summary>
        /// True when every key that goes in comes from a bounded domain (see <see cref="CollectionUsage.HasBoundedKeys"/>);
        /// a key that is a parameter counts when every call of its method passes a constant for it.
        /// </summary>
        public bool HasBoundedKeys(CollectionUsage usage, CancellationToken cancellationToken)
            => usage.HasBoundedKeys(_known, site => KeyIsConstant(site, cancellationToken));

        /// <summary>The growth sites that run after start-up, in source order.</summary>
        public ImmutableArray<GrowthSite> GetRuntimeGrowth(CollectionUsage usage, CancellationToken cancellationToken)
            => GetRuntimeGrowth(usage, usage.Growth, cancellationToken);

        /// <summary>Of <paramref name="sites"/> (the member's growth or its per-key collections' growth), those that run after start-up.</summary>
        public ImmutableArray<GrowthSite> GetRuntimeGrowth(CollectionUsage usage, List<GrowthSite> sites, CancellationToken cancellationToken)
            => usage.GetRuntimeGrowth(sites, container => container is IMethodSymbol method && IsInitOnly(method, ExternalReferenceFinder.TopLevelType(usage.Member), cancellationToken));

        /// <summary>The parameter a key is, or whose property it reads (<c>codec.Name</c>).</summary>
        private static IParameterSymbol? KeyParameterOf(IOperation? key) => key switch
        {
            IParameterReferenceOperation parameter => parameter.Parameter,
            IPropertyReferenceOperation { Property: { IsStatic: false, Parameters.Length: 0 }, Instance: IParameterReferenceOperation parameter } => parameter.Parameter,
            _ => null,
        };

        private bool KeyIsConstant(GrowthSite site, CancellationToken cancellationToken)
        {
            if (site.KeyIsConstant)
            {
                return true;
            }

            if (site.KeyParameter is not { Ordinal: < 64 } parameter || site.Container is not IMethodSymbol method)
            {
                return false;
            }

            method = method.OriginalDefinition;
            if (site.KeyProperty is { } property)
            {
                var propertyKey = (method, parameter.Ordinal, property.OriginalDefinition);
                return _constantProperties.TryGetValue(propertyKey, out var knownProperty)
                    ? knownProperty
                    : _constantProperties.GetOrAdd(propertyKey, AlwaysConstantProperty(method, parameter.Ordinal, property.OriginalDefinition, cancellationToken));
            }

            var key = (method, parameter.Ordinal);
            if (_constantArguments.TryGetValue(key, out var known))
            {
                return known;
            }

            return _constantArguments.GetOrAdd(key, AlwaysConstant(method, parameter.Ordinal, cancellationToken));
        }

        /// <summary>
        /// A key read from a parameter's property is bounded when every call the compilation makes hands in a new object
        /// (<c>Codecs.Register(new CsvCodec())</c>) whose class returns a constant for that property (<c>Name => "csv"</c>):
        /// a registry of plug-ins keyed by the names their classes give, bounded by the classes that exist. The same limits
        /// on the method as for a constant argument.
        /// </summary>
        private bool AlwaysConstantProperty(IMethodSymbol method, int ordinal, IPropertySymbol property, CancellationToken cancellationToken)
        {
            if (method.DeclaredAccessibility != Accessibility.Private && !method.IsStatic)
            {
                return false;
            }

            var (uses, complete) = _finder.FindMethodUses(method, cancellationToken);
            if (!complete)
            {
                return false;
            }

            var calls = 0;
            foreach (var (use, _) in uses)
            {
                if (use is not IInvocationOperation invocation || ArgumentFor(invocation, ordinal) is not IObjectCreationOperation { Type: INamedTypeSymbol created }
                    || !ReturnsConstant(ImplementationOf(created, property), cancellationToken))
                {
                    return false;
                }

                calls++;
            }

            return calls > 0;
        }

        private static IOperation? ArgumentFor(IInvocationOperation invocation, int ordinal)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == ordinal)
                {
                    var value = argument.Value;
                    while (value is IConversionOperation conversion)
                    {
                        value = conversion.Operand;
                    }

                    return value;
                }
            }

            return null;
        }

        /// <summary>The property the created class runs for <paramref name="property"/> (its own, an override, or an interface implementation).</summary>
        private static IPropertySymbol? ImplementationOf(INamedTypeSymbol created, IPropertySymbol property)
        {
            if (property.ContainingType?.TypeKind == TypeKind.Interface)
            {
                return created.FindImplementationForInterfaceMember(property) as IPropertySymbol;
            }

            for (var type = created; type != null; type = type.BaseType)
            {
                foreach (var member in type.GetMembers(property.Name))
                {
                    if (member is not IPropertySymbol candidate)
                    {
                        continue;
                    }

                    for (var overridden = candidate; overridden != null; overridden = overridden.OverriddenProperty)
                    {
                        if (SymbolEqualityComparer.Default.Equals(overridden.OriginalDefinition, property))
                        {
                            return candidate;
                        }
                    }
                }
            }

            return null;
        }

        /// <summary>A getter of source code that returns a literal or a <c>nameof</c> (<c>Name => "csv"</c>, <c>get { return "csv"; }</c>).</summary>
        private static bool ReturnsConstant(IPropertySymbol? property, CancellationToken cancellationToken)
        {
            if (property is null || property.DeclaringSyntaxReferences.Length != 1
                || property.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not PropertyDeclarationSyntax declaration)
            {
                return false;
            }

            ExpressionSyntax? returned = declaration.ExpressionBody?.Expression;
            if (returned is null && declaration.AccessorList is { } accessors)
            {
                foreach (var accessor in accessors.Accessors)
                {
                    if (accessor.Keyword.Text != "get")
                    {
                        continue;
                    }

                    returned = accessor.ExpressionBody?.Expression
                        ?? (accessor.Body is { Statements: { Count: 1 } statements } && statements[0] is ReturnStatementSyntax ret ? ret.Expression : null);
                }
            }

            return returned is LiteralExpressionSyntax
                || returned is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "nameof" } };
        }

        /// <summary>
        /// A key that is a parameter is bounded when every call the compilation makes passes a constant for it (channel
        /// names, setting names): only methods never used as delegates, with at least one call. An instance method other
        /// types can call can be reached through any receiver, so only private and static methods are looked at.
        /// </summary>
        private bool AlwaysConstant(IMethodSymbol method, int ordinal, CancellationToken cancellationToken)
        {
            if (method.DeclaredAccessibility != Accessibility.Private && !method.IsStatic)
            {
                return false;
            }

            var (uses, complete) = _finder.FindMethodUses(method, cancellationToken);
            if (!complete)
            {
                return false;
            }

            var bit = 1UL << ordinal;
            var calls = 0;
            foreach (var (use, _) in uses)
            {
                if (use is not IInvocationOperation invocation || (ConstantArguments(invocation) & bit) == 0)
                {
                    return false;
                }

                calls++;
            }

            return calls > 0;
        }

        /// <summary>
        /// A private method of the member's top-level type that only start-up code calls (the static constructor, a static
        /// initializer, or another such method), never from a lambda, never used as a delegate, called at least once.
        /// </summary>
        private bool IsInitOnly(IMethodSymbol method, INamedTypeSymbol? owner, CancellationToken cancellationToken)
            => IsInitOnly(method, owner, new CallerWalk(), cancellationToken);

        private bool IsInitOnly(IMethodSymbol method, INamedTypeSymbol? owner, CallerWalk walk, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            if (owner is null || method.MethodKind != MethodKind.Ordinary || method.DeclaredAccessibility != Accessibility.Private
                || !SymbolEqualityComparer.Default.Equals(ExternalReferenceFinder.TopLevelType(method), owner))
            {
                return false;
            }

            if (_initOnly.TryGetValue(method, out var known))
            {
                return known;
            }

            // A caller already being asked about is on a cycle of calls, which start-up code alone never ends: not start-up only.
            if (walk.Visiting.Contains(method))
            {
                return false;
            }

            if (walk.Visiting.Count >= MaxCallerDepth)
            {
                walk.Capped = true;
                return false;
            }

            walk.Visiting.Add(method);
            var result = ComputeInitOnly(method, owner, walk, cancellationToken);
            walk.Visiting.Remove(method);

            // An answer cut short by the depth cap depends on where the walk started: not kept.
            return walk.Capped ? result : _initOnly.GetOrAdd(method, result);
        }

        private bool ComputeInitOnly(IMethodSymbol method, INamedTypeSymbol owner, CallerWalk walk, CancellationToken cancellationToken)
        {
            var (uses, complete) = _finder.FindMethodUses(method, cancellationToken);
            if (!complete || uses.Count == 0)
            {
                return false;
            }

            foreach (var (use, caller) in uses)
            {
                if (use is not IInvocationOperation invocation || IsInLambda(invocation) || caller is null)
                {
                    return false;
                }

                if (!IsStartupCode(caller) && !(caller is IMethodSymbol callerMethod && IsInitOnly(callerMethod, owner, walk, cancellationToken)))
                {
                    return false;
                }
            }

            return true;
        }

        private sealed class CallerWalk
        {
            public HashSet<IMethodSymbol> Visiting { get; } = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);

            public bool Capped { get; set; }
        }

        private sealed class MethodOrdinalComparer : IEqualityComparer<(IMethodSymbol Method, int Ordinal)>
        {
            public bool Equals((IMethodSymbol Method, int Ordinal) x, (IMethodSymbol Method, int Ordinal) y)
                => x.Ordinal == y.Ordinal && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

            public int GetHashCode((IMethodSymbol Method, int Ordinal) obj)
                => (SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 31) + obj.Ordinal;
        }

        private sealed class MethodOrdinalPropertyComparer : IEqualityComparer<(IMethodSymbol Method, int Ordinal, IPropertySymbol Property)>
        {
            public bool Equals((IMethodSymbol Method, int Ordinal, IPropertySymbol Property) x, (IMethodSymbol Method, int Ordinal, IPropertySymbol Property) y)
                => x.Ordinal == y.Ordinal && SymbolEqualityComparer.Default.Equals(x.Method, y.Method) && SymbolEqualityComparer.Default.Equals(x.Property, y.Property);

            public int GetHashCode((IMethodSymbol Method, int Ordinal, IPropertySymbol Property) obj)
                => (((SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 31) + obj.Ordinal) * 31) + SymbolEqualityComparer.Default.GetHashCode(obj.Property);
        }

        private static bool IsWeakTableCompatible(IOperation reference)
        {
            switch (reference.Parent)
            {
                case IInvocationOperation invocation when invocation.Instance == reference:
                    return invocation.TargetMethod.Name switch
                    {
                        "GetOrAdd" => invocation.Arguments.Length == 2,
                        "TryGetValue" or "ContainsKey" or "Add" or "TryAdd" => true,
                        "Remove" => invocation.Arguments.Length == 1,
                        _ => false,
                    };
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == reference:
                    return indexer.Parent is ISimpleAssignmentOperation assignment && assignment.Target == indexer && assignment.Parent is IExpressionStatementOperation;
                default:
                    return false;
            }
        }

        private static bool IsMemoryCacheCompatible(IOperation reference)
        {
            switch (reference.Parent)
            {
                case IInvocationOperation invocation when invocation.Instance == reference:
                    return invocation.TargetMethod.Name switch
                    {
                        "GetOrAdd" => invocation.Arguments.Length == 2 && invocation.Arguments[1].Value is IDelegateCreationOperation,
                        "TryGetValue" or "ContainsKey" => true,
                        "Add" or "TryAdd" => invocation.Parent is IExpressionStatementOperation,
                        _ => false,
                    };
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == reference:
                    return indexer.Parent is ISimpleAssignmentOperation assignment && assignment.Target == indexer && assignment.Parent is IExpressionStatementOperation;
                default:
                    return false;
            }
        }

        /// <summary>Bit i set: argument for parameter i is a compile-time constant.</summary>
        private static ulong ConstantArguments(IInvocationOperation invocation)
        {
            ulong mask = 0;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { Ordinal: < 64 } parameter && argument.Value.ConstantValue.HasValue)
                {
                    mask |= 1UL << parameter.Ordinal;
                }
            }

            return mask;
        }

        private static bool IsStartupCode(ISymbol symbol)
            => symbol is IMethodSymbol { MethodKind: MethodKind.StaticConstructor } || symbol is IFieldSymbol { IsStatic: true } || symbol is IPropertySymbol { IsStatic: true };

        /// <summary>The static constructor or a static initializer for static members; a constructor or instance initializer for instance members.</summary>
        private static bool IsInitializerOf(ISymbol? container, ISymbol member)
        {
            if (member.IsStatic)
            {
                return container is not null && IsStartupCode(container);
            }

            return container is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor && SymbolEqualityComparer.Default.Equals(ctor.ContainingType, member.ContainingType)
                || container is IFieldSymbol { IsStatic: false } || container is IPropertySymbol { IsStatic: false };
        }

        private static bool IsInLambda(IOperation operation)
        {
            for (var current = operation.Parent; current != null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private static string? KeyText(IOperation? key)
        {
            if (key?.Syntax is not { } syntax)
            {
                return null;
            }

            var text = syntax.ToString();
            var builder = new System.Text.StringBuilder(text.Length);
            foreach (var c in text)
            {
                if (!char.IsWhiteSpace(c))
                {
                    builder.Append(c);
                }
            }

            return builder.ToString();
        }
    }

    internal static class EnumerableExtensions
    {
        public static ImmutableArray<T> ToImmutableArrayOrEmpty<T>(this IEnumerable<T> items) => ImmutableArray.CreateRange(items);
    }
}
