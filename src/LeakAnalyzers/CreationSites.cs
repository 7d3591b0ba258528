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
    /// static member) and "called once" (one call site, outside loops). Decided from the code the compilation holds, not
    /// from names; memoized per compilation; bounded (too many candidates: don't know).
    /// </summary>
    internal sealed class CreationSites
    {
        private const int MaxCandidates = 64;

        private readonly CompilationModel _model;
        private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _singletons = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _calledOnce = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);

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

            var result = Lifetime.IsSingleton(type) && AllCreationsAreStatic(type, cancellationToken);
            _singletons.TryAdd(type, result);
            return result;
        }

        /// <summary>
        /// The method runs at most once per object: one call site in the compilation (through the methods it overrides; an
        /// override's <c>base.M()</c> is not another), or only calls on objects created right there, once each — never
        /// inside a loop or lambda.
        /// </summary>
        public bool IsCalledOnce(IMethodSymbol method, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            if (_calledOnce.TryGetValue(method, out var known))
            {
                return known;
            }

            var result = CountCalls(method, cancellationToken) == 1;
            _calledOnce.TryAdd(method, result);
            return result;
        }

        private bool AllCreationsAreStatic(INamedTypeSymbol type, CancellationToken cancellationToken)
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
                        return false;
                    }
                }
            }

            return creations > 0;
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

        private int CountCalls(IMethodSymbol method, CancellationToken cancellationToken, int depth = 0)
        {
            var targets = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            for (var m = method; m != null; m = m.OverriddenMethod)
            {
                targets.Add(m.OriginalDefinition);
            }

            var calls = 0;
            var onFreshObjects = 0;
            var freshReceivers = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (var tree in NameIndex.TreesMentioning(_model.Compilation, method.Name, cancellationToken))
            {
                SemanticModel? model = null;
                foreach (var token in NameIndex.Occurrences(tree, method.Name, cancellationToken))
                {
                    var name = (SimpleNameSyntax)token.Parent!;
                    SyntaxNode callee = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access
                        : name.Parent is MemberBindingExpressionSyntax binding ? binding
                        : name;
                    if (callee.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != callee)
                    {
                        continue;
                    }

                    model ??= SemanticModel(tree);
                    if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation operation || !targets.Contains(operation.TargetMethod.OriginalDefinition))
                    {
                        continue;
                    }

                    var caller = model.GetEnclosingSymbol(invocation.SpanStart, cancellationToken) as IMethodSymbol;
                    if (!operation.IsVirtual && operation.Instance is IInstanceReferenceOperation && caller is not null && Overrides(caller, targets))
                    {
                        // base.Initialize() from an override: the same dispatch, not another call.
                        continue;
                    }

                    if (InLoopOrLambda(invocation))
                    {
                        return int.MaxValue;
                    }

                    calls++;
                    if (ValueFlow.Strip(operation.Instance) is ILocalReferenceOperation receiver && IsFreshObject(receiver) && freshReceivers.Add(receiver.Local))
                    {
                        // var map = new KernelSamplingMap(..); map.Build(..): once on a fresh object.
                        onFreshObjects++;
                    }
                    else if (operation.Instance is IInstanceReferenceOperation or null && !operation.TargetMethod.IsStatic && caller is not null
                        && !SymbolEqualityComparer.Default.Equals(caller.OriginalDefinition, method) && depth < 3 && CountCalls(caller, cancellationToken, depth + 1) == 1)
                    {
                        // Build(kernel, bounds) => this.Build(rows, columns, bounds, ...): as often as the overload that forwards.
                        onFreshObjects++;
                    }
                }
            }

            return calls == onFreshObjects && calls > 0 ? 1 : calls;
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

        /// <summary>The local only ever holds objects created right there (<c>new T(...)</c>).</summary>
        private static bool IsFreshObject(ILocalReferenceOperation local)
        {
            var values = BodyIndex.For(BodyIndex.RootOf(local)).ValuesOf(local.Local);
            if (values.Count == 0)
            {
                return false;
            }

            foreach (var value in values)
            {
                if (ValueFlow.Strip(value) is not IObjectCreationOperation)
                {
                    return false;
                }
            }

            return true;
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

        private static bool InLoopOrLambda(SyntaxNode node)
        {
            for (var p = node.Parent; p != null && p is not MemberDeclarationSyntax; p = p.Parent)
            {
                if (p is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                    or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
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

        private SemanticModel SemanticModel(SyntaxTree tree)
        {
#pragma warning disable RS1030 // Only trees that name the type or method are bound; the driver's compilation shares its models.
            return _model.Compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
        }
    }
}
