using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
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
    /// <para>
    /// The facts of a field are read on demand, once per compilation: the identifier tokens with its name in the
    /// declarations of its type (found through a per-tree index), bound one by one, and its initializer. A finding at the
    /// field is reported by the field's symbol action, a finding at an assignment by the assignment's operation action, so
    /// the IDE's request for one document binds only that document and the uses of its fields, not every part of a
    /// partial type.
    /// </para>
    /// </summary>
    internal sealed class OwnedFields
    {
        private static readonly ConditionalWeakTable<SyntaxTree, object> GeneratedTrees = new ConditionalWeakTable<SyntaxTree, object>();
        private static readonly object Generated = new object();
        private static readonly object NotGenerated = new object();

        private readonly CompilationModel _model;
        private readonly Compilation _compilation;
        private readonly AnalyzerOptions _options;
        private readonly System.Func<IFieldSymbol, FieldResource?> _candidate;
        private readonly System.Func<FieldFinding, Diagnostic> _describe;
        // Made at first use: most requests meet no candidate field.
        private ConcurrentDictionary<IFieldSymbol, ImmutableArray<FieldFinding>>? _findings;
        private ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>>? _exempt;

        private ConcurrentDictionary<IFieldSymbol, ImmutableArray<FieldFinding>> FindingsCache =>
            LazyInitializer.EnsureInitialized(ref _findings, () => new ConcurrentDictionary<IFieldSymbol, ImmutableArray<FieldFinding>>(SymbolEqualityComparer.Default))!;

        private ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>> Exempt =>
            LazyInitializer.EnsureInitialized(ref _exempt, () => new ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>>())!;

        private OwnedFields(Compilation compilation, AnalyzerOptions options, CompilationModel model, System.Func<IFieldSymbol, FieldResource?> candidate, System.Func<FieldFinding, Diagnostic> describe)
        {
            _model = model;
            _compilation = compilation;
            _options = options;
            _candidate = candidate;
            _describe = describe;
        }

        /// <summary>
        /// Reports the findings on the candidate fields of the wanted resources: those at a field from the field's symbol
        /// action, those at an assignment (replaced, cleared, lost in a constructor) from the assignment's action.
        /// </summary>
        public static void Register(CompilationStartAnalysisContext start, CompilationModel model, System.Func<IFieldSymbol, FieldResource?> candidate, System.Func<FieldFinding, Diagnostic> describe)
        {
            var fields = new OwnedFields(start.Compilation, start.Options, model, candidate, describe);
            start.RegisterSymbolAction(fields.OnField, SymbolKind.Field);
            start.RegisterOperationAction(fields.OnAssignment, OperationKind.SimpleAssignment);
        }

        private FieldResource? ResourceOf(IFieldSymbol field)
            => field is { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false, ContainingType.TypeKind: TypeKind.Class or TypeKind.Struct } ? _candidate(field) : null;

        private void OnField(SymbolAnalysisContext context)
        {
            var field = (IFieldSymbol)context.Symbol;
            if (ResourceOf(field) is null)
            {
                return;
            }

            foreach (var finding in FindingsOf(field, context.CancellationToken))
            {
                if (finding.Leak is FieldLeak.NeverReleased or FieldLeak.OwnerNotDisposable)
                {
                    context.ReportDiagnostic(_describe(finding));
                }
            }
        }

        private void OnAssignment(OperationAnalysisContext context)
        {
            var assignment = (ISimpleAssignmentOperation)context.Operation;
            if (assignment.Target is not IFieldReferenceOperation target)
            {
                return;
            }

            var field = target.Field.OriginalDefinition;
            if (ResourceOf(field) is null || !InOwnDeclaration(assignment.Syntax, field.ContainingType))
            {
                return;
            }

            var syntax = assignment.Syntax;
            foreach (var finding in FindingsOf(field, context.CancellationToken))
            {
                if (finding.Leak is not (FieldLeak.NeverReleased or FieldLeak.OwnerNotDisposable)
                    && finding.Location.SourceTree == syntax.SyntaxTree && finding.Location.SourceSpan == syntax.Span)
                {
                    context.ReportDiagnostic(_describe(finding));
                }
            }
        }

        /// <summary>The node is in one of the type's own declarations (not in a nested type's).</summary>
        private static bool InOwnDeclaration(SyntaxNode node, INamedTypeSymbol owner)
        {
            var enclosing = node.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (enclosing is null)
            {
                return false;
            }

            foreach (var own in owner.DeclaringSyntaxReferences)
            {
                if (own.SyntaxTree == enclosing.SyntaxTree && own.Span == enclosing.Span)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The findings on the field, computed once per compilation.</summary>
        private ImmutableArray<FieldFinding> FindingsOf(IFieldSymbol field, CancellationToken cancellationToken)
        {
            var findings = FindingsCache;
            if (findings.TryGetValue(field, out var known))
            {
                return known;
            }

            var computed = Compute(field, cancellationToken);
            return findings.GetOrAdd(field, computed);
        }

        private ImmutableArray<FieldFinding> Compute(IFieldSymbol field, CancellationToken cancellationToken)
        {
            if (ResourceOf(field) is not { } resource || Uses(field, cancellationToken) is not { } uses)
            {
                // Not a candidate, or a nested or containing type uses the field: its code is analysed with that type. Don't know.
                return ImmutableArray<FieldFinding>.Empty;
            }

            // First the initializers and assignments (the only uses that acquire, in source order); the other uses (reads,
            // releases, hand-overs, the costly part) only when they acquire something the type may own.
            var facts = new Facts(resource);
            var models = new Dictionary<SyntaxTree, SemanticModel>();
            foreach (var assigns in new[] { true, false })
            {
                if (!assigns && facts.Acquisitions.Count == 0)
                {
                    break;
                }

                foreach (var use in uses)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (facts.NotOwned)
                    {
                        return ImmutableArray<FieldFinding>.Empty;
                    }

                    if (IsAssignmentUse(use) != assigns)
                    {
                        continue;
                    }

                    var tree = use.SyntaxTree;
                    if (!models.TryGetValue(tree, out var semanticModel))
                    {
                        semanticModel = _compilation.GetSemanticModel(tree);
                        models[tree] = semanticModel;
                    }

                    if (use is EqualsValueClauseSyntax initializer)
                    {
                        if (semanticModel.GetOperation(initializer, cancellationToken) is IFieldInitializerOperation operation)
                        {
                            Assigned(facts, operation.Value, null, cancellationToken);
                        }

                        continue;
                    }

                    if (ReferenceAt(semanticModel, (SimpleNameSyntax)use, field, cancellationToken) is { } reference)
                    {
                        OnFieldReference(facts, reference, cancellationToken);
                    }
                }
            }

            var findings = ImmutableArray.CreateBuilder<FieldFinding>();
            foreach (var finding in Findings(field, facts, cancellationToken))
            {
                findings.Add(finding);
            }

            return findings.ToImmutable();
        }

        /// <summary>
        /// An initializer, or a name that is (through <c>this.</c>, <c>?.</c>, parentheses or <c>!</c>) the left side of an
        /// assignment: the only uses where the field can be given a value.
        /// </summary>
        private static bool IsAssignmentUse(SyntaxNode use)
        {
            if (use is EqualsValueClauseSyntax)
            {
                return true;
            }

            var node = use;
            for (var i = 0; i < 8 && node.Parent is { } parent; i++)
            {
                switch (parent)
                {
                    case MemberAccessExpressionSyntax access when access.Name == node:
                    case MemberBindingExpressionSyntax:
                    case ParenthesizedExpressionSyntax:
                    case PostfixUnaryExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.SuppressNullableWarningExpression }:
                        node = parent;
                        continue;
                    case AssignmentExpressionSyntax assignment:
                        return assignment.Left == node;
                    default:
                        return false;
                }
            }

            return false;
        }

        /// <summary>
        /// The field's initializers and the simple names with its name in its type's own declarations (outside generated
        /// code, as the analyzer driver skips it), in source order; null when a nested or containing type's code has an
        /// identifier with the field's name.
        /// </summary>
        private List<SyntaxNode>? Uses(IFieldSymbol field, CancellationToken cancellationToken)
        {
            var owner = field.ContainingType;
            var top = owner;
            while (top.ContainingType is { } outer)
            {
                top = outer;
            }

            var uses = new List<SyntaxNode>();
            foreach (var declarator in field.DeclaringSyntaxReferences)
            {
                if (declarator.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer: { } initializer } && !IsGeneratedCode(initializer, cancellationToken))
                {
                    uses.Add(initializer);
                }
            }

            var name = field.Name;
            var seen = new HashSet<SyntaxTree>();
            foreach (var reference in top.DeclaringSyntaxReferences)
            {
                var tree = reference.SyntaxTree;
                if (!seen.Add(tree) || NameIndex.Positions(tree, name, cancellationToken) is not { Count: > 0 } positions)
                {
                    continue;
                }

                var root = tree.GetRoot(cancellationToken);
                foreach (var position in positions)
                {
                    if (!InTopDeclaration(top, tree, position))
                    {
                        continue;
                    }

                    var token = root.FindToken(position);
                    if (token.Parent is not { } parent)
                    {
                        continue;
                    }

                    if (!InOwnDeclaration(parent, owner))
                    {
                        return null;
                    }

                    if (parent is SimpleNameSyntax && !IsGeneratedCode(parent, cancellationToken))
                    {
                        uses.Add(parent);
                    }
                }
            }

            var order = new Dictionary<SyntaxTree, int>();
            foreach (var reference in top.DeclaringSyntaxReferences)
            {
                if (!order.ContainsKey(reference.SyntaxTree))
                {
                    order[reference.SyntaxTree] = order.Count;
                }
            }

            uses.Sort((a, b) =>
            {
                var byTree = (order.TryGetValue(a.SyntaxTree, out var x) ? x : -1).CompareTo(order.TryGetValue(b.SyntaxTree, out var y) ? y : -1);
                return byTree != 0 ? byTree : a.SpanStart.CompareTo(b.SpanStart);
            });
            return uses;
        }

        private static bool InTopDeclaration(INamedTypeSymbol top, SyntaxTree tree, int position)
        {
            foreach (var reference in top.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree == tree && reference.Span.Contains(position))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The reference to the field that the simple name is (the name itself, or the member access it ends).</summary>
        private static IFieldReferenceOperation? ReferenceAt(SemanticModel semanticModel, SimpleNameSyntax name, IFieldSymbol field, CancellationToken cancellationToken)
        {
            SyntaxNode? node = name;
            for (var i = 0; i < 3 && node != null && node is not StatementSyntax and not MemberDeclarationSyntax; i++, node = node.Parent)
            {
                if (semanticModel.GetOperation(node, cancellationToken) is not { } operation)
                {
                    continue;
                }

                IFieldReferenceOperation? found = null;
                foreach (var candidate in operation.DescendantsAndSelf())
                {
                    if (candidate is IFieldReferenceOperation reference && reference.Syntax.Span.Contains(name.Span)
                        && SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field)
                        && (found is null || reference.Syntax.Span.Length < found.Syntax.Span.Length))
                    {
                        found = reference;
                    }
                }

                return found;
            }

            return null;
        }

        /// <summary>
        /// Code the analyzer driver does not analyse (the analyzers do not ask for generated code): a generated file (by
        /// its options, name or auto-generated header), a member marked [GeneratedCode], a hidden line.
        /// </summary>
        private bool IsGeneratedCode(SyntaxNode node, CancellationToken cancellationToken)
        {
            var tree = node.SyntaxTree;
            if (IsGeneratedTree(tree, cancellationToken))
            {
                return true;
            }

            if (tree.HasHiddenRegions() && tree.GetLineVisibility(node.SpanStart, cancellationToken) == LineVisibility.Hidden)
            {
                return true;
            }

            for (var p = node.Parent; p != null; p = p.Parent)
            {
                if (p is MemberDeclarationSyntax member)
                {
                    foreach (var list in member.AttributeLists)
                    {
                        foreach (var attribute in list.Attributes)
                        {
                            var text = attribute.Name.ToString();
                            if (text.EndsWith("GeneratedCode", System.StringComparison.Ordinal) || text.EndsWith("GeneratedCodeAttribute", System.StringComparison.Ordinal))
                            {
                                return true;
                            }
                        }
                    }
                }
            }

            return false;
        }

        private bool IsGeneratedTree(SyntaxTree tree, CancellationToken cancellationToken)
        {
            if (GeneratedTrees.TryGetValue(tree, out var known))
            {
                return known == Generated;
            }

            var kind = _compilation.Options.SyntaxTreeOptionsProvider?.IsGenerated(tree, cancellationToken) ?? GeneratedKind.Unknown;
            var generated = kind == GeneratedKind.MarkedGenerated || (kind == GeneratedKind.Unknown && (IsGeneratedFileName(tree.FilePath) || HasAutoGeneratedHeader(tree, cancellationToken)));
            return GeneratedTrees.GetValue(tree, _ => generated ? Generated : NotGenerated) == Generated;
        }

        private static bool IsGeneratedFileName(string? path)
        {
            if (string.IsNullOrEmpty(path))
            {
                return false;
            }

            var fileName = System.IO.Path.GetFileName(path);
            if (fileName.StartsWith("TemporaryGeneratedFile_", System.StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.IsNullOrEmpty(System.IO.Path.GetExtension(fileName)))
            {
                return false;
            }

            var stem = System.IO.Path.GetFileNameWithoutExtension(fileName);
            return stem.EndsWith(".designer", System.StringComparison.OrdinalIgnoreCase)
                || stem.EndsWith(".generated", System.StringComparison.OrdinalIgnoreCase)
                || stem.EndsWith(".g", System.StringComparison.OrdinalIgnoreCase)
                || stem.EndsWith(".g.i", System.StringComparison.OrdinalIgnoreCase);
        }

        private static bool HasAutoGeneratedHeader(SyntaxTree tree, CancellationToken cancellationToken)
        {
            foreach (var trivia in tree.GetRoot(cancellationToken).GetLeadingTrivia())
            {
                if (trivia.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.MultiLineCommentTrivia))
                {
                    var text = trivia.ToString();
                    if (text.Contains("<autogenerated") || text.Contains("<auto-generated"))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private sealed class Facts
        {
            public Facts(FieldResource resource)
            {
                Resource = resource;
            }

            public FieldResource Resource { get; }

            public readonly List<(IOperation Value, ITypeSymbol Type, string? Release, string? Pool)> Acquisitions = new List<(IOperation, ITypeSymbol, string?, string?)>();
            public readonly List<ISimpleAssignmentOperation> Replacements = new List<ISimpleAssignmentOperation>();
            public readonly List<ISimpleAssignmentOperation> Clears = new List<ISimpleAssignmentOperation>();
            public readonly List<ISimpleAssignmentOperation> InConstructors = new List<ISimpleAssignmentOperation>();

            /// <summary>Per body: where the field's value is released, handed on or saved to a local.</summary>
            public readonly Dictionary<IOperation, List<int>> Ends = new Dictionary<IOperation, List<int>>();
            public bool NotOwned;
            public bool Released;

            public void AddEnd(IOperation reference)
            {
                var root = BodyIndex.RootOf(reference);
                if (!Ends.TryGetValue(root, out var positions))
                {
                    positions = new List<int>();
                    Ends[root] = positions;
                }

                positions.Add(reference.Syntax.SpanStart);
            }
        }

        private ResourceKind KindOf(FieldResource resource) => resource switch
        {
            FieldResource.Disposable => DisposableKind.NormalPathsOnly,
            FieldResource.Pooled => PooledKind.Instance,
            _ => NativeMemoryKind.Instance,
        };

        private void OnFieldReference(Facts facts, IFieldReferenceOperation reference, CancellationToken cancellationToken)
        {
            if (reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference)
            {
                if (assignment.Parent is IUsingOperation || assignment.Parent is IConversionOperation { Parent: IUsingOperation })
                {
                    // using (_info = ReadInfo()) { ... }: the using disposes what it assigns.
                    facts.Released = true;
                    facts.AddEnd(reference);
                    return;
                }

                Assigned(facts, assignment.Value, assignment, cancellationToken);
                return;
            }

            if (reference.Instance is not (null or IInstanceReferenceOperation))
            {
                // other._field: another instance's field, handled by that instance's code paths. Don't know.
                facts.NotOwned = true;
                return;
            }

            var flow = new FlowContext(_model.Summaries, KindOf(facts.Resource), cancellationToken);
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
                facts.AddEnd(reference);
            }
        }

        private void Assigned(Facts facts, IOperation value, ISimpleAssignmentOperation? assignment, CancellationToken cancellationToken)
        {
            value = ValueFlow.Strip(value)!;
            if (IsEmpty(value))
            {
                if (assignment != null && BodyIndex.RootOf(assignment) is not IConstructorBodyOperation)
                {
                    facts.Clears.Add(assignment);
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

            var acquired = Acquisition(facts.Resource, value, cancellationToken);
            if (acquired is null)
            {
                // Injected (a parameter, another object's member) or unknown: the type does not own the field.
                facts.NotOwned = true;
                return;
            }

            facts.Acquisitions.Add((value, acquired.Value.Type, acquired.Value.Release, acquired.Value.Pool));
            if (assignment != null)
            {
                facts.Replacements.Add(assignment);
                if (facts.Resource == FieldResource.Disposable && BodyIndex.RootOf(assignment) is IConstructorBodyOperation)
                {
                    facts.InConstructors.Add(assignment);
                }
            }
        }

        private (ITypeSymbol Type, string? Release, string? Pool)? Acquisition(FieldResource resource, IOperation value, CancellationToken cancellationToken)
        {
            var types = _model.Disposables;
            switch (resource)
            {
                case FieldResource.Disposable:
                    var created = DisposableAcquisition(value, cancellationToken);
                    if (created is null)
                    {
                        return null;
                    }

                    var options = _options;
                    var configured = Exempt.GetOrAdd(value.Syntax.SyntaxTree, t => DisposableTypes.ConfiguredExemptTypes(options, t));
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
        private ITypeSymbol? DisposableAcquisition(IOperation value, CancellationToken cancellationToken)
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

            var flow = new FlowContext(_model.Summaries, AnyResourceKind.Instance, cancellationToken);
            switch (value)
            {
                case IObjectCreationOperation creation when types.IsDisposable(creation.Type):
                    return creation.Type;
                case IInvocationOperation invocation when _model.Summaries.ForCall(invocation, flow) is { Returns: ReturnKind.New } summary:
                    var returned = types.AwaitedType(invocation.TargetMethod.ReturnType) ?? invocation.TargetMethod.ReturnType;
                    return types.IsDisposable(returned) ? Concrete(_compilation, summary, returned) : null;
                case IPropertyReferenceOperation { Property.GetMethod: { } getter } property when _model.Summaries.ForMethod(getter, flow) is { Returns: ReturnKind.New } getterSummary:
                    return types.IsDisposable(property.Type) ? Concrete(_compilation, getterSummary, property.Type!) : null;
                default:
                    return null;
            }
        }

        /// <summary>The class the summary says every path creates, when it names one this compilation can see; else the declared type.</summary>
        private static ITypeSymbol Concrete(Compilation compilation, MethodSummary summary, ITypeSymbol declared)
            => summary.CreatedType is { } name && MetadataTypes.Get(compilation, name) is { } created ? created : declared;

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

        private IEnumerable<FieldFinding> Findings(IFieldSymbol field, Facts facts, CancellationToken cancellationToken)
        {
            {
                if (facts.NotOwned || facts.Acquisitions.Count == 0)
                {
                    yield break;
                }

                var first = facts.Acquisitions[0];
                var owner = field.ContainingType;
                if (_model.Creations.IsProcessSingleton(owner, cancellationToken))
                {
                    // Every instance lives as long as the process (a static Log, a static Instance): nothing to release early.
                    yield break;
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
                    yield break;
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
    }
}
