using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Benchmarks
{
    /// <summary>
    /// Runs every LeakAnalyzers rule over a large body of code and reports analyzer time per rule next to the compiler's own
    /// binding time on the same code, plus the time to analyse one document the way the IDE does.
    /// Usage: dotnet run -c Release --project bench/LeakAnalyzers.Benchmarks [-- [--files N] [folder with real .cs files]...]
    /// </summary>
    public static class Program
    {
        private const int Runs = 3;

        /// <summary>Rounds of binding, floor pass and our pass for the CPU comparison.</summary>
        private static int CpuRounds = 5;

        public static async Task<int> Main(string[] args)
        {
            var files = 330;
            var passOnly = false;
            var alone = false;
            var folders = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] == "--files" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var f))
                {
                    files = f;
                    i++;
                }
                else if (args[i] == "--rounds" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0)
                {
                    // More rounds of binding / floor / all rules: a steadier median on a noisy machine.
                    CpuRounds = r;
                    i++;
                }
                else if (args[i] == "--alone")
                {
                    // Also each rule's own cost: the CPU a pass with only that rule adds to the no-op pass.
                    alone = true;
                }
                else if (args[i] == "--pass-only")
                {
                    // For a profiler: only the whole pass with all rules, three times, and its CPU.
                    passOnly = true;
                }
                else if (Directory.Exists(args[i]))
                {
                    folders.Add(args[i]);
                }
                else
                {
                    Console.Error.WriteLine($"not a folder: {args[i]}");
                    return 2;
                }
            }

            // The rules one by one (telemetry per rule, --alone); the shipped analyzer (all of them under one host) for the CPU figures.
            var analyzers = LeakAnalyzer.CreateRules();

            await MeasureAsync("synthetic", SyntheticCode.Generate(files), analyzers, passOnly, alone);
            foreach (var folder in folders)
            {
                var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                    .Where(p => !p.Contains("/obj/", StringComparison.Ordinal) && !p.Contains("/bin/", StringComparison.Ordinal))
                    .Select(p => (p, File.ReadAllText(p)))
                    .ToList();
                await MeasureAsync(folder, sources, analyzers, passOnly, alone);
            }

            return 0;
        }

        private static async Task MeasureAsync(string name, List<(string Path, string Text)> sources, ImmutableArray<DiagnosticAnalyzer> analyzers, bool passOnly, bool alone)
        {
            var shipped = ImmutableArray.Create<DiagnosticAnalyzer>(new LeakAnalyzer());
            var parse = new CSharpParseOptions(LanguageVersion.Preview, preprocessorSymbols: new[] { "NET", "NETCOREAPP", "NET8_0_OR_GREATER" });
            var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path)).ToImmutableArray();
            var lines = sources.Sum(s => s.Text.Count(c => c == '\n'));
            var references = References();
            // One thread, so that process CPU is the work done (a parallel build adds its own coordination to the CPU time).
            var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false);
            CSharpCompilation Fresh() => CSharpCompilation.Create("Bench", trees, references, options);

            // Warm up the compiler and the analyzers once (JIT), then measure.
            // (twice: the JIT's second tier replaces hot code during the first pass).
            Fresh().GetDiagnostics();
            await Fresh().WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
            await Fresh().WithAnalyzers(shipped).GetAnalyzerDiagnosticsAsync();

            if (passOnly)
            {
                for (var i = 0; i < Runs; i++)
                {
                    Console.WriteLine($"{name}: pass with all rules {await PassCpuAsync(Fresh(), shipped):F0} ms CPU");
                }

                return;
            }

            var bind = new List<double>();
            var bindCpu = new List<double>();
            var errors = 0;
            for (var i = 0; i < Runs; i++)
            {
                var sw = Stopwatch.StartNew();
                var cpu = CpuMs();
                errors = Fresh().GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
                bindCpu.Add(CpuMs() - cpu);
                bind.Add(sw.Elapsed.TotalMilliseconds);
            }

            var perAnalyzer = analyzers.ToDictionary(a => a, _ => new List<double>());
            var findings = new Dictionary<string, int>();
            for (var i = 0; i < Runs; i++)
            {
                var withAnalyzers = Fresh().WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
                    concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
                var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
                findings = diagnostics.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Count());
                foreach (var analyzer in analyzers)
                {
                    var info = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None);
                    perAnalyzer[analyzer].Add(info.ExecutionTime.TotalMilliseconds);
                }
            }

            // What the rules add to a build, in process CPU: a whole analysis pass with all rules against the same pass with a
            // do-nothing operation analyzer (which pays the semantic binding every IOperation analyzer shares: the SDK's own
            // analyzers run in every build). Telemetry (below) bills binding to the first rule whose callback asks for a body;
            // this does not.
            // Each round measures binding, the floor and our pass back to back and gives its own ratio: the machine's speed
            // drifts between rounds (shared hosts), and the median of the rounds' ratios is steadier than a ratio of medians.
            var floorCpu = new List<double>();
            var oursCpu = new List<double>();
            var ratios = new List<double>();
            for (var i = 0; i < CpuRounds; i++)
            {
                var cpu = CpuMs();
                _ = Fresh().GetDiagnostics();
                var bound = CpuMs() - cpu;
                var floor = await PassCpuAsync(Fresh(), ImmutableArray.Create<DiagnosticAnalyzer>(new OperationFloorAnalyzer()));
                var ours = await PassCpuAsync(Fresh(), shipped);
                bindCpu.Add(bound);
                floorCpu.Add(floor);
                oursCpu.Add(ours);
                ratios.Add((ours - floor) / bound);
            }

            var bindMs = Median(bind);
            Console.WriteLine();
            Console.WriteLine($"== {name}: {trees.Length} files, {lines:N0} lines, {errors} compile errors (missing references are expected for real code)");
            Console.WriteLine($"   compiler binding (GetDiagnostics, median of {Runs}): {bindMs,8:F0} ms");
            Console.WriteLine($"   {"analyzer",-45} {"rules",-18} {"ms",8} {"% of binding",13} {"findings",9}");
            double total = 0;
            foreach (var analyzer in analyzers)
            {
                var ms = Median(perAnalyzer[analyzer]);
                total += ms;
                var ids = analyzer.SupportedDiagnostics.Select(d => d.Id).Distinct().ToArray();
                var count = ids.Sum(id => findings.TryGetValue(id, out var c) ? c : 0);
                Console.WriteLine($"   {analyzer.GetType().Name,-45} {string.Join(",", ids),-18} {ms,8:F1} {100 * ms / bindMs,12:F1}% {count,9}");
            }

            Console.WriteLine($"   {"all rules (telemetry)",-45} {string.Empty,-18} {total,8:F1} {100 * total / bindMs,12:F1}%");
            var bindCpuMs = Median(bindCpu);
            var floorMs = Median(floorCpu);
            var oursMs = Median(oursCpu);
            Console.WriteLine($"   CPU, medians of {CpuRounds} rounds: binding {bindCpuMs:F0} ms; pass with a no-op operation analyzer {floorMs:F0} ms; with all rules {oursMs:F0} ms");
            Console.WriteLine($"   all rules, CPU added to the pass: {oursMs - floorMs:F0} ms; per round {string.Join(", ", ratios.Select(r => (100 * r).ToString("F0", CultureInfo.InvariantCulture) + "%"))}; median {100 * Median(ratios):F1}% of binding   (target: < 33%)");

            if (alone)
            {
                Console.WriteLine($"   {"alone: CPU a pass with only this rule adds",-64} {"ms",8} {"% of binding",13}");
                foreach (var analyzer in analyzers)
                {
                    var own = new List<double>();
                    for (var i = 0; i < Runs; i++)
                    {
                        own.Add(await PassCpuAsync(Fresh(), ImmutableArray.Create(analyzer)) - floorMs);
                    }

                    var ms = Median(own);
                    Console.WriteLine($"   {analyzer.GetType().Name,-64} {ms,8:F0} {100 * ms / bindCpuMs,12:F1}%");
                }
            }

            // The IDE analyses the open document: semantic diagnostics of the largest file on a fresh compilation.
            var largest = trees.OrderByDescending(t => t.Length).First();
            var ide = new List<double>();
            for (var i = 0; i < Runs; i++)
            {
                var compilation = Fresh();
                var model = compilation.GetSemanticModel(largest);
                var withAnalyzers = compilation.WithAnalyzers(shipped);
                var sw = Stopwatch.StartNew();
                await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, CancellationToken.None);
                ide.Add(sw.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"   one document as the IDE analyses it ({Path.GetFileName(largest.FilePath)}, {largest.GetText().Lines.Count} lines): {Median(ide):F0} ms (includes binding that document)");
        }

        private static double CpuMs() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

        private static async Task<double> PassCpuAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            GC.Collect();
            var before = CpuMs();
            var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
                concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
            await withAnalyzers.GetAnalyzerDiagnosticsAsync();
            return CpuMs() - before;
        }

        /// <summary>The floor of any IOperation analyzer: one operation action that does nothing.</summary>
        [DiagnosticAnalyzer(LanguageNames.CSharp)]
        private sealed class OperationFloorAnalyzer : DiagnosticAnalyzer
        {
            private static readonly DiagnosticDescriptor Rule = new("FLOOR01", "floor", "floor", "bench", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

            public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

            public override void Initialize(AnalysisContext context)
            {
                context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
                context.RegisterOperationAction(_ => { }, OperationKind.Invocation);
            }
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted[sorted.Length / 2];
        }

        private static ImmutableArray<MetadataReference> References()
        {
            var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            return tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToImmutableArray();
        }
    }
}
