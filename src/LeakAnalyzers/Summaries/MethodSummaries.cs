using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using LeakAnalyzers.Resources;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Summaries
{
    /// <summary>
    /// The method summaries of one compilation, shared by every analyzer (see <see cref="CompilationModel"/>): computed
    /// lazily on first query, memoized, thread-safe, bounded (calls followed <see cref="MaxDepth"/> deep, bodies up to
    /// <see cref="BodyIndex.MaxOperations"/> operations), recursion-guarded and cancellation-aware; never throwing (a
    /// failure is an unknown summary). Summaries of source methods are also kept per syntax tree, so that the IDE's
    /// per-request forks of a compilation reuse them while the trees they were read from are unchanged.
    /// Virtual and interface calls use the summary only when every implementation in the compilation agrees.
    /// </summary>
    internal sealed class MethodSummaries
    {
        /// <summary>How many calls deep a summary follows the calls it makes.</summary>
        public const int MaxDepth = 6;

        private const int MaxImplementations = 8;

        private static readonly ConditionalWeakTable<SyntaxTree, TreeCache> Trees = new ConditionalWeakTable<SyntaxTree, TreeCache>();

        /// <summary>Called for every summary computed from code (not taken from a cache): for tests that check reuse across forks.</summary>
        internal static Action<IMethodSymbol>? Computed;

        private readonly ConcurrentDictionary<IMethodSymbol, Entry> _cache = new ConcurrentDictionary<IMethodSymbol, Entry>(SymbolEqualityComparer.Default);

        /// <summary>
        /// Summaries cut short by <see cref="MaxDepth"/> (and in no cycle), per method and the depth they were asked at:
        /// the same question gets the same answer without walking the calls again (a deep call graph asked from many
        /// callers was otherwise walked once per path), and the answer never depends on which caller asked first.
        /// </summary>
        private readonly ConcurrentDictionary<(IMethodSymbol Method, int Depth), Entry> _truncated = new ConcurrentDictionary<(IMethodSymbol, int), Entry>();
        private DerivedTypes? _derived;

        /// <summary>The source types deriving from a type, found on demand (for virtual and interface calls).</summary>
        private DerivedTypes Derived => LazyInitializer.EnsureInitialized(ref _derived, () => new DerivedTypes(Model.Compilation))!;

        public MethodSummaries(CompilationModel model)
        {
            Model = model;
        }

        public CompilationModel Model { get; }

        /// <summary>The summary of <paramref name="method"/>, from a fresh query.</summary>
        public MethodSummary Get(IMethodSymbol method, CancellationToken cancellationToken)
            => ForMethod(method, new FlowContext(this, AnyResourceKind.Instance, cancellationToken));

        /// <summary>The summary of the method a call binds to, through virtual dispatch when the call is virtual.</summary>
        public MethodSummary ForCall(IInvocationOperation invocation, FlowContext caller)
        {
            var method = invocation.TargetMethod;
            if (ValueFlow.IsLibrary(method))
            {
                // A library's virtual or interface method that this code base implements (IObservable.Subscribe in Rx, a
                // Stream subclass's Write): the call may run that code instead of the library's.
                return invocation.IsVirtual && CanBeOverridden(method) && Derived.ImplementedInSource(method, caller.CancellationToken)
                    ? MethodSummary.Unknown
                    : ForMethod(method, caller);
            }

            if (!invocation.IsVirtual || !CanBeOverridden(method))
            {
                return ForMethod(method, caller);
            }

            var implementations = Implementations(method, caller.CancellationToken);
            if (implementations is null || implementations.Count == 0)
            {
                return MethodSummary.Unknown;
            }

            MethodSummary? merged = null;
            foreach (var implementation in implementations)
            {
                var summary = ForMethod(implementation, caller);
                merged = merged is null ? summary : Merge(merged, summary);
                if (merged.IsUnknown)
                {
                    return merged;
                }
            }

            return merged ?? MethodSummary.Unknown;
        }

        public MethodSummary ForConstructor(IMethodSymbol constructor, FlowContext caller) => ForMethod(constructor, caller);

        public MethodSummary ForMethod(IMethodSymbol method, FlowContext caller)
        {
            method = method.OriginalDefinition;
            if (method.PartialImplementationPart is { } implementation)
            {
                method = implementation;
            }

            if (ValueFlow.IsLibrary(method))
            {
                return MetadataSummaries.Get(method);
            }

            if (_cache.TryGetValue(method, out var cached))
            {
                caller.Dependencies.UnionWith(cached.Dependencies);
                return cached.Summary;
            }

            var key = KeyOf(method);
            if (key.Tree is { } tree && Trees.TryGetValue(tree, out var treeCache) && treeCache.Entries.TryGetValue(key.Span, out var shared)
                && shared.IsValidIn(Model.Compilation, out var dependencies))
            {
                var entry = new Entry(shared.Summary, dependencies);
                _cache.TryAdd(method, entry);
                caller.Dependencies.UnionWith(dependencies);
                return shared.Summary;
            }

            if (_truncated.TryGetValue((method, caller.Depth), out var cut))
            {
                caller.Truncated = true;
                caller.Dependencies.UnionWith(cut.Dependencies);
                return cut.Summary;
            }

            if (caller.InProgress.Contains(method))
            {
                // A recursive call adds nothing the method's own body does not already do; the result is provisional.
                (caller.CycleHeads ??= new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default)).Add(method);
                return Optimistic(method);
            }

            if (caller.Depth >= MaxDepth)
            {
                caller.Truncated = true;
                return MethodSummary.Unknown;
            }

            var context = new FlowContext(this, AnyResourceKind.Instance, caller.CancellationToken, caller.InProgress, caller.Depth + 1);
            caller.InProgress.Add(method);
            MethodSummary summary;
            try
            {
                summary = Compute(method, context);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception)
            {
                // Never throw from an analyzer: a summary we could not compute is simply unknown.
                summary = MethodSummary.Unknown;
            }
            finally
            {
                caller.InProgress.Remove(method);
            }

            if (key.Tree is { } ownTree)
            {
                context.Dependencies.Add(ownTree);
            }

            context.CycleHeads?.Remove(method);
            var provisional = context.CycleHeads is { Count: > 0 };
            if (provisional)
            {
                (caller.CycleHeads ??= new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default)).UnionWith(context.CycleHeads!);
            }

            caller.Truncated |= context.Truncated;
            caller.Dependencies.UnionWith(context.Dependencies);
            if (!provisional && !context.Truncated)
            {
                var trees = new SyntaxTree[context.Dependencies.Count];
                context.Dependencies.CopyTo(trees);
                _cache.TryAdd(method, new Entry(summary, trees));
                if (key.Tree is { } cacheTree)
                {
                    Trees.GetValue(cacheTree, _ => new TreeCache()).Entries[key.Span] = new SharedEntry(summary, trees);
                }
            }
            else if (!provisional)
            {
                var trees = new SyntaxTree[context.Dependencies.Count];
                context.Dependencies.CopyTo(trees);
                _truncated.TryAdd((method, caller.Depth), new Entry(summary, trees));
            }

            return summary;
        }

        private MethodSummary Compute(IMethodSymbol method, FlowContext context)
        {
            Computed?.Invoke(method);
            var references = method.DeclaringSyntaxReferences;
            if (references.Length == 0)
            {
                // An implicitly declared member: a default constructor, a record's generated members.
                return method.IsImplicitlyDeclared && method.MethodKind == MethodKind.Constructor && method.Parameters.IsEmpty
                    ? new MethodSummary(ValueEffects.None, ImmutableArray<ValueEffects>.Empty, ReturnKind.Nothing, -1, ImmutableArray<StoreSite>.Empty)
                    : MethodSummary.Unknown;
            }

            if (method.IsAbstract || method.IsExtern)
            {
                return MethodSummary.Unknown;
            }

            if (MetadataSummaries.MustDisposeResource(method) is false)
            {
                return MethodSummary.Unknown;
            }

            var reference = references[0];
            var tree = reference.SyntaxTree;
            if (!Model.Compilation.ContainsSyntaxTree(tree))
            {
                return MethodSummary.Unknown;
            }

            var syntax = reference.GetSyntax(context.CancellationToken);
            switch (syntax)
            {
                case AccessorDeclarationSyntax { Body: null, ExpressionBody: null }:
                    return AutoAccessor(method);
                case TypeDeclarationSyntax typeDeclaration:
                    return PrimaryConstructor(method, typeDeclaration, context);
            }

            var model = SemanticModel(tree);
            var operation = model.GetOperation(syntax, context.CancellationToken);
            var summary = operation switch
            {
                ILocalFunctionOperation function => SummaryBuilder.Build(method, function, function, context),
                IMethodBodyBaseOperation or IBlockOperation => SummaryBuilder.Build(method, operation, null, context),
                _ => MethodSummary.Unknown,
            };

            return Annotated(method, summary);
        }

        /// <summary>
        /// JetBrains' annotations, read by name: [MustDisposeResource] on the method or its result type (the caller owns the
        /// result, whatever the body shows), [HandlesResourceDisposal] on a parameter (taken over) or on the method (it
        /// releases its receiver).
        /// </summary>
        private static MethodSummary Annotated(IMethodSymbol method, MethodSummary summary)
        {
            if (summary.IsUnknown)
            {
                return summary;
            }

            var returns = summary.Returns;
            if (!method.ReturnsVoid && (MetadataSummaries.MustDisposeResource(method) == true || method.ReturnType is INamedTypeSymbol type && MetadataSummaries.MustDisposeResource(type) == true))
            {
                returns = ReturnKind.New;
            }

            var receiver = MetadataSummaries.HasAttribute(method.GetAttributes(), "HandlesResourceDisposalAttribute") ? ValueEffects.Released : summary.Receiver;
            var parameters = summary.Parameters;
            for (var i = 0; i < method.Parameters.Length && i < parameters.Length; i++)
            {
                if (MetadataSummaries.HasAttribute(method.Parameters[i].GetAttributes(), "HandlesResourceDisposalAttribute"))
                {
                    parameters = parameters.SetItem(i, ValueEffects.StoredElsewhere);
                }
            }

            return returns == summary.Returns && receiver == summary.Receiver && parameters == summary.Parameters
                ? summary
                : new MethodSummary(receiver, parameters, returns, returns == summary.Returns ? summary.ReturnedParameter : -1, summary.Stores,
                    nothingWhenParameter: summary.NothingWhenParameter, nothingWhenValue: summary.NothingWhenValue, createdType: summary.CreatedType);
        }

        /// <summary><c>get;</c> returns the backing field (kept); <c>set;</c> stores its value.</summary>
        private static MethodSummary AutoAccessor(IMethodSymbol method)
        {
            if (method.MethodKind == MethodKind.PropertyGet)
            {
                return new MethodSummary(ValueEffects.None, ImmutableArray<ValueEffects>.Empty, ReturnKind.Kept, -1, ImmutableArray<StoreSite>.Empty);
            }

            var effects = ImmutableArray.CreateBuilder<ValueEffects>(method.Parameters.Length);
            foreach (var _ in method.Parameters)
            {
                effects.Add(method.IsStatic ? ValueEffects.StoredInStatic : ValueEffects.StoredInInstance);
            }

            var stores = method.AssociatedSymbol is { } property
                ? ImmutableArray.Create(new StoreSite(0, SymbolNames.Qualified(property), method.IsStatic, removes: false, property.Locations.Length > 0 ? property.Locations[0] : null))
                : ImmutableArray<StoreSite>.Empty;
            return new MethodSummary(ValueEffects.None, effects.MoveToImmutable(), ReturnKind.Nothing, -1, stores);
        }

        /// <summary>
        /// A primary constructor: a parameter used in a member is captured into a hidden field (kept by the object); one used
        /// only in initializers is followed from there; a record's positional parameters become properties.
        /// </summary>
        private MethodSummary PrimaryConstructor(IMethodSymbol constructor, TypeDeclarationSyntax declaration, FlowContext context)
        {
            var effects = ImmutableArray.CreateBuilder<ValueEffects>(constructor.Parameters.Length);
            var stores = ImmutableArray.CreateBuilder<StoreSite>();
            var isRecord = declaration is RecordDeclarationSyntax;
            foreach (var parameter in constructor.Parameters)
            {
                if (isRecord)
                {
                    effects.Add(ValueEffects.StoredInInstance);
                    continue;
                }

                var effect = ValueEffects.None;
                foreach (var part in constructor.ContainingType.DeclaringSyntaxReferences)
                {
                    var model = SemanticModel(part.SyntaxTree);
                    foreach (var node in part.GetSyntax(context.CancellationToken).DescendantNodes())
                    {
                        if (node is not IdentifierNameSyntax name || name.Identifier.ValueText != parameter.Name)
                        {
                            continue;
                        }

                        if (model.GetOperation(name, context.CancellationToken) is not IParameterReferenceOperation use
                            || !SymbolEqualityComparer.Default.Equals(use.Parameter.OriginalDefinition, parameter.OriginalDefinition))
                        {
                            continue;
                        }

                        var root = BodyIndex.RootOf(use);
                        if (root is IFieldInitializerOperation or IPropertyInitializerOperation || root.Syntax is PrimaryConstructorBaseTypeSyntax or ArgumentListSyntax)
                        {
                            var uses = ValueTracker.Follow(new[] { (IOperation)use }, null, context);
                            effect |= uses is null ? ValueEffects.Unknown : InitializerEffects(uses);
                        }
                        else
                        {
                            effect |= ValueEffects.StoredInInstance;
                        }
                    }
                }

                effects.Add(effect);
            }

            return new MethodSummary(ValueEffects.None, effects.MoveToImmutable(), ReturnKind.Nothing, -1, stores.ToImmutable());
        }

        private static ValueEffects InitializerEffects(List<TrackedUse> uses)
        {
            var effects = ValueEffects.None;
            foreach (var tracked in uses)
            {
                effects |= tracked.Use.Step switch
                {
                    FlowStep.HandOver => tracked.Use.Store == StoreKind.Static ? ValueEffects.StoredInStatic : ValueEffects.StoredInInstance,
                    FlowStep.Release => ValueEffects.ReleasedSometimes,
                    FlowStep.Unknown => ValueEffects.Unknown,
                    _ => ValueEffects.None,
                };
            }

            return effects;
        }

        /// <summary>The summary assumed for a method still being summarised: its own frame records what it does.</summary>
        private static MethodSummary Optimistic(IMethodSymbol method)
        {
            var effects = ImmutableArray.CreateBuilder<ValueEffects>(method.Parameters.Length);
            foreach (var _ in method.Parameters)
            {
                effects.Add(ValueEffects.None);
            }

            return new MethodSummary(ValueEffects.None, effects.MoveToImmutable(), ReturnKind.Unknown, -1, ImmutableArray<StoreSite>.Empty);
        }

        private SemanticModel SemanticModel(SyntaxTree tree)
        {
#pragma warning disable RS1030 // Callee bodies in other trees: the analyzer driver's compilation shares its semantic models (and their binding) with this call.
            return Model.Compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
        }

        private static (SyntaxTree? Tree, (int, int) Span) KeyOf(IMethodSymbol method)
        {
            var references = method.DeclaringSyntaxReferences;
            if (references.Length == 0 || method.MethodKind is MethodKind.LambdaMethod)
            {
                return (null, default);
            }

            var span = references[0].Span;
            return (references[0].SyntaxTree, (span.Start, span.Length));
        }

        private static bool CanBeOverridden(IMethodSymbol method)
        {
            if (method.IsStatic || method.MethodKind is MethodKind.LocalFunction or MethodKind.Constructor || method.IsSealed)
            {
                return false;
            }

            if (method.ContainingType?.TypeKind == TypeKind.Interface)
            {
                return true;
            }

            return (method.IsVirtual || method.IsAbstract || method.IsOverride) && method.ContainingType is { IsSealed: false, TypeKind: TypeKind.Class or TypeKind.Interface };
        }

        private List<IMethodSymbol>? Implementations(IMethodSymbol method, CancellationToken cancellationToken)
        {
            return ImplementationIndex.Implementations(Derived, method, MaxImplementations, cancellationToken);
        }

        /// <summary>
        /// What any of two implementations may do: a store or unknown use in either counts; a release counts as "always"
        /// only when both always release; the result's origin must agree.
        /// </summary>
        private static MethodSummary Merge(MethodSummary a, MethodSummary b)
        {
            if (a.IsUnknown || b.IsUnknown || a.Parameters.Length != b.Parameters.Length)
            {
                return MethodSummary.Unknown;
            }

            var parameters = ImmutableArray.CreateBuilder<ValueEffects>(a.Parameters.Length);
            for (var i = 0; i < a.Parameters.Length; i++)
            {
                parameters.Add(MergeEffects(a.Parameters[i], b.Parameters[i]));
            }

            var agree = a.Returns == b.Returns && a.ReturnedParameter == b.ReturnedParameter;
            return new MethodSummary(MergeEffects(a.Receiver, b.Receiver), parameters.MoveToImmutable(), agree ? a.Returns : ReturnKind.Unknown,
                agree ? a.ReturnedParameter : -1, a.Stores.AddRange(b.Stores), createdType: agree && a.CreatedType == b.CreatedType ? a.CreatedType : null);
        }

        private static ValueEffects MergeEffects(ValueEffects a, ValueEffects b)
        {
            var union = a | b;
            if ((union & ValueEffects.Released) != 0 && (a & b & ValueEffects.Released) == 0)
            {
                union = (union & ~ValueEffects.Released) | ValueEffects.ReleasedSometimes;
            }

            return union;
        }

        private sealed class Entry
        {
            public Entry(MethodSummary summary, SyntaxTree[] dependencies)
            {
                Summary = summary;
                Dependencies = dependencies;
            }

            public MethodSummary Summary { get; }

            public SyntaxTree[] Dependencies { get; }
        }

        /// <summary>A summary kept with its tree: valid in another compilation that still holds every tree it was read from.</summary>
        private sealed class SharedEntry
        {
            private readonly WeakReference<SyntaxTree>[] _dependencies;

            public SharedEntry(MethodSummary summary, SyntaxTree[] dependencies)
            {
                Summary = summary;
                _dependencies = new WeakReference<SyntaxTree>[dependencies.Length];
                for (var i = 0; i < dependencies.Length; i++)
                {
                    _dependencies[i] = new WeakReference<SyntaxTree>(dependencies[i]);
                }
            }

            public MethodSummary Summary { get; }

            public bool IsValidIn(Compilation compilation, out SyntaxTree[] dependencies)
            {
                dependencies = new SyntaxTree[_dependencies.Length];
                for (var i = 0; i < _dependencies.Length; i++)
                {
                    if (!_dependencies[i].TryGetTarget(out var tree) || !compilation.ContainsSyntaxTree(tree))
                    {
                        return false;
                    }

                    dependencies[i] = tree;
                }

                return true;
            }
        }

        private sealed class TreeCache
        {
            public ConcurrentDictionary<(int, int), SharedEntry> Entries { get; } = new ConcurrentDictionary<(int, int), SharedEntry>();
        }

        /// <summary>The bodies a virtual or interface call of a source method may run, from the types deriving from its type.</summary>
        private static class ImplementationIndex
        {
            /// <summary>Every body the call may run, or null when one of them is not in source or there are too many.</summary>
            public static List<IMethodSymbol>? Implementations(DerivedTypes derived, IMethodSymbol method, int max, CancellationToken cancellationToken)
            {
                var result = new List<IMethodSymbol>();
                var original = method.OriginalDefinition;
                if (!original.IsAbstract && original.DeclaringSyntaxReferences.Length > 0)
                {
                    result.Add(original);
                }

                if (derived.Of(original.ContainingType, cancellationToken) is not { } types)
                {
                    return null;
                }

                foreach (var type in types)
                {
                    IMethodSymbol? implementation = null;
                    if (original.ContainingType.TypeKind == TypeKind.Interface)
                    {
                        implementation = ImplementationOf(type, original);
                    }
                    else
                    {
                        foreach (var member in type.GetMembers(original.Name))
                        {
                            if (member is IMethodSymbol { IsOverride: true } candidate && Overrides(candidate, original))
                            {
                                implementation = candidate;
                            }
                        }
                    }

                    if (implementation is null || implementation.IsAbstract)
                    {
                        continue;
                    }

                    if (ValueFlow.IsLibrary(implementation))
                    {
                        return null;
                    }

                    if (!Contains(result, implementation.OriginalDefinition))
                    {
                        result.Add(implementation.OriginalDefinition);
                    }

                    if (result.Count > max)
                    {
                        return null;
                    }
                }

                return result;
            }

            /// <summary>The type's implementation of an interface method, through the constructed interface it implements.</summary>
            private static IMethodSymbol? ImplementationOf(INamedTypeSymbol type, IMethodSymbol original)
            {
                foreach (var implemented in type.AllInterfaces)
                {
                    if (!SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, original.ContainingType.OriginalDefinition))
                    {
                        continue;
                    }

                    foreach (var member in implemented.GetMembers(original.Name))
                    {
                        if (member is IMethodSymbol candidate && SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, original)
                            && type.FindImplementationForInterfaceMember(candidate) is IMethodSymbol implementation)
                        {
                            return implementation;
                        }
                    }
                }

                return null;
            }

            private static bool Contains(List<IMethodSymbol> methods, IMethodSymbol method)
            {
                foreach (var m in methods)
                {
                    if (SymbolEqualityComparer.Default.Equals(m, method))
                    {
                        return true;
                    }
                }

                return false;
            }

            private static bool Overrides(IMethodSymbol candidate, IMethodSymbol original)
            {
                for (var m = candidate.OverriddenMethod; m != null; m = m.OverriddenMethod)
                {
                    if (SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, original))
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
