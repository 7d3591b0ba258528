using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Retention
{
    /// <summary>
    /// The replacement shape shared by LEAK003 and LEAK004: a subscription to a value the object is handed (a parameter, a
    /// property's new value) that is ended only where the next one replaces it — <c>old.E -= H; new.E += H;</c>, or
    /// <c>_sub?.Dispose(); _sub = value.Subscribe(..);</c> — and nowhere when the subscriber goes away. The last value
    /// handed in keeps the subscriber. Decided from the operation trees: which value a method is handed, whether an end is
    /// followed in its method by a new start, whether the subscriber makes such values itself.
    /// </summary>
    internal static class Replacement
    {
        /// <summary>Operations looked at per method body when searching for the next start.</summary>
        private const int MaxOperations = 20_000;

        /// <summary>Calls of the type's own methods followed from the end (<c>Unsubscribe(); Subscribe(owner);</c>).</summary>
        private const int MaxCallDepth = 2;

        /// <summary>
        /// A parameter of <paramref name="method"/>, or a local made from one or from a member of one, through casts and type
        /// patterns (<c>var newCommand = e.NewValue as ICommand</c>, <c>e.NewValue is Layout newLayout</c>): a value the
        /// method is handed. A local made by a call (<c>e.NameScope.Find&lt;T&gt;(..)</c>: often the object's own template
        /// part) is not one. Null otherwise.
        /// </summary>
        public static ISymbol? HandedVariable(IOperation value, IMethodSymbol method)
        {
            switch (DelegateCaptures.Unwrap(value))
            {
                case IParameterReferenceOperation parameter when SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method):
                    return parameter.Parameter;
                case ILocalReferenceOperation local when LocalAliases.DeclaredValue(local) is { } declared && HandedParameter(declared, method):
                    return local.Local;
                default:
                    return null;
            }
        }

        /// <summary>The parameter itself or a member chain over it (<c>e.NewValue</c>), through conversions.</summary>
        private static bool HandedParameter(IOperation value, IMethodSymbol method)
        {
            var current = DelegateCaptures.Unwrap(value);
            for (var depth = 0; current != null && depth < 8; depth++)
            {
                switch (current)
                {
                    case IParameterReferenceOperation parameter:
                        return SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method);
                    case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol, Instance: { } instance }:
                        current = DelegateCaptures.Unwrap(instance);
                        break;
                    default:
                        return false;
                }
            }

            return false;
        }

        /// <summary>
        /// The end (a <c>-=</c>, a <c>Dispose()</c>) is followed, later in its method, by a new start
        /// (<paramref name="isStart"/>): directly, or in a method of this object that the method then calls
        /// (<c>_subscription?.Dispose(); .. SubscribeToOwner(owner);</c>), two calls deep. Such an end only makes room for
        /// the next subscription; it does not end the last one.
        /// </summary>
        public static bool IsFollowedByRestart(IOperation end, Func<IOperation, bool> isStart, Compilation compilation, CancellationToken cancellationToken)
        {
            var root = DelegateCaptures.Root(end);
            var tree = end.Syntax.SyntaxTree;
            var after = end.Syntax.Span.End;
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            var budget = MaxOperations;
            foreach (var operation in root.Descendants())
            {
                if (--budget < 0)
                {
                    return false;
                }

                if (operation.Syntax.SyntaxTree != tree || operation.Syntax.SpanStart < after)
                {
                    continue;
                }

                if (isStart(operation) || operation is IInvocationOperation call && StartsInCallee(call, isStart, compilation, visited, 1, cancellationToken))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool StartsInCallee(IInvocationOperation call, Func<IOperation, bool> isStart, Compilation compilation, HashSet<IMethodSymbol> visited, int depth, CancellationToken cancellationToken)
        {
            var method = call.TargetMethod.OriginalDefinition;
            if (depth > MaxCallDepth || method.IsStatic || method.MethodKind != MethodKind.Ordinary
                || DelegateCaptures.Unwrap(call.Instance) is not IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }
                || !visited.Add(method))
            {
                return false;
            }

            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                if (!compilation.ContainsSyntaxTree(reference.SyntaxTree))
                {
                    continue;
                }

#pragma warning disable RS1030 // Only the methods an end calls, for a subscription about to be reported.
                var model = compilation.GetSemanticModel(reference.SyntaxTree);
#pragma warning restore RS1030
                if (model.GetOperation(reference.GetSyntax(cancellationToken), cancellationToken) is not { } body)
                {
                    continue;
                }

                var budget = MaxOperations;
                foreach (var operation in body.DescendantsAndSelf())
                {
                    if (--budget < 0)
                    {
                        return false;
                    }

                    if (isStart(operation) || operation is IInvocationOperation inner && StartsInCallee(inner, isStart, compilation, visited, depth + 1, cancellationToken))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>
        /// The subscriber makes such a value itself, per instance (in a constructor or a property accessor:
        /// <c>PrimaryCommands = new ObservableCollection&lt;T&gt;()</c>): by default the value is its own and dies with it.
        /// A default shared by every instance (a static field's or a property registration's) does not count.
        /// </summary>
        public static bool CreatesItsOwn(INamedTypeSymbol subscriber, ITypeSymbol valueType, Compilation compilation, CancellationToken cancellationToken)
        {
            var budget = 20_000;
            foreach (var member in subscriber.GetMembers())
            {
                var bodies = member switch
                {
                    IMethodSymbol { MethodKind: MethodKind.Constructor, IsStatic: false } constructor => constructor.DeclaringSyntaxReferences,
                    IPropertySymbol { IsStatic: false } property => property.DeclaringSyntaxReferences,
                    _ => ImmutableArray<SyntaxReference>.Empty,
                };
                foreach (var reference in bodies)
                {
                    var declaration = reference.GetSyntax(cancellationToken);
#pragma warning disable RS1030 // Only for a subscription about to be reported.
                    var model = compilation.GetSemanticModel(reference.SyntaxTree);
#pragma warning restore RS1030
                    foreach (var node in declaration.DescendantNodes())
                    {
                        if (--budget < 0)
                        {
                            return false;
                        }

                        if (node is BaseObjectCreationExpressionSyntax
                            && model.GetOperation(node, cancellationToken) is IObjectCreationOperation { Type: { } created }
                            && compilation.ClassifyCommonConversion(created, valueType) is { IsImplicit: true } or { IsIdentity: true })
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }
    }
}
