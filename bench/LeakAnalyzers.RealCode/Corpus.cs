using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LeakAnalyzers.RealCode
{
    /// <summary>How a folder of loose .cs files becomes one compilation.</summary>
    /// <param name="ExtraFolders">Folders outside the compiled one whose .cs files the real build includes too (a submodule's sources).</param>
    /// <param name="Exclude">Endings of paths (relative to the folder, '/' separated) the real build leaves out, as a project's
    /// <c>Compile Remove</c> or an explicit file list does: <c>-net40.cs</c> drops another target's copy of a type.</param>
    /// <param name="Packages">NuGet packages the project references, as <c>id/version</c>: their <c>lib</c> assemblies are added
    /// as references, from the local package folder (see <see cref="Corpus.PackageReferences"/>).</param>
    public sealed record CorpusOptions(bool AspNetCore, IReadOnlyList<string> Include, IReadOnlyList<string> ExtraDefines, bool ImplicitUsings = false, IReadOnlyList<string>? ExtraFolders = null, IReadOnlyList<string>? Exclude = null, IReadOnlyList<string>? Packages = null);

    /// <summary>One folder of real code as one compilation: every .cs under it (bin/obj skipped), the net10.0 reference pack.</summary>
    public static class Corpus
    {
        /// <summary>The symbols a net10.0 Release build defines (the SDK's implicit framework symbols plus TRACE/RELEASE).</summary>
        public static readonly ImmutableArray<string> Net10Symbols = ImmutableArray.Create(
            "TRACE", "RELEASE", "NET", "NET10_0", "NETCOREAPP",
            "NETCOREAPP1_0_OR_GREATER", "NETCOREAPP1_1_OR_GREATER", "NETCOREAPP2_0_OR_GREATER", "NETCOREAPP2_1_OR_GREATER",
            "NETCOREAPP2_2_OR_GREATER", "NETCOREAPP3_0_OR_GREATER", "NETCOREAPP3_1_OR_GREATER",
            "NET5_0_OR_GREATER", "NET6_0_OR_GREATER", "NET7_0_OR_GREATER", "NET8_0_OR_GREATER", "NET9_0_OR_GREATER", "NET10_0_OR_GREATER");

        /// <summary>The path of the generated global-usings tree (not a file of the corpus).</summary>
        public const string ImplicitUsingsPath = "(implicit usings).g.cs";

        public static IReadOnlyList<string> SourceFiles(string folder, IReadOnlyList<string> include, IReadOnlyList<string>? exclude = null)
        {
            var roots = include.Count == 0 ? new[] { folder } : include.Distinct().Select(i => Path.Combine(folder, i)).ToArray();
            if (!roots.Any(Directory.Exists))
            {
                throw new UsageException($"not a folder: {string.Join(", ", roots)}");
            }

            var files = new List<string>();
            foreach (var root in roots.Where(Directory.Exists))
            {
                files.AddRange(Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                    .Where(p => !Path.GetRelativePath(folder, p).Split('/', '\\').Any(s => s is "bin" or "obj"))
                    .Where(p => exclude is null || !exclude.Any(e => Path.GetRelativePath(folder, p).Replace('\\', '/').EndsWith(e, StringComparison.Ordinal))));
            }

            return files.Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal).ToList();
        }

        public static CSharpParseOptions ParseOptions(CorpusOptions options) =>
            new(LanguageVersion.Latest, DocumentationMode.Parse, SourceCodeKind.Regular, Net10Symbols.AddRange(options.ExtraDefines));

        /// <summary>Parses and creates the compilation; tree paths are relative to <paramref name="folder"/> ('/' separated).</summary>
        public static CSharpCompilation Compile(string folder, CorpusOptions options, IEnumerable<KeyValuePair<string, ReportDiagnostic>>? diagnosticOptions = null)
        {
            folder = Path.GetFullPath(folder);
            var parse = ParseOptions(options);
            var files = SourceFiles(folder, options.Include, options.Exclude).ToList();
            foreach (var extra in options.ExtraFolders ?? Array.Empty<string>())
            {
                files.AddRange(SourceFiles(extra, Array.Empty<string>()));
            }

            var trees = files
                .Select(p => CSharpSyntaxTree.ParseText(
                    Microsoft.CodeAnalysis.Text.SourceText.From(File.ReadAllText(p), System.Text.Encoding.UTF8),
                    parse, Path.GetRelativePath(folder, p).Replace('\\', '/')))
                .ToList();
            if (options.ImplicitUsings)
            {
                // What the SDK generates for <ImplicitUsings>enable</ImplicitUsings> (Microsoft.NET.Sdk), plus ASP.NET Core's when asked.
                var usings = new List<string> { "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks" };
                if (options.AspNetCore)
                {
                    usings.AddRange(new[] { "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing",
                        "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging" });
                }

                trees.Add(CSharpSyntaxTree.ParseText(string.Concat(usings.Select(u => $"global using global::{u};\n")), parse, ImplicitUsingsPath));
            }

            var compilationOptions = new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable,
                concurrentBuild: false,
                specificDiagnosticOptions: diagnosticOptions);
            return CSharpCompilation.Create(Path.GetFileName(folder.TrimEnd('/')) is { Length: > 0 } n ? n : "Corpus", trees,
                References(options.AspNetCore).AddRange(PackageReferences(options.Packages ?? Array.Empty<string>())), compilationOptions);
        }

        /// <summary>The net10.0 reference pack of the SDK this process runs on (and ASP.NET Core's, when asked).</summary>
        public static ImmutableArray<MetadataReference> References(bool aspNetCore)
        {
            var packs = Path.Combine(DotnetRoot(), "packs");
            var list = new List<MetadataReference>();
            foreach (var pack in aspNetCore ? new[] { "Microsoft.NETCore.App.Ref", "Microsoft.AspNetCore.App.Ref" } : new[] { "Microsoft.NETCore.App.Ref" })
            {
                var versions = Directory.Exists(Path.Combine(packs, pack))
                    ? Directory.GetDirectories(Path.Combine(packs, pack)).Where(d => Path.GetFileName(d).StartsWith("10.", StringComparison.Ordinal))
                        .OrderByDescending(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(0, 0)).ToList()
                    : new List<string>();
                var refDir = versions.Select(v => Path.Combine(v, "ref", "net10.0")).FirstOrDefault(Directory.Exists)
                    ?? throw new UsageException($"no net10.0 reference pack {pack} under {packs}");
                list.AddRange(Directory.GetFiles(refDir, "*.dll").OrderBy(p => p, StringComparer.Ordinal).Select(p => MetadataReference.CreateFromFile(p)));
            }

            return list.ToImmutableArray();
        }

        /// <summary>The target frameworks of a package's <c>lib</c> folder that a net10.0 compilation takes, best first.</summary>
        public static readonly ImmutableArray<string> PackageFrameworks = ImmutableArray.Create(
            "net10.0", "net9.0", "net8.0", "net7.0", "net6.0", "net5.0", "netstandard2.1", "netstandard2.0");

        /// <summary>
        /// The <c>lib/&lt;tfm&gt;/*.dll</c> of each <c>id/version</c> in the NuGet package folder (<c>NUGET_PACKAGES</c>, else the
        /// one the runner was restored with), the first framework of <see cref="PackageFrameworks"/> the package has.
        /// A package that is not there is bad input: it must be brought by a <c>PackageDownload</c> of the runner's project.
        /// </summary>
        public static ImmutableArray<MetadataReference> PackageReferences(IReadOnlyList<string> packages)
        {
            var list = new List<MetadataReference>();
            foreach (var package in packages)
            {
                list.AddRange(PackageAssemblies(package).Select(p => MetadataReference.CreateFromFile(p)));
            }

            return list.ToImmutableArray();
        }

        /// <summary>The assemblies of one <c>id/version</c>; throws <see cref="UsageException"/> when it is not in the package folder.</summary>
        public static IReadOnlyList<string> PackageAssemblies(string package)
        {
            var parts = package.Split('/', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new UsageException($"--package {package}: expected id/version (System.Reactive/4.3.2)");
            }

            var root = Tool.PackageRoot();
            var dir = Path.Combine(root, parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant());
            var lib = PackageFrameworks.Select(f => Path.Combine(dir, "lib", f)).FirstOrDefault(d => Directory.Exists(d) && Directory.GetFiles(d, "*.dll").Length > 0);
            if (lib is null)
            {
                throw new UsageException(Directory.Exists(dir)
                    ? $"package {parts[0]} {parts[1]} has no lib/{{{string.Join(",", PackageFrameworks)}}}/*.dll under {dir}"
                    : $"package {parts[0]} {parts[1]} not in {root} (add <PackageDownload Include=\"{parts[0]}\" Version=\"[{parts[1]}]\" /> to bench/LeakAnalyzers.RealCode/LeakAnalyzers.RealCode.csproj and build it)");
            }

            return Directory.GetFiles(lib, "*.dll").OrderBy(p => p, StringComparer.Ordinal).ToList();
        }

        private static string DotnetRoot()
        {
            var env = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "packs")))
            {
                return env;
            }

            // .../shared/Microsoft.NETCore.App/<version>/ -> the dotnet root.
            var runtime = RuntimeEnvironment.GetRuntimeDirectory();
            return Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        }
    }

    /// <summary>Bad input: one line on stderr, exit code 2.</summary>
    public sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message)
        {
        }
    }
}
