using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace LeakAnalyzers.Tests.Infrastructure
{
    /// <summary>The one small helper every rule test goes through: compiled test code, markup for expected diagnostics.</summary>
    public static class Verify<TAnalyzer>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        public static DiagnosticResult Diagnostic(string? id = null)
        {
            var analyzer = new TAnalyzer();
            foreach (var descriptor in analyzer.SupportedDiagnostics)
            {
                if (id is null || descriptor.Id == id)
                {
                    return new DiagnosticResult(descriptor);
                }
            }

            return new DiagnosticResult(id!, DiagnosticSeverity.Warning);
        }

        /// <summary>A diagnostic of a rule's other descriptor (same id, another message).</summary>
        public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new DiagnosticResult(descriptor);

        /// <summary>Source with <c>{|LEAK001:x|}</c> / <c>[|x|]</c> markup; every other diagnostic of the analyzer fails the test.</summary>
        public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
            => AnalyzerAsync(new[] { source }, expected);

        public static Task AnalyzerAsync(string[] sources, params DiagnosticResult[] expected)
        {
            var test = new AnalyzerTest();
            foreach (var source in sources)
            {
                test.TestState.Sources.Add(source);
            }

            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync(CancellationToken.None);
        }

        public static Task AnalyzerAsync(AnalyzerTest test) => test.RunAsync(CancellationToken.None);

        public sealed class AnalyzerTest : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            public AnalyzerTest()
            {
                ReferenceAssemblies = TestReferences.Default;
                TestState.MarkupHandling = MarkupMode.Allow;
                MarkupOptions = MarkupOptions.UseFirstDescriptor;
            }

            protected override ParseOptions CreateParseOptions()
                => ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Preview);

            protected override CompilationOptions CreateCompilationOptions()
                => ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

            private bool _checkedPerDocument;

            /// <summary>The rule as the package runs it: under the exported host.</summary>
            protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Shipped.As<TAnalyzer>();

            protected override CompilationWithAnalyzers CreateCompilationWithAnalyzers(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options, CancellationToken cancellationToken)
            {
                if (!_checkedPerDocument)
                {
                    _checkedPerDocument = true;
                    PerDocument.AssertSameAsWhole(compilation, analyzers, options, cancellationToken);
                }

                return base.CreateCompilationWithAnalyzers(compilation, analyzers, options, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The IDE asks for one document at a time (syntax, then semantic diagnostics of that tree) and keeps only the
    /// diagnostics inside what each action analysed; the build asks for the whole compilation. Both must see the same
    /// findings: every analyzer test checks it.
    /// </summary>
    public static class PerDocument
    {
        public static void AssertSameAsWhole(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options, CancellationToken cancellationToken)
        {
            var withAnalyzers = new CompilationWithAnalyzersOptions(options, onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false);
            var whole = compilation.WithAnalyzers(analyzers, withAnalyzers).GetAnalyzerDiagnosticsAsync(cancellationToken).GetAwaiter().GetResult();
            var perDocument = new List<Diagnostic>();
            var fork = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees);
            var requests = fork.WithAnalyzers(analyzers, withAnalyzers);
            foreach (var tree in fork.SyntaxTrees)
            {
                perDocument.AddRange(requests.GetAnalyzerSyntaxDiagnosticsAsync(tree, cancellationToken).GetAwaiter().GetResult());
                perDocument.AddRange(requests.GetAnalyzerSemanticDiagnosticsAsync(fork.GetSemanticModel(tree), null, cancellationToken).GetAwaiter().GetResult());
            }

            var expected = Keys(whole);
            var actual = Keys(perDocument);
            if (!expected.SetEquals(actual))
            {
                throw new System.InvalidOperationException(
                    "Per-document analysis differs from whole-compilation analysis." + System.Environment.NewLine
                    + "only whole: " + string.Join("; ", expected.Except(actual)) + System.Environment.NewLine
                    + "only per document: " + string.Join("; ", actual.Except(expected)));
            }
        }

        private static HashSet<string> Keys(IEnumerable<Diagnostic> diagnostics)
            => new HashSet<string>(diagnostics.Select(d => $"{d.Id} {d.Location.SourceTree?.FilePath}{d.Location.GetLineSpan().StartLinePosition} {d.GetMessage(CultureInfo.InvariantCulture)}"));
    }

    public static class Verify<TAnalyzer, TCodeFix>
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        /// <summary>Applies the fix (by equivalence key) one diagnostic at a time and with FixAll, and checks both outcomes compile to <paramref name="fixedSource"/>.</summary>
        public static Task CodeFixAsync(string source, string fixedSource, string? equivalenceKey = null, int iterations = -1)
            => CodeFixAsync(new[] { source }, new[] { fixedSource }, equivalenceKey, iterations);

        public static Task CodeFixAsync(string[] sources, string[] fixedSources, string? equivalenceKey = null, int iterations = -1)
        {
            var test = new CodeFixTest { CodeActionEquivalenceKey = equivalenceKey };
            foreach (var source in sources)
            {
                test.TestState.Sources.Add(source);
            }

            foreach (var fixedSource in fixedSources)
            {
                test.FixedState.Sources.Add(fixedSource);
            }

            if (iterations > 0)
            {
                test.NumberOfIncrementalIterations = iterations;
                test.NumberOfFixAllIterations = 1;
            }

            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>Asserts that no code action with the key is offered.</summary>
        public static Task NoCodeFixAsync(string source, string equivalenceKey)
        {
            var test = new CodeFixTest { CodeActionEquivalenceKey = equivalenceKey };
            test.TestState.Sources.Add(source);
            test.FixedState.Sources.Add(source);
            test.FixedState.MarkupHandling = MarkupMode.Allow;
            test.CodeActionValidationMode = CodeActionValidationMode.None;
            return test.RunAsync(CancellationToken.None);
        }

        public sealed class CodeFixTest : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            public CodeFixTest()
            {
                ReferenceAssemblies = TestReferences.Default;
                TestState.MarkupHandling = MarkupMode.Allow;
                MarkupOptions = MarkupOptions.UseFirstDescriptor;
            }

            protected override ParseOptions CreateParseOptions()
                => ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Preview);

            protected override CompilationOptions CreateCompilationOptions()
                => ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

            /// <summary>The rule as the package runs it: under the exported host.</summary>
            protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Shipped.As<TAnalyzer>();
        }
    }

    /// <summary>A rule wrapped as the package ships it: <see cref="LeakAnalyzer"/> running that rule.</summary>
    public static class Shipped
    {
        public static DiagnosticAnalyzer[] As<TAnalyzer>()
            where TAnalyzer : DiagnosticAnalyzer, new()
            => typeof(TAnalyzer) == typeof(LeakAnalyzer) ? new DiagnosticAnalyzer[] { new TAnalyzer() } : new DiagnosticAnalyzer[] { new LeakAnalyzer(new DiagnosticAnalyzer[] { new TAnalyzer() }) };
    }

    public static class TestReferences
    {
        /// <summary>.NET 8 reference assemblies: the oldest target the package supports, restored once from NuGet.</summary>
        public static ReferenceAssemblies Default { get; } = ReferenceAssemblies.Net.Net80;
    }
}
