using System;
using System.Collections.Generic;
using System.Text;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>
    /// Readable type names from the runtime's: C# keywords for the primitive types, no namespaces on the framework's own
    /// types, generic arguments kept and readable (<c>System.Collections.Generic.Dictionary&lt;System.String, Shop.Order&gt;+Entry[]</c>
    /// becomes <c>Dictionary&lt;string, Shop.Order&gt;.Entry[]</c>; <see cref="Short"/> drops every namespace).
    /// </summary>
    public static class TypeNames
    {
        private static readonly Dictionary<string, string> Keywords = new(StringComparer.Ordinal)
        {
            ["System.String"] = "string", ["System.Object"] = "object", ["System.Byte"] = "byte", ["System.SByte"] = "sbyte",
            ["System.Char"] = "char", ["System.Boolean"] = "bool", ["System.Int16"] = "short", ["System.UInt16"] = "ushort",
            ["System.Int32"] = "int", ["System.UInt32"] = "uint", ["System.Int64"] = "long", ["System.UInt64"] = "ulong",
            ["System.Single"] = "float", ["System.Double"] = "double", ["System.Decimal"] = "decimal", ["System.IntPtr"] = "nint",
            ["System.UIntPtr"] = "nuint",
        };

        /// <summary>Framework namespaces are dropped, user namespaces kept.</summary>
        public static string Readable(string? runtimeName) => Rewrite(runtimeName, keepUserNamespaces: true);

        /// <summary>Every namespace dropped: for the steps of a path.</summary>
        public static string Short(string? runtimeName) => Rewrite(runtimeName, keepUserNamespaces: false);

        /// <summary>True for types of the base class library and ASP.NET Core (System.*, Microsoft.*, Internal.*).</summary>
        public static bool IsFramework(string? runtimeName)
            => runtimeName is null
               || runtimeName.StartsWith("System.", StringComparison.Ordinal)
               || runtimeName.StartsWith("Microsoft.", StringComparison.Ordinal)
               || runtimeName.StartsWith("Internal.", StringComparison.Ordinal)
               || runtimeName.StartsWith("Interop", StringComparison.Ordinal)
               || runtimeName.StartsWith("<", StringComparison.Ordinal);

        /// <summary>"Ns.Outer+Inner&lt;A, B&gt;[]" → "Ns.Outer+Inner": the metadata name of the (generic) type definition, without arguments.</summary>
        public static string Definition(string runtimeName)
        {
            var name = runtimeName;
            while (name.EndsWith("[]", StringComparison.Ordinal))
            {
                name = name[..^2];
            }

            var text = new StringBuilder();
            var depth = 0;
            foreach (var ch in name)
            {
                if (ch == '<')
                {
                    depth++;
                }
                else if (ch == '>')
                {
                    depth--;
                }
                else if (depth == 0)
                {
                    text.Append(ch);
                }
            }

            return text.ToString();
        }

        private static string Rewrite(string? runtimeName, bool keepUserNamespaces)
        {
            if (string.IsNullOrEmpty(runtimeName))
            {
                return "?";
            }

            var position = 0;
            var result = ParseType(runtimeName, ref position, keepUserNamespaces);
            return position >= runtimeName.Length ? result : result + runtimeName[position..];
        }

        private static string ParseType(string text, ref int position, bool keepUserNamespaces)
        {
            // A name is a chain of segments separated by '+' (nested types), each with optional generic arguments, then array ranks.
            var segments = new List<string>();
            var start = position;
            var current = new StringBuilder();
            while (position < text.Length)
            {
                var ch = text[position];
                if (ch == '<')
                {
                    position++;
                    var arguments = new List<string>();
                    while (position < text.Length)
                    {
                        while (position < text.Length && text[position] == ' ')
                        {
                            position++;
                        }

                        arguments.Add(ParseType(text, ref position, keepUserNamespaces));
                        if (position < text.Length && text[position] == ',')
                        {
                            position++;
                            continue;
                        }

                        if (position < text.Length && text[position] == '>')
                        {
                            position++;
                        }

                        break;
                    }

                    current.Append('<').Append(string.Join(", ", arguments)).Append('>');
                    continue;
                }

                if (ch == '+')
                {
                    segments.Add(current.ToString());
                    current.Clear();
                    position++;
                    continue;
                }

                if (ch is ',' or '>')
                {
                    break;
                }

                if (ch == '[')
                {
                    // Array ranks: [] or [,]
                    var close = text.IndexOf(']', position);
                    if (close < 0)
                    {
                        break;
                    }

                    current.Append(text, position, close - position + 1);
                    position = close + 1;
                    continue;
                }

                current.Append(ch);
                position++;
            }

            segments.Add(current.ToString());
            var first = segments[0];
            var suffix = new StringBuilder();

            // Array ranks on the last segment apply to the whole name.
            var last = segments[^1];
            var rank = last.IndexOf('[', StringComparison.Ordinal);
            var genericEnd = last.LastIndexOf('>');
            if (rank >= 0 && rank > genericEnd)
            {
                suffix.Append(last[rank..]);
                segments[^1] = last[..rank];
                first = segments[0];
            }

            var bare = Bare(first);
            if (segments.Count == 1 && Keywords.TryGetValue(bare, out var keyword))
            {
                return keyword + first[bare.Length..] + suffix;
            }

            var framework = IsFramework(first);
            if (framework || !keepUserNamespaces)
            {
                var dot = bare.LastIndexOf('.');
                if (dot >= 0)
                {
                    segments[0] = first[(dot + 1)..];
                }
            }

            _ = start;
            return string.Join(".", segments) + suffix;
        }

        private static string Bare(string segment)
        {
            var angle = segment.IndexOf('<', StringComparison.Ordinal);
            return angle < 0 ? segment : segment[..angle];
        }
    }
}
