using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>
    /// tests/ValidCode holds correct code that looks like the leaks the rules look for (bounded keys, eviction, ownership
    /// transfer, self-owned publishers, using, static lambdas...). Every analyzer must stay silent on all of it.
    /// </summary>
    public class ValidCodeTests
    {
        private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "ValidCode");

        public static TheoryData<string> Analyzers()
        {
            var data = new TheoryData<string>();
            foreach (var analyzer in AllAnalyzers.Instances)
            {
                data.Add(analyzer.GetType().Name);
            }

            data.Add(nameof(LeakAnalyzer));
            return data;
        }

        [Fact]
        public void ValidCodeCompiles()
        {
            var errors = Compilation().GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            Assert.True(errors.Length == 0, string.Join("\n", errors.Take(10)));
        }

        [Theory]
        [MemberData(nameof(Analyzers))]
        public async Task AnalyzerIsSilentOnValidCode(string analyzerName)
        {
            var result = await TestCompilation.AnalyzeAsync(Compilation(), [AllAnalyzers.Get(analyzerName)]);
            Assert.Empty(result.Exceptions);
            var findings = result.Diagnostics.Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal)).ToArray();
            Assert.True(findings.Length == 0, string.Join("\n", findings.Select(d => d.ToString())));
        }

        private static Compilation Compilation()
        {
            var files = Directory.GetFiles(Folder, "*.cs", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            return TestCompilation.Create(files.Select(f => (f, File.ReadAllText(f))));
        }
    }
}
