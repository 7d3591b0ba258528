using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers
{
    /// <summary>
    /// For a map whose values are mutable collections (<c>Dictionary&lt;K, List&lt;V&gt;&gt;</c>), what one reference to the map
    /// does to the per-key collections it reaches: <c>map[k].Add(v)</c> and <c>map.GetOrAdd(k, ..).Add(v)</c> grow one, the list a
    /// <c>TryGetValue</c> hands out is followed through its local, <c>map[k].Remove(v)</c> shrinks one. A value that goes
    /// anywhere else (returned, passed on, enumerated through <c>Values</c>, put in from a local) makes their size unknown
    /// (<see cref="CollectionUsage.InnerUnknown"/>): the rule then says nothing about them.
    /// </summary>
    internal readonly struct PerKeyValues
    {
        private const int MaxDepth = 3;

        private readonly CollectionUsage _usage;
        private readonly ISymbol? _container;
        private readonly bool _inInitializer;
        private readonly KnownTypes _known;

        public PerKeyValues(CollectionUsage usage, ISymbol? container, bool inInitializer, KnownTypes known)
        {
            _usage = usage;
            _container = container;
            _inInitializer = inInitializer;
            _known = known;
        }

        /// <summary>Records what the reference to the map (or to a local alias of it) does to its values.</summary>
        public void Record(IOperation reference)
        {
            var current = Unwrap(reference);
            switch (current.Parent)
            {
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == current:
                    if (indexer.Parent is ISimpleAssignmentOperation set && set.Target == indexer)
                    {
                        // map[k] = new List<V>(): a fresh value; the assignment's result is that value (list = map[k] = new()).
                        PutIn(set.Value);
                        Element(set, 0);
                    }
                    else if (indexer.Parent is ICoalesceAssignmentOperation coalesce && coalesce.Target == indexer)
                    {
                        PutIn(coalesce.Value);
                        Element(coalesce, 0);
                    }
                    else
                    {
                        Element(indexer, 0);
                    }

                    return;
                case IPropertyReferenceOperation { Property.Name: "Count" or "Keys" or "IsEmpty" or "Comparer" } property when property.Instance == current:
                case ILockOperation:
                case INameOfOperation:
                    return;
                case IInvocationOperation call when call.Instance == current:
                    Call(call);
                    return;
                default:
                    // Enumerated, passed on, Values, LINQ...: the values are reached where we do not follow them.
                    _usage.InnerUnknown = true;
                    return;
            }
        }

        private void Call(IInvocationOperation call)
        {
            switch (call.TargetMethod.Name)
            {
                case "GetOrAdd":
                    if (call.Arguments.Length > 1)
                    {
                        PutIn(call.Arguments[1].Value);
                    }

                    Element(call, 0);
                    return;
                case "GetValueOrDefault":
                    Element(call, 0);
                    return;
                case "TryGetValue":
                    foreach (var argument in call.Arguments)
                    {
                        if (argument.Parameter is { RefKind: RefKind.Out })
                        {
                            OutLocal(argument.Value);
                        }
                    }

                    return;
                case "Add":
                case "TryAdd":
                    if (call.Arguments.Length > 1)
                    {
                        PutIn(call.Arguments[1].Value);
                    }

                    return;
                case "ContainsKey":
                case "Clear":
                    return;
                default:
                    // Remove(k) drops the value with its key (a shrink of the map, recorded as such); anything else
                    // (AddOrUpdate's update delegate, ToArray, Values...) hands values out.
                    if (CollectionMutation.GetCallKind(call.TargetMethod.Name) != MemberUseKind.Shrink)
                    {
                        _usage.InnerUnknown = true;
                    }

                    return;
            }
        }

        /// <summary>A value put into the map: a fresh collection (or a factory that makes one) is only reached through the map.</summary>
        private void PutIn(IOperation value)
        {
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (value is not (IObjectCreationOperation or IArrayCreationOperation or IDelegateCreationOperation or IAnonymousFunctionOperation
                or IDefaultValueOperation or ILiteralOperation)
                && value.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.CollectionExpressionSyntax)
            {
                // A list made elsewhere (a local, a parameter): what else holds it is not followed.
                _usage.InnerUnknown = true;
            }
        }

        /// <summary><c>map.TryGetValue(k, out var list)</c>: the local is a value of the map.</summary>
        private void OutLocal(IOperation argument)
        {
            var local = argument switch
            {
                IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared } => declared.Local,
                ILocalReferenceOperation reference => reference.Local,
                IDiscardOperation => null,
                _ => null,
            };

            if (local is null)
            {
                if (argument is not IDiscardOperation)
                {
                    _usage.InnerUnknown = true;
                }

                return;
            }

            ElementLocal(argument, local, 0);
        }

        /// <summary>What is done with a value of the map, reached by <paramref name="element"/>.</summary>
        private void Element(IOperation element, int depth)
        {
            var current = Unwrap(element);
            switch (current.Parent)
            {
                case IInvocationOperation call when call.Instance == current:
                    switch (CollectionMutation.GetCallKind(call.TargetMethod.Name))
                    {
                        case MemberUseKind.Growth:
                            _usage.InnerGrowth.Add(new GrowthSite(call.Syntax.GetLocation(), _container, _inInitializer, null, null, false));
                            break;
                        case MemberUseKind.Shrink:
                            _usage.InnerShrinks = true;
                            break;
                    }

                    return;
                case IPropertyReferenceOperation { Property.IsIndexer: false } property when property.Instance == current:
                    return;
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == current:
                    if (indexer.Parent is IAssignmentOperation assignment && assignment.Target == indexer && _usage.ValueKind.IsKeyed())
                    {
                        _usage.InnerGrowth.Add(new GrowthSite(assignment.Syntax.GetLocation(), _container, _inInitializer, null, null, false));
                    }

                    return;
                case IConditionalAccessOperation conditional when conditional.Operation == current:
                    foreach (var descendant in conditional.WhenNotNull.DescendantsAndSelf())
                    {
                        if (descendant is IConditionalAccessInstanceOperation instance)
                        {
                            Element(instance, depth);
                            return;
                        }
                    }

                    _usage.InnerUnknown = true;
                    return;
                case IForEachLoopOperation:
                case ILockOperation:
                case IExpressionStatementOperation:
                case IBinaryOperation:
                case IIsPatternOperation:
                case IIsTypeOperation:
                    return;
                case IArgumentOperation argument when argument.Parameter is { RefKind: RefKind.None } parameter && _known.IsReadOnlyView(parameter.Type):
                    return;
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol: { RefKind: RefKind.None } local } } when depth < MaxDepth:
                    ElementLocal(current, local, depth + 1);
                    return;
                case ISimpleAssignmentOperation outer when outer.Value == current && outer.Target is ILocalReferenceOperation target && depth < MaxDepth:
                    // list = map[k] = new List<V>(): the local holds the value just put in.
                    ElementLocal(current, target.Local, depth + 1);
                    return;
                default:
                    _usage.InnerUnknown = true;
                    return;
            }
        }

        /// <summary>
        /// A local that holds a value of the map: its reads are uses of that value; it may only be written with a value of
        /// the map (<c>list = map[k] = new()</c>, <c>out list</c> of the map's TryGetValue).
        /// </summary>
        private void ElementLocal(IOperation from, ILocalSymbol local, int depth)
        {
            var root = LocalAliases.Root(from);
            var visited = 0;
            foreach (var operation in root.DescendantsAndSelf())
            {
                if (++visited > 20000)
                {
                    _usage.InnerUnknown = true;
                    return;
                }

                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    continue;
                }

                if (!LocalAliases.IsWritten(reference))
                {
                    Element(reference, depth);
                    continue;
                }

                if (!IsWrittenWithAValueOfTheMap(reference))
                {
                    _usage.InnerUnknown = true;
                    return;
                }
            }
        }

        private bool IsWrittenWithAValueOfTheMap(ILocalReferenceOperation reference)
        {
            IOperation current = reference;
            while (current.Parent is IDeclarationExpressionOperation or IParenthesizedOperation)
            {
                current = current.Parent;
            }

            switch (current.Parent)
            {
                case IArgumentOperation { Parameter.RefKind: RefKind.Out, Parent: IInvocationOperation { TargetMethod.Name: "TryGetValue", Instance: { } instance } }:
                    return RefersToTheMap(instance);
                case ISimpleAssignmentOperation assignment when assignment.Target == current:
                    var value = Strip(assignment.Value);
                    return value is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } mapInstance } } && RefersToTheMap(mapInstance);
                default:
                    return false;
            }
        }

        /// <summary>The map member itself, or a local alias of it (a local the map's uses were followed through).</summary>
        private bool RefersToTheMap(IOperation instance)
        {
            instance = Strip(instance);
            if (CollectionMutation.ReferencesMember(instance, _usage.Member))
            {
                return true;
            }

            return instance is ILocalReferenceOperation local && LocalAliases.DeclaredValue(local) is { } declared && CollectionMutation.ReferencesMember(declared, _usage.Member);
        }

        /// <summary>The operation under its conversions and parentheses.</summary>
        private static IOperation Strip(IOperation operation)
        {
            while (operation is IConversionOperation or IParenthesizedOperation)
            {
                operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
            }

            return operation;
        }

        /// <summary>The outermost conversion or parenthesis around the operation (the node its parent uses).</summary>
        private static IOperation Unwrap(IOperation operation)
        {
            var current = operation;
            while (current.Parent is IConversionOperation or IParenthesizedOperation)
            {
                current = current.Parent;
            }

            return current;
        }
    }
}
