using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// Pools, recognised from their members rather than from a list: a type (not a collection) with an instance method that
    /// hands out an object (<c>Rent</c>, <c>Get</c>, <c>Take</c>, <c>Acquire</c>...) and one that takes the same type back
    /// (<c>Return</c>, <c>Release</c>, <c>Recycle</c>, <c>Put</c>...). <c>ArrayPool&lt;T&gt;</c> and <c>ObjectPool&lt;T&gt;</c>
    /// have that shape; so do most hand-written pools.
    /// </summary>
    internal static class Pools
    {
        private static readonly ConditionalWeakTable<ITypeSymbol, StrongBox<bool>> Cache = new ConditionalWeakTable<ITypeSymbol, StrongBox<bool>>();

        /// <summary>A call that takes an object out of a pool.</summary>
        public static bool IsTake(IMethodSymbol method)
            => !method.IsStatic && !method.ReturnsVoid && IsTakeName(method.Name) && IsPool(method.ContainingType);

        /// <summary>A call that gives an object back to a pool (its first argument).</summary>
        public static bool IsGiveBack(IMethodSymbol method)
            => !method.IsStatic && method.Parameters.Length >= 1 && IsGiveBackName(method.Name) && IsPool(method.ContainingType);

        public static bool IsPool(INamedTypeSymbol? type)
        {
            if (type is null || type.TypeKind is not (TypeKind.Class or TypeKind.Interface or TypeKind.Struct))
            {
                return false;
            }

            return Cache.GetValue(type.OriginalDefinition, t => new StrongBox<bool>(Compute((INamedTypeSymbol)t))).Value;
        }

        private static bool Compute(INamedTypeSymbol type)
        {
            if (IsCollection(type))
            {
                return false;
            }

            for (var t = type; t != null; t = t.BaseType)
            {
                if (t.Name is "ArrayPool" or "ObjectPool" && t.ContainingNamespace?.ToDisplayString() is "System.Buffers" or "Microsoft.Extensions.ObjectPool")
                {
                    return true;
                }
            }

            // A take method whose result type a give-back method accepts.
            foreach (var member in AllMethods(type))
            {
                if (member.IsStatic || member.ReturnsVoid || !IsTakeName(member.Name) || member.ReturnType.SpecialType != SpecialType.None
                    || member.ReturnType.IsValueType && member.ReturnType.TypeKind != TypeKind.TypeParameter)
                {
                    continue;
                }

                foreach (var other in AllMethods(type))
                {
                    if (!other.IsStatic && other.Parameters.Length >= 1 && IsGiveBackName(other.Name)
                        && SymbolEqualityComparer.Default.Equals(other.Parameters[0].Type, member.ReturnType))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static System.Collections.Generic.IEnumerable<IMethodSymbol> AllMethods(INamedTypeSymbol type)
        {
            for (var t = type; t != null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (var member in t.GetMembers())
                {
                    if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                    {
                        yield return method;
                    }
                }
            }

            if (type.TypeKind == TypeKind.Interface)
            {
                foreach (var i in type.AllInterfaces)
                {
                    foreach (var member in i.GetMembers())
                    {
                        if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                        {
                            yield return method;
                        }
                    }
                }
            }
        }

        private static bool IsCollection(INamedTypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_Collections_IEnumerable)
            {
                return true;
            }

            foreach (var i in type.AllInterfaces)
            {
                if (i.SpecialType is SpecialType.System_Collections_IEnumerable or SpecialType.System_Collections_Generic_IEnumerable_T)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsTakeName(string name) => name is "Rent" or "Get" or "Take" or "Acquire" or "Obtain" or "Borrow" or "Allocate" or "Lease";

        private static bool IsGiveBackName(string name) => name is "Return" or "Release" or "Recycle" or "Put" or "GiveBack" or "Free";
    }
}
