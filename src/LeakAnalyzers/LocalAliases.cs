using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers
{
    /// <summary>
    /// A local that only ever holds what its declaration put in it (<c>var pools = PoolManager.Pools;</c>, never assigned
    /// again, never passed by reference): its uses are uses of that value. Read from the body the operation belongs to.
    /// </summary>
    internal static class LocalAliases
    {
        /// <summary>How many operations of one body are looked at for the uses of a local.</summary>
        private const int MaxOperations = 20000;

        /// <summary>
        /// When <paramref name="value"/> (seen through conversions) is the initializer of a local declaration and that local is
        /// never written again: the references to the local in its body. Null otherwise (or when the body is too large).
        /// </summary>
        public static List<ILocalReferenceOperation>? UsesOfLocalInitializedWith(IOperation value)
        {
            var current = value;
            while (current.Parent is IConversionOperation or IParenthesizedOperation)
            {
                current = current.Parent;
            }

            if (current.Parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol: { RefKind: RefKind.None } local } })
            {
                return null;
            }

            return UsesIfNeverWritten(Root(current), local);
        }

        /// <summary>
        /// The value a local was declared with (seen through conversions) — its initializer, or what a type pattern
        /// (<c>x is T t</c>) tested — when the local is never written again in its body; null otherwise.
        /// </summary>
        public static IOperation? DeclaredValue(ILocalReferenceOperation reference)
        {
            if (reference.Local.RefKind != RefKind.None)
            {
                return null;
            }

            var root = Root(reference);
            IOperation? value = null;
            var visited = 0;
            foreach (var operation in root.DescendantsAndSelf())
            {
                if (++visited > MaxOperations)
                {
                    return null;
                }

                if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, reference.Local))
                {
                    value = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                    break;
                }

                // x is T t: t is x (through the type test) wherever it is in scope.
                if (operation is IDeclarationPatternOperation pattern && SymbolEqualityComparer.Default.Equals(pattern.DeclaredSymbol, reference.Local))
                {
                    value = (pattern.Parent as IIsPatternOperation)?.Value;
                    break;
                }
            }

            if (value is null || UsesIfNeverWritten(root, reference.Local) is null)
            {
                return null;
            }

            while (value is IConversionOperation or IParenthesizedOperation)
            {
                value = value is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)value).Operand;
            }

            return value;
        }

        /// <summary>The references to the local in <paramref name="root"/>; null when one of them writes it or takes its address.</summary>
        public static List<ILocalReferenceOperation>? UsesIfNeverWritten(IOperation root, ILocalSymbol local)
        {
            var uses = new List<ILocalReferenceOperation>();
            var visited = 0;
            foreach (var operation in root.DescendantsAndSelf())
            {
                if (++visited > MaxOperations)
                {
                    return null;
                }

                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    continue;
                }

                if (IsWritten(reference))
                {
                    return null;
                }

                uses.Add(reference);
            }

            return uses;
        }

        /// <summary>The reference is assigned to, passed by ref or out, or part of a deconstruction's targets.</summary>
        public static bool IsWritten(IOperation reference)
        {
            if (reference is ILocalReferenceOperation { IsDeclaration: true })
            {
                return true;
            }

            var current = reference;
            while (current.Parent is IParenthesizedOperation)
            {
                current = current.Parent;
            }

            return current.Parent switch
            {
                IAssignmentOperation assignment => assignment.Target == current,
                ITupleOperation => true,
                IArgumentOperation argument => argument.Parameter is null || argument.Parameter.RefKind is RefKind.Ref or RefKind.Out,
                IAddressOfOperation => true,
                IIncrementOrDecrementOperation => true,
                IDeclarationExpressionOperation => true,
                _ => false,
            };
        }

        /// <summary>The outermost operation of the body (or initializer) the operation belongs to.</summary>
        public static IOperation Root(IOperation operation)
        {
            var root = operation;
            while (root.Parent is not null)
            {
                root = root.Parent;
            }

            return root;
        }
    }
}
