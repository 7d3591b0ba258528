using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace LeakAnalyzers.Package.Tests
{
    /// <summary>
    /// The oldest host the package claims: this test process runs Roslyn 4.8.0 (Microsoft.CodeAnalysis.CSharp.Workspaces
    /// 4.8.0), loads the analyzers and the code fixes from the packed .nupkg as an IDE or dotnet format would, and for every
    /// rule applies the first fix and the Fix All of a document.
    /// </summary>
    public partial class PackageTests
    {
        [Fact]
        public async Task AnalyzersAndFixesFromThePackageWorkInARoslyn48Host()
        {
            Assert.Equal(new Version(4, 8, 0, 0), typeof(Workspace).Assembly.GetName().Version);
            Assert.Equal(new Version(4, 8, 0, 0), typeof(CSharpCompilation).Assembly.GetName().Version);

            var dir = Directory.CreateDirectory(Path.Combine(fixture.WorkDir, "roslyn48")).FullName;
            using (var zip = ZipFile.OpenRead(fixture.Package))
            {
                foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("analyzers/dotnet/cs/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)))
                {
                    entry.ExtractToFile(Path.Combine(dir, entry.Name), overwrite: true);
                }
            }

            var loader = new HostLoader();
            var reference = new AnalyzerFileReference(Path.Combine(dir, "LeakAnalyzers.dll"), loader);
            var failures = new List<string>();
            reference.AnalyzerLoadFailed += (_, e) => failures.Add($"{e.TypeName}: {e.Message}");
            var analyzers = reference.GetAnalyzers(LanguageNames.CSharp);
            Assert.Empty(failures);
            Assert.Equal(new[] { "LeakAnalyzer" }, analyzers.Select(a => a.GetType().Name)); // one exported analyzer runs every rule
            Assert.Equal(11, analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().Count());
            var providers = loader.LoadFromPath(Path.Combine(dir, "LeakAnalyzers.CodeFixes.dll")).GetTypes()
                .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
                .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
                .ToList();
            Assert.NotEmpty(providers);

            foreach (var instance in RuleInstances.All)
            {
                var document = Document(instance);
                var diagnostics = await Diagnostics(document, analyzers, instance.Rule);
                Assert.True(diagnostics.Length > 0, $"{instance.Rule}: not reported in a Roslyn 4.8 host");
                var provider = providers.Single(p => p.FixableDiagnosticIds.Contains(instance.Rule));

                var actions = new List<CodeAction>();
                await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostics[0], (a, _) => actions.Add(a), CancellationToken.None));
                Assert.True(actions.Count > 0, $"{instance.Rule}: no fix offered");
                var fixedText = await Apply(actions[0], document);
                Assert.True(fixedText.Contains(instance.FixedFragment, StringComparison.Ordinal), $"{instance.Rule}: '{instance.FixedFragment}' not in\n{fixedText}");

                var fixAll = await provider.GetFixAllProvider()!.GetFixAsync(new FixAllContext(
                    document, provider, FixAllScope.Document, actions[0].EquivalenceKey, new[] { instance.Rule }, new Provider(diagnostics), CancellationToken.None));
                Assert.True(fixAll is not null, $"{instance.Rule}: no Fix All action");
                var fixedAll = await Apply(fixAll!, document);
                Assert.True(fixedAll.Contains(instance.FixedFragment, StringComparison.Ordinal), $"{instance.Rule} (Fix All): '{instance.FixedFragment}' not in\n{fixedAll}");
            }
        }

        private static Document Document(RuleInstances.Instance instance)
        {
            var references = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                .Select(p => MetadataReference.CreateFromFile(p));
            var workspace = new AdhocWorkspace();
            var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Create(), "Host48", "Host48", LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.CSharp12),
                metadataReferences: references));
            return workspace.AddDocument(project.Id, instance.File, Microsoft.CodeAnalysis.Text.SourceText.From(instance.Source));
        }

        private static async Task<ImmutableArray<Diagnostic>> Diagnostics(Document document, ImmutableArray<DiagnosticAnalyzer> analyzers, string rule)
        {
            var compilation = (await document.Project.GetCompilationAsync())!;
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var all = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
            return all.Where(d => d.Id == rule).OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
        }

        private static async Task<string> Apply(CodeAction action, Document document)
        {
            var operations = await action.GetOperationsAsync(CancellationToken.None);
            var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
            return (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
        }

        private sealed class Provider(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
        {
            public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

            public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

            public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult(Enumerable.Empty<Diagnostic>());
        }

        /// <summary>Loads the package's DLLs in a context of their own; Roslyn and the runtime come from this (4.8) host, as in an IDE.</summary>
        private sealed class HostLoader : IAnalyzerAssemblyLoader
        {
            private readonly Context _context = new();

            public void AddDependencyLocation(string fullPath) => _context.Directory = Path.GetDirectoryName(fullPath);

            public Assembly LoadFromPath(string fullPath) => _context.LoadFrom(fullPath);

            private sealed class Context() : AssemblyLoadContext("package-analyzers")
            {
                private readonly Dictionary<string, Assembly> _loaded = new(StringComparer.Ordinal);

                public string? Directory { get; set; }

                public Assembly LoadFrom(string path)
                {
                    lock (_loaded)
                    {
                        Directory ??= Path.GetDirectoryName(path);
                        if (!_loaded.TryGetValue(path, out var assembly))
                        {
                            assembly = LoadFromAssemblyPath(path);
                            _loaded[path] = assembly;
                        }

                        return assembly;
                    }
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

                    var candidate = Directory is null ? null : Path.Combine(Directory, name.Name + ".dll");
                    return candidate is not null && File.Exists(candidate) ? LoadFrom(candidate) : null;
                }
            }
        }
    }
}
