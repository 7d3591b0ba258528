using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers
{
    /// <summary>
    /// How long an object lives, as far as the compilation shows it: static members live as long as the process, and so do
    /// the instance members of a type that is held statically (a singleton) or that the user names as long-lived in
    /// .editorconfig (DI singletons). Lifetime is never guessed from names.
    /// </summary>
    internal static class Lifetime
    {
        /// <summary>.editorconfig key: comma-separated type names (<c>Namespace.Type</c> or <c>Type</c>) whose instances live as long as the process.</summary>
        public const string LongLivedTypesOption = "leak_analyzers.long_lived_types";

        /// <summary>
        /// True when the type keeps an instance of itself in a static member (<c>static readonly X Instance = new X()</c>,
        /// <c>static X Instance { get; } = new()</c>, <c>static readonly Lazy&lt;X&gt;</c>).
        /// </summary>
        public static bool IsSingleton(INamedTypeSymbol type)
        {
            foreach (var member in type.GetMembers())
            {
                var memberType = member switch
                {
                    IFieldSymbol { IsStatic: true, IsConst: false } field => field.Type,
                    IPropertySymbol { IsStatic: true } property => property.Type,
                    _ => null,
                };

                if (memberType is null)
                {
                    continue;
                }

                if (SymbolEqualityComparer.Default.Equals(memberType.OriginalDefinition, type.OriginalDefinition))
                {
                    return true;
                }

                if (memberType is INamedTypeSymbol { Name: "Lazy", TypeArguments.Length: 1 } lazy
                    && lazy.ContainingNamespace?.ToDisplayString() == "System"
                    && SymbolEqualityComparer.Default.Equals(lazy.TypeArguments[0].OriginalDefinition, type.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The long-lived type names configured for the tree the type is declared in (or globally).</summary>
        public static ImmutableHashSet<string> ConfiguredLongLivedTypes(AnalyzerOptions options, INamedTypeSymbol type)
        {
            string? value = null;
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (options.AnalyzerConfigOptionsProvider.GetOptions(reference.SyntaxTree).TryGetValue(LongLivedTypesOption, out value))
                {
                    break;
                }
            }

            if (value is null && !options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(LongLivedTypesOption, out value))
            {
                return ImmutableHashSet<string>.Empty;
            }

            var builder = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
            foreach (var part in value.Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                builder.Add(part.Trim());
            }

            return builder.ToImmutable();
        }

        /// <summary>True when the type, a base type or an interface it implements is named in the configured set.</summary>
        public static bool IsConfiguredLongLived(INamedTypeSymbol type, ImmutableHashSet<string> names)
        {
            if (names.IsEmpty)
            {
                return false;
            }

            for (var current = type; current != null; current = current.BaseType)
            {
                if (Matches(current, names))
                {
                    return true;
                }
            }

            foreach (var @interface in type.AllInterfaces)
            {
                if (Matches(@interface, names))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Matches(INamedTypeSymbol type, ImmutableHashSet<string> names)
            => names.Contains(type.Name) || names.Contains(SymbolNames.GetMetadataName(type)) || names.Contains(type.OriginalDefinition.ToDisplayString());
    }
}
