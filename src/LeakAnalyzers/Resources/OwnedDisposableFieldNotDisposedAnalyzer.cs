using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// LEAK006: an instance field that the type itself fills with a newly created disposable (never with an injected one)
    /// and that nothing in the type disposes, or whose type does not implement IDisposable at all; and an owned field
    /// re-assigned with a new instance without disposing the previous one. Analysed per top-level type (SymbolStart/End),
    /// nested types and partial declarations included. Any use the analysis does not understand (passed to a method,
    /// returned, aliased) counts as a hand-over.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class OwnedDisposableFieldNotDisposedAnalyzer : DiagnosticAnalyzer
    {
        public const string ShapeNotDisposed = "FieldNotDisposed";
        public const string ShapeOwnerNotDisposable = "OwnerNotDisposable";
        public const string ShapeReassigned = "FieldReassigned";

        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.OwnedDisposableFieldNotDisposed,
            title: "Owned disposable field is never disposed",
            messageFormat: "Field '{0}' holds a {1} this type creates, but {2}",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A type that creates a disposable and keeps it in a field owns it: it must dispose it in its own Dispose (and so implement IDisposable), and dispose the previous value before replacing it.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.OwnedDisposableFieldNotDisposed));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var types = CompilationModel.For(start.Compilation).Disposables;
                start.RegisterSymbolStartAction(s => OnTypeStart(s, types), SymbolKind.NamedType);
            });
        }

        private sealed class FieldFacts
        {
            public readonly ConcurrentQueue<(IOperation Value, ITypeSymbol Type)> Creations = new ConcurrentQueue<(IOperation, ITypeSymbol)>();
            public readonly ConcurrentQueue<ISimpleAssignmentOperation> Reassignments = new ConcurrentQueue<ISimpleAssignmentOperation>();
            public readonly ConcurrentDictionary<IOperation, bool> MethodsThatRelease = new ConcurrentDictionary<IOperation, bool>();
            public volatile bool NotOwned;
            public volatile bool Released;
        }

        private static void OnTypeStart(SymbolStartAnalysisContext context, DisposableTypes types)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            {
                return;
            }

            // Candidate fields: instance fields of a disposable (or unknown-at-declaration, e.g. object) type in this type tree.
            var facts = new ConcurrentDictionary<IFieldSymbol, FieldFacts>(SymbolEqualityComparer.Default);
            CollectFields(type, types, facts);
            if (facts.IsEmpty)
            {
                return;
            }

            var exempt = new ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>>();
            context.RegisterOperationAction(c => OnFieldReference(c, types, facts, exempt), OperationKind.FieldReference);
            context.RegisterOperationAction(c => OnFieldInitializer(c, types, facts, exempt), OperationKind.FieldInitializer);
            context.RegisterSymbolEndAction(end => OnTypeEnd(end, types, facts));
        }

        private static void CollectFields(INamedTypeSymbol type, DisposableTypes types, ConcurrentDictionary<IFieldSymbol, FieldFacts> facts)
        {
            foreach (var member in type.GetMembers())
            {
                switch (member)
                {
                    case IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false } field when types.IsDisposable(field.Type):
                        facts[field] = new FieldFacts();
                        break;
                }
            }
        }

        private static void OnFieldInitializer(OperationAnalysisContext context, DisposableTypes types, ConcurrentDictionary<IFieldSymbol, FieldFacts> facts, ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>> exempt)
        {
            var initializer = (IFieldInitializerOperation)context.Operation;
            foreach (var field in initializer.InitializedFields)
            {
                if (facts.TryGetValue(field, out var fact))
                {
                    Assigned(context, types, fact, initializer.Value, null, exempt);
                }
            }
        }

        private static void OnFieldReference(OperationAnalysisContext context, DisposableTypes types, ConcurrentDictionary<IFieldSymbol, FieldFacts> facts, ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>> exempt)
        {
            var reference = (IFieldReferenceOperation)context.Operation;
            if (!facts.TryGetValue(reference.Field, out var fact))
            {
                return;
            }

            IOperation value = reference;
            var parent = reference.Parent;
            while (parent is IConversionOperation)
            {
                value = parent;
                parent = parent.Parent;
            }

            switch (parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Target == value:
                    Assigned(context, types, fact, assignment.Value, assignment, exempt);
                    return;
                case IInvocationOperation invocation when invocation.Instance == value:
                    if (IsRelease(invocation.TargetMethod))
                    {
                        Release(fact, reference);
                    }

                    return;
                case IConditionalAccessOperation conditional when conditional.Operation == value:
                    if (conditional.WhenNotNull is IInvocationOperation { Instance: IConditionalAccessInstanceOperation } whenNotNull && IsRelease(whenNotNull.TargetMethod))
                    {
                        Release(fact, reference);
                    }

                    return;
                case IMethodReferenceOperation methodReference when methodReference.Instance == value:
                    if (IsRelease(methodReference.Method))
                    {
                        Release(fact, reference);
                    }

                    return;
                case IUsingOperation:
                    Release(fact, reference);
                    return;
                case IPropertyReferenceOperation or IFieldReferenceOperation or IEventReferenceOperation or IBinaryOperation
                    or IIsTypeOperation or ILockOperation or IInterpolationOperation or INameOfOperation or IExpressionStatementOperation:
                    return;
                case IIsPatternOperation isPattern when isPattern.Pattern is IConstantPatternOperation or INegatedPatternOperation or ITypePatternOperation:
                    return;
                default:
                    // Passed to a method, returned, aliased, stored elsewhere, pattern-declared: someone else may dispose it.
                    fact.NotOwned = true;
                    return;
            }
        }

        private static bool IsRelease(IMethodSymbol method)
            => method.Name is "Dispose" or "DisposeAsync" or "Close" or "Stop" && method.Parameters.Length == 0;

        private static void Release(FieldFacts fact, IOperation reference)
        {
            fact.Released = true;
            fact.MethodsThatRelease[Summaries.BodyIndex.RootOf(reference)] = true;
        }

        private static void Assigned(OperationAnalysisContext context, DisposableTypes types, FieldFacts fact, IOperation value, ISimpleAssignmentOperation? assignment, ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>> exempt)
        {
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (value.ConstantValue is { HasValue: true, Value: null } || value is IDefaultValueOperation)
            {
                return;
            }

            var tree = value.Syntax.SyntaxTree;
            var options = context.Options;
            var configured = exempt.GetOrAdd(tree, t => DisposableTypes.ConfiguredExemptTypes(options, t));
            ITypeSymbol? created = value switch
            {
                IObjectCreationOperation creation when types.IsDisposable(creation.Type) => creation.Type,
                IInvocationOperation invocation when types.IsFactory(invocation.TargetMethod) && types.IsDisposable(invocation.TargetMethod.ReturnType) => invocation.TargetMethod.ReturnType,
                IAwaitOperation { Operation: IInvocationOperation awaited } when types.IsFactory(awaited.TargetMethod) && types.IsDisposable(types.AwaitedType(awaited.TargetMethod.ReturnType)) => types.AwaitedType(awaited.TargetMethod.ReturnType),
                _ => null,
            };

            if (created is null || (types.IsExempt(created, configured) && !types.IsTimer(created)))
            {
                // Injected (a parameter, another object's member) or unknown: the type does not own the field.
                fact.NotOwned = true;
                return;
            }

            fact.Creations.Enqueue((value, created));
            if (assignment != null)
            {
                fact.Reassignments.Enqueue(assignment);
            }
        }

        private static void OnTypeEnd(SymbolAnalysisContext context, DisposableTypes types, ConcurrentDictionary<IFieldSymbol, FieldFacts> facts)
        {
            var fields = new List<IFieldSymbol>(facts.Keys);
            fields.Sort((a, b) => a.Locations[0].SourceSpan.Start.CompareTo(b.Locations[0].SourceSpan.Start));
            foreach (var field in fields)
            {
                var fact = facts[field];
                if (fact.NotOwned || fact.Creations.IsEmpty || !fact.Creations.TryPeek(out var first))
                {
                    continue;
                }

                var owner = field.ContainingType;
                if (UsedByOtherTypes(field, context.CancellationToken))
                {
                    // A nested or containing type uses the field: its code is analysed with that type. Don't know.
                    continue;
                }

                var typeName = first.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                if (!fact.Released)
                {
                    var ownerDisposable = types.IsDisposable(owner);
                    var properties = SymbolNames.MemberProperties(field);
                    properties[DiagnosticPropertyNames.LeakShape] = ownerDisposable ? ShapeNotDisposed : ShapeOwnerNotDisposable;
                    context.ReportDiagnostic(Diagnostic.Create(
                        Rule,
                        field.Locations[0],
                        new[] { first.Value.Syntax.GetLocation() },
                        properties.ToImmutable(),
                        field.Name,
                        typeName,
                        ownerDisposable ? "nothing in the type disposes it" : "'" + owner.Name + "' does not implement IDisposable, so nobody can dispose it"));
                    continue;
                }

                foreach (var assignment in fact.Reassignments)
                {
                    if (IsUnguardedReassignment(assignment, field, fact))
                    {
                        var properties = SymbolNames.MemberProperties(field);
                        properties[DiagnosticPropertyNames.LeakShape] = ShapeReassigned;
                        context.ReportDiagnostic(Diagnostic.Create(
                            Rule,
                            assignment.Syntax.GetLocation(),
                            properties.ToImmutable(),
                            field.Name,
                            typeName,
                            "it is replaced here without disposing the previous instance"));
                    }
                }
            }
        }

        /// <summary>True when the field's name appears in a nested or containing type's code (analysed with that type).</summary>
        private static bool UsedByOtherTypes(IFieldSymbol field, System.Threading.CancellationToken cancellationToken)
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
                var root = reference.GetSyntax(cancellationToken);
                foreach (var token in root.DescendantTokens())
                {
                    if (!token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) || token.ValueText != field.Name)
                    {
                        continue;
                    }

                    var enclosing = token.Parent?.FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax>();
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

        /// <summary>
        /// An unconditional top-level statement of a method that is not a constructor, in a method that neither disposes nor
        /// reads the field otherwise (no <c>if (_f == null)</c> guard, no <c>_f?.Dispose()</c> first).
        /// </summary>
        private static bool IsUnguardedReassignment(ISimpleAssignmentOperation assignment, IFieldSymbol field, FieldFacts fact)
        {
            if (assignment.Parent is not IExpressionStatementOperation { Parent: IBlockOperation { Parent: IMethodBodyOperation } })
            {
                return false;
            }

            var root = Summaries.BodyIndex.RootOf(assignment);
            if (root is IConstructorBodyOperation || fact.MethodsThatRelease.ContainsKey(root))
            {
                return false;
            }

            foreach (var operation in root.Descendants())
            {
                if (operation is IFieldReferenceOperation other && SymbolEqualityComparer.Default.Equals(other.Field, field) && other != assignment.Target
                    && other.Syntax.SpanStart < assignment.Syntax.SpanStart)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
