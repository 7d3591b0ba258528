using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tool.Scan
{
    /// <summary>Writes findings as SARIF 2.1, with the diagnostic properties under <c>properties.customProperties</c> as the compiler does.</summary>
    public static class SarifWriter
    {
        /// <summary>The tool's version (the package version it was built with, without the source revision).</summary>
        public static string ToolVersion { get; } = (typeof(SarifWriter).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0")
            .Split('+')[0];

        public static void Write(string path, IReadOnlyList<Diagnostic> findings, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            using var stream = File.Create(path);
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();
            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "leakcheck");
            json.WriteString("version", ToolVersion);
            json.WriteString("semanticVersion", ToolVersion);
            json.WriteString("informationUri", "https://github.com/leakanalyzers/leakanalyzers");
            json.WriteStartArray("rules");
            foreach (var descriptor in analyzers.SelectMany(a => a.SupportedDiagnostics).GroupBy(d => d.Id).Select(g => g.First()).OrderBy(d => d.Id, System.StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("id", descriptor.Id);
                json.WriteStartObject("shortDescription");
                json.WriteString("text", descriptor.Title.ToString());
                json.WriteEndObject();
                json.WriteString("helpUri", descriptor.HelpLinkUri);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartArray("results");
            foreach (var diagnostic in findings)
            {
                var span = diagnostic.Location.GetLineSpan();
                json.WriteStartObject();
                json.WriteString("ruleId", diagnostic.Id);
                json.WriteString("level", diagnostic.Severity switch { DiagnosticSeverity.Error => "error", DiagnosticSeverity.Warning => "warning", _ => "note" });
                json.WriteStartObject("message");
                json.WriteString("text", diagnostic.GetMessage());
                json.WriteEndObject();
                json.WriteStartArray("locations");
                json.WriteStartObject();
                json.WriteStartObject("physicalLocation");
                json.WriteStartObject("artifactLocation");
                json.WriteString("uri", new System.Uri(Path.GetFullPath(span.Path)).AbsoluteUri);
                json.WriteEndObject();
                json.WriteStartObject("region");
                json.WriteNumber("startLine", span.StartLinePosition.Line + 1);
                json.WriteNumber("startColumn", span.StartLinePosition.Character + 1);
                json.WriteNumber("endLine", span.EndLinePosition.Line + 1);
                json.WriteNumber("endColumn", span.EndLinePosition.Character + 1);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteStartObject("properties");
                json.WriteStartObject("customProperties");
                foreach (var pair in diagnostic.Properties.OrderBy(p => p.Key, System.StringComparer.Ordinal))
                {
                    json.WriteString(pair.Key, pair.Value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }
}
