using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Summaries
{
    /// <summary>
    /// One walk of a method body's operations, shared by every rule and summary that asks about it: the references to each
    /// local and parameter, the explicit uses of <c>this</c>, the returns, the values assigned to locals. Cached per root
    /// operation (the operation trees of one semantic model are shared), so N acquisitions in a body cost one walk, not N.
    /// </summary>
    internal sealed class BodyIndex
    {
        /// <summary>Upper bound on the operations indexed per body; larger bodies are not analysed ("don't know").</summary>
        public const int MaxOperations = 20000;

        private static readonly ConditionalWeakTable<IOperation, BodyIndex> Cache = new ConditionalWeakTable<IOperation, BodyIndex>();
        private static readonly List<IOperation> Empty = new List<IOperation>();

        private readonly Dictionary<ISymbol, List<IOperation>> _references = new Dictionary<ISymbol, List<IOperation>>(SymbolEqualityComparer.Default);
        private readonly Dictionary<ILocalSymbol, List<IOperation>> _localValues = new Dictionary<ILocalSymbol, List<IOperation>>(SymbolEqualityComparer.Default);

        private BodyIndex(IOperation root)
        {
            Root = root;
            var count = 0;
            foreach (var operation in root.DescendantsAndSelf())
            {
                if (++count > MaxOperations)
                {
                    TooLarge = true;
                    return;
                }

                switch (operation)
                {
                    case ILocalReferenceOperation local:
                        Add(_references, local.Local, operation);
                        break;
                    case IParameterReferenceOperation parameter:
                        Add(_references, parameter.Parameter, operation);
                        break;
                    case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                        InstanceReferences.Add(operation);
                        break;
                    case IReturnOperation { Kind: OperationKind.Return } ret when ret.ReturnedValue != null:
                        Returns.Add(ret);
                        break;
                    case IReturnOperation { Kind: OperationKind.YieldReturn }:
                        IsIterator = true;
                        break;
                    case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                        AddValue(declarator.Symbol, initializer.Value);
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment:
                        AddValue(target.Local, assignment.Value);
                        break;
                    case ILocalFunctionOperation function:
                        LocalFunctions.Add(function);
                        break;
                }
            }
        }

        public IOperation Root { get; }

        public bool TooLarge { get; }

        public bool IsIterator { get; }

        public List<IOperation> InstanceReferences { get; } = new List<IOperation>();

        public List<IReturnOperation> Returns { get; } = new List<IReturnOperation>();

        public List<ILocalFunctionOperation> LocalFunctions { get; } = new List<ILocalFunctionOperation>();

        public static BodyIndex For(IOperation root) => Cache.GetValue(root, r => new BodyIndex(r));

        /// <summary>The references to a local or parameter in the body.</summary>
        public List<IOperation> ReferencesTo(ISymbol symbol) => _references.TryGetValue(symbol, out var list) ? list : Empty;

        /// <summary>The values assigned to a local (its initializer and every simple assignment).</summary>
        public List<IOperation> ValuesOf(ILocalSymbol local) => _localValues.TryGetValue(local, out var list) ? list : Empty;

        public ILocalFunctionOperation? LocalFunction(IMethodSymbol method)
        {
            foreach (var function in LocalFunctions)
            {
                if (SymbolEqualityComparer.Default.Equals(function.Symbol, method.OriginalDefinition))
                {
                    return function;
                }
            }

            return null;
        }

        /// <summary>The lambda or local function the operation runs in, or null for the method body itself.</summary>
        public static IOperation? EnclosingFunction(IOperation operation)
        {
            for (var p = operation.Parent; p != null; p = p.Parent)
            {
                if (p is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return p;
                }
            }

            return null;
        }

        public static IOperation RootOf(IOperation operation)
        {
            var root = operation;
            for (var i = 0; i < 4096 && root.Parent != null; i++)
            {
                root = root.Parent;
            }

            return root;
        }

        private static void Add<TKey>(Dictionary<TKey, List<IOperation>> map, TKey key, IOperation operation)
            where TKey : ISymbol
        {
            if (!map.TryGetValue(key, out var list))
            {
                list = new List<IOperation>();
                map[key] = list;
            }

            list.Add(operation);
        }

        private void AddValue(ILocalSymbol local, IOperation value)
        {
            if (!_localValues.TryGetValue(local, out var list))
            {
                list = new List<IOperation>();
                _localValues[local] = list;
            }

            list.Add(value);
        }
    }
}
