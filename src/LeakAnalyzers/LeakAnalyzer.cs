using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading;
using LeakAnalyzers.Collections;
using LeakAnalyzers.Efficiency;
using LeakAnalyzers.Resources;
using LeakAnalyzers.Retention;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

[assembly: SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001:Missing diagnostic analyzer attribute", Justification = "The rules run under LeakAnalyzer, the one exported analyzer.", Scope = "namespaceanddescendants", Target = "~N:LeakAnalyzers")]

namespace LeakAnalyzers
{
    /// <summary>
    /// The one analyzer the package exports: every rule runs under it. The driver pays a fixed cost per analyzer and
    /// request (its own state, a walk of the document's operations per analyzer) and per registered action and node (a
    /// context, a guarded call); eleven analyzers with 25 operation and symbol actions paid it for each, in every IDE
    /// request. The rules stay separate classes (each is tested alone); the host collects what they register and gives
    /// the driver one operation action and one symbol action, which call the rules' actions for that kind in rule order.
    /// A rule whose every id is suppressed for the compilation (compilation options, or the analyzer config of every
    /// tree) is not started, as the driver would skip its analyzer. Rules that do not read generated code do not run
    /// there (the host reads generated code for the rules that do, and never reports in it).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class LeakAnalyzer : DiagnosticAnalyzer
    {
        private readonly ImmutableArray<DiagnosticAnalyzer> _rules;

        /// <summary>All rules.</summary>
        public LeakAnalyzer()
            : this(CreateRules())
        {
        }

        /// <summary>The given rules only (the command-line tool's rule selection, tests).</summary>
        public LeakAnalyzer(IEnumerable<DiagnosticAnalyzer> rules)
        {
            _rules = rules.ToImmutableArray();
            SupportedDiagnostics = _rules.SelectMany(r => r.SupportedDiagnostics).Distinct().ToImmutableArray();
        }

        /// <summary>New instances of every rule, in rule-id order.</summary>
        public static ImmutableArray<DiagnosticAnalyzer> CreateRules() => ImmutableArray.Create<DiagnosticAnalyzer>(
            new StaticCollectionOnlyGrowsAnalyzer(),
            new CacheNeverEvictsAnalyzer(),
            new EventSubscriptionOutlivesSubscriberAnalyzer(),
            new LongLivedDelegateCapturesAnalyzer(),
            new DisposableNotDisposedAnalyzer(),
            new OwnedDisposableFieldNotDisposedAnalyzer(),
            new NativeMemoryNotFreedAnalyzer(),
            new PooledArrayNotReturnedAnalyzer(),
            new TimerOrRegistrationKeptAliveAnalyzer(),
            new WholeFileLoadedAnalyzer(),
            new StringAccumulatedInLoopAnalyzer());

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; }

        public override void Initialize(AnalysisContext context)
        {
            var registrations = new List<RuleRegistrations>(_rules.Length);
            foreach (var rule in _rules)
            {
                var collected = new RuleRegistrations(rule);
                rule.Initialize(collected);
                registrations.Add(collected);
            }

            var readsGenerated = registrations.Any(r => r.ReadsGeneratedCode);
            context.ConfigureGeneratedCodeAnalysis(readsGenerated ? GeneratedCodeAnalysisFlags.Analyze : GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var rules = new RuleStartContext(start);
                foreach (var rule in registrations)
                {
                    if (!IsSuppressed(start.Compilation, rule.Rule.SupportedDiagnostics, start.CancellationToken))
                    {
                        rules.Skip = readsGenerated && !rule.ReadsGeneratedCode;
                        rule.Start(rules);
                    }
                }

                rules.RegisterDispatchers();
            });
        }

        /// <summary>
        /// True when every id is suppressed for the whole compilation: for each tree its analyzer config says
        /// <c>none</c>, or else the global config does, or else the compilation's options do. Anything the host cannot
        /// see (a bulk or category severity, a rule off by default but enabled elsewhere) counts as enabled: the rule
        /// then runs and the driver filters what it reports, as before.
        /// </summary>
        public static bool IsSuppressed(Compilation compilation, ImmutableArray<DiagnosticDescriptor> descriptors, CancellationToken cancellationToken)
        {
            if (descriptors.IsEmpty)
            {
                return false;
            }

            foreach (var descriptor in descriptors)
            {
                if (!IsSuppressed(compilation, descriptor.Id, cancellationToken))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsSuppressed(Compilation compilation, string id, CancellationToken cancellationToken)
        {
            var options = compilation.Options;
            var provider = options.SyntaxTreeOptionsProvider;
            var compilationLevel = options.SpecificDiagnosticOptions.TryGetValue(id, out var specific) ? specific : ReportDiagnostic.Default;
            var globalLevel = provider is not null && provider.TryGetGlobalDiagnosticValue(id, cancellationToken, out var global) ? global : (ReportDiagnostic?)null;
            var any = false;
            foreach (var tree in compilation.SyntaxTrees)
            {
                any = true;
                var level = provider is not null && provider.TryGetDiagnosticValue(tree, id, cancellationToken, out var perTree)
                    ? perTree
                    : globalLevel ?? compilationLevel;
                if (level != ReportDiagnostic.Suppress)
                {
                    return false;
                }
            }

            return any;
        }

        /// <summary>What one rule registered in its <c>Initialize</c>, replayed when a compilation starts.</summary>
        private sealed class RuleRegistrations : AnalysisContext
        {
            private readonly List<Action<CompilationStartAnalysisContext>> _starts = new();
            private readonly List<Action<CompilationStartAnalysisContext>> _direct = new();

            public RuleRegistrations(DiagnosticAnalyzer rule) => Rule = rule;

            public DiagnosticAnalyzer Rule { get; }

            public bool ReadsGeneratedCode { get; private set; }

            public void Start(CompilationStartAnalysisContext start)
            {
                foreach (var direct in _direct)
                {
                    direct(start);
                }

                foreach (var action in _starts)
                {
                    action(start);
                }
            }

            public override void EnableConcurrentExecution()
            {
            }

            public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) =>
                ReadsGeneratedCode = (analysisMode & GeneratedCodeAnalysisFlags.Analyze) != 0;

            public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) => _starts.Add(action);

            public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => _direct.Add(start => start.RegisterCompilationEndAction(action));

            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => _direct.Add(start => start.RegisterSemanticModelAction(action));

            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) =>
                _direct.Add(start => start.RegisterSymbolAction(action, symbolKinds));

            public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) =>
                _direct.Add(start => start.RegisterSymbolStartAction(action, symbolKind));

            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) =>
                _direct.Add(start => start.RegisterCodeBlockStartAction(action));

            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => _direct.Add(start => start.RegisterCodeBlockAction(action));

            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => _direct.Add(start => start.RegisterSyntaxTreeAction(action));

            public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => _direct.Add(start => start.RegisterAdditionalFileAction(action));

            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
                _direct.Add(start => start.RegisterSyntaxNodeAction(action, syntaxKinds));

            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
                _direct.Add(start => start.RegisterOperationAction(action, operationKinds));

            public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) =>
                _direct.Add(start => start.RegisterOperationBlockStartAction(action));

            public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => _direct.Add(start => start.RegisterOperationBlockAction(action));
        }

        /// <summary>
        /// The compilation-start context the rules register on: operation and symbol actions are collected per kind and
        /// given to the driver as one action each (<see cref="RegisterDispatchers"/>); other actions go to the driver as
        /// they are. Actions of a rule that does not read generated code (<see cref="Skip"/> while it starts)
        /// return at once there.
        /// </summary>
        private sealed class RuleStartContext : CompilationStartAnalysisContext
        {
            private readonly CompilationStartAnalysisContext _inner;
            private readonly List<(Action<OperationAnalysisContext> Action, ImmutableArray<OperationKind> Kinds)> _operations = new();
            private readonly List<(Action<SymbolAnalysisContext> Action, ImmutableArray<SymbolKind> Kinds)> _symbols = new();

            [SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1012:Start action has no registered actions", Justification = "It registers the rules' actions on the context it wraps.")]
            public RuleStartContext(CompilationStartAnalysisContext inner)
                : base(inner.Compilation, inner.Options, inner.CancellationToken) => _inner = inner;

            public bool Skip { get; set; }

            /// <summary>One driver action for all the rules' operation actions, one for their symbol actions.</summary>
            public void RegisterDispatchers()
            {
                if (_operations.Count == 1)
                {
                    _inner.RegisterOperationAction(_operations[0].Action, _operations[0].Kinds);
                }
                else if (_operations.Count > 1)
                {
                    var table = new Dispatch<OperationKind, OperationAnalysisContext>(_operations, k => (int)k);
                    _inner.RegisterOperationAction(c => table.Run((int)c.Operation.Kind, c), table.Kinds);
                }

                if (_symbols.Count == 1)
                {
                    _inner.RegisterSymbolAction(_symbols[0].Action, _symbols[0].Kinds);
                }
                else if (_symbols.Count > 1)
                {
                    var table = new Dispatch<SymbolKind, SymbolAnalysisContext>(_symbols, k => (int)k);
                    _inner.RegisterSymbolAction(c => table.Run((int)c.Symbol.Kind, c), table.Kinds);
                }
            }

            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
                _operations.Add((SkipGenerated(action, Skip, c => c.IsGeneratedCode), operationKinds));

            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) =>
                _symbols.Add((SkipGenerated(action, Skip, c => c.IsGeneratedCode), symbolKinds));

            public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => _inner.RegisterCompilationEndAction(action);

            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) =>
                _inner.RegisterSemanticModelAction(SkipGenerated(action, Skip, c => c.IsGeneratedCode));

            public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) =>
                _inner.RegisterSymbolStartAction(SkipGenerated(action, Skip, c => c.IsGeneratedCode), symbolKind);

            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) =>
                _inner.RegisterCodeBlockStartAction(SkipGenerated(action, Skip, c => c.IsGeneratedCode));

            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) =>
                _inner.RegisterCodeBlockAction(SkipGenerated(action, Skip, c => c.IsGeneratedCode));

            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) =>
                _inner.RegisterSyntaxTreeAction(SkipGenerated(action, Skip, c => c.IsGeneratedCode));

            public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => _inner.RegisterAdditionalFileAction(action);

            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
                _inner.RegisterSyntaxNodeAction(SkipGenerated(action, Skip, c => c.IsGeneratedCode), syntaxKinds);

            public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) =>
                _inner.RegisterOperationBlockStartAction(SkipGenerated(action, Skip, c => c.IsGeneratedCode));

            public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) =>
                _inner.RegisterOperationBlockAction(SkipGenerated(action, Skip, c => c.IsGeneratedCode));
        }

        /// <summary>The actions registered for each kind, in registration order, looked up by the kind's value.</summary>
        private sealed class Dispatch<TKind, TContext>
            where TKind : struct
        {
            private readonly Action<TContext>[]?[] _byKind;

            public Dispatch(List<(Action<TContext> Action, ImmutableArray<TKind> Kinds)> actions, Func<TKind, int> index)
            {
                // Built at every compilation start (the actions close over that compilation's state): plain arrays, no LINQ.
                var max = -1;
                foreach (var (_, actionKinds) in actions)
                {
                    foreach (var kind in actionKinds)
                    {
                        max = Math.Max(max, index(kind));
                    }
                }

                var lists = new List<Action<TContext>>?[max + 1];
                var kinds = ImmutableArray.CreateBuilder<TKind>();
                foreach (var (action, actionKinds) in actions)
                {
                    foreach (var kind in actionKinds)
                    {
                        var i = index(kind);
                        if (i < 0)
                        {
                            continue;
                        }

                        if (lists[i] is not { } list)
                        {
                            lists[i] = list = new List<Action<TContext>>(2);
                            kinds.Add(kind);
                        }

                        if (list.Count == 0 || !ReferenceEquals(list[list.Count - 1], action))
                        {
                            list.Add(action); // a kind listed twice by one registration still runs its action once
                        }
                    }
                }

                _byKind = new Action<TContext>[]?[lists.Length];
                for (var i = 0; i < lists.Length; i++)
                {
                    _byKind[i] = lists[i]?.ToArray();
                }

                Kinds = kinds.ToImmutable();
            }

            public ImmutableArray<TKind> Kinds { get; }

            public void Run(int kind, TContext context)
            {
                if ((uint)kind < (uint)_byKind.Length && _byKind[kind] is { } actions)
                {
                    foreach (var action in actions)
                    {
                        action(context);
                    }
                }
            }
        }

        /// <summary>An action that returns at once in generated code, when <paramref name="skip"/>.</summary>
        private static Action<T> SkipGenerated<T>(Action<T> action, bool skip, Func<T, bool> isGenerated) =>
            skip ? c => { if (!isGenerated(c)) action(c); } : action;
    }
}
