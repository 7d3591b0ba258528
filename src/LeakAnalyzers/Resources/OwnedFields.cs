using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>The resources an instance field can own.</summary>
    internal enum FieldResource
    {
        /// <summary>An IDisposable the type creates (LEAK006).</summary>
        Disposable,

        /// <summary>A pointer from Marshal.Alloc*/NativeMemory.Alloc* (LEAK007).</summary>
        NativeMemory,

        /// <summary>A GCHandle from GCHandle.Alloc (LEAK007).</summary>
        GCHandle,

        /// <summary>An array or object taken from a pool (LEAK008).</summary>
        Pooled,
    }

    /// <summary>What <see cref="OwnedFields"/> found wrong with one owned field.</summary>
    internal enum FieldLeak
    {
        /// <summary>Nothing in the type releases it (the type is IDisposable, or has a finalizer).</summary>
        NeverReleased,

        /// <summary>Nothing releases it and the type is not IDisposable, so nobody can.</summary>
        OwnerNotDisposable,

        /// <summary>A new resource replaces the field's value without releasing the previous one.</summary>
        Replaced,

        /// <summary>The field is set to null (or zero, default) without releasing what it held.</summary>
        Cleared,

        /// <summary>Acquired in a constructor that then calls something on it that can fail: a half-built object is never disposed.</summary>
        LostInConstructor,
    }

    /// <summary>One finding of <see cref="OwnedFields"/>: the field, what is wrong, where.</summary>
    internal readonly struct FieldFinding
    {
        public FieldFinding(IFieldSymbol field, FieldLeak leak, Location location, Location? acquisition, ITypeSymbol resourceType, string? releaseCall, string? pool, string? call = null)
        {
            Call = call;
            Field = field;
            Leak = leak;
            Location = location;
            Acquisition = acquisition;
            ResourceType = resourceType;
            ReleaseCall = releaseCall;
            Pool = pool;
        }

        public IFieldSymbol Field { get; }

        public FieldLeak Leak { get; }

        public Location Location { get; }

        /// <summary>Where the type acquires the resource (an additional location).</summary>
        public Location? Acquisition { get; }

        public ITypeSymbol ResourceType { get; }

        /// <summary>For native memory: the free call that matches the allocation.</summary>
        public string? ReleaseCall { get; }

        /// <summary>For pooled arrays: the pool expression it was rented from.</summary>
        public string? Pool { get; }

        /// <summary>For <see cref="FieldLeak.LostInConstructor"/>: the call that can fail.</summary>
        public string? Call { get; }
    }

    /// <summary>
    /// Resources an instance field owns: the type fills it with a resource it acquires (never with an injected one), and
    /// must release it in its own Dispose (or Close, Free, finalizer), before replacing it, and before clearing it. The
    /// uses of the field are read with <see cref="ValueTracker"/>, so a helper that releases it, a local alias that is
    /// released, or a hand-over (returned, stored, given to a callee that keeps it: then the type does not own it) are
    /// understood. Shared by LEAK006 (disposables), LEAK007 (native memory, GC handles) and LEAK008 (pool rentals).
    /// Fields of process-lifetime singletons, and replacements in a method the compilation calls once, stay quiet.
    /// </summary>
    internal sealed class OwnedFields
    {
        private readonly CompilationModel _model;
        private readonly ConcurrentDictionary<IFieldSymbol, Facts> _facts = new ConcurrentDictionary<IFieldSymbol, Facts>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>> _exempt = new ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>>();

        private OwnedFields(CompilationModel model)
        {
            _model = model;
        }

        /// <summary>
        /// At the start of a named type: the candidate fields of the wanted resources; null (and nothing registered) when the
        /// type has none. <paramref name="report"/> runs at the end of the type with its findings.
        /// </summary>
        public static void Register(SymbolStartAnalysisContext context, CompilationModel model, System.Func<IFieldSymbol, FieldResource?> candidate, System.Action<SymbolAnalysisContext, FieldFinding> report)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            {
                return;
            }

            var fields = new OwnedFields(model);
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false } field && candidate(field) is { } resource)
                {
                    fields._facts[field] = new Facts(resource);
                }
            }

            if (fields._facts.IsEmpty)
            {
                return;
            }

            context.RegisterOperationAction(fields.OnFieldReference, OperationKind.FieldReference);
            context.RegisterOperationAction(fields.OnFieldInitializer, OperationKind.FieldInitializer);
            context.RegisterSymbolEndAction(end =>
            {
                foreach (var finding in fields.Findings(end.CancellationToken))
                {
                    report(end, finding);
                }
            });
        }

        private sealed class Facts
        {
            public Facts(FieldResource resource)
            {
                Resource = resource;
            }

            public FieldResource Resource { get; }

            public readonly ConcurrentQueue<(IOperation Value, ITypeSymbol Type, string? Release, string? Pool)> Acquisitions = new ConcurrentQueue<(IOperation, ITypeSymbol, string?, string?)>();
            public readonly ConcurrentQueue<ISimpleAssignmentOperation> Replacements = new ConcurrentQueue<ISimpleAssignmentOperation>();
            public readonly ConcurrentQueue<ISimpleAssignmentOperation> Clears = new ConcurrentQueue<ISimpleAssignmentOperation>();
            public readonly ConcurrentQueue<ISimpleAssignmentOperation> InConstructors = new ConcurrentQueue<ISimpleAssignmentOperation>();

            /// <summary>Per body: where the field's value is released, handed on or saved to a local.</summary>
            public readonly ConcurrentDictionary<IOperation, ConcurrentBag<int>> Ends = new ConcurrentDictionary<IOperation, ConcurrentBag<int>>();
            public volatile bool NotOwned;
            public volatile bool Released;
        }

        private ResourceKind KindOf(FieldResource resource) => resource switch
        {
            FieldResource.Disposable => DisposableKind.NormalPathsOnly,
            FieldResource.Pooled => PooledKind.Instance,
            _ => NativeMemoryKind.Instance,
        };

        private void OnFieldInitializer(OperationAnalysisContext context)
        {
            var initializer = (IFieldInitializerOperation)context.Operation;
            foreach (var field in initializer.InitializedFields)
            {
                if (_facts.TryGetValue(field, out var facts))
                {
                    Assigned(context, facts, initializer.Value, null);
                }
            }
        }

        private void OnFieldReference(OperationAnalysisContext context)
        {
            var reference = (IFieldReferenceOperation)context.Operation;
            if (!_facts.TryGetValue(reference.Field.OriginalDefinition, out var facts) && !_facts.TryGetValue(reference.Field, out facts))
            {
                return;
            }

            if (reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference)
            {
                if (assignment.Parent is IUsingOperation || assignment.Parent is IConversionOperation { Parent: IUsingOperation })
                {
                    // using (_info = ReadInfo()) { ... }: the using disposes what it assigns.
                    facts.Released = true;
                    facts.Ends.GetOrAdd(BodyIndex.RootOf(reference), _ => new ConcurrentBag<int>()).Add(reference.Syntax.SpanStart);
                    return;
                }

                Assigned(context, facts, assignment.Value, assignment);
                return;
            }

            if (reference.Instance is not (null or IInstanceReferenceOperation))
            {
                // other._field: another instance's field, handled by that instance's code paths. Don't know.
                facts.NotOwned = true;
                return;
            }

            var flow = new FlowContext(_model.Summaries, KindOf(facts.Resource), context.CancellationToken);
            var uses = ValueTracker.Follow(new IOperation[] { reference }, BodyIndex.EnclosingFunction(reference), flow);
            if (uses is null)
            {
                facts.NotOwned = true;
                return;
            }

            var ended = false;
            foreach (var use in uses)
            {
                switch (use.Use.Step)
                {
                    case FlowStep.Release when !use.View:
                    case FlowStep.Using when !use.View:
                        facts.Released = true;
                        ended = true;
                        break;
                    case FlowStep.HandOver when !use.View:
                    case FlowStep.Unknown when !use.View:
                        // Returned, stored elsewhere, given to a callee that keeps it: someone else may release it. (A part
                        // of it handed out, such as a waiter's Task, leaves the object itself with the field.)
                        facts.NotOwned = true;
                        return;
                    case FlowStep.Alias when !use.View:
                        ended = true;
                        break;
                }
            }

            if (ended)
            {
                facts.Ends.GetOrAdd(BodyIndex.RootOf(reference), _ => new ConcurrentBag<int>()).Add(reference.Syntax.SpanStart);
            }
        }

        private void Assigned(OperationAnalysisContext context, Facts facts, IOperation value, ISimpleAssignmentOperation? assignment)
        {
            value = ValueFlow.Strip(value)!;
            if (IsEmpty(value))
            {
                if (assignment != null && BodyIndex.RootOf(assignment) is not IConstructorBodyOperation)
                {
                    facts.Clears.Enqueue(assignment);
                }

                return;
            }

            if (assignment != null && Mentions(value, assignment.Target))
            {
                // _buffer = Marshal.ReAllocHGlobal(_buffer, size), _f = _f.With(...): the same resource, moved.
                return;
            }

            if (value is ILocalReferenceOperation local && FreshValueOf(local) is { } fresh)
            {
                // var bigger = pool.Rent(n * 2); ...; _buffer = bigger;
                value = fresh;
            }

            var acquired = Acquisition(context, facts.Resource, value);
            if (acquired is null)
            {
                // Injected (a parameter, another object's member) or unknown: the type does not own the field.
                facts.NotOwned = true;
                return;
            }

            facts.Acquisitions.Enqueue((value, acquired.Value.Type, acquired.Value.Release, acquired.Value.Pool));
            if (assignment != null)
            {
                facts.Replacements.Enqueue(assignment);
                if (facts.Resource == FieldResource.Disposable && BodyIndex.RootOf(assignment) is IConstructorBodyOperation)
                {
                    facts.InConstructors.Enqueue(assignment);
                }
            }
        }

        private (ITypeSymbol Type, string? Release, string? Pool)? Acquisition(in OperationAnalysisContext context, FieldResource resource, IOperation value)
        {
            var types = _model.Disposables;
            switch (resource)
            {
                case FieldResource.Disposable:
                    var created = DisposableAcquisition(context, value);
                    if (created is null)
                    {
                        return null;
                    }

                    var options = context.Options;
                    var configured = _exempt.GetOrAdd(value.Syntax.SyntaxTree, t => DisposableTypes.ConfiguredExemptTypes(options, t));
                    return types.IsExempt(created, configured) && !types.IsTimer(created) ? null : (created, null, null);
                case FieldResource.NativeMemory:
                case FieldResource.GCHandle:
                    return value is IInvocationOperation { TargetMethod.IsStatic: true } allocation && NativeMemoryNotFreedAnalyzer.ReleaseCallFor(allocation.TargetMethod, types) is { } release
                        ? (allocation.Type!, release, null)
                        : null;
                case FieldResource.Pooled:
                    return value is IInvocationOperation take && Pools.IsTake(take.TargetMethod) ? (take.Type!, null, take.Instance?.Syntax.ToString()) : null;
                default:
                    return null;
            }
        }

        /// <summary><c>new T()</c>, or a call or getter whose summary says the caller owns a new disposable (awaited or not).</summary>
        private ITypeSymbol? DisposableAcquisition(in OperationAnalysisContext context, IOperation value)
        {
            var types = _model.Disposables;
            if (value is IAwaitOperation awaited)
            {
                value = ValueFlow.Strip(awaited.Operation)!;
                if (value is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
                {
                    value = ValueFlow.Strip(configured)!;
                }
            }

            var flow = new FlowContext(_model.Summaries, AnyResourceKind.Instance, context.CancellationToken);
            switch (value)
            {
                case IObjectCreationOperation creation when types.IsDisposable(creation.Type):
                    return creation.Type;
                case IInvocationOperation invocation when _model.Summaries.ForCall(invocation, flow).Returns == ReturnKind.New:
                    var returned = types.AwaitedType(invocation.TargetMethod.ReturnType) ?? invocation.TargetMethod.ReturnType;
                    return types.IsDisposable(returned) ? returned : null;
                case IPropertyReferenceOperation { Property.GetMethod: { } getter } property when _model.Summaries.ForMethod(getter, flow).Returns == ReturnKind.New:
                    return types.IsDisposable(property.Type) ? property.Type : null;
                default:
                    return null;
            }
        }

        /// <summary>The single value a local is given, when it is one.</summary>
        private static IOperation? FreshValueOf(ILocalReferenceOperation local)
        {
            var values = BodyIndex.For(BodyIndex.RootOf(local)).ValuesOf(local.Local);
            return values.Count == 1 ? ValueFlow.Strip(values[0]) : null;
        }

        private static bool Mentions(IOperation value, IOperation target)
        {
            if (target is not IFieldReferenceOperation field)
            {
                return false;
            }

            foreach (var node in value.DescendantsAndSelf())
            {
                if (node is IFieldReferenceOperation other && SymbolEqualityComparer.Default.Equals(other.Field, field.Field))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsEmpty(IOperation value)
        {
            if (value.ConstantValue is { HasValue: true } constant && (constant.Value is null || constant.Value is 0 or 0L or 0U or 0UL))
            {
                return true;
            }

            return value is IDefaultValueOperation
                || value is IFieldReferenceOperation { Field: { Name: "Zero", IsStatic: true } zero } && zero.ContainingType.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr
                || value is IObjectCreationOperation { Arguments.Length: 0, Initializer: null, Type.IsValueType: true };
        }

        private IEnumerable<FieldFinding> Findings(CancellationToken cancellationToken)
        {
            var fields = new List<IFieldSymbol>(_facts.Keys);
            fields.Sort((a, b) => a.Locations[0].SourceSpan.Start.CompareTo(b.Locations[0].SourceSpan.Start));
            foreach (var field in fields)
            {
                var facts = _facts[field];
                if (facts.NotOwned || !facts.Acquisitions.TryPeek(out var first))
                {
                    continue;
                }

                if (UsedByOtherTypes(field, cancellationToken))
                {
                    // A nested or containing type uses the field: its code is analysed with that type. Don't know.
                    continue;
                }

                var owner = field.ContainingType;
                if (_model.Creations.IsProcessSingleton(owner, cancellationToken))
                {
                    // Every instance lives as long as the process (a static Log, a static Instance): nothing to release early.
                    continue;
                }

                var acquisition = first.Value.Syntax.GetLocation();
                foreach (var assignment in facts.InConstructors)
                {
                    if (FailingCallAfter(assignment, field) is { } failing)
                    {
                        yield return new FieldFinding(field, FieldLeak.LostInConstructor, assignment.Syntax.GetLocation(), acquisition, first.Type, null, null, ResourceCheck.CallName(failing));
                    }
                }

                if (!facts.Released)
                {
                    var leak = _model.Disposables.IsDisposable(owner) || HasFinalizer(owner) ? FieldLeak.NeverReleased : FieldLeak.OwnerNotDisposable;
                    yield return new FieldFinding(field, leak, field.Locations[0], acquisition, first.Type, first.Release, first.Pool);
                    continue;
                }

                foreach (var assignment in facts.Replacements)
                {
                    if (IsUnguardedReplacement(assignment, field, facts) && IsInMethodCalledRepeatedly(assignment, cancellationToken))
                    {
                        yield return new FieldFinding(field, FieldLeak.Replaced, assignment.Syntax.GetLocation(), acquisition, first.Type, first.Release, first.Pool);
                    }
                }

                foreach (var clear in facts.Clears)
                {
                    if (!EndedBefore(facts, clear))
                    {
                        yield return new FieldFinding(field, FieldLeak.Cleared, clear.Syntax.GetLocation(), acquisition, first.Type, first.Release, first.Pool);
                    }
                }
            }
        }

        /// <summary>
        /// A call after the constructor's acquisition that takes the field (as receiver or argument), fails routinely (I/O on
        /// a connection, a socket) and is not inside a try: when it throws, the new object is never returned and nobody can
        /// dispose the field (Hangfire's distributed lock: the connection leaked when Acquire threw).
        /// </summary>
        private static Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax? FailingCallAfter(ISimpleAssignmentOperation assignment, IFieldSymbol field)
        {
            var root = BodyIndex.RootOf(assignment);
            foreach (var operation in root.Descendants())
            {
                if (operation is not IInvocationOperation invocation || invocation.Syntax.SpanStart <= assignment.Syntax.Span.End
                    || invocation.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax syntax)
                {
                    continue;
                }

                var onField = IsThisField(invocation.Instance, field);
                foreach (var argument in invocation.Arguments)
                {
                    onField |= IsThisField(argument.Value, field);
                }

                if (!onField || !ResourceCheck.FailsRoutinely(syntax, field.Type) || InsideTry(invocation, root))
                {
                    continue;
                }

                return syntax;
            }

            return null;
        }

        private static bool IsThisField(IOperation? operation, IFieldSymbol field)
            => ValueFlow.Strip(operation) is IFieldReferenceOperation { Instance: IInstanceReferenceOperation or null } reference
               && SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field.OriginalDefinition);

        private static bool InsideTry(IOperation operation, IOperation root)
        {
            for (var p = operation.Parent; p != null && p != root; p = p.Parent)
            {
                if (p is ITryOperation)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The body released, handed on or saved the field's value before this <c>_f = null</c>.</summary>
        private static bool EndedBefore(Facts facts, ISimpleAssignmentOperation clear)
        {
            if (!facts.Ends.TryGetValue(BodyIndex.RootOf(clear), out var ends))
            {
                return false;
            }

            foreach (var position in ends)
            {
                if (position < clear.Syntax.SpanStart)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The replacement is in a method the code shows running more than once on an object (see
        /// <see cref="CreationSites.IsCalledRepeatedly"/>); otherwise the field is taken to be still empty then.
        /// </summary>
        private bool IsInMethodCalledRepeatedly(ISimpleAssignmentOperation assignment, CancellationToken cancellationToken)
        {
            var syntax = assignment.Syntax.FirstAncestorOrSelf<MemberDeclarationSyntax>();
            if (syntax is null || assignment.SemanticModel?.GetDeclaredSymbol(syntax, cancellationToken) is not IMethodSymbol method)
            {
                return false;
            }

            return _model.Creations.IsCalledRepeatedly(method, cancellationToken);
        }

        /// <summary>
        /// A replacement as a top-level statement of a method (not a constructor) that does not release, hand on or save the
        /// old value first (itself or through a helper of the type), and is not guarded by the field: no condition before it
        /// reads the field (<c>if (_timer != null) return;</c>). Plain reads of the field before it do not guard it.
        /// </summary>
        private static bool IsUnguardedReplacement(ISimpleAssignmentOperation assignment, IFieldSymbol field, Facts facts)
        {
            if (assignment.Parent is not IExpressionStatementOperation { Parent: IBlockOperation { Parent: IMethodBodyOperation } })
            {
                // Only a top-level statement: a replacement under a condition is usually guarded by state the model does not
                // read (a flag, a count), and was wrong more often than right on real code.
                return false;
            }

            var root = BodyIndex.RootOf(assignment);
            if (root is IConstructorBodyOperation || facts.Ends.ContainsKey(root))
            {
                return false;
            }

            for (var p = assignment.Parent; p != null && p != root; p = p.Parent)
            {
                switch (p)
                {
                    case IAnonymousFunctionOperation or ILocalFunctionOperation:
                        return false;
                    case IConditionalOperation conditional when MentionsField(conditional.Condition, field):
                    case IWhileLoopOperation { Condition: { } condition } when MentionsField(condition, field):
                    case ISwitchOperation switchOperation when MentionsField(switchOperation.Value, field):
                        return false;
                }
            }

            foreach (var operation in root.Descendants())
            {
                if (operation.Syntax.SpanStart >= assignment.Syntax.SpanStart)
                {
                    continue;
                }

                if (operation is IConditionalOperation earlier && MentionsField(earlier.Condition, field))
                {
                    // if (_f != null) return; / if (_f is { }) ...: a guard before the assignment.
                    return false;
                }

                // DisposeTimer(); _timer = new Timer(...): a helper of this type that releases the field runs first.
                if (operation is IInvocationOperation { Instance: IInstanceReferenceOperation or null } call && ReleasesField(call.TargetMethod, facts))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool MentionsField(IOperation operation, IFieldSymbol field)
        {
            foreach (var node in operation.DescendantsAndSelf())
            {
                if (node is IFieldReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The method's body is one of those that release (or save) the field.</summary>
        private static bool ReleasesField(IMethodSymbol method, Facts facts)
        {
            foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
            {
                foreach (var root in facts.Ends.Keys)
                {
                    if (root.Syntax.SyntaxTree == reference.SyntaxTree && reference.Span.Contains(root.Syntax.Span))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool HasFinalizer(INamedTypeSymbol type)
        {
            foreach (var member in type.GetMembers("Finalize"))
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Destructor })
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>True when the field's name appears in a nested or containing type's code (analysed with that type).</summary>
        private static bool UsedByOtherTypes(IFieldSymbol field, CancellationToken cancellationToken)
        {
            var owner = field.ContainingType;
            var top = owner;
            while (top.ContainingType is { } outer)
            {
                top = outer;
            }

            if (SymbolEqualityComparer.Default.Equals(top, owner) && owner.GetTypeMembers().IsEmpty)
            {
                return false;
            }

            foreach (var reference in top.DeclaringSyntaxReferences)
            {
                if (!NameIndex.Mentions(reference.SyntaxTree, field.Name, cancellationToken))
                {
                    continue;
                }

                var root = reference.GetSyntax(cancellationToken);
                foreach (var token in root.DescendantTokens())
                {
                    if (!token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) || token.ValueText != field.Name)
                    {
                        continue;
                    }

                    var enclosing = token.Parent?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
                    var isOwn = false;
                    foreach (var own in owner.DeclaringSyntaxReferences)
                    {
                        if (enclosing != null && own.SyntaxTree == enclosing.SyntaxTree && own.Span == enclosing.Span)
                        {
                            isOwn = true;
                        }
                    }

                    if (!isOwn)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
