using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>
    /// The exported fix provider on the sample service (an instance of every rule): every finding is offered a fix, every
    /// fix offered changes the code, and one Fix All for every rule at once (null key, as dotnet format passes when its
    /// first diagnostic has no fix) leaves code that compiles and has fewer findings.
    /// </summary>
    public class CodeFixSuiteTests
    {
        private static readonly CodeFixProvider Provider = new LeakCodeFixProvider();

        [Fact]
        public void OnlyTheCompositeProviderIsExported()
        {
            var exported = typeof(LeakCodeFixProvider).Assembly.GetTypes()
                .Where(t => t.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), false).Length > 0).ToList();
            Assert.Equal(new[] { typeof(LeakCodeFixProvider) }, exported);
            Assert.Equal(AllAnalyzers.Instances.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal),
                Provider.FixableDiagnosticIds);
        }

        [Fact]
        public async Task EverySampleFindingIsOfferedAFixAndEveryFixChangesTheCode()
        {
            var (document, diagnostics) = await SampleAsync();
            Assert.NotEmpty(diagnostics);
            foreach (var diagnostic in diagnostics)
            {
                var doc = document.Project.GetDocument(diagnostic.Location.SourceTree)!;
                var actions = new List<CodeAction>();
                await Provider.RegisterCodeFixesAsync(new CodeFixContext(doc, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
                Assert.True(actions.Count > 0, $"no fix for {diagnostic}");
                var before = (await doc.GetTextAsync()).ToString();
                foreach (var action in actions)
                {
                    var changed = (await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single().ChangedSolution;
                    Assert.True(await LeakCodeFixProvider.ChangesTextAsync(doc.Project.Solution, changed, CancellationToken.None), $"'{action.Title}' changes nothing for {diagnostic}");
                }

                Assert.Equal(before, (await doc.GetTextAsync()).ToString());
            }
        }

        [Fact]
        public async Task OneFixAllWithANullKeyFixesEveryRuleAtOnce()
        {
            var (document, diagnostics) = await SampleAsync();
            var fixAll = await Provider.GetFixAllProvider()!.GetFixAsync(new FixAllContext(
                document, Provider, FixAllScope.Solution, null, Provider.FixableDiagnosticIds, new Diagnostics(diagnostics), CancellationToken.None));
            Assert.NotNull(fixAll);
            var solution = (await fixAll!.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single().ChangedSolution;
            var project = solution.GetProject(document.Project.Id)!;
            var compilation = (await project.GetCompilationAsync())!;
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var after = (await TestCompilation.AnalyzeAsync(compilation, AllAnalyzers.Shipped)).Diagnostics.Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal)).ToList();
            var fixedRules = diagnostics.Select(d => d.Id).Distinct().Where(id => after.All(d => d.Id != id)).ToList();
            Assert.True(after.Count == 0, $"{after.Count} of {diagnostics.Length} findings left: {string.Join("; ", after)}");
            Assert.True(fixedRules.Count >= 9, $"rules fully fixed: {string.Join(", ", fixedRules)}; left: {string.Join("; ", after)}");
        }

        [Fact]
        public async Task FixAllOneIdAtATimeWithTheFirstDiagnosticsKeyFixesEveryRule()
        {
            // What dotnet format does with one analyzer reporting many ids: for each id in turn it analyses again, takes the
            // first diagnostic of the whole result (any id) for the equivalence key, and asks Fix All for that id only.
            var (document, diagnostics) = await SampleAsync();
            var solution = document.Project.Solution;
            var ids = diagnostics.Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal).ToList();
            Assert.True(ids.Count >= 10, string.Join(", ", ids));
            foreach (var id in ids)
            {
                var project = solution.GetProject(document.Project.Id)!;
                var current = (await TestCompilation.AnalyzeAsync((await project.GetCompilationAsync())!, AllAnalyzers.Shipped)).Diagnostics
                    .Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal)).ToImmutableArray();
                if (!current.Any(d => d.Id == id))
                {
                    continue;
                }

                var first = current.OrderBy(d => d.Id == id ? 1 : 0).First(); // a diagnostic of another id, as dotnet format may pick
                string? key = null;
                var firstDocument = solution.GetDocument(first.Location.SourceTree)!;
                await Provider.RegisterCodeFixesAsync(new CodeFixContext(firstDocument, first, (a, _) => key ??= a.EquivalenceKey, CancellationToken.None));
                var fixAll = await Provider.GetFixAllProvider()!.GetFixAsync(new FixAllContext(
                    firstDocument, Provider, FixAllScope.Solution, key, new[] { id }, new Diagnostics(current), CancellationToken.None));
                Assert.NotNull(fixAll);
                solution = (await fixAll!.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single().ChangedSolution;
            }

            var fixedProject = solution.GetProject(document.Project.Id)!;
            var compilation = (await fixedProject.GetCompilationAsync())!;
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var after = (await TestCompilation.AnalyzeAsync(compilation, AllAnalyzers.Shipped)).Diagnostics.Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal)).ToList();
            Assert.True(after.Count == 0, $"{after.Count} of {diagnostics.Length} findings left: {string.Join("; ", after)}");
        }

        private static async Task<(Document Document, ImmutableArray<Diagnostic> Diagnostics)> SampleAsync()
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "testsources", "samples", "OrderService");
            var sources = Directory.GetFiles(folder, "*.cs").OrderBy(f => f, StringComparer.Ordinal).Select(f => (Path: Path.GetFileName(f), Text: File.ReadAllText(f))).ToList();
            var compilation = TestCompilation.Create(sources);
            var workspace = new AdhocWorkspace();
            var projectId = ProjectId.CreateNewId();
            var solution = workspace.AddProject(ProjectInfo.Create(projectId, VersionStamp.Create(), "Sample", "Sample", LanguageNames.CSharp,
                compilationOptions: compilation.Options.WithOutputKind(OutputKind.ConsoleApplication), parseOptions: TestCompilation.ParseOptions, metadataReferences: compilation.References)).Solution;
            foreach (var (path, text) in sources)
            {
                solution = solution.AddDocument(DocumentId.CreateNewId(projectId), path, text, filePath: path);
            }

            // The efficiency rules are raised to warnings, as the sample's .editorconfig does.
            var project = solution.GetProject(projectId)!;
            project = project.WithCompilationOptions(project.CompilationOptions!.WithSpecificDiagnosticOptions(
                new Dictionary<string, ReportDiagnostic> { ["LEAK010"] = ReportDiagnostic.Warn, ["LEAK011"] = ReportDiagnostic.Warn }));
            var projectCompilation = (await project.GetCompilationAsync())!;
            var diagnostics = (await TestCompilation.AnalyzeAsync(projectCompilation, AllAnalyzers.Shipped)).Diagnostics.Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal)).ToImmutableArray();
            return (project.Documents.First(), diagnostics);
        }

        private sealed class Diagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
        {
            public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

            public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
                => Task.FromResult(diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

            public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult(Enumerable.Empty<Diagnostic>());
        }
    }
}
