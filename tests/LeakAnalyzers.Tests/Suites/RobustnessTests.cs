using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>
    /// Half-typed code is normal input: every analyzer runs over every test source cut at many positions and mangled into
    /// syntax errors, and must never throw (no AD0001).
    /// </summary>
    public class RobustnessTests
    {
        private static readonly string SourcesFolder = Path.Combine(AppContext.BaseDirectory, "testsources");

        public static IEnumerable<object[]> TestFiles()
            => Directory.GetFiles(SourcesFolder, "*.cs", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(SourcesFolder, f))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { f });

        [Fact]
        public void ThereAreSources()
        {
            Assert.NotEmpty(Sources("Rules/StaticCollectionOnlyGrowsAnalyzerTests.cs"));
        }

        [Theory]
        [MemberData(nameof(TestFiles))]
        public async Task NoAnalyzerThrowsOnHalfTypedCode(string file)
        {
            var failures = new List<string>();
            foreach (var source in Sources(file))
            {
                foreach (var variant in Variants(source))
                {
                    var compilation = TestCompilation.Create(new[] { ("Test.cs", variant) });
                    var result = await TestCompilation.AnalyzeAsync(compilation, AllAnalyzers.Shipped);
                    foreach (var (analyzer, exception) in result.Exceptions)
                    {
                        failures.Add($"{analyzer.GetType().Name} threw {exception.GetType().Name}: {exception.Message}\n--- on ---\n{variant}");
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)));
        }

        /// <summary>The C# sources inside a test file: its raw string literals, markup removed; other files are taken whole.</summary>
        private static IEnumerable<string> Sources(string file)
        {
            var text = File.ReadAllText(Path.Combine(SourcesFolder, file));
            if (!file.StartsWith("Rules", StringComparison.Ordinal))
            {
                yield return text;
                yield break;
            }

            foreach (Match match in Regex.Matches(text, "\"\"\"\\s*\\n(.*?)\\n\\s*\"\"\"", RegexOptions.Singleline))
            {
                yield return StripMarkup(match.Groups[1].Value);
            }
        }

        private static string StripMarkup(string source)
        {
            var withoutSpans = Regex.Replace(source, @"\{\|(#\d+|[A-Z]+\d+):", string.Empty);
            return withoutSpans.Replace("|}", string.Empty).Replace("[|", string.Empty).Replace("|]", string.Empty);
        }

        /// <summary>Truncations at evenly spread positions, plus a few kinds of syntax error.</summary>
        private static IEnumerable<string> Variants(string source)
        {
            const int cuts = 12;
            for (var i = 1; i <= cuts; i++)
            {
                yield return source.Substring(0, source.Length * i / (cuts + 1));
            }

            var lastBrace = source.LastIndexOf('}');
            if (lastBrace > 0)
            {
                yield return source.Remove(lastBrace, 1);
            }

            yield return source.Replace(";", string.Empty);
            yield return source.Replace(")", string.Empty);
            yield return source.Replace("=>", "= >").Replace("new", "new new");
            var mid = source.Length / 2;
            yield return source.Insert(mid, " ( { [ ");
        }
    }
}
