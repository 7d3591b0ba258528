using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>
    /// The rules of the package, each its own analyzer class (found by reflection, so that new rules join the suites
    /// automatically), and the one analyzer the package exports, which runs them all.
    /// </summary>
    public static class AllAnalyzers
    {
        /// <summary>Every rule class (every analyzer in the assembly but the exported host).</summary>
        public static ImmutableArray<DiagnosticAnalyzer> Instances { get; } = typeof(RuleIdentifiers).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t != typeof(LeakAnalyzer))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

        /// <summary>What the package exports: <see cref="LeakAnalyzer"/> with every rule.</summary>
        public static ImmutableArray<DiagnosticAnalyzer> Shipped { get; } = ImmutableArray.Create<DiagnosticAnalyzer>(new LeakAnalyzer());

        public static IEnumerable<object[]> Data() => Instances.Select(a => new object[] { a.GetType().Name });

        public static DiagnosticAnalyzer Get(string name) => name == nameof(LeakAnalyzer) ? Shipped[0] : Instances.Single(a => a.GetType().Name == name);
    }
}
