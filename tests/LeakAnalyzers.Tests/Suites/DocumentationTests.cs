using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>Every rule has its page and every page its rule; titles and help links agree; releases list every rule.</summary>
    public class DocumentationTests
    {
        private static readonly string DocsFolder = Path.Combine(AppContext.BaseDirectory, "docs");

        private static readonly string ReleasesFolder = Path.Combine(AppContext.BaseDirectory, "releases");

        private static readonly Microsoft.CodeAnalysis.DiagnosticDescriptor[] Descriptors = AllAnalyzers.Instances
            .SelectMany(a => a.SupportedDiagnostics)
            .GroupBy(d => d.Id)
            .Select(g => g.First())
            .ToArray();

        [Fact]
        public void ThereAreRules()
        {
            Assert.Contains(Descriptors, d => d.Id == RuleIdentifiers.StaticCollectionOnlyGrows);
        }

        [Fact]
        public void EveryDescriptorHasItsPageAndHelpLink()
        {
            foreach (var descriptor in Descriptors)
            {
                var page = Path.Combine(DocsFolder, descriptor.Id + ".md");
                Assert.True(File.Exists(page), $"{descriptor.Id} has no docs/rules/{descriptor.Id}.md");
                Assert.Equal(RuleIdentifiers.GetHelpUri(descriptor.Id), descriptor.HelpLinkUri);
                Assert.EndsWith("docs/rules/" + descriptor.Id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);

                var firstLine = File.ReadLines(page).First();
                Assert.Equal($"# {descriptor.Id}: {descriptor.Title}", firstLine);
            }
        }

        [Fact]
        public void EveryPageHasItsRule()
        {
            var pages = Directory.GetFiles(DocsFolder, "LEAK*.md").Select(Path.GetFileNameWithoutExtension).ToArray();
            Assert.NotEmpty(pages);
            foreach (var page in pages)
            {
                Assert.Contains(Descriptors, d => d.Id == page);
            }
        }

        [Fact]
        public void EveryPageExplainsFixAndSuppression()
        {
            foreach (var descriptor in Descriptors)
            {
                var text = File.ReadAllText(Path.Combine(DocsFolder, descriptor.Id + ".md"));
                foreach (var section in new[] { "## What it finds", "## Why it leaks", "## How to fix", "## When it stays quiet", "## Configuration and suppression", "## Examples" })
                {
                    Assert.True(text.Contains(section, StringComparison.Ordinal), $"{descriptor.Id}.md lacks '{section}'");
                }

                Assert.Contains($"dotnet_diagnostic.{descriptor.Id}.severity", text, StringComparison.Ordinal);
            }
        }

        /// <summary>docs/leaks.md: a section per leak pattern a .NET user meets, every rule linked, linked from the README.</summary>
        [Fact]
        public void LeakPatternsPageCoversEveryPatternAndRuleAndIsLinkedFromTheReadme()
        {
            var guide = Path.Combine(AppContext.BaseDirectory, "guide");
            Assert.Contains("](docs/leaks.md)", File.ReadAllText(Path.Combine(guide, "README.md")), StringComparison.Ordinal);

            var text = File.ReadAllText(Path.Combine(guide, "leaks.md"));
            var headings = text.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l.Substring(3)).ToArray();
            foreach (var pattern in new[]
            {
                "Global collections", "Caches without eviction", "Event listeners", "Closures", "Undisposed resources", "Native memory",
                "Pools", "Timers", "Whole-file loading", "String accumulation", "Circular references",
            })
            {
                Assert.True(headings.Any(h => h.StartsWith(pattern, StringComparison.Ordinal)), $"docs/leaks.md has no section on '{pattern}'");
            }

            foreach (var descriptor in Descriptors)
            {
                Assert.Contains($"(rules/{descriptor.Id}.md)", text, StringComparison.Ordinal);
            }

            // Cycles: the GC collects them; what leaks is a cycle reachable from a root.
            var cycles = text.Substring(text.IndexOf("## Circular references", StringComparison.Ordinal));
            cycles = cycles.Substring(0, cycles.IndexOf("\n## ", 3, StringComparison.Ordinal) is var end and > 0 ? end : cycles.Length);
            Assert.Contains("static", cycles, StringComparison.Ordinal);
            Assert.Contains("root", cycles, StringComparison.Ordinal);
        }

        [Fact]
        public void ReleaseTrackingListsEveryRule()
        {
            var released = File.ReadAllText(Path.Combine(ReleasesFolder, "AnalyzerReleases.Shipped.md"))
                + File.ReadAllText(Path.Combine(ReleasesFolder, "AnalyzerReleases.Unshipped.md"));
            foreach (var descriptor in Descriptors)
            {
                Assert.Matches(new Regex("^" + descriptor.Id + @"\s*\|\s*" + Regex.Escape(descriptor.Category) + @"\s*\|\s*" + descriptor.DefaultSeverity, RegexOptions.Multiline), released);
            }
        }
    }
}
