using System.Collections.Generic;
using System.Threading;
using LeakAnalyzers.Resources;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Summaries
{
    /// <summary>What one use of a tracked value means for it.</summary>
    internal enum FlowStep : byte
    {
        /// <summary>Read: a member called, passed where nobody keeps it.</summary>
        Neutral,

        /// <summary>Released here (Dispose, Free, pool Return), directly or by a callee that always releases it.</summary>
        Release,

        /// <summary>Ownership leaves the code here: returned, stored, given to a callee that keeps it.</summary>
        HandOver,

        /// <summary>The value becomes the result of the enclosing expression (a pass-through call, a wrapper that owns it).</summary>
        Continue,

        /// <summary>The value is assigned to another local.</summary>
        Alias,

        /// <summary>The value is the resource of a using statement or declaration.</summary>
        Using,

        /// <summary>The local that holds the value is assigned something else.</summary>
        Reassign,

        /// <summary>The value is computed and thrown away (<c>new T();</c>, <c>_ = x</c>).</summary>
        Discard,

        /// <summary>A use the model does not follow: someone else may release it. Don't know.</summary>
        Unknown,
    }

    /// <summary>Where a hand-over puts the value.</summary>
    internal enum StoreKind : byte
    {
        None,
        Instance,
        Static,
        Elsewhere,
        Returned,

        /// <summary>Handed to a pending operation whose Completed handlers take it over (see <see cref="ValueEffects.Completion"/>).</summary>
        Completion,
    }

    /// <summary>The meaning of one use (see <see cref="ValueFlow.Classify"/>).</summary>
    internal readonly struct ValueUse
    {
        public ValueUse(FlowStep step, SyntaxNode? node, IOperation? next = null, ISymbol? local = null, bool view = false, bool wraps = false,
            StoreKind store = StoreKind.None, ISymbol? storeMember = null, bool removes = false)
        {
            Step = step;
            Node = node;
            Next = next;
            Local = local;
            View = view;
            Wraps = wraps;
            Store = store;
            StoreMember = storeMember;
            Removes = removes;
        }

        public FlowStep Step { get; }

        /// <summary>The syntax the control-flow graph knows the event by (a release call, the handed-over reference).</summary>
        public SyntaxNode? Node { get; }

        /// <summary>
        /// For <see cref="FlowStep.Continue"/>: the operation whose value is now the tracked value; for
        /// <see cref="FlowStep.Alias"/>, an assignment whose own value is used as well (<c>a = b = x</c>).
        /// </summary>
        public IOperation? Next { get; }

        /// <summary>For <see cref="FlowStep.Alias"/>: the local (or by-value parameter) that receives the value.</summary>
        public ISymbol? Local { get; }

        /// <summary>For <see cref="FlowStep.Continue"/>: the result is a part of the value (its stream, its content), not the value.</summary>
        public bool View { get; }

        /// <summary>For <see cref="FlowStep.Continue"/>: the result wraps the value (a reader over a stream).</summary>
        public bool Wraps { get; }

        public StoreKind Store { get; }

        /// <summary>The field, property or collection member a store writes.</summary>
        public ISymbol? StoreMember { get; }

        /// <summary>The use takes the value out of a store (<c>Remove</c>, <c>-=</c>) rather than putting it in.</summary>
        public bool Removes { get; }

        public static ValueUse Neutral(SyntaxNode? node = null) => new ValueUse(FlowStep.Neutral, node);

        public static ValueUse Unknown(SyntaxNode? node = null) => new ValueUse(FlowStep.Unknown, node);
    }

    /// <summary>
    /// The state one summary computation or one resource check carries: the summaries to consult for calls, the resource
    /// kind, the trees read (for the cross-request cache), the methods being summarised (recursion guard), cancellation.
    /// </summary>
    internal sealed class FlowContext
    {
        public FlowContext(MethodSummaries summaries, ResourceKind kind, CancellationToken cancellationToken, HashSet<IMethodSymbol>? inProgress = null, int depth = 0)
        {
            Summaries = summaries;
            Kind = kind;
            CancellationToken = cancellationToken;
            InProgress = inProgress ?? new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            Depth = depth;
        }

        public MethodSummaries Summaries { get; }

        public ResourceKind Kind { get; }

        public CancellationToken CancellationToken { get; }

        /// <summary>Methods whose summaries are being computed on this stack (shared by the whole stack).</summary>
        public HashSet<IMethodSymbol> InProgress { get; }

        /// <summary>How many summaries deep this computation is.</summary>
        public int Depth { get; }

        /// <summary>Trees whose code the current summary depends on.</summary>
        public HashSet<SyntaxTree> Dependencies { get; } = new HashSet<SyntaxTree>();

        /// <summary>Methods still in progress that this computation used (a cycle): until they finish, the result is provisional.</summary>
        public HashSet<IMethodSymbol>? CycleHeads { get; set; }

        /// <summary>A callee was cut off by the depth limit: the result is sound but not memoized.</summary>
        public bool Truncated { get; set; }
    }

    /// <summary>
    /// The meaning of one use of a value inside a method body: climbs from the operation that produces the value to where
    /// it goes, and consults the method summaries for calls and constructors. Shared by the summary builder (uses of a
    /// parameter) and the resource rules (uses of an acquired resource), so both read code the same way.
    /// </summary>
    internal static class ValueFlow
    {
        private const int MaxClimb = 32;

        public static ValueUse Classify(IOperation value, FlowContext context)
        {
            var current = value;
            for (var i = 0; i < MaxClimb; i++)
            {
                var parent = current.Parent;
                switch (parent)
                {
                    case null:
                        return ValueUse.Neutral();
                    case IConversionOperation:
                    case IParenthesizedOperation:
                        current = parent;
                        continue;
                    case IExpressionStatementOperation:
                        return new ValueUse(FlowStep.Discard, current.Syntax);
                    case ISimpleAssignmentOperation assignment:
                        if (assignment.Target == current)
                        {
                            // x = Realloc(x), x = x.With(...): the new value derives from the old one.
                            var target = (ISymbol?)(current as ILocalReferenceOperation)?.Local ?? (current as IParameterReferenceOperation)?.Parameter;
                            return target != null && Mentions(assignment.Value, target)
                                ? ValueUse.Neutral()
                                : new ValueUse(FlowStep.Reassign, assignment.Syntax);
                        }

                        return Assigned(assignment.Target, assignment, value);
                    case ICoalesceAssignmentOperation coalesceAssignment:
                        return coalesceAssignment.Target == current ? ValueUse.Unknown(coalesceAssignment.Syntax) : Assigned(coalesceAssignment.Target, coalesceAssignment, value);
                    case IVariableInitializerOperation initializer:
                        return Initialized(initializer, current);
                    case IUsingOperation:
                        return new ValueUse(FlowStep.Using, current.Syntax);
                    case IInvocationOperation invocation when invocation.Instance == current:
                        return CallEffect(invocation, -1, null, context);
                    case IArgumentOperation argument:
                        return ArgumentEffect(argument, current, context);
                    case IReturnOperation:
                        // The value's own syntax: what the control-flow graph still has after lowering ?:, ?? and switch.
                        return new ValueUse(FlowStep.HandOver, value.Syntax, store: StoreKind.Returned);
                    case IConditionalAccessOperation conditional when conditional.Operation == current:
                        return ConditionalAccess(conditional, context);
                    case IPropertyReferenceOperation property when property.Instance == current:
                        return MemberOfValue(property, property.Property.GetMethod, property.Type, context);
                    case IFieldReferenceOperation { Field.ContainingType.IsTupleType: true } when !IsAssignmentTarget(parent):
                        // An element of a tuple that carries the value: which element is not followed. Don't know.
                        return ValueUse.Unknown(parent.Syntax);
                    case IFieldReferenceOperation field when field.Instance == current:
                        return IsViewType(field.Type, context) && !IsAssignmentTarget(field) ? new ValueUse(FlowStep.Continue, field.Syntax, field, view: true) : ValueUse.Neutral();
                    case IMethodReferenceOperation method when method.Instance == current:
                        // x.Dispose or x.Handle as a delegate: the delegate holds the object, and whoever calls it may end
                        // its life (a continuation that disposes itself). Don't know.
                        return ValueUse.Unknown(current.Syntax);
                    case IConditionalOperation conditionalExpression:
                        if (conditionalExpression.Condition == current || !conditionalExpression.IsRef && conditionalExpression.WhenFalse is null)
                        {
                            return ValueUse.Neutral();
                        }

                        current = parent;
                        continue;
                    case ICoalesceOperation:
                        current = parent;
                        continue;
                    case ISwitchExpressionArmOperation arm when arm.Value == current && arm.Parent is ISwitchExpressionOperation switchExpression:
                        current = switchExpression;
                        continue;
                    case ISwitchExpressionOperation switchOn when switchOn.Value == current:
                        return DeclaresVariable(switchOn) ? ValueUse.Unknown(switchOn.Syntax) : ValueUse.Neutral();
                    case IIsPatternOperation isPattern when isPattern.Value == current:
                        return PatternAlias(isPattern.Pattern) is { } alias ? new ValueUse(FlowStep.Alias, isPattern.Syntax, local: alias) : ValueUse.Neutral();
                    case ISwitchOperation switchStatement when switchStatement.Value == current:
                        return DeclaresVariable(switchStatement) ? ValueUse.Unknown(switchStatement.Syntax) : ValueUse.Neutral();
                    case IFieldInitializerOperation fieldInitializer:
                        return new ValueUse(FlowStep.HandOver, value.Syntax, store: IsStaticInitializer(fieldInitializer) ? StoreKind.Static : StoreKind.Instance);
                    case IPropertyInitializerOperation:
                        return new ValueUse(FlowStep.HandOver, value.Syntax, store: StoreKind.Instance);
                    case IAwaitOperation awaited when awaited.Operation == current:
                        // await view.ReadAsStreamAsync(): the result is a part of the value too.
                        return new ValueUse(FlowStep.Continue, awaited.Syntax, awaited, view: true);
                    case IEventReferenceOperation:
                    case IIsTypeOperation:
                    case IBinaryOperation:
                    case IInterpolationOperation:
                    case INameOfOperation:
                    case ILockOperation:
                    case IArrayElementReferenceOperation:
                    case IForEachLoopOperation:
                    case ISizeOfOperation:
                    case ITypeOfOperation:
                    case IUnaryOperation:
                        return ValueUse.Neutral();
                    case IInvalidOperation:
                        // Half-typed or unresolved code (a missing reference): the value may go anywhere. Don't know.
                        return ValueUse.Unknown(current.Syntax);
                    case ITupleOperation tuple:
                        // (array, count): the tuple carries it on (returned, yielded); reading an element back is not followed.
                        return new ValueUse(FlowStep.Continue, tuple.Syntax, tuple, wraps: true);
                    case IArrayInitializerOperation:
                    case IObjectOrCollectionInitializerOperation:
                    case IMemberInitializerOperation:
                    case IAnonymousObjectCreationOperation:
                    case IThrowOperation:
                    case IDelegateCreationOperation:
                    case IAddressOfOperation:
                    case IIncrementOrDecrementOperation:
                    case ICompoundAssignmentOperation:
                    case IDeconstructionAssignmentOperation:
                    case IDeclarationPatternOperation:
                    case IRecursivePatternOperation:
                    case IDynamicInvocationOperation:
                    case IDynamicMemberReferenceOperation:
                    case IDynamicObjectCreationOperation:
                    case IDynamicIndexerAccessOperation:
                        // Put into an aggregate, thrown, turned into a delegate, pointer arithmetic, dynamic: don't know.
                        return ValueUse.Unknown(current.Syntax);
                    default:
                        // Collection expressions, spreads, pointer indirection...: a hand-over for objects, a plain use for buffers.
                        return context.Kind.UnknownUsesAreNeutral ? ValueUse.Neutral() : ValueUse.Unknown(current.Syntax);
                }
            }

            return ValueUse.Unknown(value.Syntax);
        }

        /// <summary><c>target = value</c> / <c>target ??= value</c>: an alias when the target is a local, else a store.</summary>
        private static ValueUse Assigned(IOperation target, IOperation assignment, IOperation value)
        {
            switch (Strip(target))
            {
                case IDiscardOperation:
                    return new ValueUse(assignment.Parent is IExpressionStatementOperation ? FlowStep.Discard : FlowStep.Unknown, value.Syntax);
                case ILocalReferenceOperation local:
                    return local.Local.IsRef ? ValueUse.Unknown(assignment.Syntax) : new ValueUse(FlowStep.Alias, assignment.Syntax, UsedValue(assignment), local: local.Local);
                case IParameterReferenceOperation { Parameter.RefKind: RefKind.None } parameter:
                    // A by-value parameter reused as a variable.
                    return new ValueUse(FlowStep.Alias, assignment.Syntax, UsedValue(assignment), local: parameter.Parameter);
                case IFieldReferenceOperation field:
                    return Store(field.Field, field.Field.IsStatic, field.Instance, value.Syntax);
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer:
                    return StoreInto(indexer.Instance, value.Syntax);
                case IPropertyReferenceOperation property:
                    return Store(property.Property, property.Property.IsStatic, property.Instance, value.Syntax);
                case IArrayElementReferenceOperation element:
                    return StoreInto(element.ArrayReference, value.Syntax);
                case IParameterReferenceOperation:
                    // An out or ref parameter: handed to the caller.
                    return new ValueUse(FlowStep.HandOver, value.Syntax, store: StoreKind.Returned);
                default:
                    return new ValueUse(FlowStep.HandOver, value.Syntax, store: StoreKind.Elsewhere);
            }
        }

        /// <summary>The assignment itself when its value is used further (<c>a = b = x</c>, <c>Use(b = x)</c>).</summary>
        private static IOperation? UsedValue(IOperation assignment) => assignment.Parent is IExpressionStatementOperation ? null : assignment;

        private static ValueUse Store(ISymbol member, bool isStatic, IOperation? instance, SyntaxNode node)
        {
            var kind = isStatic ? StoreKind.Static
                : Strip(instance) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } ? StoreKind.Instance
                : StoreKind.Elsewhere;
            return new ValueUse(FlowStep.HandOver, node, store: kind, storeMember: member);
        }

        /// <summary>The value goes into the collection (or array) <paramref name="container"/> evaluates to.</summary>
        private static ValueUse StoreInto(IOperation? container, SyntaxNode node, bool removes = false)
        {
            var step = removes ? FlowStep.Neutral : FlowStep.HandOver;
            switch (Strip(container))
            {
                case IFieldReferenceOperation field:
                    return new ValueUse(step, node, store: field.Field.IsStatic ? StoreKind.Static
                        : Strip(field.Instance) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } ? StoreKind.Instance : StoreKind.Elsewhere,
                        storeMember: field.Field, removes: removes);
                case IPropertyReferenceOperation property when !property.Property.IsIndexer:
                    return new ValueUse(step, node, store: property.Property.IsStatic ? StoreKind.Static
                        : Strip(property.Instance) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } ? StoreKind.Instance : StoreKind.Elsewhere,
                        storeMember: property.Property, removes: removes);
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return new ValueUse(step, node, store: StoreKind.Instance, removes: removes);
                default:
                    return new ValueUse(step, node, store: StoreKind.Elsewhere, removes: removes);
            }
        }

        private static ValueUse Initialized(IVariableInitializerOperation initializer, IOperation value)
        {
            if (initializer.Parent is not IVariableDeclaratorOperation declarator)
            {
                return ValueUse.Unknown(value.Syntax);
            }

            for (var p = declarator.Parent; p != null && p is not IBlockOperation; p = p.Parent)
            {
                if (p is IUsingDeclarationOperation or IUsingOperation)
                {
                    return new ValueUse(FlowStep.Using, value.Syntax);
                }
            }

            return declarator.Symbol.IsRef ? ValueUse.Unknown(value.Syntax) : new ValueUse(FlowStep.Alias, declarator.Syntax, local: declarator.Symbol);
        }

        private static ValueUse ArgumentEffect(IArgumentOperation argument, IOperation value, FlowContext context)
        {
            if (argument.Parameter is { RefKind: not RefKind.None and not RefKind.In })
            {
                return ValueUse.Unknown(value.Syntax);
            }

            switch (argument.Parent)
            {
                case IInvocationOperation invocation:
                    return CallEffect(invocation, argument.Parameter?.Ordinal ?? -2, argument, context);
                case IObjectCreationOperation creation:
                    return ConstructorEffect(creation, argument, context);
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer:
                    // A key: stored when the indexer is written (map[x] = v), only read otherwise.
                    return IsAssignmentTarget(indexer) ? StoreInto(indexer.Instance, value.Syntax) : ValueUse.Neutral();
                default:
                    return ValueUse.Unknown(value.Syntax);
            }
        }

        /// <summary>The value is the receiver (<paramref name="ordinal"/> -1) or an argument of a call.</summary>
        public static ValueUse CallEffect(IInvocationOperation invocation, int ordinal, IArgumentOperation? argument, FlowContext context)
        {
            var method = invocation.TargetMethod;
            if (ordinal == -2)
            {
                return ValueUse.Unknown(invocation.Syntax);
            }

            if (ordinal == -1 ? context.Kind.ReleasesReceiver(method) : argument != null && context.Kind.ReleasesArgument(invocation, argument))
            {
                return new ValueUse(FlowStep.Release, invocation.Syntax);
            }

            if (ordinal == -1 && method.Name == "ConfigureAwait" && !method.ReturnsVoid)
            {
                // task.ConfigureAwait(false): the same task, awaited later.
                return new ValueUse(FlowStep.Continue, invocation.Syntax, invocation);
            }

            var summary = context.Summaries.ForCall(invocation, context);
            var effects = summary.EffectsOn(ordinal);
            if ((effects & ValueEffects.Unknown) != 0)
            {
                return IsLibrary(method) && context.Kind.UnknownUsesAreNeutral ? ValueUse.Neutral() : ValueUse.Unknown(invocation.Syntax);
            }

            if ((effects & ValueEffects.Released) != 0)
            {
                return new ValueUse(FlowStep.Release, invocation.Syntax);
            }

            if ((effects & ValueEffects.ReleasedSometimes) != 0)
            {
                return ValueUse.Unknown(invocation.Syntax);
            }

            if ((effects & ValueEffects.Completion) != 0)
            {
                return new ValueUse(FlowStep.HandOver, invocation.Syntax, store: StoreKind.Completion);
            }

            if ((effects & ValueEffects.Stored) != 0)
            {
                var store = (effects & ValueEffects.StoredInStatic) != 0 ? StoreKind.Static
                    : (effects & ValueEffects.StoredElsewhere) != 0 ? StoreKind.Elsewhere
                    : ordinal == -1 ? StoreKind.Instance
                    : ContainerKind(invocation.Instance, method);
                return new ValueUse(FlowStep.HandOver, invocation.Syntax, store: store, storeMember: ContainerMember(invocation.Instance));
            }

            if ((effects & (ValueEffects.StoredInResult | ValueEffects.Returned)) != 0 && !method.ReturnsVoid)
            {
                return new ValueUse(FlowStep.Continue, invocation.Syntax, invocation, wraps: (effects & ValueEffects.StoredInResult) != 0);
            }

            if ((effects & ValueEffects.Removed) != 0)
            {
                return StoreInto(invocation.Instance, invocation.Syntax, removes: true);
            }

            if (ordinal == -1 && !method.ReturnsVoid)
            {
                if (summary.Returns == ReturnKind.Receiver)
                {
                    return new ValueUse(FlowStep.Continue, invocation.Syntax, invocation);
                }

                if (summary.Returns != ReturnKind.New && IsViewType(method.ReturnType, context))
                {
                    // A fluent library call that may return the object itself, or a part of it (its stream): follow the result.
                    var sameType = SymbolEqualityComparer.Default.Equals(method.ReturnType.OriginalDefinition, invocation.Instance?.Type?.OriginalDefinition);
                    return new ValueUse(FlowStep.Continue, invocation.Syntax, invocation, view: !(sameType && summary.Returns == ReturnKind.Unknown));
                }
            }

            return ValueUse.Neutral(invocation.Syntax);
        }

        private static ValueUse ConstructorEffect(IObjectCreationOperation creation, IArgumentOperation argument, FlowContext context)
        {
            var constructor = creation.Constructor;
            if (constructor is null || argument.Parameter is null)
            {
                return ValueUse.Unknown(argument.Syntax);
            }

            switch (MetadataSummaries.OwnershipFlag(creation))
            {
                case false:
                    return ValueUse.Neutral();
                case true:
                    return context.Kind is DisposableKind && argument.Value is ILocalReferenceOperation or IConversionOperation { Operand: ILocalReferenceOperation }
                        ? new ValueUse(FlowStep.HandOver, argument.Syntax, store: StoreKind.Elsewhere)
                        : new ValueUse(FlowStep.Continue, creation.Syntax, creation, wraps: true);
            }

            var summary = context.Summaries.ForConstructor(constructor, context);
            var effects = summary.EffectsOn(argument.Parameter.Ordinal);
            if ((effects & ValueEffects.Unknown) != 0)
            {
                return IsLibrary(constructor) && context.Kind.UnknownUsesAreNeutral ? ValueUse.Neutral() : ValueUse.Unknown(argument.Syntax);
            }

            if ((effects & ValueEffects.Released) != 0)
            {
                return new ValueUse(FlowStep.Release, creation.Syntax);
            }

            if ((effects & ValueEffects.ReleasedSometimes) != 0)
            {
                return ValueUse.Unknown(argument.Syntax);
            }

            if ((effects & (ValueEffects.StoredInStatic | ValueEffects.StoredElsewhere)) != 0)
            {
                return new ValueUse(FlowStep.HandOver, argument.Syntax, store: (effects & ValueEffects.StoredInStatic) != 0 ? StoreKind.Static : StoreKind.Elsewhere);
            }

            if ((effects & (ValueEffects.StoredInInstance | ValueEffects.StoredInResult)) != 0)
            {
                if (context.Kind is DisposableKind && argument.Value is ILocalReferenceOperation or IConversionOperation { Operand: ILocalReferenceOperation }
                    && context.Summaries.Model.Disposables.IsDisposable(creation.Type))
                {
                    // var reader = new StreamReader(stream): the reader owns the stream now, and is checked as an
                    // acquisition of its own (each wrapper answers for the object it wraps).
                    return new ValueUse(FlowStep.HandOver, argument.Syntax, store: StoreKind.Elsewhere);
                }

                // The new object keeps it: from here on the new object carries the obligation.
                return new ValueUse(FlowStep.Continue, creation.Syntax, creation, wraps: true);
            }

            return ValueUse.Neutral();
        }

        private static ValueUse ConditionalAccess(IConditionalAccessOperation conditional, FlowContext context)
        {
            switch (conditional.WhenNotNull)
            {
                case IInvocationOperation { Instance: IConditionalAccessInstanceOperation } invocation:
                    var use = CallEffect(invocation, -1, null, context);
                    return use.Step == FlowStep.Continue ? new ValueUse(FlowStep.Continue, conditional.Syntax, conditional, view: use.View, wraps: use.Wraps) : use;
                case IPropertyReferenceOperation { Instance: IConditionalAccessInstanceOperation } property:
                    var propertyUse = MemberOfValue(property, property.Property.GetMethod, property.Type, context);
                    return propertyUse.Step == FlowStep.Continue ? new ValueUse(FlowStep.Continue, conditional.Syntax, conditional, view: propertyUse.View) : propertyUse;
                case IFieldReferenceOperation or IEventReferenceOperation or IConditionalAccessOperation:
                    return ValueUse.Neutral();
                default:
                    return context.Kind.UnknownUsesAreNeutral ? ValueUse.Neutral() : ValueUse.Unknown(conditional.Syntax);
            }
        }

        /// <summary><c>value.Property</c>: a fluent getter returns the value itself; a disposable part of it is a view.</summary>
        private static ValueUse MemberOfValue(IOperation reference, IMethodSymbol? getter, ITypeSymbol? type, FlowContext context)
        {
            if (IsAssignmentTarget(reference) || getter is null)
            {
                return ValueUse.Neutral();
            }

            if (getter.Name == "get_Array" && getter.ContainingType is { } view && MetadataSummaries.IsArrayView(SymbolNames.GetMetadataName(view.OriginalDefinition)))
            {
                // segment.Array: the array the segment carries, itself.
                return new ValueUse(FlowStep.Continue, reference.Syntax, reference);
            }

            var summary = context.Summaries.ForMethod(getter, context);
            if (summary.Returns == ReturnKind.Receiver)
            {
                return new ValueUse(FlowStep.Continue, reference.Syntax, reference);
            }

            return summary.Returns != ReturnKind.New && IsViewType(type, context) ? new ValueUse(FlowStep.Continue, reference.Syntax, reference, view: true) : ValueUse.Neutral();
        }

        private static StoreKind ContainerKind(IOperation? container, IMethodSymbol? method, int depth = 0)
        {
            if (method is { IsStatic: true } && container is null)
            {
                // A static method that stores its argument in its own type's state: a static store.
                return StoreKind.Static;
            }

            switch (Strip(container))
            {
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return StoreKind.Instance;
                case IFieldReferenceOperation field:
                    return field.Field.IsStatic ? StoreKind.Static : Strip(field.Instance) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } ? StoreKind.Instance : StoreKind.Elsewhere;
                case IPropertyReferenceOperation { Property.IsIndexer: true } element when depth < 2 && IsCollection(element.Instance?.Type):
                    // s_topics[topic].Add(handler): the element's store is the collection's.
                    return ContainerKind(element.Instance, null, depth + 1);
                case IPropertyReferenceOperation property:
                    return property.Property.IsStatic ? StoreKind.Static : Strip(property.Instance) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } ? StoreKind.Instance : StoreKind.Elsewhere;
                case IInvocationOperation { Instance: { } collection } lookup when depth < 2 && IsCollection(collection.Type) && !lookup.TargetMethod.ReturnsVoid:
                    // s_topics.GetOrAdd(topic, _ => new List<Action>()).Add(handler)
                    return ContainerKind(collection, null, depth + 1);
                case ILocalReferenceOperation local when depth < 2:
                    return ElementStoreOf(local, depth);
                default:
                    return StoreKind.Elsewhere;
            }
        }

        /// <summary>
        /// A local that holds an element of one of this object's (or a static) collections — <c>_byKey.TryGetValue(k, out var
        /// list)</c>, <c>var list = _byKey[k]</c>, <c>s_map.GetOrAdd(k, ..)</c> — stores into that collection's store: a
        /// handler added to the per-key list lives as long as the map.
        /// </summary>
        private static StoreKind ElementStoreOf(ILocalReferenceOperation local, int depth)
        {
            var index = BodyIndex.For(BodyIndex.RootOf(local));
            if (index.TooLarge)
            {
                return StoreKind.Elsewhere;
            }

            var kind = StoreKind.Elsewhere;
            foreach (var source in Sources(index, local.Local))
            {
                var container = Strip(source) switch
                {
                    IPropertyReferenceOperation { Property.IsIndexer: true } indexer => indexer.Instance,
                    IInvocationOperation { Instance: { } instance } when IsCollection(instance.Type) => instance,
                    ISimpleAssignmentOperation { Value: var chained } => (Strip(chained) as IPropertyReferenceOperation)?.Instance,
                    _ => null,
                };
                if (container is null)
                {
                    continue;
                }

                var held = ContainerKind(container, null, depth + 1);
                if (held == StoreKind.Static)
                {
                    return StoreKind.Static;
                }

                if (held == StoreKind.Instance)
                {
                    kind = StoreKind.Instance;
                }
            }

            return kind;
        }

        /// <summary>Where the local's values come from: what it is assigned, and the calls that fill it as an <c>out</c> argument.</summary>
        private static IEnumerable<IOperation> Sources(BodyIndex index, ILocalSymbol local)
        {
            foreach (var value in index.ValuesOf(local))
            {
                yield return value;
            }

            foreach (var reference in index.ReferencesTo(local))
            {
                var argument = reference.Parent is IDeclarationExpressionOperation declaration ? declaration.Parent : reference.Parent;
                if (argument is IArgumentOperation { Parameter.RefKind: RefKind.Out, Parent: IInvocationOperation call })
                {
                    yield return call;
                }
            }
        }

        private static bool IsCollection(ITypeSymbol? type)
        {
            if (type is null)
            {
                return false;
            }

            foreach (var implemented in type.AllInterfaces)
            {
                if (implemented.SpecialType == SpecialType.System_Collections_IEnumerable)
                {
                    return true;
                }
            }

            return false;
        }

        private static ISymbol? ContainerMember(IOperation? container) => Strip(container) switch
        {
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            _ => null,
        };

        /// <summary>
        /// A result worth following as a part of the value: a disposable object (its stream, its response content), or a
        /// task of one (<c>content.ReadAsStreamAsync()</c>). A plain task (<c>stream.FlushAsync()</c>) is not a part of it.
        /// </summary>
        private static bool IsViewType(ITypeSymbol? type, FlowContext context)
        {
            if (type is null || type.SpecialType != SpecialType.None || type.IsValueType)
            {
                return false;
            }

            var types = context.Summaries.Model.Disposables;
            if (types.IsTaskLike(type))
            {
                return types.AwaitedType(type) is { } awaited && types.IsDisposable(awaited);
            }

            return types.IsDisposable(type);
        }

        /// <summary>Code the compilation does not have: a referenced assembly's method, or an extern (P/Invoke) declaration.</summary>
        public static bool IsLibrary(IMethodSymbol method) => method.IsExtern || method.Locations.Length == 0 || !method.Locations[0].IsInSource;

        private static bool IsAssignmentTarget(IOperation operation)
            => operation.Parent is IAssignmentOperation assignment && assignment.Target == operation;

        private static bool IsStaticInitializer(IFieldInitializerOperation initializer)
        {
            foreach (var field in initializer.InitializedFields)
            {
                return field.IsStatic;
            }

            return false;
        }

        private static ILocalSymbol? PatternAlias(IPatternOperation pattern) => pattern switch
        {
            IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol local } => local,
            IRecursivePatternOperation { DeclaredSymbol: ILocalSymbol local } => local,
            _ => null,
        };

        private static bool DeclaresVariable(IOperation operation)
        {
            foreach (var node in operation.Descendants())
            {
                if (node is IDeclarationPatternOperation { DeclaredSymbol: not null } or IRecursivePatternOperation { DeclaredSymbol: not null }
                    or IListPatternOperation { DeclaredSymbol: not null })
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Mentions(IOperation operation, ISymbol variable)
        {
            foreach (var node in operation.DescendantsAndSelf())
            {
                if (node is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, variable)
                    || node is IParameterReferenceOperation parameter && SymbolEqualityComparer.Default.Equals(parameter.Parameter, variable))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The value is null on every path: a null or default literal, or a local only ever assigned one. A call on it never
        /// runs past the receiver (ImageSharp's AOT seeding methods call generic methods on <c>default(T)</c> on purpose).
        /// </summary>
        public static bool IsKnownNull(IOperation? operation)
        {
            operation = Strip(operation);
            switch (operation)
            {
                case null:
                    return false;
                case IDefaultValueOperation:
                    return !operation.Type?.IsValueType ?? true;
                case ILocalReferenceOperation local:
                    var values = BodyIndex.For(BodyIndex.RootOf(local)).ValuesOf(local.Local);
                    if (values.Count == 0)
                    {
                        return false;
                    }

                    foreach (var value in values)
                    {
                        if (!(Strip(value) is IDefaultValueOperation or { ConstantValue: { HasValue: true, Value: null } }))
                        {
                            return false;
                        }
                    }

                    return !local.Type?.IsValueType ?? true;
                default:
                    return operation.ConstantValue is { HasValue: true, Value: null };
            }
        }

        public static IOperation? Strip(IOperation? operation)
        {
            for (var i = 0; i < 16 && operation is IConversionOperation or IParenthesizedOperation; i++)
            {
                operation = operation switch
                {
                    IConversionOperation conversion => conversion.Operand,
                    IParenthesizedOperation parenthesized => parenthesized.Operand,
                    _ => operation,
                };
            }

            return operation;
        }
    }
}
