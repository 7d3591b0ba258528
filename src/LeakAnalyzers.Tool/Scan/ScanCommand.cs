using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Spectre.Console;

namespace LeakAnalyzers.Tool.Scan
{
    /// <summary><c>leakcheck scan</c>: load, analyse, print grouped findings and a summary, write SARIF, apply fixes.</summary>
    public sealed class ScanCommand
    {
        private readonly TextWriter _output;
        private readonly TextWriter _error;
        private readonly IAnsiConsole _console;

        public ScanCommand(TextWriter output, TextWriter error)
        {
            _output = output;
            _error = error;
            _console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = output == Console.Out && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
                Interactive = output == Console.Out && !Console.IsOutputRedirected ? InteractionSupport.Detect : InteractionSupport.No,
            });
            if (!_console.Profile.Capabilities.Interactive)
            {
                // Redirected output (CI logs, pipes, files): one finding per line, never wrapped; rule headers are plain lines.
                _console.Profile.Width = UnwrappedWidth;
            }
        }

        /// <summary>The width given to Spectre for redirected output: wide enough that no line is wrapped.</summary>
        internal const int UnwrappedWidth = 4096;

        /// <summary>Compiler errors that mean the compilation lacks references (an unrestored or unbuilt project), not that its code is wrong.</summary>
        private static readonly HashSet<string> UnresolvedReferenceErrors = new(StringComparer.Ordinal) { "CS0006", "CS0012", "CS0234", "CS0246", "CS0518" };

        public Task<int> RunAsync(string path, string? sarif, bool fix, string? rules, CancellationToken cancellationToken)
            => RunAsync(path, sarif, fix, rules, noRestore: false, cancellationToken);

        public async Task<int> RunAsync(string path, string? sarif, bool fix, string? rules, bool noRestore, CancellationToken cancellationToken)
        {
            var analyzers = Analyzers.Select(rules, out var unknown);
            if (unknown.Count > 0)
            {
                await _error.WriteLineAsync($"leakcheck: unknown rule(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", Analyzers.AllRuleIds)}.").ConfigureAwait(false);
                return Program.Error;
            }

            using var loaded = await SolutionLoader.LoadAsync(path, _error, cancellationToken, restore: !noRestore).ConfigureAwait(false);
            if (loaded is null)
            {
                return Program.Error;
            }

            var incomplete = new List<string>();
            var findings = await AnalyzeAsync(loaded.Solution, loaded, analyzers, incomplete, cancellationToken).ConfigureAwait(false);
            if (incomplete.Count > 0)
            {
                // Never "no leaks" for code that was not all seen: the findings so far, then why the scan is incomplete.
                Print(findings, complete: false);
                foreach (var line in incomplete)
                {
                    await _error.WriteLineAsync($"leakcheck: {line}").ConfigureAwait(false);
                }

                await _error.WriteLineAsync(noRestore
                    ? "leakcheck: the scan is incomplete: run dotnet restore first (or scan without --no-restore)."
                    : "leakcheck: the scan is incomplete: the project's references did not resolve (dotnet build shows why).").ConfigureAwait(false);
                return Program.Error;
            }

            if (fix && findings.Count > 0)
            {
                var fixer = new FixApplier(analyzers, loaded);
                var (solution, applied) = await fixer.ApplyAsync(loaded.Solution, cancellationToken).ConfigureAwait(false);
                if (applied > 0 && !loaded.Workspace.TryApplyChanges(solution))
                {
                    await _error.WriteLineAsync("leakcheck: the fixes could not be written back to the files.").ConfigureAwait(false);
                    return Program.Error;
                }

                _console.MarkupLine($"Applied [green]{applied}[/] fix(es).");
                findings = await AnalyzeAsync(loaded.Workspace.CurrentSolution, loaded, analyzers, incomplete: null, cancellationToken).ConfigureAwait(false);
            }

            Print(findings, complete: true);
            if (sarif is not null)
            {
                SarifWriter.Write(sarif, findings, analyzers);
                _console.MarkupLine($"SARIF written to [blue]{Markup.Escape(sarif)}[/].");
            }

            return findings.Count == 0 ? Program.Clean : Program.Found;
        }

        /// <param name="incomplete">Receives one line per scanned project whose compilation has unresolved references (null: not checked).</param>
        private async Task<List<Diagnostic>> AnalyzeAsync(Solution solution, LoadedSolution loaded, ImmutableArray<DiagnosticAnalyzer> analyzers, List<string>? incomplete, CancellationToken cancellationToken)
        {
            var findings = new List<Diagnostic>();
            var projects = solution.Projects.Where(loaded.IsTarget).ToList();
            async Task Analyze(Action<Project>? progress)
            {
                foreach (var project in projects)
                {
                    var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                    if (compilation is null)
                    {
                        incomplete?.Add($"{project.Name}: no compilation could be made for it.");
                    }
                    else
                    {
                        if (incomplete is not null)
                        {
                            var unresolved = compilation.GetDiagnostics(cancellationToken)
                                .Where(d => d.Severity == DiagnosticSeverity.Error && UnresolvedReferenceErrors.Contains(d.Id)).ToList();
                            if (unresolved.Count > 0)
                            {
                                var first = unresolved[0];
                                var where = first.Location.IsInSource ? $"{Relative(first.Location.GetLineSpan().Path)}({first.Location.GetLineSpan().StartLinePosition.Line + 1}): " : string.Empty;
                                incomplete.Add($"{project.Name}: {unresolved.Count} compile error(s) from unresolved references, first: {where}{first.Id}: {first.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
                            }
                        }

                        var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(project.AnalyzerOptions, null, true, false, false));
                        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
                        findings.AddRange(diagnostics.Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal) && !d.IsSuppressed && d.Severity != DiagnosticSeverity.Hidden));
                    }


                    progress?.Invoke(project);
                }
            }

            if (_console.Profile.Capabilities.Interactive && projects.Count > 1)
            {
                await _console.Progress().StartAsync(async context =>
                {
                    var task = context.AddTask("Analysing projects", maxValue: projects.Count);
                    await Analyze(_ => task.Increment(1)).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            else
            {
                await Analyze(null).ConfigureAwait(false);
            }

            return findings.GroupBy(d => (d.Id, d.Location.GetLineSpan().Path, d.Location.SourceSpan.Start)).Select(g => g.First())
                .OrderBy(d => d.Id, StringComparer.Ordinal).ThenBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start)
                .ToList();
        }

        private void Print(List<Diagnostic> findings, bool complete)
        {
            if (findings.Count == 0)
            {
                if (complete)
                {
                    _console.MarkupLine("[green]No leaks found.[/]");
                }

                return;
            }

            foreach (var group in findings.GroupBy(d => d.Id))
            {
                var title = $"[yellow]{group.Key}[/] {Markup.Escape(group.First().Descriptor.Title.ToString())}";
                if (_console.Profile.Capabilities.Interactive)
                {
                    _console.Write(new Rule(title) { Justification = Justify.Left });
                }
                else
                {
                    _console.MarkupLine(title);
                }

                foreach (var diagnostic in group)
                {
                    var span = diagnostic.Location.GetLineSpan();
                    _console.MarkupLine($"  {Markup.Escape(Relative(span.Path))}:{span.StartLinePosition.Line + 1}: {Markup.Escape(diagnostic.GetMessage())}");
                }
            }

            var table = new Table().AddColumn("Rule").AddColumn("Title").AddColumn(new TableColumn("Findings").RightAligned());
            foreach (var group in findings.GroupBy(d => d.Id))
            {
                table.AddRow(group.Key, Markup.Escape(group.First().Descriptor.Title.ToString()), group.Count().ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            table.AddRow("[bold]total[/]", string.Empty, $"[bold]{findings.Count}[/]");
            _console.Write(table);
        }

        private static string Relative(string path)
        {
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
            return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
        }
    }
}
