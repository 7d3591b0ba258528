using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace LeakAnalyzers.RealCode
{
    /// <summary>
    /// <c>fixes</c>: our findings on a folder and, for each, whether an exported code fix of ours offers a change to the code
    /// (an action whose solution differs from the original). The analyzers and fixes are loaded from the built
    /// <c>src/LeakAnalyzers.CodeFixes/bin/{Release,Debug}/netstandard2.0</c> (or <c>--fixes-dir</c>), so any build can be measured.
    /// </summary>
    public static class FixesCommand
    {
        public static async Task<int> RunAsync(string folder, CorpusOptions options, string? fixesDir, string? outFile, CancellationToken ct)
        {
            if (!Directory.Exists(folder))
            {
                throw new UsageException($"not a folder: {folder}");
            }

            var dir = fixesDir ?? DefaultFixesDir();
            var (analyzers, providers) = Load(dir);
            Console.Error.WriteLine($"fixes: {dir}: {analyzers.Length} analyzers, {providers.Length} exported code fix providers");

            var sw = Stopwatch.StartNew();
            var compilation = Corpus.Compile(folder, options);
            var workspace = new AdhocWorkspace();
            var projectId = ProjectId.CreateNewId();
            var info = ProjectInfo.Create(projectId, VersionStamp.Create(), "Corpus", "Corpus", LanguageNames.CSharp,
                compilationOptions: compilation.Options, parseOptions: Corpus.ParseOptions(options), metadataReferences: compilation.References,
                documents: compilation.SyntaxTrees.Select(t => DocumentInfo.Create(DocumentId.CreateNewId(projectId), t.FilePath, filePath: t.FilePath,
                    loader: TextLoader.From(TextAndVersion.Create(t.GetText(ct), VersionStamp.Create(), t.FilePath)))));
            var solution = workspace.AddProject(info).Solution;
            var project = solution.GetProject(projectId)!;
            var projectCompilation = (await project.GetCompilationAsync(ct).ConfigureAwait(false))!;
            var diagnostics = await projectCompilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync(ct).ConfigureAwait(false);
            var findings = diagnostics.Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal) && d.Location.IsInSource)
                .OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ToList();
            Console.Error.WriteLine($"{folder}: {findings.Count} findings ({sw.Elapsed.TotalSeconds:F1} s)");

            var rows = new List<string> { "id\tfile\tline\tfix\tcompiles\tgone\tmessage" };
            var byId = new SortedDictionary<string, (int Findings, int Fixed, int Checked)>(StringComparer.Ordinal);
            foreach (var diagnostic in findings)
            {
                var document = project.GetDocument(diagnostic.Location.SourceTree)!;
                var (title, changed) = await FirstChangingFixAsync(document, diagnostic, providers, ct).ConfigureAwait(false);
                var (compiles, gone) = changed is null ? (false, false) : await CheckAsync(project.Solution, changed, diagnostic, analyzers, ct).ConfigureAwait(false);
                var (n, f, k) = byId.TryGetValue(diagnostic.Id, out var c) ? c : (0, 0, 0);
                byId[diagnostic.Id] = (n + 1, f + (title is null ? 0 : 1), k + (compiles && gone ? 1 : 0));
                var span = diagnostic.Location.GetLineSpan();
                rows.Add(string.Join('\t', diagnostic.Id, span.Path, span.StartLinePosition.Line + 1, title ?? "-",
                    changed is null ? "-" : compiles ? "yes" : "no", changed is null ? "-" : gone ? "yes" : "no", diagnostic.GetMessage().Replace('\t', ' ')));
            }

            foreach (var pair in byId)
            {
                Console.Error.WriteLine($"{pair.Key}: {pair.Value.Fixed} of {pair.Value.Findings} with a fix ({pair.Value.Checked} compile and remove the finding)");
            }

            Console.Error.WriteLine($"all: {byId.Values.Sum(v => v.Fixed)} of {findings.Count} with a fix ({byId.Values.Sum(v => v.Checked)} compile and remove the finding)");
            if (outFile is null)
            {
                rows.ForEach(Console.WriteLine);
            }
            else
            {
                File.WriteAllLines(outFile, rows);
            }

            return 0;
        }

        /// <summary>
        /// The fix applied: the documents it changes have no more compiler errors than before (the corpora compile with some
        /// unresolved references), and fewer findings of the diagnostic's rule.
        /// </summary>
        private static async Task<(bool Compiles, bool Gone)> CheckAsync(Solution before, Solution after, Diagnostic diagnostic, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken ct)
        {
            var compiles = true;
            var findingsBefore = 0;
            var findingsAfter = 0;
            foreach (var id in after.GetChanges(before).GetProjectChanges().SelectMany(p => p.GetChangedDocuments(onlyGetDocumentsWithTextChanges: true)))
            {
                var oldModel = (await before.GetDocument(id)!.GetSemanticModelAsync(ct).ConfigureAwait(false))!;
                var newModel = (await after.GetDocument(id)!.GetSemanticModelAsync(ct).ConfigureAwait(false))!;
                compiles &= Errors(newModel, ct) <= Errors(oldModel, ct);
                findingsBefore += await FindingsAsync(oldModel, diagnostic.Id, analyzers, ct).ConfigureAwait(false);
                findingsAfter += await FindingsAsync(newModel, diagnostic.Id, analyzers, ct).ConfigureAwait(false);
            }

            return (compiles, findingsAfter < findingsBefore);
        }

        private static int Errors(SemanticModel model, CancellationToken ct)
            => model.GetDiagnostics(cancellationToken: ct).Count(d => d.Severity == DiagnosticSeverity.Error);

        private static async Task<int> FindingsAsync(SemanticModel model, string id, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken ct)
        {
            var diagnostics = await model.Compilation.WithAnalyzers(analyzers).GetAnalyzerSemanticDiagnosticsAsync(model, null, ct).ConfigureAwait(false);
            return diagnostics.Count(d => d.Id == id);
        }

        private static async Task<(string? Title, Solution? Changed)> FirstChangingFixAsync(Document document, Diagnostic diagnostic, ImmutableArray<CodeFixProvider> providers, CancellationToken ct)
        {
            var original = await document.GetTextAsync(ct).ConfigureAwait(false);
            foreach (var provider in providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                var actions = new List<CodeAction>();
                try
                {
                    await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), ct)).ConfigureAwait(false);
                    foreach (var action in actions.SelectMany(a => a.NestedActions.IsEmpty ? new[] { a } : a.NestedActions.ToArray()))
                    {
                        foreach (var operation in await action.GetOperationsAsync(ct).ConfigureAwait(false))
                        {
                            if (operation is ApplyChangesOperation apply && await ChangesAsync(document.Project.Solution, apply.ChangedSolution, ct).ConfigureAwait(false))
                            {
                                return (action.Title, apply.ChangedSolution);
                            }
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Console.Error.WriteLine($"warning: {provider.GetType().Name} threw on {diagnostic.Id} {diagnostic.Location.GetLineSpan()}: {e.GetType().Name}: {e.Message}");
                }
            }

            return (null, null);
        }

        private static async Task<bool> ChangesAsync(Solution before, Solution after, CancellationToken ct)
        {
            foreach (var projectChanges in after.GetChanges(before).GetProjectChanges())
            {
                if (projectChanges.GetAddedDocuments().Any() || projectChanges.GetRemovedDocuments().Any())
                {
                    return true;
                }

                foreach (var id in projectChanges.GetChangedDocuments(onlyGetDocumentsWithTextChanges: true))
                {
                    var oldText = await before.GetDocument(id)!.GetTextAsync(ct).ConfigureAwait(false);
                    var newText = await after.GetDocument(id)!.GetTextAsync(ct).ConfigureAwait(false);
                    if (!oldText.ContentEquals(newText))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static string DefaultFixesDir()
        {
            var root = Program.RepositoryRoot();
            return new[] { "Release", "Debug" }
                .Select(c => Path.Combine(root, "src", "LeakAnalyzers.CodeFixes", "bin", c, "netstandard2.0"))
                .Where(d => File.Exists(Path.Combine(d, "LeakAnalyzers.CodeFixes.dll")))
                .OrderByDescending(d => File.GetLastWriteTimeUtc(Path.Combine(d, "LeakAnalyzers.CodeFixes.dll")))
                .FirstOrDefault()
                ?? throw new UsageException($"src/LeakAnalyzers.CodeFixes is not built under {root} (dotnet build src/LeakAnalyzers.CodeFixes -c Release), or pass --fixes-dir");
        }

        /// <summary>LeakAnalyzers.dll and LeakAnalyzers.CodeFixes.dll from one folder, in one context that shares the host's Roslyn.</summary>
        private static (ImmutableArray<DiagnosticAnalyzer> Analyzers, ImmutableArray<CodeFixProvider> Providers) Load(string dir)
        {
            var context = new FolderContext(dir);
            var analyzerAssembly = context.LoadFromAssemblyPath(Path.Combine(dir, "LeakAnalyzers.dll"));
            var fixesAssembly = context.LoadFromAssemblyPath(Path.Combine(dir, "LeakAnalyzers.CodeFixes.dll"));
            var analyzers = analyzerAssembly.GetTypes()
                .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
                .ToImmutableArray();
            var providers = fixesAssembly.GetTypes()
                .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), false).Length > 0)
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
                .ToImmutableArray();
            return (analyzers, providers);
        }

        private sealed class FolderContext : AssemblyLoadContext
        {
            private readonly string _dir;

            public FolderContext(string dir) : base("fixes", isCollectible: false)
            {
                _dir = dir;
            }

            protected override Assembly? Load(AssemblyName name)
            {
                try
                {
                    return Default.LoadFromAssemblyName(name);
                }
                catch (FileNotFoundException)
                {
                }

                var candidate = Path.Combine(_dir, name.Name + ".dll");
                return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
            }
        }
    }
}
