using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>Compiles loose sources against the running framework (no download) and runs analyzers, recording their exceptions.</summary>
    public static class TestCompilation
    {
        private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        {
            var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Concat(Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.Extensions.*.dll"))
                .Where(p => !Path.GetFileName(p).StartsWith("LeakAnalyzers", StringComparison.Ordinal))
                .Distinct(StringComparer.OrdinalIgnoreCase);
            return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
        });

        public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

        public static CSharpCompilation Create(IEnumerable<(string Path, string Text)> sources)
        {
            var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path));
            return CSharpCompilation.Create(
                "TestAssembly",
                trees,
                References.Value,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        }

        public sealed record Result(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<(DiagnosticAnalyzer Analyzer, Exception Exception)> Exceptions);

        public static async Task<Result> AnalyzeAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var exceptions = new List<(DiagnosticAnalyzer, Exception)>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (ex, analyzer, _) => { lock (exceptions) { exceptions.Add((analyzer, ex)); } },
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false,
                reportSuppressedDiagnostics: false);
            var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
            var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
            foreach (var d in diagnostics.Where(d => d.Id is "AD0001" or "AD0002"))
            {
                exceptions.Add((analyzers[0], new InvalidOperationException(d.ToString())));
            }

            return new Result(diagnostics, exceptions);
        }
    }
}
