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
