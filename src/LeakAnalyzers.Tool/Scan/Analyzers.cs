using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tool.Scan
{
    /// <summary>The LeakAnalyzers rules and fixes, found by reflection in the analyzer and code-fix assemblies.</summary>
    public static class Analyzers
    {
        /// <summary>The rules (each a DiagnosticAnalyzer the package runs under its one exported <see cref="LeakAnalyzer"/>).</summary>
        private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> All = new(() => LeakAnalyzer.CreateRules());

        public static IEnumerable<string> AllRuleIds => All.Value.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal);

        public static ImmutableArray<CodeFixProvider> Fixes { get; } = typeof(LeakAnalyzers.CodeFixes.Collections.BoundCollectionCodeFixProvider).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), false).Length > 0)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToImmutableArray();

        /// <summary>
        /// The analyzer to run, as the package ships it (one <see cref="LeakAnalyzer"/>): all rules, or those that report
        /// one of the comma-separated rule ids.
        /// </summary>
        public static ImmutableArray<DiagnosticAnalyzer> Select(string? rules, out List<string> unknown)
        {
            var selected = Rules(rules, out unknown);
            return selected.IsEmpty ? selected : ImmutableArray.Create<DiagnosticAnalyzer>(new LeakAnalyzer(selected));
        }

        /// <summary>All rules, or those that report one of the comma-separated rule ids.</summary>
        private static ImmutableArray<DiagnosticAnalyzer> Rules(string? rules, out List<string> unknown)
        {
            unknown = new List<string>();
            if (string.IsNullOrWhiteSpace(rules))
            {
                return All.Value;
            }

            var wanted = rules.Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries).Select(r => r.Trim().ToUpperInvariant()).ToHashSet();
            var known = AllRuleIds.ToHashSet();
            unknown.AddRange(wanted.Where(r => !known.Contains(r)));
            return All.Value.Where(a => a.SupportedDiagnostics.Any(d => wanted.Contains(d.Id))).ToImmutableArray();
        }
    }
}
