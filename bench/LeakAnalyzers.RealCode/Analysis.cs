using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.RealCode
{
    /// <summary>One finding: a row of the findings table (line and column 1-based, file relative to the compiled folder).</summary>
    public sealed record Finding(string Tool, string Id, string File, int Line, int Column, string Message)
    {
        public static string Header => "tool\tid\tfile\tline\tcolumn\tmessage";

        public string ToTsv() => string.Join('\t', Tool, Id, File, Line.ToString(CultureInfo.InvariantCulture), Column.ToString(CultureInfo.InvariantCulture),
            Message.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' '));

        public static Finding? From(string tool, Diagnostic d)
        {
            if (!d.Location.IsInSource)
            {
                return null;
            }

            var span = d.Location.GetLineSpan();
            return new Finding(tool, d.Id, span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, d.GetMessage(CultureInfo.InvariantCulture));
        }

        public static IComparer<Finding> Order { get; } = Comparer<Finding>.Create((a, b) =>
        {
            var c = string.CompareOrdinal(a.Tool, b.Tool);
            if (c == 0) c = string.CompareOrdinal(a.File, b.File);
            if (c == 0) c = a.Line.CompareTo(b.Line);
            if (c == 0) c = a.Column.CompareTo(b.Column);
            if (c == 0) c = string.CompareOrdinal(a.Id, b.Id);
            if (c == 0) c = string.CompareOrdinal(a.Message, b.Message);
            return c;
        });
    }

    public static class Analysis
    {
        /// <summary>Analyzer exceptions seen (tool: type: message), reported once each.</summary>
        public static readonly ConcurrentDictionary<string, int> Exceptions = new(StringComparer.Ordinal);

        public static CompilationWithAnalyzers WithTool(Compilation compilation, Tool tool, bool concurrent = false, bool telemetry = false) =>
            compilation.WithAnalyzers(tool.CreateAnalyzers(), new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (e, a, _) =>
                {
                    var key = $"{tool.Name}: {a.GetType().Name}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
                    if (Exceptions.AddOrUpdate(key, 1, (_, n) => n + 1) == 1)
                    {
                        Console.Error.WriteLine($"warning: analyzer exception: {key}");
                    }
                },
                concurrentAnalysis: concurrent,
                logAnalyzerExecutionTime: telemetry,
                reportSuppressedDiagnostics: false));

        /// <summary>The whole-compilation findings of one tool (its counted ids only).</summary>
        public static async Task<List<Finding>> WholeAsync(Compilation compilation, Tool tool, CancellationToken ct)
        {
            var diagnostics = await WithTool(compilation, tool).GetAnalyzerDiagnosticsAsync(ct).ConfigureAwait(false);
            return Filter(tool, diagnostics);
        }

        /// <summary>The findings of one tool in one document, as the IDE asks for them (syntax plus semantic diagnostics of its tree).</summary>
        public static async Task<List<Finding>> DocumentAsync(Compilation compilation, SyntaxTree tree, Tool tool, CancellationToken ct)
        {
            var withAnalyzers = WithTool(compilation, tool);
            var syntax = await withAnalyzers.GetAnalyzerSyntaxDiagnosticsAsync(tree, ct).ConfigureAwait(false);
            var semantic = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), null, ct).ConfigureAwait(false);
            return Filter(tool, syntax.Concat(semantic));
        }

        public static List<Finding> Filter(Tool tool, IEnumerable<Diagnostic> diagnostics) =>
            diagnostics.Where(d => tool.Counted.Contains(d.Id))
                .Select(d => Finding.From(tool.Name, d))
                .OfType<Finding>()
                .Distinct()
                .OrderBy(f => f, Finding.Order)
                .ToList();

        public static int CompileErrors(Compilation compilation, CancellationToken ct) =>
            compilation.GetDiagnostics(ct).Count(d => d.Severity == DiagnosticSeverity.Error);

        public static void WriteTsv(TextWriter writer, IEnumerable<Finding> findings)
        {
            writer.WriteLine(Finding.Header);
            foreach (var f in findings)
            {
                writer.WriteLine(f.ToTsv());
            }
        }
    }
}
