using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Efficiency;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Efficiency.StringAccumulatedInLoopAnalyzer, LeakAnalyzers.CodeFixes.Efficiency.UseStringBuilderCodeFixProvider>;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Efficiency.StringAccumulatedInLoopAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class StringAccumulatedInLoopAnalyzerTests
    {
        [Fact]
        public Task ForeachWithInterpolationAndConditional()
        {
            return F.CodeFixAsync("""
                using System.Collections.Generic;

                public static class Csv
                {
                    public static string Join(IEnumerable<(string Name, int Qty)> rows)
                    {
                        var csv = "name,qty\n";
                        foreach (var row in rows)
                        {
                            {|LEAK011:csv += $"{row.Name},{row.Qty}"|};
                            csv += row.Qty > 10 ? " (bulk)\n" : "\n";
                        }

                        return csv;
                    }
                }
                """, """
                using System.Collections.Generic;
                using System.Text;

                public static class Csv
                {
                    public static string Join(IEnumerable<(string Name, int Qty)> rows)
                    {
                        var csv = "name,qty\n";
                        var csvBuilder = new StringBuilder(csv);
                        foreach (var row in rows)
                        {
                            csvBuilder.Append($"{row.Name},{row.Qty}");
                            csvBuilder.Append(row.Qty > 10 ? " (bulk)\n" : "\n");
                        }
                        csv = csvBuilder.ToString();
                        return csv;
                    }
                }
                """, UseStringBuilderCodeFixProvider.Key);
        }

        [Fact]
        public Task TheToStringAssignmentGetsALineOfItsOwnBeforeAStatementRightAfterTheLoop()
        {
            return F.CodeFixAsync("""
                using System.Collections.Generic;

                public static class Lines
                {
                    public static string Join(IEnumerable<string> words)
                    {
                        var s = "";
                        foreach (var w in words)
                        {
                            {|LEAK011:s += w|};
                        }
                        return s;
                    }
                }
                """, """
                using System.Collections.Generic;
                using System.Text;

                public static class Lines
                {
                    public static string Join(IEnumerable<string> words)
                    {
                        var s = "";
                        var sBuilder = new StringBuilder(s);
                        foreach (var w in words)
                        {
                            sBuilder.Append(w);
                        }
                        s = sBuilder.ToString();
                        return s;
                    }
                }
                """, UseStringBuilderCodeFixProvider.Key);
        }

        [Fact]
        public Task SelfConcatenationInNestedLoopsInAsyncMethodReportsAtTheOutermostLoop()
        {
            return F.CodeFixAsync("""
                using System.Threading.Tasks;

                public sealed class Report
                {
                    public async Task<string> BuildAsync(int[][] grid)
                    {
                        await Task.Yield();
                        string text = "";
                        for (var r = 0; r < grid.Length; r++)
                        {
                            for (var c = 0; c < grid[r].Length; c++)
                            {
                                {|LEAK011:text = text + grid[r][c] + ";"|};
                            }
                        }

                        return text.Trim();
                    }
                }
                """, """
                using System.Text;
                using System.Threading.Tasks;

                public sealed class Report
                {
                    public async Task<string> BuildAsync(int[][] grid)
                    {
                        await Task.Yield();
                        string text = "";
                        var textBuilder = new StringBuilder(text);
                        for (var r = 0; r < grid.Length; r++)
                        {
                            for (var c = 0; c < grid[r].Length; c++)
                            {
                                textBuilder.Append(grid[r][c]).Append(";");
                            }
                        }
                        text = textBuilder.ToString();
                        return text.Trim();
                    }
                }
                """, StringAccumulatedInLoopAnalyzerTests.AnyKey);
        }

        public const string AnyKey = UseStringBuilderCodeFixProvider.Key;

        [Fact]
        public Task WhileAndDoLoopsAndLocalFunction()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public static class Reader
                {
                    public static string ReadAll(TextReader reader)
                    {
                        var all = "";
                        string? line;
                        while ((line = reader.ReadLine()) != null)
                        {
                            {|LEAK011:all += line|};
                        }

                        return all;
                    }

                    public static string Digits(int n)
                    {
                        return Build();

                        string Build()
                        {
                            var s = "";
                            do
                            {
                                {|LEAK011:s = s + (n % 10)|};
                                n /= 10;
                            }
                            while (n > 0);
                            return s;
                        }
                    }
                }
                """);
        }

        [Fact]
        public Task ReadInsideTheLoopIsReportedWithoutAFix()
        {
            return F.NoCodeFixAsync("""
                public static class Wrap
                {
                    public static string Lines(string[] words)
                    {
                        var text = "";
                        foreach (var w in words)
                        {
                            if (text.Length > 80) {|LEAK011:text += "\n"|};
                            text += w;
                        }

                        return text;
                    }
                }
                """, UseStringBuilderCodeFixProvider.Key);
        }

        [Fact]
        public Task QuietForSmallConstantLoopsLocalsDeclaredInsideAndStringsNeverReadAfter()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;
                using System.Text;

                public static class Fine
                {
                    public static string Small()
                    {
                        var s = "";
                        for (var i = 0; i < 4; i++) s += i;
                        foreach (var part in new[] { "a", "b", "c" }) s += part;
                        return s;
                    }

                    public static int Inside(IEnumerable<string> words)
                    {
                        var n = 0;
                        foreach (var w in words)
                        {
                            var line = "";
                            line += w;
                            line += "!";
                            n += line.Length;
                        }

                        return n;
                    }

                    public static void NotRead(IEnumerable<string> words)
                    {
                        var unused = "";
                        foreach (var w in words) unused += w;
                    }

                    public static string Builder(IEnumerable<string> words)
                    {
                        var sb = new StringBuilder();
                        foreach (var w in words) sb.Append(w);
                        return sb.ToString();
                    }

                    public static string Unique(System.Collections.Generic.HashSet<string> used, string name)
                    {
                        while (!used.Add(name))
                        {
                            name += "1";
                        }

                        var padded = name;
                        do
                        {
                            padded += " ";
                        }
                        while (padded.Length < 20);
                        return name + padded;
                    }

                    public static int Numbers(int[] xs)
                    {
                        var total = 0;
                        foreach (var x in xs) total += x;
                        return total;
                    }
                }
                """);
        }
    }
}
