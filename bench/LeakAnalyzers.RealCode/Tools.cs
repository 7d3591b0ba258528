using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.RealCode
{
    /// <summary>One analyzer set: where it is loaded from, which ids count, and a way to make fresh instances.</summary>
    public sealed class Tool
    {
        private readonly ImmutableArray<Type> _types;

        private Tool(string name, string source, ImmutableArray<Type> types, ImmutableHashSet<string> counted, ImmutableHashSet<string> allIds)
        {
            Name = name;
            Source = source;
            _types = types;
            Counted = counted;
            AllIds = allIds;
        }

        /// <summary>leak, idisp, netanalyzers (or baseline: an analyzer that only asks for each document's semantic model).</summary>
        public string Name { get; }

        /// <summary>The file the analyzers were loaded from.</summary>
        public string Source { get; }

        /// <summary>The ids whose findings are written and counted (enabled as warnings).</summary>
        public ImmutableHashSet<string> Counted { get; }

        /// <summary>Every id the loaded analyzers can report; the ones not counted are suppressed so they cost nothing.</summary>
        public ImmutableHashSet<string> AllIds { get; }

        /// <summary>New analyzer instances (as a fresh IDE analyzer host would have).</summary>
        public ImmutableArray<DiagnosticAnalyzer> CreateAnalyzers() =>
            _types.Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!).ToImmutableArray();

        public static readonly ImmutableArray<string> IdispIds =
            ImmutableArray.Create("IDISP001", "IDISP002", "IDISP003", "IDISP004", "IDISP006", "IDISP008", "IDISP010", "IDISP012");

        public static readonly ImmutableArray<string> NetAnalyzersIds = ImmutableArray.Create("CA2000", "CA2213", "CA1001", "CA2215");

        public static readonly ImmutableArray<string> Known = ImmutableArray.Create("leak", "idisp", "netanalyzers", "baseline", "baseline-op", "baseline-op11");

        /// <param name="netIds">NetAnalyzers ids to count (perdoc uses CA2000/CA2213/CA1001 only).</param>
        public static Tool Load(string name, string? leakDll, IReadOnlyCollection<string>? netIds = null)
        {
            if (name.StartsWith("leak:", StringComparison.Ordinal))
            {
                // leak:<analyzer class name>: one of our analyzers alone (what it costs by itself).
                var dll = leakDll ?? DefaultLeakDll();
                var only = name.Substring("leak:".Length);
                // The rules are not exported (the package exports one host, LeakAnalyzer): found among the assembly's types.
                var types = LoadTypes(new[] { dll }).Select(t => t.Assembly).Distinct()
                    .SelectMany(a => a.GetTypes()).Where(t => t.Name == only && !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)).ToImmutableArray();
                if (types.IsEmpty)
                {
                    throw new UsageException($"no analyzer '{only}' in {dll}");
                }

                var ids = AllOf(types);
                return new Tool(name, dll, types, ids.Where(i => i.StartsWith("LEAK", StringComparison.Ordinal)).ToImmutableHashSet(), ids);
            }

            switch (name)
            {
                case "leak":
                    {
                        var dll = leakDll ?? DefaultLeakDll();
                        var types = LoadTypes(new[] { dll });
                        var ids = AllOf(types);
                        return new Tool(name, dll, types, ids.Where(i => i.StartsWith("LEAK", StringComparison.Ordinal)).ToImmutableHashSet(), ids);
                    }

                case "idisp":
                    {
                        var dll = Path.Combine(PackageRoot(), "idisposableanalyzers", "4.0.8", "analyzers", "dotnet", "cs", "IDisposableAnalyzers.dll");
                        return Filtered(name, new[] { dll }, IdispIds);
                    }

                case "netanalyzers":
                    {
                        var dir = Path.Combine(PackageRoot(), "microsoft.codeanalysis.netanalyzers", "11.0.100", "analyzers", "dotnet", "cs");
                        return Filtered(name, new[] { Path.Combine(dir, "Microsoft.CodeAnalysis.NetAnalyzers.dll"), Path.Combine(dir, "Microsoft.CodeAnalysis.CSharp.NetAnalyzers.dll") },
                            netIds ?? NetAnalyzersIds);
                    }

                case "baseline":
                    return new Tool(name, "(built in)", ImmutableArray.Create(typeof(BaselineAnalyzer)), ImmutableHashSet<string>.Empty, ImmutableHashSet.Create(BaselineAnalyzer.Id));
                case "baseline-op":
                    return new Tool(name, "(built in)", ImmutableArray.Create(typeof(OperationBaselineAnalyzer)), ImmutableHashSet<string>.Empty, ImmutableHashSet.Create(OperationBaselineAnalyzer.Id));

                case "baseline-op11":
                    // Eleven of them, as many analyzers as we ship: the driver's per-analyzer floor for IOperation rules.
                    return new Tool(name, "(built in)", Enumerable.Repeat(typeof(OperationBaselineAnalyzer), 11).ToImmutableArray(), ImmutableHashSet<string>.Empty, ImmutableHashSet.Create(OperationBaselineAnalyzer.Id));

                default:
                    throw new UsageException($"unknown tool '{name}' (known: {string.Join(", ", Known)})");
            }
        }

        public static IReadOnlyList<Tool> LoadMany(string tools, string? leakDll, IReadOnlyCollection<string>? netIds = null) =>
            tools.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Select(t => Load(t, leakDll, netIds)).ToList();

        /// <summary>Compilation-wide options for a set of tools: counted ids as warnings, every other id of theirs suppressed.</summary>
        public static Dictionary<string, ReportDiagnostic> DiagnosticOptions(IEnumerable<Tool> tools)
        {
            var options = new Dictionary<string, ReportDiagnostic>(StringComparer.Ordinal);
            foreach (var tool in tools)
            {
                if (tool.Name.StartsWith("leak", StringComparison.Ordinal) || tool.Name is "baseline" or "baseline-op" or "baseline-op11")
                {
                    continue; // our rules at their own severities (LEAK010/011 are Info)
                }

                foreach (var id in tool.AllIds)
                {
                    options[id] = tool.Counted.Contains(id) ? ReportDiagnostic.Warn : ReportDiagnostic.Suppress;
                }
            }

            return options;
        }

        private static Tool Filtered(string name, string[] dlls, IReadOnlyCollection<string> counted)
        {
            var all = LoadTypes(dlls);
            // Only the analyzers that can report a counted id run at all.
            var types = all.Where(t => SupportedIds(t).Any(counted.Contains)).ToImmutableArray();
            return new Tool(name, string.Join(" + ", dlls), types, counted.ToImmutableHashSet(), types.SelectMany(t => SupportedIds(t)).ToImmutableHashSet());
        }

        private static ImmutableHashSet<string> AllOf(ImmutableArray<Type> types) => types.SelectMany(t => SupportedIds(t)).ToImmutableHashSet();

        private static readonly ConcurrentDictionary<Type, ImmutableArray<string>> s_ids = new();

        private static ImmutableArray<string> SupportedIds(Type t) =>
            s_ids.GetOrAdd(t, x => ((DiagnosticAnalyzer)Activator.CreateInstance(x)!).SupportedDiagnostics.Select(d => d.Id).Distinct().ToImmutableArray());

        private static ImmutableArray<Type> LoadTypes(string[] dlls)
        {
            var loader = new Loader();
            var types = new List<Type>();
            foreach (var dll in dlls)
            {
                if (!File.Exists(dll))
                {
                    throw new UsageException($"analyzer assembly not found: {dll} (build src/LeakAnalyzers, or restore bench/LeakAnalyzers.RealCode)");
                }

                loader.AddDependencyLocation(dll);
            }

            foreach (var dll in dlls)
            {
                var reference = new AnalyzerFileReference(dll, loader);
                reference.AnalyzerLoadFailed += (_, e) => Console.Error.WriteLine($"warning: {Path.GetFileName(dll)}: {e.TypeName}: {e.Message}");
                types.AddRange(reference.GetAnalyzers(LanguageNames.CSharp).Select(a => a.GetType()));
            }

            return types.Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal).ToImmutableArray();
        }

        private static string DefaultLeakDll()
        {
            var root = Metadata("RepositoryRoot");
            var candidates = new[] { "Release", "Debug" }
                .Select(c => Path.Combine(root, "src", "LeakAnalyzers", "bin", c, "netstandard2.0", "LeakAnalyzers.dll"))
                .Where(File.Exists)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .ToList();
            return candidates.FirstOrDefault()
                ?? throw new UsageException($"src/LeakAnalyzers is not built under {root} (dotnet build src/LeakAnalyzers -c Release), or pass --leak-dll");
        }

        /// <summary>The NuGet package folder: <c>NUGET_PACKAGES</c>, else the one this program was restored with.</summary>
        public static string PackageRoot()
        {
            var env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            return !string.IsNullOrEmpty(env) ? env : Metadata("NuGetPackageRoot");
        }

        private static string Metadata(string key) =>
            typeof(Tool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
            ?? throw new UsageException($"assembly metadata {key} missing");

        /// <summary>
        /// Loads each analyzer assembly once, in its own context; Roslyn and the runtime's own assemblies come from the host
        /// (so analyzers built against an older Roslyn bind to this host's newer one).
        /// </summary>
        private sealed class Loader : IAnalyzerAssemblyLoader
        {
            private readonly Context _context = new();

            public void AddDependencyLocation(string fullPath) => _context.Directories.Add(Path.GetDirectoryName(Path.GetFullPath(fullPath))!);

            public Assembly LoadFromPath(string fullPath) => _context.LoadFrom(Path.GetFullPath(fullPath));

            private sealed class Context : AssemblyLoadContext
            {
                private readonly Dictionary<string, Assembly> _loaded = new(StringComparer.Ordinal);

                public Context() : base("analyzers", isCollectible: false)
                {
                }

                public HashSet<string> Directories { get; } = new(StringComparer.Ordinal);

                public Assembly LoadFrom(string path)
                {
                    lock (_loaded)
                    {
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
                    // Whatever the host has (Roslyn, System.*) is shared.
                    try
                    {
                        return Default.LoadFromAssemblyName(name);
                    }
                    catch (FileNotFoundException)
                    {
                    }

                    foreach (var dir in Directories)
                    {
                        var candidate = Path.Combine(dir, name.Name + ".dll");
                        if (File.Exists(candidate))
                        {
                            return LoadFrom(candidate);
                        }
                    }

                    return null;
                }
            }
        }
    }

    /// <summary>A do-nothing analyzer that makes the driver bind each document: the cost every tool pays before its own work.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BaselineAnalyzer : DiagnosticAnalyzer
    {
        public const string Id = "BASE001";

        private static readonly DiagnosticDescriptor Rule = new(Id, "baseline", "baseline", "bench", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
            context.RegisterSemanticModelAction(_ => { });
        }
    }

    /// <summary>
    /// A do-nothing analyzer with one operation action: the driver then builds the operation tree of every member body of
    /// the document. The floor for any analyzer written on IOperation.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class OperationBaselineAnalyzer : DiagnosticAnalyzer
    {
        public const string Id = "BASE002";

        private static readonly DiagnosticDescriptor Rule = new(Id, "baseline-op", "baseline-op", "bench", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
            context.RegisterOperationAction(_ => { }, OperationKind.Invocation);
        }
    }
}
