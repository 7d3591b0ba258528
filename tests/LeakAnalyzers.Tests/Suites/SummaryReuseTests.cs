using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Resources;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>
    /// The IDE analyses each document on a fork of the compilation: summaries of methods in trees the edit did not touch
    /// must come from the shared cache, not be computed again; a method in the edited tree is computed again.
    /// </summary>
    public class SummaryReuseTests
    {
        private const string Helpers = """
            using System.IO;

            public static class ReuseProbeHelpers
            {
                public static long ReuseProbeMeasure(Stream stream) => stream.Length;

                public static Stream ReuseProbeOpen(string path) => File.OpenRead(path);
            }
            """;

        private const string User = """
            using System.IO;

            public class ReuseProbeUser
            {
                public long Run(string path)
                {
                    var stream = ReuseProbeHelpers.ReuseProbeOpen(path);
                    return ReuseProbeHelpers.ReuseProbeMeasure(stream);
                }
            }
            """;

        [Fact]
        public async Task AnEditReusesTheSummariesOfUntouchedTrees()
        {
            var computed = new ConcurrentBag<string>();
            void Record(IMethodSymbol method)
            {
                if (method.Name.StartsWith("ReuseProbe", System.StringComparison.Ordinal))
                {
                    computed.Add(method.Name);
                }
            }

            var references = await Infrastructure.TestReferences.Default.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
            var helpers = CSharpSyntaxTree.ParseText(Helpers, path: "Helpers.cs");
            var user = CSharpSyntaxTree.ParseText(User, path: "User.cs");
            var compilation = CSharpCompilation.Create("Reuse", new[] { helpers, user }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

            MethodSummaries.Computed += Record;
            try
            {
                var first = await Analyze(compilation, user);
                Assert.Single(first, d => d.Id == "LEAK005");
                Assert.Contains("ReuseProbeOpen", computed);
                Assert.Contains("ReuseProbeMeasure", computed);

                // A keystroke in User.cs: a fork with the edited tree, the helpers' tree unchanged.
                computed = new ConcurrentBag<string>();
                var edited = user.WithChangedText(user.GetText().WithChanges(new TextChange(new TextSpan(0, 0), "// edit\n")));
                var fork = compilation.ReplaceSyntaxTree(user, edited);
                var second = await Analyze(fork, edited);
                Assert.Single(second, d => d.Id == "LEAK005");
                Assert.DoesNotContain("ReuseProbeOpen", computed);
                Assert.DoesNotContain("ReuseProbeMeasure", computed);

                // An edit of Helpers.cs invalidates what was read from it.
                computed = new ConcurrentBag<string>();
                var changedHelpers = helpers.WithChangedText(helpers.GetText().WithChanges(new TextChange(new TextSpan(0, 0), "// edit\n")));
                var third = await Analyze(fork.ReplaceSyntaxTree(helpers, changedHelpers), edited);
                Assert.Single(third, d => d.Id == "LEAK005");
                Assert.Contains("ReuseProbeOpen", computed);
            }
            finally
            {
                MethodSummaries.Computed -= Record;
            }
        }

        private static async Task<ImmutableArray<Diagnostic>> Analyze(Compilation compilation, SyntaxTree tree)
        {
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new DisposableNotDisposedAnalyzer());
            var withAnalyzers = compilation.WithAnalyzers(analyzers, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty));
            return await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), null, CancellationToken.None);
        }
    }
}
