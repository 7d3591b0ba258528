using System.Collections.Generic;
using System.Linq;
using System.Collections.Immutable;
using System.Threading;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Collections
{
    /// <summary>
    /// LEAK002: a long-lived map used as a cache — adds guarded by a lookup of the same key (GetOrAdd, TryGetValue or
    /// ContainsKey then add, <c>map[k] ??= v</c>) — that nothing ever evicts from. Long-lived: static, or an instance field
    /// of a singleton or of a type named in <c>leak_analyzers.long_lived_types</c>. Shares the collection mutation model
    /// with LEAK001, which leaves cache-shaped growth to this rule, so a member gets one finding, never both.
    /// </summary>
    public sealed class CacheNeverEvictsAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Property: display name of the key type.</summary>
        public const string KeyTypeProperty = "KeyType";

        /// <summary>Property present ("true") when every use can be rewritten to a ConditionalWeakTable keyed by object identity.</summary>
        public const string WeakTableProperty = "CanUseConditionalWeakTable";

        /// <summary>Property present ("true") when Microsoft.Extensions.Caching.Memory is referenced.</summary>
        public const string MemoryCacheProperty = "CanUseMemoryCache";

        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.CacheNeverEvicts,
            title: "Cache never evicts",
            messageFormat: "Cache '{0}' keeps an entry for every {1} key it is filled with ({2} place(s)) and nothing evicts them",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A dictionary that memoizes results per key lives as long as its owner. When the owner lives as long as the process and keys come from request data (URLs, ids, SQL text), the cache gains an entry per distinct key forever and the process eventually runs out of memory.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.CacheNeverEvicts));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // The tables are made at first use (CompilationModel and the collector are shared by the rules).
                var model = CompilationModel.For(start.Compilation);
                Memoizers? memoizers = null;
                start.RegisterSymbolAction(
                    symbol => Analyze(symbol, model.Known, CollectionUsageCollector.For(model.Compilation), model.LongLivedOwners),
                    SymbolKind.Field,
                    SymbolKind.Property);
                start.RegisterOperationAction(
                    context => OnInitializer(context, LazyInitializer.EnsureInitialized(ref memoizers, () => new Memoizers(model.Compilation, model.Known))!),
                    OperationKind.FieldInitializer,
                    OperationKind.PropertyInitializer);
            });
        }

        /// <summary>A static member initialised with the delegate a memoizing helper returns: the helper's map lives as long as the process.</summary>
        private static void OnInitializer(OperationAnalysisContext context, Memoizers memoizers)
        {
            var (members, value) = context.Operation switch
            {
                IFieldInitializerOperation field => (field.InitializedFields.CastArray<ISymbol>(), field.Value),
                IPropertyInitializerOperation property => (property.InitializedProperties.CastArray<ISymbol>(), property.Value),
                _ => (ImmutableArray<ISymbol>.Empty, null),
            };

            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (members.Length != 1 || !members[0].IsStatic || value is not IInvocationOperation invocation
                || memoizers.Get(invocation.TargetMethod, context.CancellationToken) is not { } memoizer)
            {
                return;
            }

            var member = members[0];
            var keyType = memoizer.KeyType is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method, Ordinal: var ordinal }
                && ordinal < invocation.TargetMethod.TypeArguments.Length
                ? invocation.TargetMethod.TypeArguments[ordinal]
                : memoizer.KeyType;
            var keyName = keyType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            var properties = SymbolNames.MemberProperties(member);
            properties[KeyTypeProperty] = keyName;
            properties[DiagnosticPropertyNames.GrowthCount] = memoizer.Growth.Count.ToString(CultureInfo.InvariantCulture);
            // Reported on the memoizing call, inside the initializer this action analyses: the IDE's per-document analysis drops
            // what an operation action reports outside its operation (the member's name is the first additional location).
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                invocation.Syntax.GetLocation(),
                new[] { member.Locations[0] }.Concat(memoizer.Growth),
                properties.ToImmutable(),
                member.ContainingType.Name + "." + member.Name + " (memoized by " + invocation.TargetMethod.Name + ")",
                keyName,
                memoizer.Growth.Count));
        }

        /// <summary>
        /// Runs in the document that declares the member, so the finding (on the member, the growth sites as additional
        /// locations) is reported by the per-document request of that document exactly as by the build.
        /// </summary>
        private static void Analyze(SymbolAnalysisContext context, KnownTypes known, CollectionUsageCollector collector, LongLivedOwners longLivedOwners)
        {
            if (collector.Candidate(context.Symbol) is not { } candidate)
            {
                return;
            }

            var (member, kind) = candidate;
            if (!kind.IsMap() || CollectionUsage.HasBoundedKeyType(member, kind, known)
                || !member.IsStatic && !(member is IFieldSymbol && longLivedOwners.Contains(member.ContainingType, context.Options, context.CancellationToken)))
            {
                return;
            }

            var usage = collector.Get(member, kind, context.CancellationToken);
            var growth = CacheGrowth(usage, collector, known, context.CancellationToken);
            if (growth.IsEmpty)
            {
                return;
            }

            var locations = new List<Location>(growth.Length);
            foreach (var site in growth)
            {
                locations.Add(site.Location);
            }

            var keyType = KeyTypeName(usage);
            var properties = SymbolNames.MemberProperties(usage.Member);
            properties[DiagnosticPropertyNames.CollectionKind] = usage.Kind.ToString();
            properties[DiagnosticPropertyNames.GrowthCount] = growth.Length.ToString(CultureInfo.InvariantCulture);
            properties[KeyTypeProperty] = keyType;
            if (CanUseWeakTable(usage, known))
            {
                properties[WeakTableProperty] = "true";
            }

            if (known.MemoryCache is not null && usage.MemoryCacheCompatible && IsPrivateDictionaryField(usage))
            {
                properties[MemoryCacheProperty] = "true";
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                usage.Member.Locations[0],
                locations,
                properties.ToImmutable(),
                usage.Member.ContainingType.Name + "." + usage.Member.Name,
                keyType,
                growth.Length));
        }

        /// <summary>
        /// The growth this rule reports for a long-lived member's usage (its runtime growth, some of it cache-shaped), or
        /// empty when the rule stays quiet about it. LEAK001 asks too, so that a member gets one finding, never both.
        /// </summary>
        internal static ImmutableArray<GrowthSite> CacheGrowth(CollectionUsage usage, CollectionUsageCollector collector, KnownTypes known, CancellationToken cancellationToken)
        {
            if (!usage.Kind.IsMap() || CollectionUsage.HasBoundedKeyType(usage.Member, usage.Kind, known) || !usage.IsCache
                || usage.Shrinks || usage.Replaced || usage.Escapes || collector.HasBoundedKeys(usage, cancellationToken))
            {
                return ImmutableArray<GrowthSite>.Empty;
            }

            var growth = collector.GetRuntimeGrowth(usage, cancellationToken);
            foreach (var site in growth)
            {
                if (site.IsCacheShaped)
                {
                    return growth;
                }
            }

            return ImmutableArray<GrowthSite>.Empty;
        }

        /// <summary>
        /// A private Dictionary/ConcurrentDictionary field keyed by objects compared by identity (not strings, records or
        /// types that override Equals), with reference-type values, whose every use a ConditionalWeakTable also has.
        /// </summary>
        private static bool CanUseWeakTable(CollectionUsage usage, KnownTypes known)
        {
            if (known.ConditionalWeakTable is null || !usage.WeakTableCompatible || !IsPrivateDictionaryField(usage)
                || usage.Member.GetMemberType() is not INamedTypeSymbol type)
            {
                return false;
            }

            var key = type.TypeArguments[0];
            var value = type.TypeArguments[1];
            return key.TypeKind is TypeKind.Class or TypeKind.Interface && key.SpecialType != SpecialType.System_String && !key.IsRecord
                && !OverridesEquals(key) && value.IsReferenceType;
        }

        private static bool IsPrivateDictionaryField(CollectionUsage usage)
            => usage.Member is IFieldSymbol { DeclaredAccessibility: Accessibility.Private, Type: INamedTypeSymbol { TypeArguments.Length: 2 } type }
                && type.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.Dictionary<TKey, TValue>" or "System.Collections.Concurrent.ConcurrentDictionary<TKey, TValue>";

        private static bool OverridesEquals(ITypeSymbol type)
        {
            for (var current = type; current != null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
            {
                foreach (var member in current.GetMembers("Equals"))
                {
                    if (member is IMethodSymbol { IsOverride: true, Parameters.Length: 1 })
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static string KeyTypeName(CollectionUsage usage)
        {
            if (usage.Member.GetMemberType() is INamedTypeSymbol { IsGenericType: true } named && named.TypeArguments.Length > 0)
            {
                return named.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            }

            foreach (var site in usage.Growth)
            {
                if (site.KeyType is { } keyType)
                {
                    return keyType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                }
            }

            return "object";
        }
    }
}
