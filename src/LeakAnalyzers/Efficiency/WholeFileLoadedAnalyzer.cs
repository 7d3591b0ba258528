using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Efficiency
{
    /// <summary>
    /// LEAK010: <c>File.ReadAllLines</c>/<c>ReadAllLinesAsync</c> (or <c>File.ReadAllText(p).Split('\n')</c>) whose result is
    /// only enumerated once — by a foreach, or a LINQ chain that ends in an aggregate or a loop — where
    /// <c>File.ReadLines</c> would hold one line at a time.
    /// </summary>
    public sealed class WholeFileLoadedAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Property: "Sync", "Async" (await foreach over ReadLinesAsync is possible) or "Split".</summary>
        public const string ShapeProperty = "Shape";

        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.WholeFileLoaded,
            title: "Whole file loaded where streaming serves",
            messageFormat: "'{0}' loads the whole file into memory but its lines are only enumerated once; File.ReadLines reads one line at a time",
            category: RuleIdentifiers.EfficiencyCategory,
            defaultSeverity: DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            description: "ReadAllLines and ReadAllText(...).Split hold every line of the file at once (twice the file size in UTF-16, plus an array). When the lines are only walked once, File.ReadLines streams them and holds one at a time.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.WholeFileLoaded));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var file = MetadataTypes.Get(start.Compilation, "System.IO.File");
                var enumerable = MetadataTypes.Get(start.Compilation, "System.Linq.Enumerable");
                if (file is null)
                {
                    return;
                }

                var hasReadLinesAsync = !file.GetMembers("ReadLinesAsync").IsEmpty;
                start.RegisterOperationAction(c => Analyze(c, file, enumerable, hasReadLinesAsync), OperationKind.Invocation);
            });
        }

        private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol file, INamedTypeSymbol? enumerable, bool hasReadLinesAsync)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            IOperation produced;
            string shape;
            if (SymbolEqualityComparer.Default.Equals(method.ContainingType, file) && method.Name == "ReadAllLines")
            {
                produced = invocation;
                shape = "Sync";
            }
            else if (SymbolEqualityComparer.Default.Equals(method.ContainingType, file) && method.Name == "ReadAllLinesAsync" && hasReadLinesAsync
                && invocation.Parent is IAwaitOperation awaited)
            {
                produced = awaited;
                shape = "Async";
            }
            else if (method.Name == "Split" && method.ContainingType.SpecialType == SpecialType.System_String
                && invocation.Instance is IInvocationOperation { TargetMethod: { Name: "ReadAllText" } read } && SymbolEqualityComparer.Default.Equals(read.ContainingType, file)
                && SplitsOnNewLines(invocation))
            {
                produced = invocation;
                shape = "Split";
            }
            else
            {
                return;
            }

            if (!IsEnumeratedOnce(produced, enumerable, out var directForEach))
            {
                return;
            }

            // An async read can only be turned into await foreach when the foreach consumes the await directly.
            if (shape == "Async" && !directForEach)
            {
                shape = "AsyncNoFix";
            }

            var properties = ImmutableDictionary<string, string?>.Empty.Add(ShapeProperty, shape);
            context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties, "File." + (shape == "Split" ? "ReadAllText(...).Split" : method.Name)));
        }

        private static bool SplitsOnNewLines(IInvocationOperation split)
        {
            foreach (var argument in split.Arguments)
            {
                var value = argument.Value;
                while (value is IConversionOperation conversion)
                {
                    value = conversion.Operand;
                }

                if (value.ConstantValue is { HasValue: true, Value: '\n' or "\n" or "\r\n" })
                {
                    return true;
                }

                if (value is IPropertyReferenceOperation { Property.Name: "NewLine" })
                {
                    return true;
                }

                if (value is IArrayCreationOperation { Initializer: { } initializer })
                {
                    foreach (var element in initializer.ElementValues)
                    {
                        if (element.ConstantValue is { HasValue: true, Value: '\n' or "\n" or "\r\n" })
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>
        /// True when the lines are walked exactly once: directly by foreach or a LINQ chain that ends in an aggregate or a
        /// foreach, or through a local whose single use is such a walk, not inside a loop the local is declared outside of.
        /// </summary>
        private static bool IsEnumeratedOnce(IOperation produced, INamedTypeSymbol? enumerable, out bool directForEach)
        {
            directForEach = false;
            var parent = Skip(produced.Parent);
            if (parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol: { } local } declarator })
            {
                var reference = SingleReference(declarator, local);
                return reference is not null && IsSingleWalk(reference, enumerable, out _);
            }

            return IsSingleWalk(produced, enumerable, out directForEach);
        }

        private static bool IsSingleWalk(IOperation value, INamedTypeSymbol? enumerable, out bool directForEach)
        {
            directForEach = false;
            var current = value;
            var parent = Skip(current.Parent);
            if (parent is IForEachLoopOperation loop && Unwrap(loop.Collection) == current)
            {
                directForEach = true;
                return true;
            }

            var sawLinq = false;
            while (parent is IArgumentOperation { Parent: IInvocationOperation call } argument && call.Arguments.Length > 0 && call.Arguments[0] == argument
                && enumerable is not null && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, enumerable))
            {
                sawLinq = true;
                if (IsTerminal(call.TargetMethod.Name))
                {
                    return true;
                }

                current = call;
                parent = Skip(call.Parent);
            }

            return sawLinq && parent is IForEachLoopOperation chainLoop && Unwrap(chainLoop.Collection) == current;
        }

        private static bool IsTerminal(string name) => name switch
        {
            "Count" or "LongCount" or "Any" or "All" or "First" or "FirstOrDefault" or "Last" or "LastOrDefault" or "Single" or "SingleOrDefault"
                or "Sum" or "Min" or "Max" or "Average" or "Aggregate" or "Contains" or "ToList" or "ToArray" or "ToHashSet" or "ToDictionary"
                or "ToLookup" or "ElementAt" or "ElementAtOrDefault" or "SequenceEqual" or "MinBy" or "MaxBy" => true,
            _ => false,
        };

        private static IOperation? SingleReference(IVariableDeclaratorOperation declarator, ILocalSymbol local)
        {
            var root = declarator;
            IOperation scope = declarator;
            while (scope.Parent is { } up && up is not IMethodBodyOperation and not IAnonymousFunctionOperation and not ILocalFunctionOperation)
            {
                scope = up;
            }

            IOperation? single = null;
            foreach (var operation in scope.Descendants())
            {
                if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    if (single is not null)
                    {
                        return null;
                    }

                    single = reference;
                }
            }

            // Inside a loop that does not also contain the declaration, the single reference runs many times.
            for (var ancestor = single?.Parent; single != null && ancestor != null && ancestor != scope; ancestor = ancestor.Parent)
            {
                if (ancestor is IForEachLoopOperation each && each.Collection.Syntax.Span.Contains(single.Syntax.Span))
                {
                    // The collection of a foreach is evaluated once.
                    continue;
                }

                if (ancestor is ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation && !ancestor.Syntax.Span.Contains(root.Syntax.Span))
                {
                    return null;
                }
            }

            return single;
        }

        private static IOperation? Skip(IOperation? operation)
        {
            while (operation is IConversionOperation)
            {
                operation = operation.Parent;
            }

            return operation;
        }

        private static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }
    }
}
