using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Collections
{
    /// <summary>
    /// LEAK001: a static collection, or an instance collection of a type whose instances live as long as the process (a
    /// singleton the code shows, a container singleton, a configured long-lived type: <see cref="LongLivedOwners"/>), that
    /// code adds to after start-up and that nothing anywhere removes from, clears or replaces. Analysed per member (a symbol action on the field or auto-property, in the document declaring it); its
    /// uses anywhere are read by name through <see cref="CollectionUsageCollector"/>, so a request on one part of a
    /// partial type binds only the code that names a candidate of that part.
    /// </summary>
    public sealed class StaticCollectionOnlyGrowsAnalyzer : DiagnosticAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.StaticCollectionOnlyGrows,
            title: "Static collection only grows",
            messageFormat: "Static collection '{0}' is added to in {1} place(s) but nothing removes from, clears or replaces it",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A static collection lives as long as the process. When code adds to it while the program runs and nothing ever removes from it, every addition is kept forever and the process eventually runs out of memory.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.StaticCollectionOnlyGrows));

        /// <summary>The same rule for an instance collection of a long-lived type.</summary>
        public static readonly DiagnosticDescriptor LongLivedRule = new DiagnosticDescriptor(
            RuleIdentifiers.StaticCollectionOnlyGrows,
            title: "Static collection only grows",
            messageFormat: "Collection '{0}' of '{1}', whose instance lives as long as the process, is added to in {2} place(s) but nothing removes from, clears or replaces it",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A collection held by an object that lives as long as the process (a singleton) is as long-lived as a static one: when code adds to it while the program runs and nothing ever removes from it, every addition is kept forever.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.StaticCollectionOnlyGrows));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, LongLivedRule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // The tables are made at the first field or property (CompilationModel and the collector are shared by the rules).
                var model = CompilationModel.For(start.Compilation);
                start.RegisterSymbolAction(symbol => Analyze(symbol, model, CollectionUsageCollector.For(model.Compilation)), SymbolKind.Field, SymbolKind.Property);
            });
        }

        /// <summary>
        /// A map of per-key collections (<c>Dictionary&lt;K, List&lt;V&gt;&gt;</c>) whose lists are added to after start-up and
        /// that nothing shrinks — neither the lists nor the map (a finite set of keys does not bound what each key's list
        /// keeps). Left to LEAK002 when that rule reports the map as a cache.
        /// </summary>
        private static ImmutableArray<GrowthSite> PerKeyGrowth(CollectionUsage usage, CollectionUsageCollector collector, KnownTypes known, CancellationToken cancellationToken)
        {
            if (usage.InnerShrinks || usage.InnerUnknown || usage.InnerGrowth.Count == 0
                || (usage.Member.IsStatic || usage.Member is IFieldSymbol) && !CacheNeverEvictsAnalyzer.CacheGrowth(usage, collector, known, cancellationToken).IsEmpty)
            {
                return ImmutableArray<GrowthSite>.Empty;
            }

            return collector.GetRuntimeGrowth(usage, usage.InnerGrowth, cancellationToken);
        }

        /// <summary>
        /// Runs in the document that declares the member, so the finding (on the member, the growth sites as additional
        /// locations) is reported by the per-document request of that document exactly as by the build.
        /// </summary>
        private static void Analyze(SymbolAnalysisContext context, CompilationModel model, CollectionUsageCollector collector)
        {
            if (collector.Candidate(context.Symbol) is not { } candidate)
            {
                return;
            }

            var (member, kind) = candidate;
            var boundedKeyType = CollectionUsage.HasBoundedKeyType(member, kind, model.Known);
            var perKeyCollections = collector.PerKeyCollectionKind(member, kind) != CollectionKind.None;
            if (boundedKeyType && !perKeyCollections
                || !member.IsStatic && !model.LongLivedOwners.Contains(member.ContainingType, context.Options, context.CancellationToken))
            {
                return;
            }

            var usage = collector.Get(member, kind, context.CancellationToken);
            if (usage.Shrinks || usage.Replaced || usage.Escapes)
            {
                return;
            }

            var growth = ImmutableArray<GrowthSite>.Empty;
            if (!boundedKeyType && !usage.IsCache && usage.Growth.Count > 0 && !collector.HasBoundedKeys(usage, context.CancellationToken))
            {
                growth = collector.GetRuntimeGrowth(usage, context.CancellationToken);
            }

            if (growth.IsEmpty && perKeyCollections)
            {
                growth = PerKeyGrowth(usage, collector, model.Known, context.CancellationToken);
            }

            if (growth.IsEmpty)
            {
                return;
            }

            var locations = new List<Location>(growth.Length);
            foreach (var site in growth)
            {
                locations.Add(site.Location);
            }

            var properties = SymbolNames.MemberProperties(usage.Member);
            properties[DiagnosticPropertyNames.CollectionKind] = usage.Kind.ToString();
            properties[DiagnosticPropertyNames.GrowthCount] = growth.Length.ToString(CultureInfo.InvariantCulture);
            context.ReportDiagnostic(usage.Member.IsStatic
                ? Diagnostic.Create(Rule, usage.Member.Locations[0], locations, properties.ToImmutable(), usage.Member.ContainingType.Name + "." + usage.Member.Name, growth.Length)
                : Diagnostic.Create(LongLivedRule, usage.Member.Locations[0], locations, properties.ToImmutable(), usage.Member.Name, usage.Member.ContainingType.Name, growth.Length));
        }
    }
}
