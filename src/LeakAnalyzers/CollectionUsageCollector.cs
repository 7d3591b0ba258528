using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers
{
    /// <summary>
    /// Collects, for one top-level type (and its nested types), every use of its collection members through the
    /// operation tree, plus the uses other types make of its non-private members, and summarises them as
    /// <see cref="CollectionUsage"/>. Shared by the collection rules; each rule decides which members are candidates.
    /// </summary>
    internal sealed class CollectionUsageCollector
    {
        private readonly KnownTypes _known;
        private readonly INamedTypeSymbol _type;
        private readonly Dictionary<ISymbol, CollectionUsage> _usages;
        private readonly Dictionary<ISymbol, ISymbol> _forwardingProperties;
        private readonly Dictionary<IMethodSymbol, List<(ISymbol? Caller, bool InLambda, ulong ConstantArguments)>> _calls = new Dictionary<IMethodSymbol, List<(ISymbol?, bool, ulong)>>(SymbolEqualityComparer.Default);
        private readonly HashSet<IMethodSymbol> _usedAsDelegate = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        private readonly object _gate = new object();

        private CollectionUsageCollector(KnownTypes known, INamedTypeSymbol type, Dictionary<ISymbol, CollectionUsage> usages, Dictionary<ISymbol, ISymbol> forwardingProperties)
        {
            _known = known;
            _type = type;
            _usages = usages;
            _forwardingProperties = forwardingProperties;
        }

        /// <summary>
        /// Registers the operation actions that feed the collector, when the type declares a candidate; returns null otherwise.
        /// </summary>
        public static CollectionUsageCollector? Register(SymbolStartAnalysisContext context, KnownTypes known, System.Func<ISymbol, CollectionKind, bool> isCandidate)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            var usages = new Dictionary<ISymbol, CollectionUsage>(SymbolEqualityComparer.Default);
            var forwarding = new Dictionary<ISymbol, ISymbol>(SymbolEqualityComparer.Default);
            AddCandidates(type, known, isCandidate, usages, forwarding, context.CancellationToken);
            if (usages.Count == 0)
            {
                return null;
            }

            var collector = new CollectionUsageCollector(known, type, usages, forwarding);
            context.RegisterOperationAction(collector.OnMemberReference, OperationKind.FieldReference, OperationKind.PropertyReference);
            context.RegisterOperationAction(collector.OnInvocation, OperationKind.Invocation);
            context.RegisterOperationAction(collector.OnMethodReference, OperationKind.MethodReference);
            return collector;
        }

        private static void AddCandidates(INamedTypeSymbol type, KnownTypes known, System.Func<ISymbol, CollectionKind, bool> isCandidate,
            Dictionary<ISymbol, CollectionUsage> usages, Dictionary<ISymbol, ISymbol> forwarding, CancellationToken cancellationToken)
        {
            foreach (var member in type.GetMembers())
            {
                switch (member)
                {
                    case INamedTypeSymbol nested:
                        AddCandidates(nested, known, isCandidate, usages, forwarding, cancellationToken);
                        break;
                    case IFieldSymbol { IsConst: false } field when field.AssociatedSymbol is null || field.AssociatedSymbol is IPropertySymbol:
                        var kind = known.GetCollectionKind(field.Type);
                        if (kind != CollectionKind.None && isCandidate(field.AssociatedSymbol ?? field, kind))
                        {
                            var owner = field.AssociatedSymbol ?? field;
                            usages[owner] = new CollectionUsage(owner, kind);
                        }

                        break;
                }
            }

            // Properties that only hand out a candidate field (=> _items) are followed as if they were the field.
            foreach (var member in type.GetMembers())
            {
                // A public property that hands out the mutable collection lets other assemblies change it: not followed, an escape.
                if (member is IPropertySymbol { IsIndexer: false, SetMethod: null } property && !usages.ContainsKey(property)
                    && (!IsVisibleOutsideAssembly(property) || known.IsReadOnlyView(property.Type))
                    && GetForwardedField(property, cancellationToken) is { } fieldName)
                {
                    foreach (var candidate in type.GetMembers(fieldName))
                    {
                        if (candidate is IFieldSymbol field && usages.ContainsKey(field)
                            && SymbolEqualityComparer.Default.Equals(field.Type, property.Type) && field.IsStatic == property.IsStatic)
                        {
                            forwarding[property] = field;
                        }
                    }
                }
            }
        }

        private static bool IsVisibleOutsideAssembly(ISymbol symbol)
        {
            for (var current = symbol; current != null && current.Kind != SymbolKind.Namespace; current = current.ContainingSymbol)
            {
                if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
                {
                    return false;
                }
            }

            return true;
        }

        private static string? GetForwardedField(IPropertySymbol property, CancellationToken cancellationToken)
        {
            if (property.DeclaringSyntaxReferences.Length != 1 || property.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not PropertyDeclarationSyntax declaration)
            {
                return null;
            }

            ExpressionSyntax? returned = declaration.ExpressionBody?.Expression;
            if (returned is null && declaration.AccessorList is { Accessors: { Count: 1 } accessors })
            {
                var getter = accessors[0];
                returned = getter.ExpressionBody?.Expression
                    ?? (getter.Body is { Statements: { Count: 1 } statements } && statements[0] is ReturnStatementSyntax ret ? ret.Expression : null);
            }

            return returned switch
            {
                IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax or IdentifierNameSyntax, Name: IdentifierNameSyntax name } => name.Identifier.ValueText,
                _ => null,
            };
        }

        private void OnMemberReference(OperationAnalysisContext context)
        {
            var symbol = context.Operation switch
            {
                IFieldReferenceOperation field => (ISymbol)field.Field.OriginalDefinition,
                IPropertyReferenceOperation property => property.Property.OriginalDefinition,
                _ => null,
            };

            if (symbol is null)
            {
                return;
            }

            lock (_gate)
            {
                Record(symbol, context.Operation, context.ContainingSymbol);
            }
        }

        private void Record(ISymbol symbol, IOperation reference, ISymbol? container)
        {
            if (_forwardingProperties.TryGetValue(symbol, out var forwardedField))
            {
                symbol = forwardedField;
            }
            else if (container is IMethodSymbol { AssociatedSymbol: { } accessorOf } && _forwardingProperties.TryGetValue(accessorOf, out var field)
                && SymbolEqualityComparer.Default.Equals(field, symbol))
            {
                // The getter of a forwarding property: its uses are followed instead.
                return;
            }

            if (!_usages.TryGetValue(symbol, out var usage))
            {
                return;
            }

            var use = CollectionMutation.Classify(reference, usage.Member, usage.Kind, _known);
            usage.WeakTableCompatible &= IsWeakTableCompatible(reference);
            usage.MemoryCacheCompatible &= IsMemoryCacheCompatible(reference);
            var inLambda = IsInLambda(use.Operation);
            var inInitializer = !inLambda && IsInitializerOf(container, usage.Member);
            switch (use.Kind)
            {
                case MemberUseKind.Growth:
                    var key = use.Key;
                    while (key is IConversionOperation conversion)
                    {
                        key = conversion.Operand;
                    }

                    usage.Growth.Add(new GrowthSite(use.Operation.Syntax.GetLocation(), container, inInitializer, KeyText(use.Key), key?.Type, use.IsCacheShaped)
                    {
                        KeyIsConstant = key is not null && key.ConstantValue.HasValue,
                        KeyParameter = !inLambda && key is IParameterReferenceOperation parameter
                            && SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, container) ? parameter.Parameter : null,
                    });
                    break;
                case MemberUseKind.Shrink:
                    usage.Shrinks = true;
                    break;
                case MemberUseKind.Replace:
                    usage.Replaced |= !inInitializer;
                    break;
                case MemberUseKind.Escape:
                    usage.Escapes = true;
                    break;
                case MemberUseKind.Lookup when KeyText(use.Key) is { } keyText:
                    usage.AddLookup(container, keyText);
                    break;
            }
        }

        private void OnInvocation(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var target = invocation.TargetMethod.OriginalDefinition;
            if (target.MethodKind != MethodKind.Ordinary || !IsDeclaredInType(target))
            {
                return;
            }

            var inLambda = IsInLambda(invocation);
            var constants = ConstantArguments(invocation);
            lock (_gate)
            {
                if (!_calls.TryGetValue(target, out var callers))
                {
                    _calls[target] = callers = new List<(ISymbol?, bool, ulong)>();
                }

                callers.Add((context.ContainingSymbol, inLambda, constants));
            }
        }

        private void OnMethodReference(OperationAnalysisContext context)
        {
            var target = ((IMethodReferenceOperation)context.Operation).Method.OriginalDefinition;
            if (IsDeclaredInType(target))
            {
                lock (_gate)
                {
                    _usedAsDelegate.Add(target);
                }
            }
        }

        private bool IsDeclaredInType(ISymbol symbol)
        {
            for (var type = symbol.ContainingType; type != null; type = type.ContainingType)
            {
                if (SymbolEqualityComparer.Default.Equals(type, _type))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Called from SymbolEnd: adds the uses other types make of non-private members, resolves cache shapes and returns
        /// the usages together with the private helpers that only start-up code calls.
        /// </summary>
        public (ImmutableArray<CollectionUsage> Usages, ISet<ISymbol> InitOnlyMethods) Complete(ExternalReferenceFinder finder, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                foreach (var usage in new List<CollectionUsage>(_usages.Values))
                {
                    if (usage.Escapes)
                    {
                        continue;
                    }

                    // Private members are visible to nested types only; the operation actions of this type do not see those.
                    if (usage.Member.DeclaredAccessibility != Accessibility.Private || HasNestedTypes(_type))
                    {
                        foreach (var (reference, container) in finder.Find(usage.Member, _type, cancellationToken))
                        {
                            Record(usage.Member, reference, container);
                        }
                    }

                    foreach (var pair in _forwardingProperties)
                    {
                        if (SymbolEqualityComparer.Default.Equals(pair.Value, usage.Member)
                            && (pair.Key.DeclaredAccessibility != Accessibility.Private || HasNestedTypes(_type)))
                        {
                            foreach (var (reference, container) in finder.Find(pair.Key, _type, cancellationToken))
                            {
                                Record(pair.Key, reference, container);
                            }
                        }
                    }
                }

                foreach (var usage in _usages.Values)
                {
                    usage.ResolveCacheShapes();
                    ResolveConstantKeyParameters(usage, finder, cancellationToken);
                }

                return (_usages.Values.ToImmutableArrayOrEmpty(), ComputeInitOnlyMethods());
            }
        }

        private static bool IsWeakTableCompatible(IOperation reference)
        {
            switch (reference.Parent)
            {
                case IInvocationOperation invocation when invocation.Instance == reference:
                    return invocation.TargetMethod.Name switch
                    {
                        "GetOrAdd" => invocation.Arguments.Length == 2,
                        "TryGetValue" or "ContainsKey" or "Add" or "TryAdd" => true,
                        "Remove" => invocation.Arguments.Length == 1,
                        _ => false,
                    };
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == reference:
                    return indexer.Parent is ISimpleAssignmentOperation assignment && assignment.Target == indexer && assignment.Parent is IExpressionStatementOperation;
                default:
                    return false;
            }
        }

        private static bool IsMemoryCacheCompatible(IOperation reference)
        {
            switch (reference.Parent)
            {
                case IInvocationOperation invocation when invocation.Instance == reference:
                    return invocation.TargetMethod.Name switch
                    {
                        "GetOrAdd" => invocation.Arguments.Length == 2 && invocation.Arguments[1].Value is IDelegateCreationOperation,
                        "TryGetValue" or "ContainsKey" => true,
                        "Add" or "TryAdd" => invocation.Parent is IExpressionStatementOperation,
                        _ => false,
                    };
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == reference:
                    return indexer.Parent is ISimpleAssignmentOperation assignment && assignment.Target == indexer && assignment.Parent is IExpressionStatementOperation;
                default:
                    return false;
            }
        }

        /// <summary>Bit i set: argument for parameter i is a compile-time constant.</summary>
        private static ulong ConstantArguments(IInvocationOperation invocation)
        {
            ulong mask = 0;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { Ordinal: < 64 } parameter && argument.Value.ConstantValue.HasValue)
                {
                    mask |= 1UL << parameter.Ordinal;
                }
            }

            return mask;
        }

        /// <summary>
        /// A key that is a parameter is bounded when every call the compilation makes passes a constant for it (channel
        /// names, setting names): only methods never used as delegates, with at least one call.
        /// </summary>
        private void ResolveConstantKeyParameters(CollectionUsage usage, ExternalReferenceFinder finder, CancellationToken cancellationToken)
        {
            foreach (var site in usage.Growth)
            {
                if (site.KeyIsConstant || site.KeyParameter is not { Ordinal: < 64 } parameter || site.Container is not IMethodSymbol method
                    || _usedAsDelegate.Contains(method.OriginalDefinition))
                {
                    continue;
                }

                var bit = 1UL << parameter.Ordinal;
                var calls = 0;
                var allConstant = true;
                if (_calls.TryGetValue((IMethodSymbol)method.OriginalDefinition, out var callers))
                {
                    foreach (var (_, _, constants) in callers)
                    {
                        calls++;
                        allConstant &= (constants & bit) != 0;
                    }
                }

                if (allConstant && method.DeclaredAccessibility != Accessibility.Private)
                {
                    foreach (var invocation in finder.FindInvocations(method, _type, cancellationToken))
                    {
                        calls++;
                        allConstant &= (ConstantArguments(invocation) & bit) != 0;
                        if (!allConstant)
                        {
                            break;
                        }
                    }
                }

                site.KeyIsConstant = calls > 0 && allConstant;
            }
        }

        private static bool HasNestedTypes(INamedTypeSymbol type) => !type.GetTypeMembers().IsEmpty;

        private ISet<ISymbol> ComputeInitOnlyMethods()
        {
            var initOnly = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            for (var round = 0; round < 8; round++)
            {
                var changed = false;
                foreach (var pair in _calls)
                {
                    var method = pair.Key;
                    if (initOnly.Contains(method) || method.DeclaredAccessibility != Accessibility.Private || _usedAsDelegate.Contains(method))
                    {
                        continue;
                    }

                    var all = true;
                    foreach (var (caller, inLambda, _) in pair.Value)
                    {
                        if (inLambda || !(caller is not null && (initOnly.Contains(caller) || IsStartupCode(caller))))
                        {
                            all = false;
                            break;
                        }
                    }

                    if (all)
                    {
                        initOnly.Add(method);
                        changed = true;
                    }
                }

                if (!changed)
                {
                    break;
                }
            }

            return initOnly;
        }

        private static bool IsStartupCode(ISymbol symbol)
            => symbol is IMethodSymbol { MethodKind: MethodKind.StaticConstructor } || symbol is IFieldSymbol { IsStatic: true } || symbol is IPropertySymbol { IsStatic: true };

        /// <summary>The static constructor or a static initializer for static members; a constructor or instance initializer for instance members.</summary>
        private static bool IsInitializerOf(ISymbol? container, ISymbol member)
        {
            if (member.IsStatic)
            {
                return container is not null && IsStartupCode(container);
            }

            return container is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor && SymbolEqualityComparer.Default.Equals(ctor.ContainingType, member.ContainingType)
                || container is IFieldSymbol { IsStatic: false } || container is IPropertySymbol { IsStatic: false };
        }

        private static bool IsInLambda(IOperation operation)
        {
            for (var current = operation.Parent; current != null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private static string? KeyText(IOperation? key)
        {
            if (key?.Syntax is not { } syntax)
            {
                return null;
            }

            var text = syntax.ToString();
            var builder = new System.Text.StringBuilder(text.Length);
            foreach (var c in text)
            {
                if (!char.IsWhiteSpace(c))
                {
                    builder.Append(c);
                }
            }

            return builder.ToString();
        }
    }

    internal static class EnumerableExtensions
    {
        public static ImmutableArray<T> ToImmutableArrayOrEmpty<T>(this IEnumerable<T> items) => ImmutableArray.CreateRange(items);
    }
}
