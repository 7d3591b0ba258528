using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers
{
    /// <summary>How one reference to a collection member uses it.</summary>
    internal enum MemberUseKind
    {
        /// <summary>Reads it or leaves its size alone (Count, foreach, LINQ, indexer get, lock...).</summary>
        Read,

        /// <summary>A lookup by key (TryGetValue, ContainsKey, Contains): a guard that makes a later add cache-shaped.</summary>
        Lookup,

        /// <summary>Adds to it.</summary>
        Growth,

        /// <summary>Removes from it, clears or trims it.</summary>
        Shrink,

        /// <summary>Assigns a new collection to the member (outside its initializer): resets it.</summary>
        Replace,

        /// <summary>Hands the collection to code whose use we cannot see (stored elsewhere, returned mutable, passed on).</summary>
        Escape,
    }

    /// <summary>One classified reference: what it does, the operation doing it, and the key it uses (maps and sets).</summary>
    internal readonly struct MemberUse
    {
        public MemberUse(MemberUseKind kind, IOperation operation, IOperation? key = null, bool isCacheShaped = false)
        {
            Kind = kind;
            Operation = operation;
            Key = key;
            IsCacheShaped = isCacheShaped;
        }

        public MemberUseKind Kind { get; }

        /// <summary>The operation that does it: the invocation, assignment or reference itself.</summary>
        public IOperation Operation { get; }

        /// <summary>The key argument of a lookup or keyed growth.</summary>
        public IOperation? Key { get; }

        /// <summary>The growth itself is a lookup-then-add (GetOrAdd, <c>map[k] ??= v</c>).</summary>
        public bool IsCacheShaped { get; }
    }

    /// <summary>
    /// The collection mutation model shared by the collection rules (LEAK001, LEAK002): given a reference to a collection
    /// member, says whether that use grows it, shrinks it, replaces it, lets it escape, or only reads it.
    /// Unknown uses count as escapes, so the rules stay quiet when they cannot see what happens.
    /// </summary>
    internal static class CollectionMutation
    {
        public static MemberUse Classify(IOperation reference, ISymbol member, CollectionKind kind, KnownTypes known)
        {
            var current = reference;
            var parent = current.Parent;

            while (parent is IConversionOperation conversion)
            {
                if (known.IsReadOnlyView(conversion.Type))
                {
                    return new MemberUse(MemberUseKind.Read, reference);
                }

                current = parent;
                parent = parent.Parent;
            }

            switch (parent)
            {
                case null:
                    return new MemberUse(MemberUseKind.Escape, reference);

                case IInvocationOperation invocation when invocation.Instance == current:
                    return ClassifyCall(invocation, invocation.TargetMethod.Name, kind, firstArgument: 0);

                case IConditionalAccessOperation conditional when conditional.Operation == current:
                    foreach (var descendant in conditional.WhenNotNull.DescendantsAndSelf())
                    {
                        if (descendant is IConditionalAccessInstanceOperation instance)
                        {
                            var inner = Classify(instance, member, kind, known);
                            var operation = inner.Operation == conditional.WhenNotNull ? conditional : inner.Operation;
                            return new MemberUse(inner.Kind, operation, inner.Key, inner.IsCacheShaped);
                        }
                    }

                    return new MemberUse(MemberUseKind.Escape, reference);

                case IArgumentOperation argument:
                    return ClassifyArgument(argument, reference, kind, known);

                case IPropertyReferenceOperation property when property.Instance == current:
                    return ClassifyPropertyAccess(property, reference, kind);

                case ISimpleAssignmentOperation assignment when assignment.Target == current:
                    return ClassifyAssignment(assignment, member, kind);

                case ICoalesceAssignmentOperation coalesceAssignment when coalesceAssignment.Target == current:
                    // F ??= new(): lazy creation of the collection, not a reset of its contents.
                    return new MemberUse(MemberUseKind.Read, reference);

                case ICompoundAssignmentOperation compound when compound.Target == current:
                    return new MemberUse(MemberUseKind.Replace, compound);

                case IForEachLoopOperation:
                case ILockOperation:
                case IUsingOperation:
                case INameOfOperation:
                case IIsTypeOperation:
                case IIsPatternOperation:
                case IBinaryOperation:
                case IInterpolationOperation:
                case IExpressionStatementOperation:
                case IFieldReferenceOperation:
                case IEventReferenceOperation:
                    return new MemberUse(MemberUseKind.Read, reference);

                case IReturnOperation:
                    return known.IsReadOnlyView(current.Type) ? new MemberUse(MemberUseKind.Read, reference) : new MemberUse(MemberUseKind.Escape, reference);

                default:
                    if (current.Syntax.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.SpreadElementSyntax)
                    {
                        return new MemberUse(MemberUseKind.Read, reference);
                    }

                    return new MemberUse(MemberUseKind.Escape, reference);
            }
        }

        private static MemberUse ClassifyCall(IInvocationOperation invocation, string name, CollectionKind kind, int firstArgument)
        {
            if (kind.IsImmutable())
            {
                // Calls on an immutable collection return a new one; only the assignment back to the member changes it.
                return new MemberUse(MemberUseKind.Read, invocation);
            }

            var key = invocation.Arguments.Length > firstArgument ? invocation.Arguments[firstArgument].Value : null;
            switch (GetCallKind(name))
            {
                case MemberUseKind.Growth:
                    var cacheShaped = name == "GetOrAdd" && kind.IsMap();
                    return new MemberUse(MemberUseKind.Growth, invocation, kind.IsKeyed() ? key : null, cacheShaped);
                case MemberUseKind.Shrink:
                    return new MemberUse(MemberUseKind.Shrink, invocation);
                case MemberUseKind.Lookup:
                    return new MemberUse(MemberUseKind.Lookup, invocation, key);
                default:
                    return new MemberUse(MemberUseKind.Read, invocation);
            }
        }

        /// <summary>What a call of this name on a BCL collection does to its size.</summary>
        public static MemberUseKind GetCallKind(string name)
        {
            switch (name)
            {
                case "Add":
                case "AddRange":
                case "Insert":
                case "InsertRange":
                case "TryAdd":
                case "GetOrAdd":
                case "AddOrUpdate":
                case "Enqueue":
                case "EnqueueRange":
                case "Push":
                case "PushRange":
                case "AddFirst":
                case "AddLast":
                case "AddAfter":
                case "AddBefore":
                case "UnionWith":
                    return MemberUseKind.Growth;
                case "Clear":
                case "TryRemove":
                case "TryTake":
                case "Take":
                case "TakeFromAny":
                case "Dequeue":
                case "TryDequeue":
                case "Pop":
                case "TryPop":
                case "PopRange":
                case "TryPopRange":
                case "ExceptWith":
                case "IntersectWith":
                case "SymmetricExceptWith":
                case "TrimExcess":
                case "TrimToSize":
                case "GetConsumingEnumerable":
                case "EnqueueDequeue":
                case "DequeueEnqueue":
                    return MemberUseKind.Shrink;
                case "TryGetValue":
                case "ContainsKey":
                case "Contains":
                case "TryGetAlternateLookup":
                    return MemberUseKind.Lookup;
            }

            return name.StartsWith("Remove", System.StringComparison.Ordinal) ? MemberUseKind.Shrink : MemberUseKind.Read;
        }

        private static MemberUse ClassifyArgument(IArgumentOperation argument, IOperation reference, CollectionKind kind, KnownTypes known)
        {
            if (argument.Parent is not IInvocationOperation and not IObjectCreationOperation)
            {
                return new MemberUse(MemberUseKind.Escape, reference);
            }

            var parameter = argument.Parameter;
            if (parameter is null)
            {
                return new MemberUse(MemberUseKind.Escape, reference);
            }

            if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                // ImmutableInterlocked.AddOrUpdate(ref F, ...) and friends mutate the member in place; anything else by ref may replace it.
                if (argument.Parent is IInvocationOperation { TargetMethod: var method } call
                    && SymbolEqualityComparer.Default.Equals(method.ContainingType, known.ImmutableInterlocked))
                {
                    var kindOfCall = method.Name switch
                    {
                        "GetOrAdd" or "TryAdd" or "AddOrUpdate" or "Enqueue" or "Push" => MemberUseKind.Growth,
                        "TryRemove" or "TryDequeue" or "TryPop" or "Update" or "InterlockedExchange" or "InterlockedCompareExchange" => MemberUseKind.Shrink,
                        _ => MemberUseKind.Read,
                    };
                    var key = call.Arguments.Length > 1 ? call.Arguments[1].Value : null;
                    return new MemberUse(kindOfCall, call, kind.IsKeyed() ? key : null, method.Name == "GetOrAdd");
                }

                return new MemberUse(MemberUseKind.Replace, argument.Parent);
            }

            if (argument.Parent is IInvocationOperation invocation && invocation.TargetMethod.IsExtensionMethod
                && invocation.Arguments.Length > 0 && invocation.Arguments[0] == argument
                && IsFromFramework(invocation.TargetMethod))
            {
                // CollectionExtensions.TryAdd/Remove/GetValueOrDefault, Enumerable.*: the receiver of an extension call.
                var callKind = GetCallKind(invocation.TargetMethod.Name);
                if (callKind != MemberUseKind.Read || !known.IsReadOnlyView(parameter.Type))
                {
                    return ClassifyCall(invocation, invocation.TargetMethod.Name, kind, firstArgument: 1);
                }

                return new MemberUse(MemberUseKind.Read, reference);
            }

            if (known.IsReadOnlyView(parameter.Type) || parameter.Type.SpecialType == SpecialType.System_Object && IsFromFramework(argument.Parent))
            {
                return new MemberUse(MemberUseKind.Read, reference);
            }

            return new MemberUse(MemberUseKind.Escape, reference);
        }

        private static bool IsFromFramework(IOperation? operation)
            => operation switch
            {
                IInvocationOperation invocation => IsFromFramework(invocation.TargetMethod),
                IObjectCreationOperation creation => creation.Constructor is { } ctor && IsFromFramework(ctor),
                _ => false,
            };

        private static bool IsFromFramework(IMethodSymbol method)
        {
            if (!method.DeclaringSyntaxReferences.IsEmpty)
            {
                return false;
            }

            var ns = method.ContainingNamespace?.ToDisplayString();
            return ns is not null && (ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal) || ns.StartsWith("Microsoft.", System.StringComparison.Ordinal));
        }

        private static MemberUse ClassifyPropertyAccess(IPropertyReferenceOperation property, IOperation reference, CollectionKind kind)
        {
            if (!property.Property.IsIndexer)
            {
                return new MemberUse(MemberUseKind.Read, reference);
            }

            var key = property.Arguments.Length > 0 ? property.Arguments[0].Value : null;
            switch (property.Parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Target == property:
                    // map[k] = v adds a key; list[i] = v only overwrites.
                    return kind.IsKeyed() ? new MemberUse(MemberUseKind.Growth, assignment, key) : new MemberUse(MemberUseKind.Read, reference);
                case ICoalesceAssignmentOperation coalesce when coalesce.Target == property:
                    return kind.IsKeyed() ? new MemberUse(MemberUseKind.Growth, coalesce, key, isCacheShaped: true) : new MemberUse(MemberUseKind.Read, reference);
                default:
                    return new MemberUse(MemberUseKind.Read, reference);
            }
        }

        private static MemberUse ClassifyAssignment(ISimpleAssignmentOperation assignment, ISymbol member, CollectionKind kind)
        {
            var value = assignment.Value;
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            // F = F.Add(x) on an immutable collection.
            if (kind.IsImmutable() && value is IInvocationOperation call && call.Instance is { } instance && ReferencesMember(instance, member))
            {
                var name = call.TargetMethod.Name;
                if (name is "SetItem" or "SetItems")
                {
                    return new MemberUse(MemberUseKind.Growth, assignment, call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
                }

                var callKind = GetCallKind(name);
                if (callKind == MemberUseKind.Growth)
                {
                    return new MemberUse(MemberUseKind.Growth, assignment, kind.IsKeyed() && call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
                }

                if (callKind == MemberUseKind.Shrink)
                {
                    return new MemberUse(MemberUseKind.Shrink, assignment);
                }
            }

            return new MemberUse(MemberUseKind.Replace, assignment);
        }

        public static bool ReferencesMember(IOperation operation, ISymbol member)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            return operation switch
            {
                IFieldReferenceOperation field => SymbolEqualityComparer.Default.Equals(field.Field.OriginalDefinition, member),
                IPropertyReferenceOperation property => SymbolEqualityComparer.Default.Equals(property.Property.OriginalDefinition, member),
                _ => false,
            };
        }
    }
}
