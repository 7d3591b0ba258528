using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.RealCode
{
    /// <summary>A leak that a project found and fixed: pointers only (bench/history/cases.tsv).</summary>
    public sealed record HistoryCase(
        string Id, string Repo, string Parent, string Fix, string Folder, string File, string ParentLines, string FixAnchor,
        IReadOnlyList<string> Rules, string Kind, string Options, string Description, string Url)
    {
        public const string Header = "id\trepo\tparent\tfix\tfolder\tfile\tparent_lines\tfix_anchor\trules\tkind\toptions\tdescription\turl";

        public static List<HistoryCase> Read(string path)
        {
            if (!System.IO.File.Exists(path))
            {
                throw new UsageException($"no cases file: {path}");
            }

            var cases = new List<HistoryCase>();
            var number = 0;
            foreach (var line in System.IO.File.ReadLines(path))
            {
                number++;
                if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("id\t", StringComparison.Ordinal))
                {
                    continue;
                }

                var c = line.Split('\t');
                if (c.Length != 13 || c[9] is not ("resource" or "retention"))
                {
                    throw new UsageException($"{path}:{number}: expected 13 tab-separated columns ({Header.Replace('\t', ' ')}), kind resource|retention");
                }

                cases.Add(new HistoryCase(c[0], c[1], c[2], c[3], c[4].TrimEnd('/'), c[5], c[6], c[7], Program.Split(c[8]), c[9], c[10], c[11], c[12]));
            }

            return cases;
        }
    }

    public static class HistoryCommand
    {
        /// <summary>Our rules that count for a kind (a LEAK009 timer or registration can be either).</summary>
        public static bool OursCounts(string kind, string id) => kind == "resource"
            ? id is "LEAK005" or "LEAK006" or "LEAK007" or "LEAK008" or "LEAK009"
            : id is "LEAK001" or "LEAK002" or "LEAK003" or "LEAK004" or "LEAK009";

        public static async Task<int> RunAsync(string casesPath, string mirror, IReadOnlyList<string> only, string toolList, string? leakDll, string? outFile, bool keep, bool whole, CancellationToken ct, int showErrors = 0)
        {
            var cases = HistoryCase.Read(casesPath).Where(c => only.Count == 0 || only.Contains(c.Id)).ToList();
            var tools = Tool.LoadMany(toolList, leakDll);
            // Every case's packages before any work: a missing one is bad input (exit 2), as a missing build is.
            foreach (var package in cases.SelectMany(c => ParseOptions(c.Options).Packages ?? Array.Empty<string>()).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                Corpus.PackageAssemblies(package);
            }

            var scratch = Path.Combine(Path.GetTempPath(), "leak-history");
            Directory.CreateDirectory(scratch);
            var cache = new Dictionary<string, (List<Finding> Findings, CSharpCompilation Compilation, int Errors)>(StringComparer.Ordinal);
            var rows = new List<string>();
            var results = new List<(HistoryCase Case, string Tool, bool Parent, bool Gone, bool Silent)>();
            try
            {
                foreach (var c in cases)
                {
                    var parent = await AnalyseAsync(c, c.Parent, mirror, scratch, tools, cache, keep, whole, ct, showErrors).ConfigureAwait(false);
                    var fix = await AnalyseAsync(c, c.Fix, mirror, scratch, tools, cache, keep, whole, ct, showErrors).ConfigureAwait(false);
                    if (parent is null || fix is null)
                    {
                        rows.Add($"{c.Id}\t{c.Kind}\t-\tnot run (snapshot or folder missing)");
                        continue;
                    }

                    var parentRegions = Regions(parent.Value.Compilation, c.File, c.ParentLines);
                    // "-": the members of the parent's lines, found by name in the fix (a line outside every member keeps its number).
                    var fixAnchor = c.FixAnchor is "" or "-" ? string.Join(";", MemberNames(parent.Value.Compilation, c.File, c.ParentLines)) : c.FixAnchor;
                    var fixRegions = Regions(fix.Value.Compilation, c.File, fixAnchor);
                    if (parentRegions.Count == 0)
                    {
                        Console.Error.WriteLine($"warning: {c.Id}: {c.File} or its lines {c.ParentLines} not found in the parent");
                    }

                    foreach (var tool in tools)
                    {
                        bool Relevant(Finding f) => f.Tool == tool.Name && f.File == c.File && (tool.Name != "leak" || OursCounts(c.Kind, f.Id));
                        var onParent = parent.Value.Findings.Where(f => Relevant(f) && parentRegions.Any(r => f.Line >= r.Start && f.Line <= r.End)).ToList();
                        var onFix = fix.Value.Findings.Where(f => Relevant(f) && fixRegions.Any(r => f.Line >= r.Start && f.Line <= r.End)).ToList();
                        // Gone: a finding of the parent has no finding of the same id and message on a line of the same text in the fix.
                        var parentText = LineTexts(parent.Value.Compilation, c.File);
                        var fixText = LineTexts(fix.Value.Compilation, c.File);
                        string Text(string[] lines, Finding f) => f.Line - 1 < lines.Length ? lines[f.Line - 1].Trim() : string.Empty;
                        var gone = onParent.Any(p => !onFix.Any(q => q.Id == p.Id && q.Message == p.Message && Text(fixText, q) == Text(parentText, p)));
                        results.Add((c, tool.Name, onParent.Count > 0, onParent.Count > 0 && gone, onFix.Count == 0));
                        var verdict = onParent.Count == 0 ? "missed"
                            : !gone ? "flagged before and after"
                            : onFix.Count == 0 ? "CAUGHT"
                            : "CAUGHT (other findings stay in the member)";
                        rows.Add(string.Join('\t', c.Id, c.Kind, tool.Name, verdict, parent.Value.Errors.ToString(CultureInfo.InvariantCulture),
                            string.Join(",", onParent.Select(f => $"{f.Id}@{f.Line}").Distinct()),
                            string.Join(",", onFix.Select(f => $"{f.Id}@{f.Line}").Distinct())));
                        Console.Error.WriteLine($"{c.Id} [{c.Kind}] {tool.Name}: {verdict}" +
                            (onParent.Count > 0 ? $" (parent: {string.Join(", ", onParent.Select(f => $"{f.Id} line {f.Line}").Distinct())})" : string.Empty) +
                            (onFix.Count > 0 ? $" (fix: {string.Join(", ", onFix.Select(f => $"{f.Id} line {f.Line}").Distinct())})" : string.Empty));
                    }
                }
            }
            finally
            {
                if (!keep)
                {
                    TryDelete(scratch);
                }
            }

            Console.WriteLine("case\tkind\ttool\tverdict\tparent errors\tparent findings\tfix findings");
            foreach (var row in rows)
            {
                Console.WriteLine(row);
            }

            Console.WriteLine();
            Console.WriteLine("| tool | kind | cases | caught: fires on the parent, that finding gone in the fix | recall | caught and the member silent in the fix | fires on the parent at all |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var tool in tools)
            {
                foreach (var kind in new[] { "resource", "retention", "all" })
                {
                    var set = results.Where(r => r.Tool == tool.Name && (kind == "all" || r.Case.Kind == kind)).ToList();
                    if (set.Count == 0)
                    {
                        continue;
                    }

                    var caught = set.Count(r => r.Gone);
                    Console.WriteLine($"| {tool.Name} | {kind} | {set.Count} | {caught} | {(double)caught / set.Count:F2} | {set.Count(r => r.Gone && r.Silent)} | {set.Count(r => r.Parent)} |");
                }
            }

            if (outFile is not null)
            {
                File.WriteAllLines(outFile, new[] { "case\tkind\ttool\tverdict\tparent errors\tparent findings\tfix findings" }.Concat(rows));
            }

            return 0;
        }

        private static async Task<(List<Finding> Findings, CSharpCompilation Compilation, int Errors)?> AnalyseAsync(
            HistoryCase c, string commit, string mirror, string scratch, IReadOnlyList<Tool> tools,
            Dictionary<string, (List<Finding>, CSharpCompilation, int)> cache, bool keep, bool whole, CancellationToken ct, int showErrors)
        {
            var key = $"{c.Repo}@{commit}:{c.Folder}|{c.Options}|{(whole ? "*" : c.File)}";
            if (cache.TryGetValue(key, out var hit))
            {
                return hit;
            }

            var gitDir = Path.Combine(mirror, c.Repo.Replace('/', '+'), "repo");
            var dest = Path.Combine(scratch, c.Id + "-" + commit[..Math.Min(10, commit.Length)]);
            TryDelete(dest);
            Directory.CreateDirectory(dest);
            if (!Git(gitDir, $"cat-file -e {commit}^{{commit}}", null))
            {
                Console.Error.WriteLine($"warning: {c.Id}: no snapshot of {c.Repo} at {commit} under {mirror} (fetch github:{c.Repo} first)");
                return null;
            }

            if (!Git(gitDir, $"archive --format=tar -o {dest}/src.tar {commit} -- {c.Folder}", null) ||
                !Run("tar", $"-xf {dest}/src.tar -C {dest}"))
            {
                Console.Error.WriteLine($"warning: {c.Id}: could not extract {c.Folder} at {commit}");
                return null;
            }

            File.Delete(Path.Combine(dest, "src.tar"));
            var folder = Path.Combine(dest, c.Folder);
            var options = ParseOptions(c.Options);
            var extra = new List<string>();
            foreach (var submodule in Submodules(c.Options))
            {
                // --submodule path:subfolder — the submodule at the commit the parent pins, from its own snapshot.
                if (ExtractSubmodule(gitDir, commit, submodule.Path, mirror, dest) is not { } root)
                {
                    Console.Error.WriteLine($"warning: {c.Id}: submodule {submodule.Path} at {commit} not found (fetch its repository first)");
                    continue;
                }

                extra.Add(Path.Combine(root, submodule.Subfolder));
            }

            options = options with { ExtraFolders = extra };
            var sw = Stopwatch.StartNew();
            var compilation = Corpus.Compile(folder, options, Tool.DiagnosticOptions(tools));
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == c.File);
            // Compile errors in the case's document (the whole compilation's with --whole).
            var errors = whole ? Analysis.CompileErrors(compilation, ct)
                : tree is null ? -1 : compilation.GetSemanticModel(tree).GetDiagnostics(cancellationToken: ct).Count(d => d.Severity == DiagnosticSeverity.Error);
            if (showErrors > 0 && tree is not null)
            {
                foreach (var e in compilation.GetSemanticModel(tree).GetDiagnostics(cancellationToken: ct).Where(d => d.Severity == DiagnosticSeverity.Error)
                    .GroupBy(d => d.GetMessage(CultureInfo.InvariantCulture), StringComparer.Ordinal).Take(showErrors))
                {
                    Console.Error.WriteLine($"      {e.Count()}x {e.First().Id} line {e.First().Location.GetLineSpan().StartLinePosition.Line + 1}: {e.Key}");
                }
            }

            var findings = new List<Finding>();
            foreach (var tool in tools)
            {
                // The case's document only, as the IDE analyses it (none of the tools has compilation-end rules;
                // `perdoc --check` shows that per-document findings of ours equal the whole pass), unless --whole.
                if (whole)
                {
                    findings.AddRange(await Analysis.WholeAsync(compilation, tool, ct).ConfigureAwait(false));
                }
                else if (tree is not null)
                {
                    findings.AddRange(await Analysis.DocumentAsync(compilation, tree, tool, ct).ConfigureAwait(false));
                }
            }

            Console.Error.WriteLine($"   {c.Repo}@{commit[..10]} {c.Folder}: {compilation.SyntaxTrees.Count()} files, {errors} compile errors{(whole ? string.Empty : " in the document")}, {findings.Count} findings{(whole ? string.Empty : " in " + c.File)} ({sw.Elapsed.TotalSeconds:F0} s)");
            if (!keep)
            {
                TryDelete(dest);
            }

            cache[key] = (findings, compilation, errors);
            return (findings, compilation, errors);
        }

        private static IEnumerable<(string Path, string Subfolder)> Submodules(string options)
        {
            var words = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i + 1 < words.Length; i++)
            {
                if (words[i] == "--submodule")
                {
                    var parts = words[i + 1].Split(':', 2);
                    yield return (parts[0], parts.Length > 1 ? parts[1] : string.Empty);
                }
            }
        }

        /// <summary>The submodule's pinned commit (from the parent's tree) extracted from its own snapshot; its root folder, or null.</summary>
        private static string? ExtractSubmodule(string gitDir, string commit, string path, string mirror, string dest)
        {
            var tree = Output("git", $"-C {gitDir} ls-tree {commit} {path}");
            var modules = Output("git", $"-C {gitDir} show {commit}:.gitmodules");
            var pinned = tree?.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries) is { Length: >= 3 } fields && fields[1] == "commit" ? fields[2] : null;
            string? url = null;
            var inModule = false;
            foreach (var line in (modules ?? string.Empty).Split('\n'))
            {
                var text = line.Trim();
                if (text.StartsWith("path", StringComparison.Ordinal))
                {
                    inModule = text.Split('=', 2)[1].Trim() == path;
                }
                else if (inModule && text.StartsWith("url", StringComparison.Ordinal))
                {
                    url = text.Split('=', 2)[1].Trim();
                }
            }

            if (pinned is null || url is null)
            {
                return null;
            }

            var name = url.TrimEnd('/');
            name = name.EndsWith(".git", StringComparison.Ordinal) ? name[..^4] : name;
            var segments = name.Split('/', ':');
            if (segments.Length < 2)
            {
                return null;
            }

            var subGit = Path.Combine(mirror, segments[^2] + "+" + segments[^1], "repo");
            var root = Path.Combine(dest, path);
            Directory.CreateDirectory(root);
            return Git(subGit, $"archive --format=tar -o {root}/sub.tar {pinned}", null) && Run("tar", $"-xf {root}/sub.tar -C {root}") ? root : null;
        }

        private static string? Output(string file, string args)
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? text : null;
        }

        private static CorpusOptions ParseOptions(string options)
        {
            var words = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var defines = new List<string>();
            var include = new List<string>();
            var exclude = new List<string>();
            var packages = new List<string>();
            for (var i = 0; i < words.Length; i++)
            {
                if (words[i] == "--define" && i + 1 < words.Length)
                {
                    defines.AddRange(Program.Split(words[++i]));
                }
                else if (words[i] == "--include" && i + 1 < words.Length)
                {
                    include.AddRange(Program.Split(words[++i]));
                }
                else if (words[i] == "--exclude" && i + 1 < words.Length)
                {
                    exclude.AddRange(Program.Split(words[++i]));
                }
                else if (words[i] == "--package" && i + 1 < words.Length)
                {
                    packages.AddRange(Program.Split(words[++i]));
                }
            }

            return new CorpusOptions(words.Contains("--aspnet"), include, defines, words.Contains("--implicit-usings"), Exclude: exclude, Packages: packages);
        }

        /// <summary>
        /// Line ranges (1-based, inclusive) of the members that contain the anchor lines, or of the members with the anchor's name.
        /// A line outside every member stands for itself, one line either side.
        /// </summary>
        public static List<(int Start, int End)> Regions(Compilation compilation, string file, string anchor)
        {
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == file);
            var regions = new List<(int, int)>();
            if (tree is null || string.IsNullOrWhiteSpace(anchor) || anchor == "-")
            {
                return regions;
            }

            var root = tree.GetRoot();
            var text = tree.GetText();
            var members = root.DescendantNodes().OfType<MemberDeclarationSyntax>()
                .Where(m => m is not BaseNamespaceDeclarationSyntax and not BaseTypeDeclarationSyntax and not DelegateDeclarationSyntax)
                .ToList();
            (int, int) Lines(SyntaxNode n)
            {
                var span = n.GetLocation().GetLineSpan();
                return (span.StartLinePosition.Line + 1, span.EndLinePosition.Line + 1);
            }

            foreach (var part in anchor.Split(';', ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var line))
                {
                    if (line < 1 || line > text.Lines.Count)
                    {
                        continue;
                    }

                    var l = text.Lines[line - 1];
                    var position = l.Start + (l.ToString().Length - l.ToString().TrimStart().Length);
                    var member = members.Where(m => m.Span.Contains(position)).OrderBy(m => m.Span.Length).FirstOrDefault();
                    regions.Add(member is null ? (line - 1, line + 1) : Lines(member));
                }
                else
                {
                    foreach (var m in members.Where(m => Names(m).Contains(part)))
                    {
                        regions.Add(Lines(m));
                    }
                }
            }

            return regions;
        }

        private static string[] LineTexts(Compilation compilation, string file) =>
            compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == file)?.GetText().Lines.Select(l => l.ToString()).ToArray() ?? Array.Empty<string>();

        /// <summary>The names of the members containing the lines (a line outside every member stays as its number).</summary>
        public static List<string> MemberNames(Compilation compilation, string file, string lines)
        {
            var names = new List<string>();
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == file);
            if (tree is null)
            {
                return names;
            }

            var text = tree.GetText();
            var members = tree.GetRoot().DescendantNodes().OfType<MemberDeclarationSyntax>()
                .Where(m => m is not BaseNamespaceDeclarationSyntax and not BaseTypeDeclarationSyntax and not DelegateDeclarationSyntax).ToList();
            foreach (var part in lines.Split(';', ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var line) || line < 1 || line > text.Lines.Count)
                {
                    continue;
                }

                var l = text.Lines[line - 1];
                var position = l.Start + (l.ToString().Length - l.ToString().TrimStart().Length);
                var member = members.Where(m => m.Span.Contains(position)).OrderBy(m => m.Span.Length).FirstOrDefault();
                names.AddRange(member is null ? new[] { part } : Names(member).Take(member is BaseFieldDeclarationSyntax ? int.MaxValue : 1));
            }

            return names.Distinct().ToList();
        }

        private static IEnumerable<string> Names(MemberDeclarationSyntax m) => m switch
        {
            MethodDeclarationSyntax x => new[] { x.Identifier.ValueText },
            ConstructorDeclarationSyntax x => new[] { x.Identifier.ValueText, ".ctor" },
            DestructorDeclarationSyntax x => new[] { "~" + x.Identifier.ValueText },
            PropertyDeclarationSyntax x => new[] { x.Identifier.ValueText },
            EventDeclarationSyntax x => new[] { x.Identifier.ValueText },
            BaseFieldDeclarationSyntax x => x.Declaration.Variables.Select(v => v.Identifier.ValueText),
            IndexerDeclarationSyntax => new[] { "this[]" },
            _ => Array.Empty<string>(),
        };

        private static bool Git(string gitDir, string args, string? workDir) => Run("git", $"-C {gitDir} {args}", workDir);

        private static bool Run(string file, string args, string? workDir = null)
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            if (workDir is not null)
            {
                psi.WorkingDirectory = workDir;
            }

            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0;
        }

        private static void TryDelete(string dir)
        {
            try
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
