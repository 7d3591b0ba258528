using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Spectre.Console;

namespace LeakAnalyzers.Tool.Scan
{
    /// <summary>
    /// <c>leakcheck rules [path]</c>: every rule with its severity and the options that tune it. Without a path, the
    /// defaults (the Recommended preset); with a project or solution, what its build uses: the LeakAnalyzersMode preset,
    /// .editorconfig and global configs, NoWarn / WarningsAsErrors, at the project's first source file.
    /// </summary>
    public sealed class RulesCommand
    {
        /// <summary>The options the rules read, the rules that read them, and the value they have when not set.</summary>
        internal static readonly (string Key, string Rules, string Default)[] Options =
        {
            ("leak_analyzers.long_lived_types", "LEAK002, LEAK003, LEAK004", "(none)"),
            ("leak_analyzers.LEAK003.publishers", "LEAK003", "static, injected"),
            ("leak_analyzers.LEAK005.exempt_types", "LEAK005", "(none)"),
            ("leak_analyzers.LEAK005.exception_paths", "LEAK005", "false"),
        };

        private readonly TextWriter _output;
        private readonly TextWriter _error;
        private readonly IAnsiConsole _console;

        public RulesCommand(TextWriter output, TextWriter error)
        {
            _output = output;
            _error = error;
            var interactive = output == Console.Out && !Console.IsOutputRedirected;
            _console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
                Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
            });
            if (!interactive)
            {
                _console.Profile.Width = ScanCommand.UnwrappedWidth;
            }
        }

        public static Command Create(TextWriter output, TextWriter error)
        {
            var path = new Argument<string?>("path") { Description = "A .sln/.slnx, a .csproj or a folder: show what its build uses (default: the rules' defaults).", Arity = ArgumentArity.ZeroOrOne };
            var noRestore = new Option<bool>("--no-restore") { Description = "Do not run dotnet restore first." };
            var command = new Command("rules", "List every rule with its effective severity and options.") { path, noRestore };
            command.SetAction((result, ct) => new RulesCommand(output, error).RunAsync(result.GetValue(path), result.GetValue(noRestore), ct));
            return command;
        }

        public async Task<int> RunAsync(string? path, bool noRestore, CancellationToken cancellationToken)
        {
            var descriptors = Analyzers.Select(null, out _).SelectMany(a => a.SupportedDiagnostics).GroupBy(d => d.Id).Select(g => g.First())
                .OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
            if (path is null)
            {
                Write("Rules (defaults, the Recommended preset)", descriptors.Select(d => (d, Name(d.IsEnabledByDefault ? ReportDiagnostic.Default : ReportDiagnostic.Suppress, d))),
                    Options.Select(o => (o.Key, o.Rules, o.Default)));
                return Program.Clean;
            }

            using var loaded = await SolutionLoader.LoadAsync(path, _error, cancellationToken, restore: !noRestore).ConfigureAwait(false);
            if (loaded is null)
            {
                return Program.Error;
            }

            foreach (var project in loaded.Solution.Projects.Where(loaded.IsTarget).GroupBy(p => p.FilePath).Select(g => g.First()))
            {
                var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                var tree = compilation?.SyntaxTrees.FirstOrDefault(t => !string.IsNullOrEmpty(t.FilePath) && project.GetDocument(t) is not null);
                if (compilation is null || tree is null)
                {
                    continue;
                }

                var mode = project.AnalyzerConfigDocuments.Select(d => Path.GetFileName(d.FilePath ?? string.Empty))
                    .FirstOrDefault(n => n.StartsWith("leakanalyzers.", StringComparison.OrdinalIgnoreCase) && n.EndsWith(".globalconfig", StringComparison.OrdinalIgnoreCase)) is { } preset
                    ? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(preset.Split('.')[1])
                    : "none (the package is not referenced: the rules' defaults)";
                var options = project.AnalyzerOptions.AnalyzerConfigOptionsProvider.GetOptions(tree);
                Write($"{project.Name}: preset {mode}, at {Path.GetFileName(tree.FilePath)}",
                    descriptors.Select(d => (d, Name(Effective(d, compilation, tree, cancellationToken), d))),
                    Options.Select(o => (o.Key, o.Rules, options.TryGetValue(o.Key, out var value) ? value : o.Default)));
            }

            return Program.Clean;
        }

        /// <summary>
        /// The severity the compiler gives the rule in <paramref name="tree"/>: /nowarn first, then .editorconfig and global
        /// configs, then rule sets and /warnaserror:id, then the default; /warnaserror (or the id in WarningsAsErrors) raises warnings.
        /// </summary>
        internal static ReportDiagnostic Effective(DiagnosticDescriptor descriptor, Compilation compilation, SyntaxTree tree, CancellationToken cancellationToken)
        {
            var options = compilation.Options;
            options.SpecificDiagnosticOptions.TryGetValue(descriptor.Id, out var specific);
            if (specific == ReportDiagnostic.Suppress)
            {
                return ReportDiagnostic.Suppress;
            }

            var severity = ReportDiagnostic.Default;
            var provider = options.SyntaxTreeOptionsProvider;
            if (provider is not null && (provider.TryGetDiagnosticValue(tree, descriptor.Id, cancellationToken, out var configured)
                || provider.TryGetGlobalDiagnosticValue(descriptor.Id, cancellationToken, out configured)))
            {
                severity = configured;
            }
            else if (specific != ReportDiagnostic.Default)
            {
                severity = specific;
            }

            if (severity == ReportDiagnostic.Default)
            {
                severity = descriptor.IsEnabledByDefault ? Map(descriptor.DefaultSeverity) : ReportDiagnostic.Suppress;
            }

            if (severity == ReportDiagnostic.Warn && (specific == ReportDiagnostic.Error || options.GeneralDiagnosticOption == ReportDiagnostic.Error))
            {
                severity = ReportDiagnostic.Error;
            }

            return severity;
        }

        private static ReportDiagnostic Map(DiagnosticSeverity severity) => severity switch
        {
            DiagnosticSeverity.Error => ReportDiagnostic.Error,
            DiagnosticSeverity.Warning => ReportDiagnostic.Warn,
            DiagnosticSeverity.Info => ReportDiagnostic.Info,
            _ => ReportDiagnostic.Hidden,
        };

        /// <summary>The .editorconfig word for a severity.</summary>
        private static string Name(ReportDiagnostic severity, DiagnosticDescriptor descriptor) => (severity == ReportDiagnostic.Default ? Map(descriptor.DefaultSeverity) : severity) switch
        {
            ReportDiagnostic.Error => "error",
            ReportDiagnostic.Warn => "warning",
            ReportDiagnostic.Info => "suggestion",
            ReportDiagnostic.Hidden => "silent",
            _ => "none",
        };

        private void Write(string heading, IEnumerable<(DiagnosticDescriptor Descriptor, string Severity)> rules, IEnumerable<(string Key, string Rules, string Value)> options)
        {
            _console.MarkupLine($"[bold]{Markup.Escape(heading)}[/]");
            var table = new Table().AddColumn("Rule").AddColumn("Title").AddColumn("Severity").AddColumn("Default");
            foreach (var (descriptor, severity) in rules)
            {
                table.AddRow(descriptor.Id, Markup.Escape(descriptor.Title.ToString(CultureInfo.InvariantCulture)), severity, Name(ReportDiagnostic.Default, descriptor));
            }

            _console.Write(table);
            var optionTable = new Table().AddColumn("Option").AddColumn("Rules").AddColumn("Value");
            foreach (var (key, ruleIds, value) in options)
            {
                optionTable.AddRow(Markup.Escape(key), ruleIds, Markup.Escape(value));
            }

            _console.Write(optionTable);
        }
    }
}
