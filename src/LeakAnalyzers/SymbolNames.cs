using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;

namespace LeakAnalyzers
{
    internal static class SymbolNames
    {
        /// <summary>The CLR name reflection understands: <c>Namespace.Outer`1+Inner</c>.</summary>
        public static string GetMetadataName(INamedTypeSymbol type)
        {
            var builder = new StringBuilder();
            AppendType(builder, type);
            return builder.ToString();
        }

        private static void AppendType(StringBuilder builder, INamedTypeSymbol type)
        {
            if (type.ContainingType is { } outer)
            {
                AppendType(builder, outer);
                builder.Append('+');
            }
            else if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
            {
                builder.Append(ns.ToDisplayString()).Append('.');
            }

            builder.Append(type.MetadataName);
        }

        /// <summary><c>Namespace.Type.Member</c> (metadata type name): a member's identity that does not hold the symbol.</summary>
        public static string Qualified(ISymbol member)
            => member.ContainingType is { } type ? GetMetadataName(type.OriginalDefinition) + "." + member.Name : member.Name;

        /// <summary>The properties every finding about a long-lived member carries (fixes and runtime companion read them).</summary>
        public static ImmutableDictionary<string, string?>.Builder MemberProperties(ISymbol member)
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string?>();
            if (member.ContainingType is { } type)
            {
                builder[DiagnosticPropertyNames.TypeMetadataName] = GetMetadataName(type);
            }

            builder[DiagnosticPropertyNames.MemberName] = member.Name;
            builder[DiagnosticPropertyNames.MemberKind] = member.Kind.ToString();
            builder[DiagnosticPropertyNames.AssemblyName] = member.ContainingAssembly?.Name;
            return builder;
        }
    }
}
