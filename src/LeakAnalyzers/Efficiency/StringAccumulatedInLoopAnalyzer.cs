using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Efficiency
{
    /// <summary>
    /// LEAK011: <c>s += ...</c> / <c>s = s + ...</c> on a string local inside a loop, where <c>s</c> is declared outside the
    /// loop and read after it: every step copies the whole string, so the garbage grows quadratically. One finding per
    /// local and outermost such loop, at the first accumulation, the others as additional locations.
    /// </summary>
    public sealed class StringAccumulatedInLoopAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Property present ("true") when the StringBuilder fix keeps the meaning: s is not read inside the loop and every accumulation is a statement.</summary>
        public const string FixableProperty = "Fixable";

        private const int SmallLoop = 8;

        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.StringAccumulatedInLoop,
            title: "String accumulated in a loop",
            messageFormat: "'{0}' is built by concatenation in a loop: every step copies the whole string; use a StringBuilder",
            category: RuleIdentifiers.EfficiencyCategory,
            defaultSeverity: DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            description: "Concatenating onto a string in a loop copies everything built so far at every step: n appends of m characters copy about n²·m/2 characters, most of it large-object-heap garbage. A StringBuilder appends in place.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.StringAccumulatedInLoop));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterOperationAction(AnalyzeLoop, OperationKind.Loop);
        }

        private static void AnalyzeLoop(OperationAnalysisContext context)
        {
            var loop = (ILoopOperation)context.Operation;
            if (IsSmallConstantLoop(loop))
            {
                return;
            }

            // Accumulations in this loop (not in lambdas or local functions), grouped by local.
            var byLocal = new Dictionary<ILocalSymbol, List<IOperation>>(SymbolEqualityComparer.Default);
            foreach (var operation in loop.Body.DescendantsAndSelf())
            {
                if (AccumulatedLocal(operation) is { } local && !IsInNestedFunction(operation, loop))
                {
                    if (!byLocal.TryGetValue(local, out var list))
                    {
                        byLocal[local] = list = new List<IOperation>();
                    }

                    list.Add(operation);
                }
            }

            foreach (var pair in byLocal)
            {
                var local = pair.Key;
                var declaration = local.DeclaringSyntaxReferences.Length == 1 ? local.DeclaringSyntaxReferences[0] : null;
                if (declaration is null || declaration.SyntaxTree != loop.Syntax.SyntaxTree || loop.Syntax.Span.Contains(declaration.Span)
                    || IsInsideOuterLoopAlsoAccumulating(loop, declaration.Span))
                {
                    continue;
                }

                if (!IsReadAfter(loop, local, out var readInside) || ConditionReads(loop, local))
                {
                    continue;
                }

                var fixable = !readInside;
                foreach (var accumulation in pair.Value)
                {
                    fixable &= accumulation.Parent is IExpressionStatementOperation;
                }

                var additional = new List<Location>();
                for (var i = 1; i < pair.Value.Count; i++)
                {
                    additional.Add(pair.Value[i].Syntax.GetLocation());
                }

                var properties = fixable ? ImmutableDictionary<string, string?>.Empty.Add(FixableProperty, "true") : ImmutableDictionary<string, string?>.Empty;
                context.ReportDiagnostic(Diagnostic.Create(Rule, pair.Value[0].Syntax.GetLocation(), additional, properties, local.Name));
            }
        }

        /// <summary>The string local that <c>s += x</c> or <c>s = s + x</c> appends to.</summary>
        private static ILocalSymbol? AccumulatedLocal(IOperation operation)
        {
            switch (operation)
            {
                case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation { Local: { Type.SpecialType: SpecialType.System_String } local } }:
                    return local;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local: { Type.SpecialType: SpecialType.System_String } local }, Value: IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } add }
                    when LeftmostOperand(add) is ILocalReferenceOperation first && SymbolEqualityComparer.Default.Equals(first.Local, local):
                    return local;
                default:
                    return null;
            }
        }

        internal static IOperation LeftmostOperand(IBinaryOperation add)
        {
            IOperation current = add;
            while (current is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary)
            {
                current = binary.LeftOperand;
                while (current is IConversionOperation conversion)
                {
                    current = conversion.Operand;
                }
            }

            return current;
        }

        private static bool IsInNestedFunction(IOperation operation, IOperation loop)
        {
            for (var current = operation.Parent; current != null && current != loop; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>An enclosing loop that also lies inside the local's scope reports instead (the outermost one).</summary>
        private static bool IsInsideOuterLoopAlsoAccumulating(ILoopOperation loop, Microsoft.CodeAnalysis.Text.TextSpan declaration)
        {
            for (var current = loop.Parent; current != null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return false;
                }

                if (current is ILoopOperation outer && !outer.Syntax.Span.Contains(declaration) && !IsSmallConstantLoop(outer))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The local is read after the loop (so the accumulated string is used); also says whether it is read inside the loop.</summary>
        private static bool IsReadAfter(ILoopOperation loop, ILocalSymbol local, out bool readInside)
        {
            readInside = false;
            IOperation scope = loop;
            while (scope.Parent is { } up && up is not IMethodBodyOperation and not IAnonymousFunctionOperation and not ILocalFunctionOperation)
            {
                scope = up;
            }

            var after = false;
            var loopSpan = loop.Syntax.Span;
            foreach (var operation in scope.Descendants())
            {
                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local) || IsWriteOnly(reference))
                {
                    continue;
                }

                if (reference.Syntax.SpanStart >= loopSpan.End)
                {
                    after = true;
                }
                else if (loopSpan.Contains(reference.Syntax.Span) && !IsAccumulationRead(reference))
                {
                    readInside = true;
                }
            }

            return after;
        }

        /// <summary>
        /// The loop runs until the string itself says stop (<c>while (!used.Add(name)) name += "1";</c>, padding to a width):
        /// the string decides the number of steps, which stays small.
        /// </summary>
        private static bool ConditionReads(ILoopOperation loop, ILocalSymbol local)
        {
            var condition = loop switch
            {
                IWhileLoopOperation whileLoop => whileLoop.Condition,
                IForLoopOperation forLoop => forLoop.Condition,
                _ => null,
            };

            if (condition is null)
            {
                return false;
            }

            foreach (var operation in condition.DescendantsAndSelf())
            {
                if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsWriteOnly(ILocalReferenceOperation reference)
            => reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference;

        /// <summary>The read that is part of the accumulation itself: the target of <c>+=</c> or the leftmost operand of <c>s = s + x</c>.</summary>
        private static bool IsAccumulationRead(ILocalReferenceOperation reference)
        {
            if (reference.Parent is ICompoundAssignmentOperation compound && compound.Target == reference)
            {
                return true;
            }

            IOperation current = reference;
            while (current.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary && binary.LeftOperand == current)
            {
                current = binary;
            }

            return current != reference && current.Parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } && SymbolEqualityComparer.Default.Equals(target.Local, reference.Local);
        }

        /// <summary><c>for (var i = a; i &lt; b; i++)</c> with constants and at most 8 steps, or foreach over at most 8 listed elements.</summary>
        private static bool IsSmallConstantLoop(IOperation loop)
        {
            switch (loop)
            {
                case IForLoopOperation { Condition: IBinaryOperation condition } forLoop
                    when condition.RightOperand.ConstantValue is { HasValue: true, Value: int bound }:
                    var start = 0;
                    foreach (var before in forLoop.Before)
                    {
                        foreach (var op in before.DescendantsAndSelf())
                        {
                            if (op is IVariableInitializerOperation { Value.ConstantValue: { HasValue: true, Value: int value } })
                            {
                                start = value;
                            }
                        }
                    }

                    var steps = condition.OperatorKind == BinaryOperatorKind.LessThanOrEqual ? bound - start + 1 : bound - start;
                    return condition.OperatorKind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual && steps <= SmallLoop;
                case IForEachLoopOperation each:
                    var collection = each.Collection;
                    while (collection is IConversionOperation conversion)
                    {
                        collection = conversion.Operand;
                    }

                    return collection is IArrayCreationOperation { Initializer.ElementValues.Length: <= SmallLoop }
                        || collection.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.CollectionExpressionSyntax { Elements.Count: <= SmallLoop };
                default:
                    return false;
            }
        }
    }
}
