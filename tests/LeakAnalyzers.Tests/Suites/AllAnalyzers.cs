using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>Every analyzer and descriptor in the package, found by reflection so that new rules join the suites automatically.</summary>
    public static class AllAnalyzers
    {
        public static ImmutableArray<DiagnosticAnalyzer> Instances { get; } = typeof(RuleIdentifiers).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

        public static IEnumerable<object[]> Data() => Instances.Select(a => new object[] { a.GetType().Name });

        public static DiagnosticAnalyzer Get(string name) => Instances.Single(a => a.GetType().Name == name);
    }
}
