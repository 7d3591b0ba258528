using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace LeakAnalyzers.RealCode
{
    /// <summary>
    /// Measurement on real code (not a test): findings of our rules and the peers' on a folder, a fixed-leak history set,
    /// and per-document / per-keystroke cost. Exit codes: 0 done, 2 bad input or a missing build/package.
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            var root = new RootCommand("Measure LeakAnalyzers and its peers on real code.");

            var tools = new Option<string>("--tools") { Description = "Comma-separated: leak, idisp, netanalyzers (baseline: bind only).", DefaultValueFactory = _ => "leak,idisp,netanalyzers" };
            var leakDll = new Option<string?>("--leak-dll") { Description = "Our analyzer assembly (default: the newest of src/LeakAnalyzers/bin/{Release,Debug}/netstandard2.0/LeakAnalyzers.dll)." };
            var aspnet = new Option<bool>("--aspnet") { Description = "Also reference ASP.NET Core's reference pack." };
            var include = new Option<string?>("--include") { Description = "Only these comma-separated subfolders of the folder (paths stay relative to the folder)." };
            var define = new Option<string?>("--define") { Description = "Extra preprocessor symbols, comma-separated." };
            var implicitUsings = new Option<bool>("--implicit-usings") { Description = "Add the SDK's implicit global usings (projects with <ImplicitUsings>enable</ImplicitUsings>)." };
            var package = new Option<string?>("--package") { Description = "NuGet packages the code references, comma-separated id/version (System.Reactive/4.3.2), from the local package folder." };
            CorpusOptions Corpus(ParseResult r) => new(r.GetValue(aspnet), Split(r.GetValue(include)), Split(r.GetValue(define)), r.GetValue(implicitUsings), Packages: Split(r.GetValue(package)));

            var folder = new Argument<string>("folder") { Description = "A folder of C# code, compiled as one compilation." };
            var outFile = new Option<string?>("--out") { Description = "Write the findings as TSV to this file (default: stdout)." };
            var findings = new Command("findings", "Write one TSV row per finding: tool, id, file, line, column, message.") { folder, tools, outFile, leakDll, aspnet, include, define, implicitUsings, package };
            findings.SetAction((r, ct) => FindingsCommand.RunAsync(r.GetValue(folder)!, Corpus(r), r.GetValue(tools)!, r.GetValue(leakDll), r.GetValue(outFile), ct));
            root.Subcommands.Add(findings);

            var cases = new Option<string>("--cases") { Description = "The history set.", DefaultValueFactory = _ => Path.Combine(RepositoryRoot(), "bench", "history", "cases.tsv") };
            var mirror = new Option<string>("--mirror") { Description = "Where fetched snapshots are (owner+name/repo).", DefaultValueFactory = _ => "/work/.mirror" };
            var only = new Option<string?>("--only") { Description = "Only these comma-separated case ids." };
            var historyTools = new Option<string>("--tools") { Description = "Comma-separated tools.", DefaultValueFactory = _ => "leak,idisp" };
            var historyOut = new Option<string?>("--out") { Description = "Also write the per-case results as TSV." };
            var keep = new Option<bool>("--keep") { Description = "Keep the extracted folders (under /tmp/leak-history)." };
            var wholeOpt = new Option<bool>("--whole") { Description = "Analyse the whole compilation of each commit, not only the case's document (slower; same findings in that document)." };
            var showErrors = new Option<int>("--errors") { Description = "Print the case document's first N compile errors (distinct messages): which reference it lacks.", DefaultValueFactory = _ => 0 };
            var history = new Command("history", "Run the tools on each fixed leak's parent and fix; report detected-before / silent-after and recall per kind.")
                { cases, mirror, only, historyTools, historyOut, leakDll, keep, wholeOpt, showErrors };
            history.SetAction((r, ct) => HistoryCommand.RunAsync(r.GetValue(cases)!, r.GetValue(mirror)!, Split(r.GetValue(only)), r.GetValue(historyTools)!, r.GetValue(leakDll), r.GetValue(historyOut), r.GetValue(keep), r.GetValue(wholeOpt), ct, r.GetValue(showErrors)));
            root.Subcommands.Add(history);

            var fixesFolder = new Argument<string>("folder") { Description = "A folder of C# code, compiled as one compilation." };
            var fixesDir = new Option<string?>("--fixes-dir") { Description = "Folder with LeakAnalyzers.dll and LeakAnalyzers.CodeFixes.dll (default: the newest src/LeakAnalyzers.CodeFixes/bin/{Release,Debug}/netstandard2.0)." };
            var fixesOut = new Option<string?>("--out") { Description = "Write one TSV row per finding (id, file, line, the first fix that changes the code or -, whether the fixed documents compile with no new error and the finding is gone, message)." };
            var fixes = new Command("fixes", "Our findings and, for each, whether one of our code fixes offers a change.") { fixesFolder, fixesDir, fixesOut, aspnet, include, define, implicitUsings, package };
            fixes.SetAction((r, ct) => FixesCommand.RunAsync(r.GetValue(fixesFolder)!, Corpus(r), r.GetValue(fixesDir), r.GetValue(fixesOut), ct));
            root.Subcommands.Add(fixes);

            var perdocFolder = new Argument<string>("folder") { Description = "A folder of C# code, compiled as one compilation." };
            var perdocTools = new Option<string>("--tools") { Description = "Comma-separated tools.", DefaultValueFactory = _ => "baseline,leak,idisp,netanalyzers" };
            var edits = new Option<int>("--edits") { Description = "Edit this many of the largest documents.", DefaultValueFactory = _ => 20 };
            var check = new Option<bool>("--check") { Description = "Also check that per-document findings of our rules equal the whole-compilation findings." };
            var perdocOut = new Option<string?>("--out") { Description = "Write every measurement as TSV to this file." };
            var maxDocs = new Option<int>("--max-docs") { Description = "Measure at most this many documents (evenly spread; 0: all).", DefaultValueFactory = _ => 0 };
            var repeat = new Option<int>("--repeat") { Description = "Ask every tool this many times per document and edit; report the median of each.", DefaultValueFactory = _ => 1 };
            var perdoc = new Command("perdoc", "Per-document and per-keystroke analysis cost (process CPU and wall), per tool, as the IDE asks for it.")
                { perdocFolder, perdocTools, edits, check, perdocOut, maxDocs, repeat, leakDll, aspnet, include, define, implicitUsings, package };
            perdoc.SetAction((r, ct) => PerDocCommand.RunAsync(r.GetValue(perdocFolder)!, Corpus(r), r.GetValue(perdocTools)!, r.GetValue(leakDll), r.GetValue(edits),
                r.GetValue(check), r.GetValue(perdocOut), r.GetValue(maxDocs), ct, r.GetValue(repeat)));
            root.Subcommands.Add(perdoc);

            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var e in parsed.Errors)
                {
                    Console.Error.WriteLine($"realcode: {e.Message}");
                }

                return 2;
            }

            try
            {
                return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"realcode: {e.Message}");
                return 2;
            }
        }

        public static IReadOnlyList<string> Split(string? value) =>
            string.IsNullOrWhiteSpace(value) ? Array.Empty<string>() : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public static string RepositoryRoot() =>
            typeof(Program).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
                .Cast<System.Reflection.AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;
    }

    public static class FindingsCommand
    {
        public static async Task<int> RunAsync(string folder, CorpusOptions options, string toolList, string? leakDll, string? outFile, CancellationToken ct)
        {
            if (!Directory.Exists(folder))
            {
                throw new UsageException($"not a folder: {folder}");
            }

            var tools = Tool.LoadMany(toolList, leakDll);
            foreach (var tool in tools)
            {
                Console.Error.WriteLine($"{tool.Name}: {tool.Source}");
            }

            var sw = Stopwatch.StartNew();
            var compilation = Corpus.Compile(folder, options, Tool.DiagnosticOptions(tools));
            var lines = compilation.SyntaxTrees.Sum(t => t.GetText(ct).Lines.Count);
            var errors = Analysis.CompileErrors(compilation, ct);
            Console.Error.WriteLine($"{folder}: {compilation.SyntaxTrees.Count()} files, {lines:N0} lines, {errors} compile errors ({sw.Elapsed.TotalSeconds:F1} s)");

            var all = new List<Finding>();
            foreach (var tool in tools)
            {
                sw.Restart();
                var found = await Analysis.WholeAsync(compilation, tool, ct).ConfigureAwait(false);
                Console.Error.WriteLine($"{tool.Name}: {found.Count} findings ({sw.Elapsed.TotalSeconds:F1} s)" +
                    (found.Count == 0 ? string.Empty : ": " + string.Join(", ", found.GroupBy(f => f.Id).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))));
                all.AddRange(found);
            }

            all.Sort(Finding.Order);
            if (outFile is null)
            {
                Analysis.WriteTsv(Console.Out, all);
            }
            else
            {
                using var writer = new StreamWriter(outFile);
                Analysis.WriteTsv(writer, all);
            }

            return 0;
        }
    }
}
