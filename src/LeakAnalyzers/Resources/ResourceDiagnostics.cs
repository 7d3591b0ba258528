using System.Collections.Immutable;

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
    }
}
