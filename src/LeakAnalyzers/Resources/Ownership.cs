using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>What one use of a local that holds a resource means for the obligation to release it.</summary>
    internal enum UseKind
    {
        /// <summary>Reading it, calling a member, passing it where nobody keeps it.</summary>
        Neutral,

        /// <summary>Dispose/Close/Free/Return on it.</summary>
        Release,

        /// <summary>Ownership leaves the method (returned, stored, handed to an owner, captured) or we cannot tell.</summary>
        Escape,

        /// <summary>The local is the resource of a using statement: the compiler disposes it.</summary>
        UsingResource,

        /// <summary>The local is assigned another value.</summary>
        Reassign,
    }

    /// <summary>One kind of resource (disposable, native memory, pooled array...): how its release and hand-overs look.</summary>
    internal abstract class ResourceKind
    {
        /// <summary>Whether an exception between acquisition and release counts as a leak (it does when nothing else frees it).</summary>
        public abstract bool ExceptionPaths { get; }

        /// <summary>Whether releasing twice on one path is a finding (returning a pooled array twice).</summary>
        public virtual bool ReportsDoubleRelease => false;

        /// <summary>A use this kind knows nothing about: escape (quiet) for objects, neutral for pointers and arrays.</summary>
        public virtual UseKind UnknownUse => UseKind.Escape;

        /// <summary>The local is the receiver (<paramref name="argument"/> null) or an argument of <paramref name="invocation"/>.</summary>
        public abstract UseKind ClassifyInvocation(IInvocationOperation invocation, IArgumentOperation? argument);

        /// <summary>The local is an argument of a constructor: by default the new object owns it.</summary>
        public virtual UseKind ClassifyConstructorArgument(IObjectCreationOperation creation, IArgumentOperation argument) => UseKind.Escape;
    }

    /// <summary>The uses of a resource-holding local inside one method, classified (see <see cref="Ownership"/>).</summary>
    internal sealed class LocalUses
    {
        public bool Escapes { get; set; }

        public bool IsUsingResource { get; set; }

        public List<SyntaxNode> Releases { get; } = new List<SyntaxNode>();

        public List<SyntaxNode> Reassignments { get; } = new List<SyntaxNode>();
    }

    /// <summary>
    /// Ownership of a newly created resource inside one method body: where the value goes (a local, discarded, or somewhere
    /// that takes it over) and what every use of the local means. Anything not understood counts as a hand-over, so the
    /// rules stay quiet when ownership is unclear.
    /// </summary>
    internal static class Ownership
    {
        /// <summary>Upper bound on the operations walked per method; larger bodies are not analysed ("don't know").</summary>
        public const int MaxOperationsPerBody = 20000;

        /// <summary>Climbs through conversions (and, when <paramref name="throughAwait"/>, one await) to where the value goes.</summary>
        public static IOperation Consumer(IOperation value, bool throughAwait, out IOperation valueNode)
        {
            valueNode = value;
            var parent = value.Parent;
            while (parent is IConversionOperation || (throughAwait && parent is IAwaitOperation)
                || (throughAwait && parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && configure.Instance == valueNode))
            {
                if (parent is IAwaitOperation)
                {
                    throughAwait = false;
                }

                valueNode = parent;
                parent = parent.Parent;
            }

            return parent ?? value;
        }

        /// <summary>
        /// The local that receives the new value (<c>var x = new T()</c>, <c>x = new T()</c>), or null. <paramref name="discarded"/>
        /// is true for <c>new T();</c> and <c>_ = new T();</c>. Using declarations and statements are neither.
        /// </summary>
        public static ILocalSymbol? ReceivingLocal(IOperation creation, bool throughAwait, out bool discarded)
        {
            discarded = false;
            var consumer = Consumer(creation, throughAwait, out var valueNode);
            switch (consumer)
            {
                case IExpressionStatementOperation:
                    discarded = true;
                    return null;
                case ISimpleAssignmentOperation { Target: IDiscardOperation } assignment when assignment.Value == valueNode:
                    discarded = assignment.Parent is IExpressionStatementOperation;
                    return null;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when assignment.Value == valueNode:
                    return target.Local.IsRef ? null : target.Local;
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    for (var p = declarator.Parent; p != null && p is not IBlockOperation; p = p.Parent)
                    {
                        if (p is IUsingDeclarationOperation or IUsingOperation)
                        {
                            return null;
                        }
                    }

                    if (declarator.Symbol.IsRef)
                    {
                        return null;
                    }

                    return declarator.Symbol;
                default:
                    return null;
            }
        }

        /// <summary>The lambda or local function the operation runs in, or null for the method body itself.</summary>
        public static IOperation? EnclosingFunction(IOperation operation)
        {
            for (var p = operation.Parent; p != null; p = p.Parent)
            {
                if (p is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return p;
                }
            }

            return null;
        }

        public static IOperation Root(IOperation operation)
        {
            var root = operation;
            while (root.Parent != null)
            {
                root = root.Parent;
            }

            return root;
        }

        /// <summary>Classifies every reference to <paramref name="local"/> under <paramref name="root"/>; null when the body is too large.</summary>
        public static LocalUses? Classify(IOperation root, ILocalSymbol local, IOperation? function, IOperation creation, ResourceKind kind)
        {
            var uses = new LocalUses();
            var count = 0;
            foreach (var operation in root.Descendants())
            {
                if (++count > MaxOperationsPerBody)
                {
                    return null;
                }

                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    continue;
                }

                if (!ReferenceEquals(EnclosingFunction(reference), function))
                {
                    // Captured by a lambda or local function: it may be disposed there or later. Don't know.
                    uses.Escapes = true;
                    return uses;
                }

                switch (ClassifyReference(reference, creation, kind, out var node))
                {
                    case UseKind.Escape:
                        uses.Escapes = true;
                        return uses;
                    case UseKind.UsingResource:
                        uses.IsUsingResource = true;
                        break;
                    case UseKind.Release:
                        uses.Releases.Add(node);
                        break;
                    case UseKind.Reassign:
                        uses.Reassignments.Add(node);
                        break;
                }
            }

            return uses;
        }

        private static UseKind ClassifyReference(ILocalReferenceOperation reference, IOperation creation, ResourceKind kind, out SyntaxNode node)
        {
            node = reference.Syntax;
            IOperation value = reference;
            var parent = reference.Parent;
            while (parent is IConversionOperation)
            {
                value = parent;
                parent = parent.Parent;
            }

            switch (parent)
            {
                case null:
                    return UseKind.Neutral;
                case ISimpleAssignmentOperation assignment when assignment.Target == value:
                    if (IsWithin(creation, assignment.Value))
                    {
                        // The acquisition itself.
                        return UseKind.Neutral;
                    }

                    node = assignment.Syntax;
                    return UseKind.Reassign;
                case IInvocationOperation invocation when invocation.Instance == value:
                    node = invocation.Syntax;
                    return kind.ClassifyInvocation(invocation, null);
                case IArgumentOperation argument:
                    if (argument.Parameter is { RefKind: not RefKind.None and not RefKind.In })
                    {
                        return UseKind.Escape;
                    }

                    switch (argument.Parent)
                    {
                        case IInvocationOperation invocation:
                            node = invocation.Syntax;
                            return kind.ClassifyInvocation(invocation, argument);
                        case IObjectCreationOperation objectCreation:
                            return kind.ClassifyConstructorArgument(objectCreation, argument);
                        default:
                            return UseKind.Escape;
                    }

                case IConditionalAccessOperation conditional when conditional.Operation == value:
                    if (conditional.WhenNotNull is IInvocationOperation { Instance: IConditionalAccessInstanceOperation } whenNotNull)
                    {
                        node = whenNotNull.Syntax;
                        return kind.ClassifyInvocation(whenNotNull, null);
                    }

                    return conditional.WhenNotNull is IPropertyReferenceOperation or IFieldReferenceOperation ? UseKind.Neutral : kind.UnknownUse;
                case IUsingOperation:
                    return UseKind.UsingResource;
                case IReturnOperation:
                case IVariableInitializerOperation:
                case ISimpleAssignmentOperation:
                case ICompoundAssignmentOperation:
                case IIncrementOrDecrementOperation:
                case IAddressOfOperation:
                case IMethodReferenceOperation:
                case ITupleOperation:
                case IArrayInitializerOperation:
                case IObjectOrCollectionInitializerOperation:
                case IMemberInitializerOperation:
                case IAnonymousObjectCreationOperation:
                case IConditionalOperation:
                case ICoalesceOperation:
                case ISwitchExpressionOperation:
                case IThrowOperation:
                case IDeclarationPatternOperation:
                case IRecursivePatternOperation:
                case IDelegateCreationOperation:
                    return UseKind.Escape;
                case IIsPatternOperation isPattern:
                    return DeclaresVariable(isPattern.Pattern) ? UseKind.Escape : UseKind.Neutral;
                case IIsTypeOperation:
                case IBinaryOperation:
                case IPropertyReferenceOperation:
                case IFieldReferenceOperation:
                case IEventReferenceOperation:
                case IArrayElementReferenceOperation:
                case ILockOperation:
                case IExpressionStatementOperation:
                case IInterpolationOperation:
                case INameOfOperation:
                    return UseKind.Neutral;
                case IInvalidOperation:
                    // Half-typed or unresolved code (a missing reference): the value may go anywhere. Don't know.
                    return UseKind.Escape;
                case IAwaitOperation:
                    return kind.UnknownUse;
                default:
                    return kind.UnknownUse;
            }
        }

        /// <summary><c>x is Foo f</c> or <c>x is { } f</c>: the value gets a second name (an alias we do not follow).</summary>
        private static bool DeclaresVariable(IPatternOperation pattern)
        {
            foreach (var node in pattern.DescendantsAndSelf())
            {
                if (node is IDeclarationPatternOperation { DeclaredSymbol: not null } or IRecursivePatternOperation { DeclaredSymbol: not null }
                    or IListPatternOperation { DeclaredSymbol: not null })
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsWithin(IOperation operation, IOperation container)
        {
            for (var o = operation; o != null; o = o.Parent)
            {
                if (o == container)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
