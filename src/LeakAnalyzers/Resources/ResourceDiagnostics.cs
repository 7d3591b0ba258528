using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace LeakAnalyzers.Resources
{
    /// <summary>The diagnostic properties the LEAK005–LEAK009 fixes read (see <see cref="DiagnosticPropertyNames"/>).</summary>
    internal static class ResourceDiagnostics
    {
        public static ImmutableDictionary<string, string?> Properties(ResourceCheckResult result, bool awaited, string? releaseCall = null)
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string?>();
            builder[DiagnosticPropertyNames.LeakShape] = result.Shape.ToString();
            if (result.Local is { } local)
            {
                builder[DiagnosticPropertyNames.LocalName] = local.Name;
            }

            if (result.Reassigned)
            {
                builder[DiagnosticPropertyNames.Reassigned] = "true";
            }

            if (awaited)
            {
                builder[DiagnosticPropertyNames.Awaited] = "true";
            }

            if (releaseCall != null)
            {
                builder[DiagnosticPropertyNames.ReleaseCall] = releaseCall;
            }

            return builder.ToImmutable();
        }

        /// <summary>The shape names of field findings (the fixes read them), shared by LEAK006, LEAK007 and LEAK008.</summary>
        public static string ShapeOf(FieldLeak leak) => leak switch
        {
            FieldLeak.NeverReleased => OwnedDisposableFieldNotDisposedAnalyzer.ShapeNotDisposed,
            FieldLeak.OwnerNotDisposable => OwnedDisposableFieldNotDisposedAnalyzer.ShapeOwnerNotDisposable,
            FieldLeak.Replaced => OwnedDisposableFieldNotDisposedAnalyzer.ShapeReassigned,
            FieldLeak.LostInConstructor => OwnedDisposableFieldNotDisposedAnalyzer.ShapeLostInConstructor,
            _ => OwnedDisposableFieldNotDisposedAnalyzer.ShapeCleared,
        };

        /// <summary>A field finding of any resource kind as a diagnostic: the field's identity, the shape, how to release it.</summary>
        public static Diagnostic FieldDiagnostic(DiagnosticDescriptor rule, FieldFinding finding, params object[] arguments)
        {
            var properties = SymbolNames.MemberProperties(finding.Field);
            properties[DiagnosticPropertyNames.LeakShape] = ShapeOf(finding.Leak);
            if (finding.ReleaseCall != null)
            {
                properties[DiagnosticPropertyNames.ReleaseCall] = finding.ReleaseCall;
            }

            if (finding.Pool != null)
            {
                properties[DiagnosticPropertyNames.PoolExpression] = finding.Pool;
            }

            var additional = finding.Leak is FieldLeak.NeverReleased or FieldLeak.OwnerNotDisposable && finding.Acquisition is { } acquisition
                ? new[] { acquisition }
                : System.Array.Empty<Location>();
            return Diagnostic.Create(rule, finding.Location, additional, properties.ToImmutable(), arguments);
        }
    }
}
