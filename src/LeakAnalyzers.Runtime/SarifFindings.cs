using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace LeakAnalyzers.Runtime
{
    /// <summary>One LeakAnalyzers result of a SARIF log, with the member it names (when the rule names one).</summary>
    public sealed class SarifFinding
    {
        public SarifFinding(string ruleId, string message, string? file, int line, string? typeMetadataName, string? memberName, string? assemblyName)
        {
            RuleId = ruleId;
            Message = message;
            File = file;
            Line = line;
            TypeMetadataName = typeMetadataName;
            MemberName = memberName;
            AssemblyName = assemblyName;
        }

        public string RuleId { get; }

        public string Message { get; }

        public string? File { get; }

        public int Line { get; }

        /// <summary><c>Namespace.Outer+Inner</c>: what reflection and ClrMD need to find the member.</summary>
        public string? TypeMetadataName { get; }

        public string? MemberName { get; }

        public string? AssemblyName { get; }

        /// <summary>True when the finding names a member whose size can be watched.</summary>
        public bool NamesMember => TypeMetadataName is not null && MemberName is not null;

        public override string ToString() => $"{RuleId} {TypeMetadataName}.{MemberName} ({File}:{Line})";
    }

    /// <summary>The log is missing, not JSON, or not a SARIF log: the message says which and where.</summary>
    public sealed class SarifFormatException : Exception
    {
        public SarifFormatException(string message)
            : base(message)
        {
        }

        public SarifFormatException(string message, Exception innerException)
            : base(message, innerException)
        {
        }

        public SarifFormatException()
        {
        }
    }

    /// <summary>
    /// Reads the SARIF 2.1 log the compiler writes with <c>-p:ErrorLog=file.sarif%2Cversion%3D2.1</c> and returns the
    /// LeakAnalyzers results (rule ids LEAKnnn). The analyzers put TypeMetadataName/MemberName into each diagnostic's
    /// properties, which the compiler writes under <c>results[].properties.customProperties</c>.
    /// </summary>
    public static class SarifFindings
    {
        public static IReadOnlyList<SarifFinding> Load(string path)
        {
            if (!System.IO.File.Exists(path))
            {
                throw new SarifFormatException($"SARIF file not found: {path}");
            }

            try
            {
                return Parse(System.IO.File.ReadAllText(path), path);
            }
            catch (IOException e)
            {
                throw new SarifFormatException($"Cannot read {path}: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new SarifFormatException($"Cannot read {path}: {e.Message}", e);
            }
        }

        public static IReadOnlyList<SarifFinding> Parse(string json, string source = "SARIF text")
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException e)
            {
                // One position, 1-based, instead of ours and System.Text.Json's 0-based "LineNumber: n | BytePositionInLine: m" together.
                var reason = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal) is var at and >= 0 ? e.Message.Substring(0, at).TrimEnd() : e.Message;
                throw new SarifFormatException($"{source} is not valid JSON (line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}): {reason}", e);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("runs", out var runs) || runs.ValueKind != JsonValueKind.Array)
                {
                    throw new SarifFormatException($"{source} is JSON but not a SARIF log: it has no \"runs\" array.");
                }

                if (root.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.String && !version.GetString()!.StartsWith("2.", StringComparison.Ordinal))
                {
                    throw new SarifFormatException($"{source} is SARIF version {version.GetString()}; write version 2.1 (-p:ErrorLog=file.sarif%2Cversion%3D2.1).");
                }

                var findings = new List<SarifFinding>();
                foreach (var run in runs.EnumerateArray())
                {
                    if (!run.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
                    {
                        continue;
                    }

                    foreach (var result in results.EnumerateArray())
                    {
                        var ruleId = String(result, "ruleId");
                        if (ruleId is null || !ruleId.StartsWith("LEAK", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        var message = result.TryGetProperty("message", out var m) ? String(m, "text") ?? string.Empty : string.Empty;
                        string? file = null;
                        var line = 0;
                        if (result.TryGetProperty("locations", out var locations) && locations.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var location in locations.EnumerateArray())
                            {
                                if (location.TryGetProperty("physicalLocation", out var physical))
                                {
                                    if (physical.TryGetProperty("artifactLocation", out var artifact))
                                    {
                                        file = String(artifact, "uri");
                                    }

                                    if (physical.TryGetProperty("region", out var region) && region.TryGetProperty("startLine", out var start) && start.TryGetInt32(out var l))
                                    {
                                        line = l;
                                    }
                                }

                                break;
                            }
                        }

                        JsonElement custom = default;
                        var hasCustom = result.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
                            && (properties.TryGetProperty("customProperties", out custom) || (custom = properties).ValueKind == JsonValueKind.Object);
                        findings.Add(new SarifFinding(
                            ruleId,
                            message,
                            file is not null && Uri.TryCreate(file, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : file,
                            line,
                            hasCustom ? String(custom, "TypeMetadataName") : null,
                            hasCustom ? String(custom, "MemberName") : null,
                            hasCustom ? String(custom, "AssemblyName") : null));
                    }
                }

                return findings;
            }
        }

        private static string? String(JsonElement element, string name)
            => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
