using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers
{
    /// <summary>
    /// Where the compilation creates a type's instances and calls a method, found through <see cref="NameIndex"/> and bound
    /// only where the name appears: the facts behind "a process-lifetime singleton" (every instance is created into a
    /// static member) and "called repeatedly" (in a loop, from a method that is, or as an event handler or timer callback). Decided from the code the compilation holds, not
    /// from names; memoized per compilation; bounded (too many candidates: don't know).
    /// </summary>
    internal sealed class CreationSites
    {
        private const int MaxCandidates = 64;
        private const int MaxRegistrations = 4096;

        private readonly System.Collections.Concurrent.ConcurrentDictionary<INamedTypeSymbol, bool> _containerSingletons = new System.Collections.Concurrent.ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);

        private readonly CompilationModel _model;
        private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _singletons = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _singletonsByCode = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);

        private enum CreationKind
        {
            None,
            AllStatic,
            SomeNotStatic,
        }
        private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _keptByStatics = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _keptBySubscriptions = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, bool> _writtenOnce = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, bool> _keepingCollections = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);

        /// <summary>A cap on the target-typed <c>new(..)</c> bound in trees that do not name the type.</summary>
        private const int MaxImplicitCreations = 4096;

        private readonly ConcurrentDictionary<IMethodSymbol, bool> _repeated = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<(IMethodSymbol, int), int?> _newObjectPassed = new ConcurrentDictionary<(IMethodSymbol, int), int?>();

        public CreationSites(CompilationModel model)
        {
            _model = model;
        }

        /// <summary>
        /// The type keeps an instance of itself in a static member, and every instance the compilation creates is created into
        /// a static member's initializer (or in a static constructor): its instances live as long as the process.
        /// </summary>
        public bool IsProcessSingleton(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            type = type.OriginalDefinition;
            if (_singletons.TryGetValue(type, out var known))
            {
                return known;
            }

            var result = Lifetime.IsSingleton(type) && Creations(type, cancellationToken) == CreationKind.AllStatic;
            _singletons.TryAdd(type, result);
            return result;
        }

        /// <summary>
        /// The type keeps an instance of itself in a static member and the compilation creates none of its instances
        /// anywhere else (a container or the XAML loader may create the one it keeps), or the compilation registers it as a
        /// container singleton: taken for a singleton. A type whose static member is a factory (<c>Current => new Wrapper(..)</c>)
        /// or that the code also creates per use is not one.
        /// </summary>
        public bool IsSingleton(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            type = type.OriginalDefinition;
            if (_singletonsByCode.TryGetValue(type, out var known))
            {
                return known;
            }

            var result = Lifetime.IsSingleton(type) && Creations(type, cancellationToken) != CreationKind.SomeNotStatic
                || IsContainerSingleton(type, cancellationToken);
            _singletonsByCode.TryAdd(type, result);
            return result;
        }

        /// <summary>
        /// Every instance of the class that the compilation creates (<c>new T(..)</c>, a target-typed <c>new(..)</c>; at least
        /// one) is stored directly — possibly through a chain of assignments (<c>_pool = pools[key] = new Pool(..)</c>) — into a
        /// static field or property written only there, or into a static collection (<c>[k] =</c>, <c>Add</c>, <c>TryAdd</c>,
        /// <c>GetOrAdd</c>'s value or factory, reached through the member or a local alias of it) from which nothing removes
        /// and that is never replaced or handed on: its instances live as long as the process. Only a class no other assembly
        /// can create (not visible outside, or no constructor that is), with no derived class in the compilation, and that
        /// is never named to a container or an activator (<c>AddScoped&lt;T&gt;()</c>, <c>typeof(T)</c> passed to a call).
        /// </summary>
        public bool IsKeptByStatics(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            type = type.OriginalDefinition;
            if (_keptByStatics.TryGetValue(type, out var known))
            {
                return known;
            }

            var result = type.TypeKind == TypeKind.Class && !type.IsAbstract && !type.IsStatic && OnlyThisAssemblyCreates(type)
                && AllCreations(type, KeptByStatic, cancellationToken);
            return _keptByStatics.GetOrAdd(type, result);
        }

        /// <summary>
        /// Every instance of the class the compilation creates (at least one) is kept by nobody but what it subscribes to:
        /// the new object is only called on and dropped (<c>new Watcher().Watch(owner);</c>), or made and dropped at once
        /// (<c>new Watcher(owner);</c>), so the source it subscribed to is what holds it and they live as long. The same
        /// limits as <see cref="IsKeptByStatics"/>: no other assembly can create it, no derived class, never named to a
        /// container or an activator.
        /// </summary>
        public bool IsKeptOnlyByWhatItSubscribesTo(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            type = type.OriginalDefinition;
            if (_keptBySubscriptions.TryGetValue(type, out var known))
            {
                return known;
            }

            var result = type.TypeKind == TypeKind.Class && !type.IsAbstract && !type.IsStatic && OnlyThisAssemblyCreates(type)
                && AllCreations(type, (creation, _) => IsDroppedAfterUse(creation), cancellationToken);
            return _keptBySubscriptions.GetOrAdd(type, result);
        }

        /// <summary>The new object is a statement of its own, or the receiver of a call whose result is a statement (or discarded).</summary>
        private static bool IsDroppedAfterUse(IOperation creation)
        {
            var current = creation;
            while (current.Parent is IConversionOperation or IParenthesizedOperation)
            {
                current = current.Parent;
            }

            if (current.Parent is IInvocationOperation call && call.Instance == current)
            {
                current = call;
                while (current.Parent is IConversionOperation or IParenthesizedOperation)
                {
                    current = current.Parent;
                }
            }

            return current.Parent is IExpressionStatementOperation || current.Parent is ISimpleAssignmentOperation { Target: IDiscardOperation };
        }

        private static bool OnlyThisAssemblyCreates(INamedTypeSymbol type)
        {
            if (!IsVisibleOutsideAssembly(type))
            {
                return true;
            }

            foreach (var constructor in type.InstanceConstructors)
            {
                if (constructor.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal)
                {
                    return false;
                }
            }

            return true;
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

        /// <summary>
        /// Every creation of the class in the compilation (at least one, at most <see cref="MaxCandidates"/>) satisfies
        /// <paramref name="kept"/>; false as soon as one does not, or when a derived class or a registration or activation
        /// of the class means instances this code does not show.
        /// </summary>
        private bool AllCreations(INamedTypeSymbol type, System.Func<IOperation, CancellationToken, bool> kept, CancellationToken cancellationToken)
        {
            var creations = 0;
            foreach (var tree in NameIndex.TreesMentioning(_model.Compilation, type.Name, cancellationToken))
            {
                SemanticModel? model = null;
                foreach (var token in NameIndex.Occurrences(tree, type.Name, cancellationToken))
                {
                    var name = (SimpleNameSyntax)token.Parent!;
                    SyntaxNode typeSyntax = name.Parent is QualifiedNameSyntax qualified && qualified.Right == name ? qualified
                        : name.Parent is AliasQualifiedNameSyntax alias && alias.Name == name ? alias
                        : name;
                    switch (typeSyntax.Parent)
                    {
                        case ObjectCreationExpressionSyntax creation when creation.Type == typeSyntax:
                            model ??= SemanticModel(tree);
                            if (model.GetOperation(creation, cancellationToken) is not IObjectCreationOperation operation
                                || !SymbolEqualityComparer.Default.Equals(operation.Type?.OriginalDefinition, type))
                            {
                                continue;
                            }

                            if (++creations > MaxCandidates || !kept(operation, cancellationToken))
                            {
                                return false;
                            }

                            break;
                        case SimpleBaseTypeSyntax or PrimaryConstructorBaseTypeSyntax:
                        case TypeOfExpressionSyntax { Parent: ArgumentSyntax }:
                        case TypeArgumentListSyntax { Parent: GenericNameSyntax { Parent: InvocationExpressionSyntax or MemberAccessExpressionSyntax } }:
                            // A derived class, or the class named to a container or an activator: instances we cannot see.
                            model ??= SemanticModel(tree);
                            if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(typeSyntax, cancellationToken).Symbol?.OriginalDefinition, type)
                                && (typeSyntax.Parent is SimpleBaseTypeSyntax or PrimaryConstructorBaseTypeSyntax || IsRegistrationOrActivation(typeSyntax)))
                            {
                                return false;
                            }

                            break;
                    }
                }
            }

            if (creations == 0)
            {
                return false;
            }

            // Target-typed new(..), also in trees that never name the class (pools[key] = new(..) through an alias).
            var implicitCreations = 0;
            foreach (var tree in _model.Compilation.SyntaxTrees)
            {
                if (!NameIndex.HasImplicitCreations(tree, cancellationToken))
                {
                    continue;
                }

                var model = SemanticModel(tree);
                foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes())
                {
                    if (node is not ImplicitObjectCreationExpressionSyntax)
                    {
                        continue;
                    }

                    if (++implicitCreations > MaxImplicitCreations)
                    {
                        return false;
                    }

                    if (model.GetOperation(node, cancellationToken) is IObjectCreationOperation operation
                        && SymbolEqualityComparer.Default.Equals(operation.Type?.OriginalDefinition, type)
                        && (++creations > MaxCandidates || !kept(operation, cancellationToken)))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>The class is a type argument of a registration or activation call (AddScoped&lt;T&gt;, CreateInstance&lt;T&gt;), or typeof(T) an argument of one.</summary>
        private static bool IsRegistrationOrActivation(SyntaxNode typeSyntax)
        {
            string? method = typeSyntax.Parent switch
            {
                TypeArgumentListSyntax { Parent: GenericNameSyntax generic } => generic.Identifier.ValueText,
                TypeOfExpressionSyntax { Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } } } => invocation.Expression switch
                {
                    MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
                    SimpleNameSyntax simple => simple.Identifier.ValueText,
                    _ => null,
                },
                TypeOfExpressionSyntax => "?",
                _ => null,
            };

            return method is not null && (method == "?" || method.StartsWith("Add", System.StringComparison.Ordinal) || method.StartsWith("TryAdd", System.StringComparison.Ordinal)
                || method.StartsWith("Register", System.StringComparison.Ordinal) || method.StartsWith("CreateInstance", System.StringComparison.Ordinal));
        }

        /// <summary>
        /// The created object ends up in a static holder: the chain of assignments it is the value of (and the Lazy or
        /// GetOrAdd factory it is returned from) reaches a static field or property, or a static collection that keeps it.
        /// </summary>
        private bool KeptByStatic(IOperation creation, CancellationToken cancellationToken)
        {
            var current = creation;
            var kept = false;
            for (var i = 0; i < 16; i++)
            {
                var parent = current.Parent;
                switch (parent)
                {
                    case IConversionOperation or IParenthesizedOperation:
                        current = parent;
                        continue;
                    case IFieldInitializerOperation field:
                        return kept || Any(field.InitializedFields, f => f.IsStatic && !f.IsConst);
                    case IPropertyInitializerOperation property:
                        return kept || Any(property.InitializedProperties, p => p.IsStatic);
                    case ISimpleAssignmentOperation assignment when assignment.Value == current:
                        kept |= IsStaticHolder(assignment.Target, cancellationToken);
                        current = assignment;
                        continue;
                    case ICoalesceAssignmentOperation coalesce when coalesce.Value == current:
                        kept |= IsStaticHolder(coalesce.Target, cancellationToken);
                        current = coalesce;
                        continue;
                    case IArgumentOperation { Parent: IInvocationOperation call } argument:
                        return kept || argument.Parameter is { RefKind: RefKind.None } && call.Instance is { } collection
                            && CollectionMutation.GetCallKind(call.TargetMethod.Name) == MemberUseKind.Growth
                            && IsKeepingStaticCollection(collection, cancellationToken);
                    case IReturnOperation { Parent: IBlockOperation { Parent: IAnonymousFunctionOperation function } }:
                        // () => new T(..): the factory of a Lazy (kept when the Lazy is) or of GetOrAdd on a static collection.
                        IOperation factory = function;
                        while (factory.Parent is IDelegateCreationOperation or IConversionOperation)
                        {
                            factory = factory.Parent;
                        }

                        if (factory.Parent is IArgumentOperation { Parent: IObjectCreationOperation { Type: INamedTypeSymbol { Name: "Lazy", Arity: 1 } } lazy }
                            && lazy.Type?.ContainingNamespace?.ToDisplayString() == "System")
                        {
                            current = lazy;
                            continue;
                        }

                        return kept || factory.Parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "GetOrAdd" or "AddOrUpdate", Instance: { } cache } }
                            && IsKeepingStaticCollection(cache, cancellationToken);
                    default:
                        return kept;
                }
            }

            return kept;
        }

        /// <summary>A static field, or a static auto-property, that the compilation writes only once (the creation's own store or initializer).</summary>
        private bool IsStaticHolder(IOperation target, CancellationToken cancellationToken)
        {
            if (target is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } collection })
            {
                return IsKeepingStaticCollection(collection, cancellationToken);
            }

            var member = StaticMember(target);

            if (member is null)
            {
                return false;
            }

            member = member.OriginalDefinition;
            if (_writtenOnce.TryGetValue(member, out var known))
            {
                return known;
            }

            return _writtenOnce.GetOrAdd(member, WrittenOnce(member, cancellationToken));
        }

        private bool WrittenOnce(ISymbol member, CancellationToken cancellationToken)
        {
            if (member is IPropertySymbol property && !IsAutoProperty(property))
            {
                // A property with a setter of its own: where the value goes is not followed.
                return false;
            }

            var writes = HasInitializer(member, cancellationToken) ? 1 : 0;
            var (references, complete) = _model.References.FindReferences(member, cancellationToken);
            if (!complete)
            {
                return false;
            }

            foreach (var (reference, _) in references)
            {
                if (LocalAliases.IsWritten(reference) && ++writes > 1)
                {
                    return false;
                }
            }

            return writes == 1;
        }

        private static bool IsAutoProperty(IPropertySymbol property)
        {
            foreach (var member in property.ContainingType.GetMembers())
            {
                if (member is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool HasInitializer(ISymbol member, CancellationToken cancellationToken)
        {
            foreach (var reference in member.DeclaringSyntaxReferences)
            {
                switch (reference.GetSyntax(cancellationToken))
                {
                    case VariableDeclaratorSyntax { Initializer: not null }:
                    case PropertyDeclarationSyntax { Initializer: not null }:
                        return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The static collection member (or a local alias of it) that the instance reaches, when nothing in the compilation
        /// removes from it, clears it, replaces it or hands it on (the collection rules' own reading of its uses).
        /// </summary>
        private bool IsKeepingStaticCollection(IOperation instance, CancellationToken cancellationToken)
        {
            while (instance is IConversionOperation conversion)
            {
                instance = conversion.Operand;
            }

            if (instance is ILocalReferenceOperation local)
            {
                instance = LocalAliases.DeclaredValue(local) ?? instance;
            }

            var member = StaticMember(instance);

            if (member is null)
            {
                return false;
            }

            member = member.OriginalDefinition;
            if (_keepingCollections.TryGetValue(member, out var known))
            {
                return known;
            }

            var collector = CollectionUsageCollector.For(_model.Compilation);
            var result = collector.Candidate(member) is { } candidate && !candidate.Kind.IsImmutable()
                && collector.Get(candidate.Member, candidate.Kind, cancellationToken) is { Shrinks: false, Replaced: false, Escapes: false };
            return _keepingCollections.GetOrAdd(member, result);
        }

        private static bool Any<T>(System.Collections.Immutable.ImmutableArray<T> items, System.Func<T, bool> predicate)
        {
            foreach (var item in items)
            {
                if (predicate(item))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The code shows the method running more than once on an object: a call inside a loop, a call from a method that
        /// itself runs repeatedly, or the method subscribed as an event handler or given to a timer. Without such evidence a
        /// field it assigns is taken to be empty (an Initialize or Start that runs once on a fresh object).
        /// </summary>
        public bool IsCalledRepeatedly(IMethodSymbol method, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            if (_repeated.TryGetValue(method, out var known))
            {
                return known;
            }

            var result = Repeated(method, cancellationToken, 0);
            _repeated.TryAdd(method, result);
            return result;
        }

        private CreationKind Creations(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var creations = 0;
            foreach (var tree in CandidateTrees(type, cancellationToken))
            {
                var model = SemanticModel(tree);
                foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes())
                {
                    if (node is not (ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax))
                    {
                        continue;
                    }

                    if (node is ObjectCreationExpressionSyntax explicitCreation && RightmostName(explicitCreation.Type) != type.Name)
                    {
                        continue;
                    }

                    if (model.GetOperation(node, cancellationToken) is not IObjectCreationOperation creation
                        || !SymbolEqualityComparer.Default.Equals(creation.Type?.OriginalDefinition, type))
                    {
                        continue;
                    }

                    if (++creations > MaxCandidates || !IsStaticallyHeld(node))
                    {
                        return CreationKind.SomeNotStatic;
                    }
                }
            }

            return creations > 0 ? CreationKind.AllStatic : CreationKind.None;
        }

        private IEnumerable<SyntaxTree> CandidateTrees(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var own = new HashSet<SyntaxTree>();
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                own.Add(reference.SyntaxTree);
            }

            if (OnlyPrivateConstructors(type))
            {
                return own;
            }

            var trees = new List<SyntaxTree>(own);
            foreach (var tree in NameIndex.TreesMentioning(_model.Compilation, type.Name, cancellationToken))
            {
                if (!own.Contains(tree))
                {
                    trees.Add(tree);
                }
            }

            return trees;
        }

        private bool Repeated(IMethodSymbol method, CancellationToken cancellationToken, int depth)
        {
            var targets = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            for (var m = method; m != null; m = m.OverriddenMethod)
            {
                targets.Add(m.OriginalDefinition);
            }

            var calls = 0;
            foreach (var tree in NameIndex.TreesMentioning(_model.Compilation, method.Name, cancellationToken))
            {
                SemanticModel? model = null;
                foreach (var token in NameIndex.Occurrences(tree, method.Name, cancellationToken))
                {
                    var name = (SimpleNameSyntax)token.Parent!;
                    var reference = NameIndex.ReferenceOf(name);
                    model ??= SemanticModel(tree);
                    var target = reference.Parent is InvocationExpressionSyntax invocation && invocation.Expression == reference ? invocation : reference;
                    switch (model.GetOperation(target, cancellationToken))
                    {
                        case IInvocationOperation call when targets.Contains(call.TargetMethod.OriginalDefinition):
                            var caller = model.GetEnclosingSymbol(reference.SpanStart, cancellationToken) as IMethodSymbol;
                            if (!call.IsVirtual && call.Instance is IInstanceReferenceOperation && caller is not null && Overrides(caller, targets))
                            {
                                // base.Initialize() from an override: the same dispatch, not another call.
                                continue;
                            }

                            if (++calls > MaxCandidates || InLoop(reference) && SameObjectEachIteration(call.Instance, reference))
                            {
                                return true;
                            }

                            // Called on this object from a method of its own that runs repeatedly (on other objects, a
                            // repeated caller says nothing: a new compressor per frame is initialized once each).
                            if (call.Instance is IInstanceReferenceOperation or null && caller is not null && depth < 3
                                && !SymbolEqualityComparer.Default.Equals(caller.OriginalDefinition, method)
                                && caller.MethodKind is not (MethodKind.LambdaMethod or MethodKind.LocalFunction) && Repeated(caller.OriginalDefinition, cancellationToken, depth + 1))
                            {
                                return true;
                            }

                            break;
                        case IMethodReferenceOperation group when targets.Contains(group.Method.OriginalDefinition) && IsRecurringCallback(group):
                            return true;
                    }
                }
            }

            return false;
        }

        /// <summary>The receiver is the same object on every iteration: this, a field, a parameter, a local declared outside the loop.</summary>
        private static bool SameObjectEachIteration(IOperation? receiver, SyntaxNode call)
        {
            switch (ValueFlow.Strip(receiver))
            {
                case null:
                case IInstanceReferenceOperation:
                case IFieldReferenceOperation:
                case IParameterReferenceOperation:
                    return true;
                case ILocalReferenceOperation local when local.Local.DeclaringSyntaxReferences.Length > 0:
                    var declaration = local.Local.DeclaringSyntaxReferences[0].Span;
                    for (var p = call.Parent; p != null && p is not MemberDeclarationSyntax; p = p.Parent)
                    {
                        if (p is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
                        {
                            return !p.Span.Contains(declaration);
                        }
                    }

                    return true;
                default:
                    return false;
            }
        }

        /// <summary>A method group subscribed to an event or given to a timer: it runs again and again.</summary>
        private static bool IsRecurringCallback(IMethodReferenceOperation group)
        {
            IOperation current = group;
            while (current.Parent is IDelegateCreationOperation or IConversionOperation)
            {
                current = current.Parent;
            }

            return current.Parent switch
            {
                IEventAssignmentOperation { Adds: true } => true,
                IArgumentOperation { Parent: IObjectCreationOperation creation } => creation.Type?.Name is "Timer" or "DispatcherTimer",
                _ => false,
            };
        }

        private static bool Overrides(IMethodSymbol caller, HashSet<IMethodSymbol> targets)
        {
            for (var m = caller.OverriddenMethod; m != null; m = m.OverriddenMethod)
            {
                if (targets.Contains(m.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool OnlyPrivateConstructors(INamedTypeSymbol type)
        {
            foreach (var constructor in type.InstanceConstructors)
            {
                if (constructor.DeclaredAccessibility != Accessibility.Private)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Inside a static field or property initializer (a Lazy factory included) or a static constructor.</summary>
        private static bool IsStaticallyHeld(SyntaxNode node)
        {
            for (var p = node.Parent; p != null; p = p.Parent)
            {
                switch (p)
                {
                    case FieldDeclarationSyntax field:
                        return Has(field.Modifiers, "static") || Has(field.Modifiers, "const");
                    case PropertyDeclarationSyntax property:
                        return Has(property.Modifiers, "static") && property.Initializer != null && property.Initializer.Span.Contains(node.Span);
                    case ConstructorDeclarationSyntax constructor:
                        return Has(constructor.Modifiers, "static");
                    case MemberDeclarationSyntax:
                        return false;
                }
            }

            return false;
        }

        private static bool InLoop(SyntaxNode node)
        {
            for (var p = node.Parent; p != null && p is not MemberDeclarationSyntax; p = p.Parent)
            {
                if (p is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Has(SyntaxTokenList modifiers, string text)
        {
            foreach (var modifier in modifiers)
            {
                if (modifier.ValueText == text)
                {
                    return true;
                }
            }

            return false;
        }

        private static string? RightmostName(TypeSyntax type) => type switch
        {
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            _ => null,
        };

        /// <summary>
        /// The class is registered as a singleton of the dependency-injection container in this compilation
        /// (<c>services.AddSingleton&lt;IService, Service&gt;()</c>, <c>AddSingleton&lt;Service&gt;()</c>, <c>AddHostedService&lt;Worker&gt;()</c>,
        /// the <c>typeof</c> forms): the container keeps its one instance for the process.
        /// </summary>
        public bool IsContainerSingleton(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            type = type.OriginalDefinition;
            if (_containerSingletons.TryGetValue(type, out var known))
            {
                return known;
            }

            var result = IsRegisteredAsSingleton(type, cancellationToken);
            _containerSingletons.TryAdd(type, result);
            return result;
        }

        /// <summary>
        /// Looked up per class: only the registration calls in trees that also name the class, and of those only the ones
        /// whose type argument (or <c>typeof</c>) is spelled with the class's name, are bound.
        /// </summary>
        private bool IsRegisteredAsSingleton(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var visited = 0;
            foreach (var name in new[] { "AddSingleton", "TryAddSingleton", "AddHostedService" })
            {
                foreach (var tree in NameIndex.TreesMentioning(_model.Compilation, name, cancellationToken))
                {
                    if (NameIndex.Positions(tree, type.Name, cancellationToken) is not { Count: > 0 })
                    {
                        continue;
                    }

                    SemanticModel? model = null;
                    foreach (var token in NameIndex.Occurrences(tree, name, cancellationToken))
                    {
                        if (++visited > MaxRegistrations)
                        {
                            return false;
                        }

                        var access = token.Parent!.Parent is MemberAccessExpressionSyntax member && member.Name == token.Parent ? (ExpressionSyntax)member : (ExpressionSyntax)token.Parent!;
                        if (access.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != access)
                        {
                            continue;
                        }

                        TypeSyntax? implementation = token.Parent is GenericNameSyntax generic && generic.TypeArgumentList.Arguments.Count > 0
                            ? generic.TypeArgumentList.Arguments[generic.TypeArgumentList.Arguments.Count - 1]
                            : null;
                        if (implementation is null && invocation.ArgumentList.Arguments.Count > 0
                            && invocation.ArgumentList.Arguments[invocation.ArgumentList.Arguments.Count - 1].Expression is TypeOfExpressionSyntax typeOf)
                        {
                            implementation = typeOf.Type;
                        }

                        if (implementation is null || SimpleName(implementation) != type.Name)
                        {
                            continue;
                        }

                        model ??= SemanticModel(tree);
                        if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method
                            && (method.ContainingNamespace?.ToDisplayString() is not ("Microsoft.Extensions.DependencyInjection" or "Microsoft.Extensions.DependencyInjection.Extensions")
                                || IsInstanceRegistration(method)))
                        {
                            // Someone else's AddSingleton (a bound method of another API), or an instance handed to the
                            // container (AddSingleton<T>(instance)): that object is kept, not every instance of its class.
                            continue;
                        }

                        if (model.GetSymbolInfo(implementation, cancellationToken).Symbol is INamedTypeSymbol { TypeKind: TypeKind.Class } registered
                            && SymbolEqualityComparer.Default.Equals(registered.OriginalDefinition, type))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>The identifier a type is spelled with (<c>Service</c> in <c>App.Service</c>, <c>Service&lt;T&gt;</c>, <c>global::App.Service</c>).</summary>
        private static string? SimpleName(TypeSyntax type) => type switch
        {
            QualifiedNameSyntax qualified => SimpleName(qualified.Right),
            AliasQualifiedNameSyntax alias => SimpleName(alias.Name),
            GenericNameSyntax generic => generic.Identifier.ValueText,
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            _ => null,
        };

        /// <summary><c>AddSingleton&lt;TService&gt;(TService implementationInstance)</c>: a parameter of one of the method's type parameters.</summary>
        private static bool IsInstanceRegistration(IMethodSymbol method)
        {
            foreach (var parameter in (method.ReducedFrom ?? method).OriginalDefinition.Parameters)
            {
                if (parameter.Type is ITypeParameterSymbol)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A call of the method from instance code or a loop that passes, for the parameter at <paramref name="ordinal"/>,
        /// an object it has just made (<c>Init(system, new Coordinator(..))</c>, or a local initialized with <c>new</c>): the
        /// line of the first such call, or null. Evidence that what the method keeps of that parameter is one object per call.
        /// </summary>
        public int? LineOfNewObjectPassed(IMethodSymbol method, int ordinal, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            var key = (method, ordinal);
            if (_newObjectPassed.TryGetValue(key, out var known))
            {
                return known;
            }

            var result = FindNewObjectPassed(method, ordinal, cancellationToken);
            _newObjectPassed.TryAdd(key, result);
            return result;
        }

        private int? FindNewObjectPassed(IMethodSymbol method, int ordinal, CancellationToken cancellationToken)
        {
            var calls = 0;
            foreach (var tree in NameIndex.TreesMentioning(_model.Compilation, method.Name, cancellationToken))
            {
                SemanticModel? model = null;
                foreach (var token in NameIndex.Occurrences(tree, method.Name, cancellationToken))
                {
                    var reference = NameIndex.ReferenceOf((SimpleNameSyntax)token.Parent!);
                    if (reference.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != reference || ++calls > MaxCandidates)
                    {
                        continue;
                    }

                    model ??= SemanticModel(tree);
                    IOperation? passed = null;
                    if (model.GetOperation(invocation, cancellationToken) is IInvocationOperation call
                        && SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method))
                    {
                        foreach (var argument in call.Arguments)
                        {
                            if (argument.Parameter?.Ordinal == ordinal)
                            {
                                passed = argument.Value;
                            }
                        }
                    }
                    else if (ordinal < invocation.ArgumentList.Arguments.Count && invocation.ArgumentList.Arguments[ordinal].NameColon is null
                        && IsCandidate(model.GetSymbolInfo(invocation, cancellationToken), method))
                    {
                        // Half-typed code (an argument of a type the compilation lacks): the only candidate is the method.
                        passed = model.GetOperation(invocation.ArgumentList.Arguments[ordinal].Expression, cancellationToken);
                    }

                    if (passed is null)
                    {
                        continue;
                    }

                    // Per object (instance code: a constructor, an extension's factory) or per iteration; a static Main or
                    // a type initializer that makes one object for the process does not count.
                    if (!InLoop(invocation) && model.GetEnclosingSymbol(invocation.SpanStart, cancellationToken) is not { IsStatic: false })
                    {
                        continue;
                    }

                    if (IsNewObject(ValueFlow.Strip(passed)))
                    {
                        return invocation.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    }
                }
            }

            return null;
        }

        private static bool IsCandidate(SymbolInfo info, IMethodSymbol method)
        {
            if (info.Symbol is null && info.CandidateSymbols.Length == 1)
            {
                return SymbolEqualityComparer.Default.Equals(info.CandidateSymbols[0].OriginalDefinition, method);
            }

            return false;
        }

        /// <summary>A static field, or a static property that is not an indexer.</summary>
        private static ISymbol? StaticMember(IOperation? operation) => operation switch
        {
            IFieldReferenceOperation { Field: { IsStatic: true } field } => field,
            IPropertyReferenceOperation { Property: { IsStatic: true, IsIndexer: false } property } => property,
            _ => null,
        };

        private static bool IsNewObject(IOperation? value)
            => value is IObjectCreationOperation
                || value is ILocalReferenceOperation local && ValueFlow.Strip(LocalAliases.DeclaredValue(local)) is IObjectCreationOperation;

        private SemanticModel SemanticModel(SyntaxTree tree)
        {
#pragma warning disable RS1030 // Only trees that name the type or method are bound; the driver's compilation shares its models.
            return _model.Compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
        }
    }
}
