using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LeakAnalyzers.RealCode
{
    /// <summary>
    /// Per-document and per-keystroke cost, measured the way the IDE asks: for each document and tool a fresh
    /// CompilationWithAnalyzers (fresh analyzer instances, not concurrent), syntax diagnostics of the tree plus semantic
    /// diagnostics of its model; for the largest documents a one-line edit and the same request on the new compilation.
    /// </summary>
    public static class PerDocCommand
    {
        public static readonly string[] PerDocNetIds = { "CA2000", "CA2213", "CA1001" };

        private sealed record Sample(string Phase, string Tool, string File, int Lines, double CpuMs, double WallMs);

        public static async Task<int> RunAsync(string folder, CorpusOptions options, string toolList, string? leakDll, int edits, bool check, string? outFile, int maxDocs, CancellationToken ct, int repeat = 1)
        {
            if (repeat < 1)
            {
                throw new UsageException($"--repeat must be at least 1 (was {repeat})");
            }

            if (!Directory.Exists(folder))
            {
                throw new UsageException($"not a folder: {folder}");
            }

            var tools = Tool.LoadMany(toolList, leakDll, PerDocNetIds);
            var sw = Stopwatch.StartNew();
            var compilation = Corpus.Compile(folder, options, Tool.DiagnosticOptions(tools));
            var errors = Analysis.CompileErrors(compilation, ct); // binds the whole compilation once
            var docs = compilation.SyntaxTrees.Where(t => t.FilePath != Corpus.ImplicitUsingsPath).ToList();
            var totalLines = docs.Sum(t => t.GetText(ct).Lines.Count);
            Console.Error.WriteLine($"{folder}: {docs.Count} documents, {totalLines:N0} lines, {errors} compile errors, bound in {sw.Elapsed.TotalSeconds:F1} s");
            if (maxDocs > 0 && docs.Count > maxDocs)
            {
                var step = (double)docs.Count / maxDocs;
                docs = Enumerable.Range(0, maxDocs).Select(i => docs[(int)(i * step)]).ToList();
            }

            var samples = new List<Sample>();

            // Warm up (JIT) every tool on a few documents, then the whole-compilation pass of each tool.
            foreach (var tool in tools)
            {
                foreach (var tree in docs.OrderBy(t => t.Length).Skip(docs.Count / 2).Take(3))
                {
                    await RequestAsync(compilation, tree, tool, ct).ConfigureAwait(false);
                }
            }

            var whole = new Dictionary<string, (double Cpu, double Wall, List<Finding> Findings)>(StringComparer.Ordinal);
            foreach (var tool in tools)
            {
                List<Finding>? found = null;
                var (cpu, wall) = await MeasureAsync(async () =>
                    found = Analysis.Filter(tool, await Analysis.WithTool(compilation, tool).GetAnalyzerDiagnosticsAsync(ct).ConfigureAwait(false))).ConfigureAwait(false);
                whole[tool.Name] = (cpu, wall, found!);
                Console.Error.WriteLine($"whole compilation, {tool.Name}: {cpu:F0} ms CPU, {wall:F0} ms wall, {found!.Count} findings");
            }

            // Every document, every tool (tool order rotates per document).
            phase = "document";
            var perDocFindings = new List<Finding>();
            for (var i = 0; i < docs.Count; i++)
            {
                var tree = docs[i];
                var lines = tree.GetText(ct).Lines.Count;
                // --repeat: every tool asked again, in the same rotation; each document's figure is the median of its requests.
                var reps = tools.ToDictionary(t => t.Name, _ => new List<(double Cpu, double Wall)>());
                for (var r = 0; r < repeat; r++)
                {
                    for (var k = 0; k < tools.Count; k++)
                    {
                        var tool = tools[(i + k + r) % tools.Count];
                        List<Finding>? found = null;
                        var measured = await MeasureAsync(async () => found = await RequestAsync(compilation, tree, tool, ct).ConfigureAwait(false)).ConfigureAwait(false);
                        reps[tool.Name].Add(measured);
                        if (tool.Name == "leak" && r == 0)
                        {
                            perDocFindings.AddRange(found!);
                        }
                    }
                }

                foreach (var tool in tools)
                {
                    samples.Add(new Sample("document", tool.Name, tree.FilePath, lines, Median(reps[tool.Name].Select(m => m.Cpu)), Median(reps[tool.Name].Select(m => m.Wall))));
                }

                if ((i + 1) % 100 == 0)
                {
                    Console.Error.WriteLine($"  {i + 1}/{docs.Count} documents");
                }
            }

            // One-line edits in the largest documents, then the same request on the edited compilation.
            phase = "edit";
            foreach (var tree in compilation.SyntaxTrees.Where(t => t.FilePath != Corpus.ImplicitUsingsPath).OrderByDescending(t => t.Length).Take(edits))
            {
                var text = tree.GetText(ct);
                var line = text.Lines[text.Lines.Count / 2];
                var edited = tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(line.Start, 0), "// edit" + Environment.NewLine)));
                var next = compilation.ReplaceSyntaxTree(tree, edited);
                _ = next.GlobalNamespace.GetMembers(); // the declaration table of the edit, as the compiler's own services build it
                var reps = tools.ToDictionary(t => t.Name, _ => new List<(double Cpu, double Wall)>());
                for (var r = 0; r < repeat; r++)
                {
                    for (var k = 0; k < tools.Count; k++)
                    {
                        var tool = tools[(k + r) % tools.Count];
                        reps[tool.Name].Add(await MeasureAsync(() => RequestAsync(next, edited, tool, ct)).ConfigureAwait(false));
                    }
                }

                foreach (var tool in tools)
                {
                    samples.Add(new Sample("edit", tool.Name, tree.FilePath, text.Lines.Count, Median(reps[tool.Name].Select(m => m.Cpu)), Median(reps[tool.Name].Select(m => m.Wall))));
                }
            }

            Report(Console.Out, folder, docs.Count, totalLines, tools, samples, whole);
            ReportTelemetry(Console.Out);

            if (check && whole.TryGetValue("leak", out var ours))
            {
                var perDoc = perDocFindings.Distinct().ToHashSet();
                // With --max-docs only the findings in the documents analysed one by one can be compared.
                var analysed = docs.Select(t => t.FilePath).ToHashSet(StringComparer.Ordinal);
                var all = ours.Findings.Where(f => analysed.Contains(f.File)).ToHashSet();
                var missing = all.Where(f => !perDoc.Contains(f)).OrderBy(f => f, Finding.Order).ToList();
                var extra = perDoc.Where(f => !all.Contains(f)).OrderBy(f => f, Finding.Order).ToList();
                Console.WriteLine();
                var scope = maxDocs > 0 ? $" (in the {docs.Count} documents analysed)" : string.Empty;
                Console.WriteLine($"check: whole-compilation findings of our rules{scope} {all.Count}, per-document {perDoc.Count}: " +
                    (missing.Count == 0 && extra.Count == 0 ? "equal" : $"{missing.Count} only in the whole pass, {extra.Count} only per document"));
                foreach (var f in missing)
                {
                    Console.WriteLine($"  only whole:        {f.Id} {f.File}:{f.Line}:{f.Column} {f.Message}");
                }

                foreach (var f in extra)
                {
                    Console.WriteLine($"  only per document: {f.Id} {f.File}:{f.Line}:{f.Column} {f.Message}");
                }
            }

            if (outFile is not null)
            {
                using var writer = new StreamWriter(outFile);
                writer.WriteLine("phase\ttool\tfile\tlines\tcpu_ms\twall_ms");
                foreach (var s in samples)
                {
                    writer.WriteLine(string.Join('\t', s.Phase, s.Tool, s.File, s.Lines.ToString(CultureInfo.InvariantCulture),
                        s.CpuMs.ToString("F2", CultureInfo.InvariantCulture), s.WallMs.ToString("F2", CultureInfo.InvariantCulture)));
                }
            }

            return 0;
        }

        /// <summary>LEAK_TELEMETRY=1: also sum each of our analyzers' execution time (wall, as Roslyn logs it) per phase and print it.</summary>
        private static readonly bool Telemetry = Environment.GetEnvironmentVariable("LEAK_TELEMETRY") == "1";

        private static readonly Dictionary<string, double> AnalyzerMs = new(StringComparer.Ordinal);

        private static string phase = "warmup";

        private static async Task<List<Finding>> RequestAsync(Compilation compilation, SyntaxTree tree, Tool tool, CancellationToken ct)
        {
            var withAnalyzers = Analysis.WithTool(compilation, tool, telemetry: Telemetry && tool.Name == "leak");
            var model = compilation.GetSemanticModel(tree);
            var syntax = await withAnalyzers.GetAnalyzerSyntaxDiagnosticsAsync(tree, ct).ConfigureAwait(false);
            var semantic = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, null, ct).ConfigureAwait(false);
            if (Telemetry && tool.Name == "leak")
            {
                foreach (var analyzer in withAnalyzers.Analyzers)
                {
                    var info = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, ct).ConfigureAwait(false);
                    var key = phase + "\t" + analyzer.GetType().Name;
                    AnalyzerMs[key] = AnalyzerMs.GetValueOrDefault(key) + info.ExecutionTime.TotalMilliseconds;
                }
            }

            return Analysis.Filter(tool, syntax.Concat(semantic));
        }

        private static void ReportTelemetry(TextWriter o)
        {
            if (!Telemetry)
            {
                return;
            }

            o.WriteLine();
            o.WriteLine("Our analyzers, summed execution time per phase (ms, Roslyn's telemetry):");
            o.WriteLine();
            foreach (var pair in AnalyzerMs.Where(p => !p.Key.StartsWith("warmup", StringComparison.Ordinal)).OrderByDescending(p => p.Value))
            {
                o.WriteLine($"  {pair.Key.Replace("\t", "  ")}  {pair.Value:F0}");
            }
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        private static async Task<(double Cpu, double Wall)> MeasureAsync(Func<Task> action)
        {
            var cpu = CpuMs();
            var wall = Stopwatch.GetTimestamp();
            await action().ConfigureAwait(false);
            return (CpuMs() - cpu, Stopwatch.GetElapsedTime(wall).TotalMilliseconds);
        }

        private static void Report(TextWriter o, string folder, int docs, int lines, IReadOnlyList<Tool> tools, List<Sample> samples,
            Dictionary<string, (double Cpu, double Wall, List<Finding> Findings)> whole)
        {
            var baseline = samples.Where(s => s.Tool == "baseline").ToDictionary(s => (s.Phase, s.File), s => s.CpuMs);
            o.WriteLine($"## {Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/'))}: {docs} documents, {lines:N0} lines");
            o.WriteLine();
            o.WriteLine("| tool | doc CPU p50 | p95 | max | doc wall p50 | p95 | max | CPU p50 over baseline | edit CPU p50 | p95 | max | edit wall p50 | sum of docs CPU | whole pass CPU | sum / whole |");
            o.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var tool in tools)
            {
                var doc = samples.Where(s => s.Phase == "document" && s.Tool == tool.Name).ToList();
                var edit = samples.Where(s => s.Phase == "edit" && s.Tool == tool.Name).ToList();
                var over = tool.Name == "baseline" ? "–" : Fmt(Percentile(doc.Where(s => baseline.ContainsKey(("document", s.File))).Select(s => s.CpuMs - baseline[("document", s.File)]).ToList(), 50));
                var sum = doc.Sum(s => s.CpuMs);
                var w = whole[tool.Name];
                o.WriteLine($"| {tool.Name} | {Fmt(Percentile(doc.Select(s => s.CpuMs).ToList(), 50))} | {Fmt(Percentile(doc.Select(s => s.CpuMs).ToList(), 95))} | {Fmt(doc.Select(s => s.CpuMs).DefaultIfEmpty().Max())} " +
                    $"| {Fmt(Percentile(doc.Select(s => s.WallMs).ToList(), 50))} | {Fmt(Percentile(doc.Select(s => s.WallMs).ToList(), 95))} | {Fmt(doc.Select(s => s.WallMs).DefaultIfEmpty().Max())} " +
                    $"| {over} | {Fmt(Percentile(edit.Select(s => s.CpuMs).ToList(), 50))} | {Fmt(Percentile(edit.Select(s => s.CpuMs).ToList(), 95))} | {Fmt(edit.Select(s => s.CpuMs).DefaultIfEmpty().Max())} " +
                    $"| {Fmt(Percentile(edit.Select(s => s.WallMs).ToList(), 50))} | {sum / 1000:F1} s | {w.Cpu / 1000:F1} s | {(w.Cpu > 0 ? sum / w.Cpu : 0):F2} |");
            }

            o.WriteLine();
            o.WriteLine("(ms unless marked; CPU = process CPU time of the request, analysis not concurrent; baseline = a do-nothing analyzer that only makes the driver bind the document)");
            o.WriteLine();
            o.WriteLine("Slowest edits (CPU ms):");
            o.WriteLine();
            o.WriteLine("| file | lines | " + string.Join(" | ", tools.Select(t => t.Name)) + " |");
            o.WriteLine("|---|---|" + string.Concat(tools.Select(_ => "---|")));
            foreach (var g in samples.Where(s => s.Phase == "edit").GroupBy(s => s.File).OrderByDescending(g => g.Max(s => s.CpuMs)).Take(5))
            {
                o.WriteLine($"| {g.Key} | {g.First().Lines} | " + string.Join(" | ", tools.Select(t => Fmt(g.Where(s => s.Tool == t.Name).Select(s => s.CpuMs).DefaultIfEmpty().Max()))) + " |");
            }
        }

        private static string Fmt(double ms) => ms.ToString(ms >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture);

        private static double Percentile(List<double> values, int p)
        {
            if (values.Count == 0)
            {
                return 0;
            }

            var sorted = values.OrderBy(v => v).ToList();
            var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        /// <summary>Process CPU time in ms: CLOCK_PROCESS_CPUTIME_ID on Linux (ns resolution), else Process.TotalProcessorTime.</summary>
        private static double CpuMs()
        {
            if (OperatingSystem.IsLinux() && ClockGetTime(2, out var t) == 0)
            {
                return t.Seconds * 1000.0 + t.Nanoseconds / 1e6;
            }

            using var p = Process.GetCurrentProcess();
            return p.TotalProcessorTime.TotalMilliseconds;
        }
    }
}
