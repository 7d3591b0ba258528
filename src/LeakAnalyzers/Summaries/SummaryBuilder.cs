using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Summaries
{
    /// <summary>
    /// Computes a <see cref="MethodSummary"/> from a body: each parameter's and the receiver's uses are followed with
    /// <see cref="ValueTracker"/> (calls answered by their own summaries), and every return's value is traced to where it
    /// comes from. A release counts as "on every path" when no condition other than a null check, no loop, switch or catch
    /// stands between it and the body.
    /// </summary>
    internal static class SummaryBuilder
    {
        private const int MaxOriginDepth = 8;

        /// <param name="body">The method's body operation (or any operation inside the root that holds <paramref name="function"/>).</param>
        /// <param name="function">The local function being summarised, or null for a method body.</param>
        public static MethodSummary Build(IMethodSymbol method, IOperation body, IOperation? function, FlowContext context)
        {
            var index = BodyIndex.For(BodyIndex.RootOf(body));
            if (index.TooLarge)
            {
                return MethodSummary.Unknown;
            }

            var stores = ImmutableArray.CreateBuilder<StoreSite>();
            var parameters = ImmutableArray.CreateBuilder<ValueEffects>(method.Parameters.Length);
            foreach (var parameter in method.Parameters)
            {
                if (CannotHoldResource(parameter.Type))
                {
                    parameters.Add(ValueEffects.None);
                    continue;
                }

                var references = index.ReferencesTo(parameter);
                if (references.Count == 0 && !SymbolEqualityComparer.Default.Equals(parameter.OriginalDefinition, parameter))
                {
                    references = index.ReferencesTo(parameter.OriginalDefinition);
                }

                parameters.Add(Effects(references, parameter.Ordinal, function, context, stores));
            }

            var receiver = method.IsStatic ? ValueEffects.None : Effects(ReceiverValues(index, function), -1, function, context, stores);
            var returns = ReturnKind.Unknown;
            var returnedParameter = -1;
            int nothingWhen = -1;
            var nothingWhenValue = false;
            if (method.ReturnsVoid || method.MethodKind == MethodKind.Constructor)
            {
                returns = ReturnKind.Nothing;
            }
            else if (!index.IsIterator)
            {
                returns = ReturnKind.Nothing;
                foreach (var ret in index.Returns)
                {
                    if (!ReferenceEquals(BodyIndex.EnclosingFunction(ret), function))
                    {
                        continue;
                    }

                    var (kind, ordinal) = Origin(ret.ReturnedValue!, function, context, 0);
                    if (kind == ReturnKind.Nothing && nothingWhen < 0 && GuardedByFlag(ret, function) is { } flag)
                    {
                        (nothingWhen, nothingWhenValue) = flag;
                    }

                    (returns, returnedParameter) = Combine((returns, returnedParameter), (kind, ordinal));
                    if (returns == ReturnKind.Unknown)
                    {
                        break;
                    }
                }
            }

            return new MethodSummary(receiver, parameters.MoveToImmutable(), returns, returnedParameter, stores.ToImmutable(),
                nothingWhenParameter: returns == ReturnKind.New ? nothingWhen : -1, nothingWhenValue: nothingWhenValue);
        }

        /// <summary>
        /// <c>if (flag) { ...; return null; }</c> (or <c>if (!flag)</c>) as a statement of the body itself, where flag is a
        /// bool parameter: passing that value makes the method return nothing.
        /// </summary>
        private static (int Ordinal, bool Value)? GuardedByFlag(IReturnOperation ret, IOperation? function)
        {
            IOperation? previous = ret;
            for (var p = ret.Parent; p != null && p != function; p = p.Parent)
            {
                if (p is IConditionalOperation { WhenTrue: var whenTrue } conditional && whenTrue == previous
                    && conditional.Parent is IBlockOperation { Parent: IMethodBodyBaseOperation or ILocalFunctionOperation })
                {
                    return ValueFlow.Strip(conditional.Condition) switch
                    {
                        IParameterReferenceOperation { Parameter.Type.SpecialType: SpecialType.System_Boolean } flag => (flag.Parameter.Ordinal, true),
                        IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, Operand: IParameterReferenceOperation { Parameter.Type.SpecialType: SpecialType.System_Boolean } negated } => (negated.Parameter.Ordinal, false),
                        _ => null,
                    };
                }

                if (p is ILoopOperation or ISwitchOperation or ITryOperation or IConditionalOperation)
                {
                    return null;
                }

                previous = p;
            }

            return null;
        }

        /// <summary>Numbers, booleans, characters and enums: nothing to release or keep alive.</summary>
        private static bool CannotHoldResource(ITypeSymbol type)
            => type.TypeKind == TypeKind.Enum || type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_Double or SpecialType.System_Decimal or SpecialType.System_DateTime;

        /// <summary>Explicit uses of <c>this</c> as a value (passed, stored, returned) and calls on it; member accesses are not uses.</summary>
        private static IEnumerable<IOperation> ReceiverValues(BodyIndex index, IOperation? function)
        {
            foreach (var reference in index.InstanceReferences)
            {
                if (reference.Parent is IMemberReferenceOperation member && member.Instance == reference)
                {
                    continue;
                }

                if (function != null && !IsInside(reference, function))
                {
                    continue;
                }

                yield return reference;
            }
        }

        private static ValueEffects Effects(IEnumerable<IOperation> references, int ordinal, IOperation? function, FlowContext context, ImmutableArray<StoreSite>.Builder stores)
        {
            List<IOperation>? starts = null;
            foreach (var reference in references)
            {
                if (function != null && !IsInside(reference, function))
                {
                    continue;
                }

                (starts ??= new List<IOperation>()).Add(reference);
            }

            if (starts is null)
            {
                return ValueEffects.None;
            }

            var uses = ValueTracker.Follow(starts, function, context);
            if (uses is null)
            {
                return ValueEffects.Unknown;
            }

            var effects = ValueEffects.None;
            foreach (var tracked in uses)
            {
                var use = tracked.Use;
                if (tracked.Nested && ValueTracker.EscapesThroughNestedFunction(tracked.Value, function, context))
                {
                    // Captured by a callback or a stored delegate: kept past the call.
                    effects |= ValueEffects.StoredElsewhere;
                    continue;
                }

                switch (use.Step)
                {
                    case FlowStep.Release when !tracked.View:
                    case FlowStep.Using when !tracked.View:
                        effects |= !tracked.Nested && IsUnconditional(tracked.Value, function) ? ValueEffects.Released : ValueEffects.ReleasedSometimes;
                        break;
                    case FlowStep.HandOver:
                        effects |= StoreEffect(tracked);
                        if (use.StoreMember is { } member && use.Store is StoreKind.Instance or StoreKind.Static && !tracked.View)
                        {
                            stores.Add(new StoreSite(ordinal, SymbolNames.Qualified(member), use.Store == StoreKind.Static, removes: false, use.Node?.GetLocation()));
                        }

                        break;
                    case FlowStep.Neutral when use.Removes:
                        effects |= ValueEffects.Removed;
                        if (use.StoreMember is { } removed)
                        {
                            stores.Add(new StoreSite(ordinal, SymbolNames.Qualified(removed), use.Store == StoreKind.Static, removes: true, use.Node?.GetLocation()));
                        }

                        break;
                    case FlowStep.Unknown when !tracked.View:
                        // (A part of the value given to code we cannot follow, such as its pixel buffer copied by an
                        // unknown helper, does not make the value itself kept.)
                        effects |= ValueEffects.Unknown;
                        break;
                }
            }

            return effects;
        }

        private static ValueEffects StoreEffect(in TrackedUse tracked)
        {
            var use = tracked.Use;
            if (tracked.View)
            {
                // A part of the value is kept or returned: the value itself cannot be released safely either.
                return use.Store == StoreKind.Returned && !tracked.Nested ? ValueEffects.None : ValueEffects.StoredElsewhere;
            }

            switch (use.Store)
            {
                case StoreKind.Returned:
                    return tracked.Nested ? ValueEffects.StoredElsewhere : tracked.Wraps ? ValueEffects.StoredInResult : ValueEffects.Returned;
                case StoreKind.Instance:
                    return tracked.Nested ? ValueEffects.StoredElsewhere : ValueEffects.StoredInInstance;
                case StoreKind.Static:
                    return ValueEffects.StoredInStatic;
                case StoreKind.Completion:
                    return tracked.Nested ? ValueEffects.StoredElsewhere : ValueEffects.Completion;
                default:
                    return ValueEffects.StoredElsewhere;
            }
        }

        /// <summary>Where a returned value comes from, and which parameter when it is one.</summary>
        private static (ReturnKind Kind, int Parameter) Origin(IOperation value, IOperation? function, FlowContext context, int depth)
        {
            if (depth > MaxOriginDepth)
            {
                return (ReturnKind.Unknown, -1);
            }

            value = ValueFlow.Strip(value)!;
            if (value.ConstantValue is { HasValue: true, Value: null } || value is IDefaultValueOperation)
            {
                return (ReturnKind.Nothing, -1);
            }

            switch (value)
            {
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return (ReturnKind.Receiver, -1);
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter.RefKind == RefKind.None ? (ReturnKind.Parameter, parameter.Parameter.Ordinal) : (ReturnKind.Unknown, -1);
                case IObjectCreationOperation or IAnonymousObjectCreationOperation or IArrayCreationOperation or ITypeParameterObjectCreationOperation:
                    return (ReturnKind.New, -1);
                case IInvocationOperation invocation:
                    return FromCall(context.Summaries.ForCall(invocation, context), invocation.Instance, invocation.Arguments, invocation.TargetMethod, function, context, depth);
                case IPropertyReferenceOperation { Property.GetMethod: { } getter } property:
                    return ValueFlow.IsLibrary(getter)
                        ? (ReturnKind.Kept, -1)
                        : FromCall(context.Summaries.ForMethod(getter, context), property.Instance, property.Arguments, getter, function, context, depth);
                case IFieldReferenceOperation:
                    return (ReturnKind.Kept, -1);
                case ILocalReferenceOperation local:
                    return FromLocal(local, function, context, depth);
                case IAwaitOperation awaited:
                    return Origin(awaited.Operation, function, context, depth + 1);
                case IConditionalOperation conditional when conditional.WhenFalse is { } whenFalse:
                    return Combine(Origin(conditional.WhenTrue, function, context, depth + 1), Origin(whenFalse, function, context, depth + 1));
                case ICoalesceOperation coalesce:
                    return Combine(Origin(coalesce.Value, function, context, depth + 1), Origin(coalesce.WhenNull, function, context, depth + 1));
                case ISwitchExpressionOperation switchExpression:
                    var result = (ReturnKind.Nothing, -1);
                    foreach (var arm in switchExpression.Arms)
                    {
                        result = Combine(result, Origin(arm.Value, function, context, depth + 1));
                    }

                    return result;
                case ISimpleAssignmentOperation assignment:
                    return ValueFlow.Strip(assignment.Target) is ILocalReferenceOperation ? Origin(assignment.Value, function, context, depth + 1) : (ReturnKind.Kept, -1);
                case ICoalesceAssignmentOperation:
                    return (ReturnKind.Kept, -1);
                default:
                    return (ReturnKind.Unknown, -1);
            }
        }

        private static (ReturnKind Kind, int Parameter) FromCall(MethodSummary summary, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, IMethodSymbol method, IOperation? function, FlowContext context, int depth)
        {
            switch (summary.Returns)
            {
                case ReturnKind.New:
                case ReturnKind.Kept:
                case ReturnKind.Nothing:
                    return (summary.Returns, -1);
                case ReturnKind.Receiver when instance != null:
                    return Origin(instance, function, context, depth + 1);
                case ReturnKind.Parameter:
                    foreach (var argument in arguments)
                    {
                        if (argument.Parameter?.Ordinal == summary.ReturnedParameter)
                        {
                            return Origin(argument.Value, function, context, depth + 1);
                        }
                    }

                    return (ReturnKind.Unknown, -1);
                default:
                    return (ReturnKind.Unknown, -1);
            }
        }

        /// <summary>A local returned: new when every value it gets is new and it is handed over nowhere else (else the method keeps it).</summary>
        private static (ReturnKind Kind, int Parameter) FromLocal(ILocalReferenceOperation reference, IOperation? function, FlowContext context, int depth)
        {
            var index = BodyIndex.For(BodyIndex.RootOf(reference));
            var result = (ReturnKind.Nothing, -1);
            foreach (var value in index.ValuesOf(reference.Local))
            {
                result = Combine(result, Origin(value, function, context, depth + 1));
                if (result.Item1 == ReturnKind.Unknown)
                {
                    return result;
                }
            }

            if (result.Item1 != ReturnKind.New)
            {
                return result;
            }

            var uses = ValueTracker.Follow(index.ReferencesTo(reference.Local), function, context);
            if (uses is null)
            {
                return (ReturnKind.Unknown, -1);
            }

            foreach (var tracked in uses)
            {
                if (tracked.View)
                {
                    // What happens to a part of the new object (its handle filled by native code, its stream read) does
                    // not change who owns the object.
                    continue;
                }

                switch (tracked.Use.Step)
                {
                    case FlowStep.HandOver when tracked.Use.Store != StoreKind.Returned || tracked.Nested:
                        // A factory that keeps what it creates (registers it, caches it): the caller owns nothing.
                        return (ReturnKind.Kept, -1);
                    case FlowStep.Unknown:
                    case FlowStep.Release:
                    case FlowStep.Using:
                        return (ReturnKind.Unknown, -1);
                }
            }

            return result;
        }

        private static (ReturnKind Kind, int Parameter) Combine((ReturnKind Kind, int Parameter) a, (ReturnKind Kind, int Parameter) b)
        {
            if (a.Kind == ReturnKind.Nothing)
            {
                return b;
            }

            if (b.Kind == ReturnKind.Nothing)
            {
                return a;
            }

            return a.Kind == b.Kind && a.Parameter == b.Parameter ? a : (ReturnKind.Unknown, -1);
        }

        /// <summary>No condition (other than a null check), loop, switch or catch between the operation and the body it runs in.</summary>
        private static bool IsUnconditional(IOperation operation, IOperation? function)
        {
            var previous = operation;
            for (var p = operation.Parent; p != null && p != function; p = p.Parent)
            {
                switch (p)
                {
                    case IConditionalOperation conditional when conditional.Condition != previous && !IsNullCheck(conditional.Condition):
                    case ILoopOperation:
                    case ISwitchCaseOperation:
                    case ISwitchExpressionArmOperation:
                    case ICatchClauseOperation:
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr }:
                    case ICoalesceOperation:
                    case IAnonymousFunctionOperation:
                    case ILocalFunctionOperation:
                        return false;
                }

                previous = p;
            }

            return true;
        }

        private static bool IsNullCheck(IOperation condition)
        {
            condition = ValueFlow.Strip(condition)!;
            switch (condition)
            {
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                    return IsNull(binary.LeftOperand) || IsNull(binary.RightOperand);
                case IIsPatternOperation { Pattern: IConstantPatternOperation or INegatedPatternOperation { Pattern: IConstantPatternOperation } or ITypePatternOperation or IRecursivePatternOperation or IDeclarationPatternOperation }:
                    return true;
                default:
                    return false;
            }
        }

        private static bool IsNull(IOperation operation)
            => ValueFlow.Strip(operation) is { ConstantValue: { HasValue: true, Value: null } } or IDefaultValueOperation;

        private static bool IsInside(IOperation operation, IOperation container)
        {
            for (var p = operation.Parent; p != null; p = p.Parent)
            {
                if (p == container)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
