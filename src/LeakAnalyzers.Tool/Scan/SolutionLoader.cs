using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Build.Locator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.MSBuild;
using Microsoft.CodeAnalysis.Text;

namespace LeakAnalyzers.Tool.Scan
{
    /// <summary>A loaded workspace and its solution.</summary>
    public sealed class LoadedSolution : IDisposable
    {
        public LoadedSolution(Workspace workspace, Solution solution, IReadOnlyCollection<ProjectId>? targets = null)
        {
            Workspace = workspace;
            Solution = solution;
            Targets = targets;
        }

        /// <summary>
        /// The project that was asked for, when a project (not a solution) was opened, once per target framework: its
        /// references load too but are not scanned. Null: every project of the solution.
        /// </summary>
        public IReadOnlyCollection<ProjectId>? Targets { get; }

        /// <summary>Whether a project is one to scan.</summary>
        public bool IsTarget(Project project) => project.Language == LanguageNames.CSharp && (Targets is null || Targets.Contains(project.Id));

        public Workspace Workspace { get; }

        public Solution Solution { get; }

        public void Dispose() => Workspace.Dispose();
    }

    /// <summary>
    /// Opens a solution or project with MSBuildWorkspace (the installed SDK's MSBuild, found by MSBuildLocator); a folder
    /// opens its single solution or project, or else becomes an ad-hoc project of its loose .cs files.
    /// </summary>
    public static class SolutionLoader
    {
        private static readonly object Gate = new();

        /// <param name="restore">Run <c>dotnet restore</c> on the solution or project first (what <c>dotnet build</c> does).</param>
        public static async Task<LoadedSolution?> LoadAsync(string path, TextWriter error, CancellationToken cancellationToken, bool restore = true)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                var solutions = Directory.GetFiles(full, "*.sln").Concat(Directory.GetFiles(full, "*.slnx")).ToArray();
                var projects = Directory.GetFiles(full, "*.csproj");
                if (solutions.Length == 1)
                {
                    full = solutions[0];
                }
                else if (solutions.Length == 0 && projects.Length == 1)
                {
                    full = projects[0];
                }
                else if (solutions.Length > 1 || projects.Length > 1)
                {
                    await error.WriteLineAsync($"leakcheck: {path} holds several solutions or projects; name one.").ConfigureAwait(false);
                    return null;
                }
                else
                {
                    return await LoadLooseFilesAsync(full, error).ConfigureAwait(false);
                }
            }
            else if (!File.Exists(full))
            {
                await error.WriteLineAsync($"leakcheck: no such file or folder: {path}").ConfigureAwait(false);
                return null;
            }

            var extension = Path.GetExtension(full).ToLowerInvariant();
            if (extension is not (".sln" or ".slnx" or ".csproj"))
            {
                await error.WriteLineAsync($"leakcheck: {path} is not a solution (.sln, .slnx), a C# project (.csproj) or a folder.").ConfigureAwait(false);
                return null;
            }

            var sdk = EnsureMsBuild();
            if (restore && !await Restore.RunAsync(sdk, full, error, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return await OpenWithMsBuildAsync(full, extension, error, cancellationToken).ConfigureAwait(false);
        }

        private static string? s_msbuildPath;

        /// <summary>Registers the installed SDK's MSBuild once; returns its folder (…/sdk/&lt;version&gt;/).</summary>
        private static string? EnsureMsBuild()
        {
            lock (Gate)
            {
                if (!MSBuildLocator.IsRegistered)
                {
                    s_msbuildPath = MSBuildLocator.RegisterDefaults().MSBuildPath;
                }

                return s_msbuildPath;
            }
        }

        // Kept apart so that MSBuild types load only after MSBuildLocator registered the SDK's MSBuild.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static async Task<LoadedSolution?> OpenWithMsBuildAsync(string path, string extension, TextWriter error, CancellationToken cancellationToken)
        {
            var workspace = MSBuildWorkspace.Create();
            var failures = new List<string>();
            workspace.RegisterWorkspaceFailedHandler(e =>
            {
                if (e.Diagnostic.Kind == WorkspaceDiagnosticKind.Failure)
                {
                    lock (failures)
                    {
                        failures.Add(e.Diagnostic.Message);
                    }
                }
            });

            Solution solution;
            List<ProjectId>? targets = null;
            try
            {
                if (extension == ".csproj")
                {
                    // A project with several target frameworks loads once per framework: each is scanned (findings met in
                    // more than one are reported once).
                    var project = await workspace.OpenProjectAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
                    solution = project.Solution;
                    targets = solution.Projects.Where(p => string.Equals(p.FilePath, project.FilePath, StringComparison.Ordinal)).Select(p => p.Id).ToList();
                }
                else
                {
                    solution = await workspace.OpenSolutionAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException or InvalidDataException)
            {
                failures.Add(e.Message);
                solution = workspace.CurrentSolution;
            }

            foreach (var failure in failures.Distinct())
            {
                await error.WriteLineAsync($"leakcheck: MSBuild: {failure}").ConfigureAwait(false);
            }

            if (!solution.Projects.Any(p => p.Language == LanguageNames.CSharp && p.DocumentIds.Count > 0))
            {
                await error.WriteLineAsync($"leakcheck: {path} did not load: no C# project with source files.").ConfigureAwait(false);
                workspace.Dispose();
                return null;
            }

            return new LoadedSolution(workspace, solution, targets);
        }

        private static async Task<LoadedSolution?> LoadLooseFilesAsync(string folder, TextWriter error)
        {
            var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0)
            {
                await error.WriteLineAsync($"leakcheck: {folder} has no solution, project or .cs file.").ConfigureAwait(false);
                return null;
            }

            var workspace = new AdhocWorkspace();
            var references = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                .Select(p => MetadataReference.CreateFromFile(p));
            var projectId = ProjectId.CreateNewId();
            var info = ProjectInfo.Create(projectId, VersionStamp.Create(), Path.GetFileName(folder), Path.GetFileName(folder), LanguageNames.CSharp,
                    compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                    parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                    metadataReferences: references)
                .WithDocuments(files.Select(f => DocumentInfo.Create(DocumentId.CreateNewId(projectId), Path.GetFileName(f),
                    loader: TextLoader.From(TextAndVersion.Create(SourceText.From(File.ReadAllText(f)), VersionStamp.Create(), f)), filePath: f)));
            var solution = workspace.AddProject(info).Solution;
            return new LoadedSolution(workspace, solution);
        }
    }
}
