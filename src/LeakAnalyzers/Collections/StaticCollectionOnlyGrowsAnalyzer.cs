using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Collections
{
    /// <summary>
    /// LEAK001: a static collection that code adds to after start-up and that nothing anywhere removes from, clears or
    /// replaces. Analysed per top-level type (SymbolStart/SymbolEnd) so private, internal and public members all report
    /// while typing; uses in other types are found by <see cref="ExternalReferenceFinder"/>.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
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

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var model = CompilationModel.For(start.Compilation);
                var known = model.Known;
                var finder = model.References;
                start.RegisterSymbolStartAction(symbolStart => OnTypeStart(symbolStart, known, finder), SymbolKind.NamedType);
            });
        }

        private static void OnTypeStart(SymbolStartAnalysisContext context, KnownTypes known, ExternalReferenceFinder finder)
        {
            // Nested types are analysed with their top-level type: they can use its private members.
            if (context.Symbol.ContainingType is not null)
            {
                return;
            }

            var collector = CollectionUsageCollector.Register(context, known, static (member, _) => member.IsStatic);
            if (collector is null)
            {
                return;
            }

            context.RegisterSymbolEndAction(end =>
            {
                var (usages, initOnly) = collector.Complete(finder, end.CancellationToken);
                foreach (var usage in usages)
                {
                    if (usage.Shrinks || usage.Replaced || usage.Escapes || usage.IsCache || usage.HasBoundedKeys(known))
                    {
                        continue;
                    }

                    var growth = usage.GetRuntimeGrowth(initOnly);
                    if (growth.IsEmpty)
                    {
                        continue;
                    }

                    var locations = new List<Location>(growth.Length);
                    foreach (var site in growth)
                    {
                        locations.Add(site.Location);
                    }

                    var properties = SymbolNames.MemberProperties(usage.Member);
                    properties[DiagnosticPropertyNames.CollectionKind] = usage.Kind.ToString();
                    properties[DiagnosticPropertyNames.GrowthCount] = growth.Length.ToString(CultureInfo.InvariantCulture);
                    end.ReportDiagnostic(Diagnostic.Create(
                        Rule,
                        usage.Member.Locations[0],
                        locations,
                        properties.ToImmutable(),
                        usage.Member.ContainingType.Name + "." + usage.Member.Name,
                        growth.Length));
                }
            });
        }
    }
}
