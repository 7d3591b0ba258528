using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Retention
{
    /// <summary>
    /// What a delegate keeps alive: <c>this</c> (an instance method group, a lambda or local function that touches instance
    /// state or a primary-constructor parameter, which lives in a hidden field) and the outer locals and parameters it
    /// captures. Read off the operation tree of the delegate's body; bounded by the body's size.
    /// </summary>
    internal sealed class DelegateCaptures
    {
        public static readonly DelegateCaptures None = new DelegateCaptures(false, null, ImmutableArray<ISymbol>.Empty, null, isCapturingDelegate: false);

        private DelegateCaptures(bool capturesThis, Location? thisLocation, ImmutableArray<ISymbol> variables, IOperation? body, bool isCapturingDelegate)
        {
            CapturesThis = capturesThis;
            ThisLocation = thisLocation;
            Variables = variables;
            Body = body;
            IsCapturingDelegate = isCapturingDelegate;
        }

        /// <summary>The delegate holds its creator (<c>this</c>).</summary>
        public bool CapturesThis { get; }

        /// <summary>Where the body first uses <c>this</c> (explicitly or implicitly).</summary>
        public Location? ThisLocation { get; }

        /// <summary>Outer locals and parameters the body uses (they move into a compiler-generated closure object).</summary>
        public ImmutableArray<ISymbol> Variables { get; }

        /// <summary>The lambda or local function the captures were read from, when there is one.</summary>
        public IOperation? Body { get; }

        /// <summary>A lambda, anonymous method or local function (not a method group of another object).</summary>
        public bool IsCapturingDelegate { get; }

        /// <summary>The value a <c>?.</c> works on: the operand of the conditional access whose <c>WhenNotNull</c> holds the instance.</summary>
        public static IOperation? ConditionalOperand(IConditionalAccessInstanceOperation instance)
        {
            IOperation current = instance;
            for (var parent = instance.Parent; parent != null; current = parent, parent = parent.Parent)
            {
                if (parent is IConditionalAccessOperation access && access.WhenNotNull == current)
                {
                    return access.Operation;
                }
            }

            return null;
        }

        /// <summary>Strips conversions and <c>new EventHandler(...)</c> down to the lambda, method reference, field or local.</summary>
        public static IOperation? Unwrap(IOperation? operation)
        {
            for (var i = 0; i < 16 && operation != null; i++)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        continue;
                    case IDelegateCreationOperation creation:
                        operation = creation.Target;
                        continue;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        continue;
                    default:
                        return operation;
                }
            }

            return operation;
        }

        /// <summary>
        /// The captures of the delegate <paramref name="value"/> (already unwrapped or not). Local functions are looked up in
        /// <paramref name="root"/>, the body that declares them.
        /// </summary>
        public static DelegateCaptures Of(IOperation? value, IOperation? root)
        {
            switch (Unwrap(value))
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda.Symbol.IsStatic ? None : FromBody(lambda, lambda.Body, lambda.Syntax);
                case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } local:
                    if (FindLocalFunction(root, local.Method) is { } function && !function.Symbol.IsStatic && function.Body is { } body)
                    {
                        return FromBody(function, body, function.Syntax);
                    }

                    return None;
                case IMethodReferenceOperation { Method.IsStatic: false } method:
                    if (method.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } instance)
                    {
                        return new DelegateCaptures(true, instance.Syntax.GetLocation(), ImmutableArray<ISymbol>.Empty, null, isCapturingDelegate: false);
                    }

                    return None;
                default:
                    return None;
            }
        }

        /// <summary>The outermost operation of the body that contains <paramref name="operation"/>.</summary>
        public static IOperation Root(IOperation operation)
        {
            var current = operation;
            for (var i = 0; i < 512 && current.Parent != null; i++)
            {
                current = current.Parent;
            }

            return current;
        }

        private static ILocalFunctionOperation? FindLocalFunction(IOperation? root, IMethodSymbol method)
        {
            if (root is null)
            {
                return null;
            }

            foreach (var descendant in root.Descendants())
            {
                if (descendant is ILocalFunctionOperation function && SymbolEqualityComparer.Default.Equals(function.Symbol, method.OriginalDefinition))
                {
                    return function;
                }
            }

            return null;
        }

        private static DelegateCaptures FromBody(IOperation function, IOperation body, SyntaxNode syntax)
        {
            var capturesThis = false;
            Location? thisLocation = null;
            var variables = new List<ISymbol>();
            var span = syntax.Span;
            foreach (var operation in body.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } instance:
                        if (!capturesThis)
                        {
                            capturesThis = true;
                            thisLocation = (instance.IsImplicit && instance.Parent is { } parent ? parent.Syntax : instance.Syntax).GetLocation();
                        }

                        break;
                    case IParameterReferenceOperation parameter when !IsDeclaredInside(parameter.Parameter, span):
                        if (IsPrimaryConstructorParameter(parameter.Parameter) && !IsInPrimaryConstructorScope(function, parameter.Parameter))
                        {
                            if (!capturesThis)
                            {
                                capturesThis = true;
                                thisLocation = parameter.Syntax.GetLocation();
                            }
                        }
                        else if (!Contains(variables, parameter.Parameter))
                        {
                            variables.Add(parameter.Parameter);
                        }

                        break;
                    case ILocalReferenceOperation local when !IsDeclaredInside(local.Local, span) && !local.Local.IsConst:
                        if (!Contains(variables, local.Local))
                        {
                            variables.Add(local.Local);
                        }

                        break;
                }
            }

            return new DelegateCaptures(capturesThis, thisLocation, variables.ToImmutableArray(), function, isCapturingDelegate: true);
        }

        private static bool Contains(List<ISymbol> symbols, ISymbol symbol)
        {
            foreach (var s in symbols)
            {
                if (SymbolEqualityComparer.Default.Equals(s, symbol))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsDeclaredInside(ISymbol symbol, Microsoft.CodeAnalysis.Text.TextSpan span)
        {
            var references = symbol.DeclaringSyntaxReferences;
            return references.Length > 0 && span.Contains(references[0].Span);
        }

        /// <summary>A parameter of a class/struct primary constructor: members that use it read a hidden field of <c>this</c>.</summary>
        public static bool IsPrimaryConstructorParameter(IParameterSymbol parameter)
        {
            if (parameter.ContainingSymbol is not IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
            {
                return false;
            }

            var references = constructor.DeclaringSyntaxReferences;
            return references.Length > 0 && references[0].GetSyntax() is TypeDeclarationSyntax;
        }

        /// <summary>Field initializers run inside the primary constructor, where its parameters are plain captured variables.</summary>
        private static bool IsInPrimaryConstructorScope(IOperation function, IParameterSymbol parameter)
        {
            var root = Root(function);
            return root is IFieldInitializerOperation or IPropertyInitializerOperation
                || root.Syntax is PrimaryConstructorBaseTypeSyntax or ArgumentListSyntax { Parent: PrimaryConstructorBaseTypeSyntax };
        }

        /// <summary>Where to report a delegate: the lambda arrow, the <c>delegate</c> keyword or the local function name.</summary>
        public static Location LocationOf(IOperation function)
        {
            switch (function.Syntax)
            {
                case LambdaExpressionSyntax lambda:
                    return lambda.ArrowToken.GetLocation();
                case AnonymousMethodExpressionSyntax anonymous:
                    return anonymous.DelegateKeyword.GetLocation();
                case LocalFunctionStatementSyntax local:
                    return local.Identifier.GetLocation();
                default:
                    return function.Syntax.GetLocation();
            }
        }
    }
}
