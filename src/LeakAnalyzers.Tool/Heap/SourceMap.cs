using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;
using LeakAnalyzers.Tool.Scan;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>Where a member is declared: file and line, and what kind of member it is.</summary>
    public sealed record Declaration(string File, int Line, string Kind);

    /// <summary>
    /// Maps the members a retention path names (a static field, an event's backing field, an instance field of a
    /// singleton, a delegate's method) back to their declarations and to the LEAK findings on them: from a SARIF log of
    /// the build (the findings' own locations) and, with a solution, from its source (every field, event, property and
    /// method of its types, and the findings of a scan of it).
    /// </summary>
    public sealed class SourceMap
    {
        private readonly Dictionary<(string Type, string Member), Declaration> _declarations = new();
        private readonly Dictionary<(string Type, string Member), SarifFinding> _findings = new();

        public static SourceMap Empty { get; } = new();

        public int Declarations => _declarations.Count;

        public IReadOnlyCollection<SarifFinding> Findings => _findings.Values;

        /// <summary>The declaration of a member (the type as the runtime names it, generic arguments or not).</summary>
        public Declaration? Find(string runtimeType, string member)
            => _declarations.TryGetValue((Normalize(runtimeType), member), out var declaration) ? declaration
               : _findings.TryGetValue((Normalize(runtimeType), member), out var finding) && finding.File is not null ? new Declaration(finding.File, finding.Line, "field")
               : null;

        /// <summary>A delegate's method ("Shop.View.OnChanged", or a lambda's "Shop.View.&lt;.ctor&gt;b__2_0": its containing member).</summary>
        public Declaration? FindMethod(string method)
        {
            var at = method.IndexOf(".<", StringComparison.Ordinal);
            string type, name;
            if (at > 0)
            {
                type = method[..at];
                var lambda = Regex.Match(method[(at + 1)..], @"^<([^>]*)>", RegexOptions.None, TimeSpan.FromSeconds(1));
                name = lambda.Success ? lambda.Groups[1].Value : method[(at + 1)..];
            }
            else
            {
                var dot = method.LastIndexOf('.');
                if (dot <= 0)
                {
                    return null;
                }

                type = method[..dot];
                name = method[(dot + 1)..];
            }

            // A lambda's closure class is nested in the type that declares it.
            type = Regex.Replace(type, @"\+<>c(__DisplayClass[0-9_]+)?$", string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1));
            return Find(type, name);
        }

        /// <summary>The LEAK finding on a member, if the analyzers reported one.</summary>
        public SarifFinding? FindingOn(string runtimeType, string member)
            => _findings.TryGetValue((Normalize(runtimeType), member), out var finding) ? finding : null;

        public void AddFindings(IEnumerable<SarifFinding> findings)
        {
            foreach (var finding in findings.Where(f => f.NamesMember))
            {
                _findings.TryAdd((Normalize(finding.TypeMetadataName!), finding.MemberName!), finding);
            }
        }

        /// <summary>Every member declared in the solution's (or project's, or folder's) source, and the findings of a scan of it.</summary>
        public async Task<bool> AddSourceAsync(string path, TextWriter error, CancellationToken cancellationToken)
        {
            using var loaded = await SolutionLoader.LoadAsync(path, error, cancellationToken).ConfigureAwait(false);
            if (loaded is null)
            {
                return false;
            }

            var analyzers = Analyzers.Select(null, out _);
            foreach (var project in loaded.Solution.Projects.Where(p => p.Language == LanguageNames.CSharp))
            {
                var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                if (compilation is null)
                {
                    continue;
                }

                foreach (var type in AllTypes(compilation.Assembly.GlobalNamespace))
                {
                    var typeName = MetadataName(type);
                    foreach (var member in type.GetMembers())
                    {
                        var location = member.Locations.FirstOrDefault(l => l.IsInSource);
                        if (location is null || member.IsImplicitlyDeclared && member is not IMethodSymbol { MethodKind: MethodKind.Constructor })
                        {
                            continue;
                        }

                        var kind = member switch
                        {
                            IEventSymbol => "event",
                            IPropertySymbol => "property",
                            IFieldSymbol => "field",
                            IMethodSymbol => "method",
                            _ => null,
                        };
                        if (kind is null)
                        {
                            continue;
                        }

                        var line = location.GetLineSpan();
                        _declarations.TryAdd((typeName, member.MetadataName), new Declaration(line.Path, line.StartLinePosition.Line + 1, kind));
                    }
                }

                if (!loaded.IsTarget(project))
                {
                    continue;
                }

                var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(project.AnalyzerOptions, null, true, false, false));
                foreach (var diagnostic in await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (!diagnostic.Id.StartsWith("LEAK", StringComparison.Ordinal) || diagnostic.IsSuppressed
                        || !diagnostic.Properties.TryGetValue("TypeMetadataName", out var typeMetadataName) || !diagnostic.Properties.TryGetValue("MemberName", out var memberName)
                        || typeMetadataName is null || memberName is null)
                    {
                        continue;
                    }

                    var span = diagnostic.Location.GetLineSpan();
                    _findings.TryAdd((Normalize(typeMetadataName), memberName), new SarifFinding(diagnostic.Id, diagnostic.GetMessage(), span.Path, span.StartLinePosition.Line + 1, typeMetadataName, memberName, project.AssemblyName));
                }
            }

            return true;
        }

        /// <summary>"Ns.Outer`1+Inner&lt;System.String&gt;" and "Ns.Outer+Inner" are the same key: no arity, no arguments.</summary>
        internal static string Normalize(string typeName) => Regex.Replace(TypeNames.Definition(typeName), @"`\d+", string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1));

        internal void AddDeclaration(string type, string member, Declaration declaration) => _declarations[(Normalize(type), member)] = declaration;

        private static string MetadataName(INamedTypeSymbol type)
        {
            var name = type.MetadataName;
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                name = outer.MetadataName + "+" + name;
                type = outer;
            }

            var ns = type.ContainingNamespace;
            return Normalize(ns is null || ns.IsGlobalNamespace ? name : ns.ToDisplayString() + "." + name);
        }

        private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
        {
            foreach (var type in ns.GetTypeMembers())
            {
                foreach (var nested in WithNested(type))
                {
                    yield return nested;
                }
            }

            foreach (var child in ns.GetNamespaceMembers())
            {
                foreach (var type in AllTypes(child))
                {
                    yield return type;
                }
            }
        }

        private static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol type)
        {
            yield return type;
            foreach (var nested in type.GetTypeMembers().SelectMany(WithNested))
            {
                yield return nested;
            }
        }
    }
}
