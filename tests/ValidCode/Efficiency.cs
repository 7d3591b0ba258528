// File reads and string building that look like LEAK010/LEAK011 but need the whole array or stay small.
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace ValidCode.Efficiency
{
    public static class Files
    {
        public static string Header(string path) => File.ReadAllLines(path)[0];

        public static (int Count, string Last) Summary(string path)
        {
            var lines = File.ReadAllLines(path);
            return (lines.Length, lines[^1]);
        }

        public static IEnumerable<string> Streamed(string path) => File.ReadLines(path).Where(l => l.Length > 0);

        public static int Twice(string path)
        {
            var lines = File.ReadAllLines(path);
            var nonEmpty = lines.Count(l => l.Length > 0);
            return nonEmpty + lines.Count(l => l.StartsWith('#'));
        }

        public static string[] Fields(string path) => File.ReadAllText(path).Split(',');
    }

    public static class Text
    {
        public static string Initials(string first, string last)
        {
            var s = "";
            foreach (var part in new[] { first, last })
            {
                s += part[0];
            }

            return s;
        }

        public static string Built(IEnumerable<string> words)
        {
            var builder = new StringBuilder();
            foreach (var w in words)
            {
                builder.Append(w).Append(' ');
            }

            return builder.ToString();
        }

        public static int Lengths(IEnumerable<string> words)
        {
            var total = 0;
            foreach (var w in words)
            {
                var padded = w;
                padded += " ";
                total += padded.Length;
            }

            return total;
        }
    }
}
