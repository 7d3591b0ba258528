using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Efficiency;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Efficiency.WholeFileLoadedAnalyzer, LeakAnalyzers.CodeFixes.Efficiency.StreamFileLinesCodeFixProvider>;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Efficiency.WholeFileLoadedAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class WholeFileLoadedAnalyzerTests
    {
        [Fact]
        public Task ForeachOverReadAllLines()
        {
            return F.CodeFixAsync("""
                using System.IO;

                public static class LogScan
                {
                    public static int Errors(string path)
                    {
                        var n = 0;
                        foreach (var line in {|LEAK010:File.ReadAllLines(path)|})
                        {
                            if (line.Contains("ERROR")) n++;
                        }

                        return n;
                    }
                }
                """, """
                using System.IO;

                public static class LogScan
                {
                    public static int Errors(string path)
                    {
                        var n = 0;
                        foreach (var line in File.ReadLines(path))
                        {
                            if (line.Contains("ERROR")) n++;
                        }

                        return n;
                    }
                }
                """, StreamFileLinesCodeFixProvider.Key);
        }

        [Fact]
        public Task LinqChainEndingInAnAggregateAndLocalUsedOnceWithExplicitArrayType()
        {
            return F.CodeFixAsync("""
                using System.IO;
                using System.Linq;
                using System.Text;

                public static class Stats
                {
                    public static int Warnings(string path) => {|LEAK010:File.ReadAllLines(path, Encoding.UTF8)|}.Where(l => l.StartsWith("WARN")).Count();

                    public static string[] Distinct(string path)
                    {
                        string[] lines = {|LEAK010:File.ReadAllLines(path)|};
                        return lines.Select(l => l.Trim()).Distinct().ToArray();
                    }

                    public static int Words(string path)
                    {
                        var n = 0;
                        foreach (var line in {|LEAK010:File.ReadAllText(path).Split('\n')|})
                        {
                            n += line.Split(' ').Length;
                        }

                        return n;
                    }
                }
                """, """
                using System.Collections.Generic;
                using System.IO;
                using System.Linq;
                using System.Text;

                public static class Stats
                {
                    public static int Warnings(string path) => File.ReadLines(path, Encoding.UTF8).Where(l => l.StartsWith("WARN")).Count();

                    public static string[] Distinct(string path)
                    {
                        IEnumerable<string> lines = File.ReadLines(path);
                        return lines.Select(l => l.Trim()).Distinct().ToArray();
                    }

                    public static int Words(string path)
                    {
                        var n = 0;
                        foreach (var line in File.ReadLines(path))
                        {
                            n += line.Split(' ').Length;
                        }

                        return n;
                    }
                }
                """, StreamFileLinesCodeFixProvider.Key);
        }

        [Fact]
        public Task AsyncReadInForeachBecomesAwaitForeach()
        {
            return F.CodeFixAsync("""
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Importer
                {
                    public async Task<int> CountAsync(string path, CancellationToken token)
                    {
                        var n = 0;
                        foreach (var line in await {|LEAK010:File.ReadAllLinesAsync(path, token)|})
                        {
                            n += line.Length;
                        }

                        return n;
                    }
                }
                """, """
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Importer
                {
                    public async Task<int> CountAsync(string path, CancellationToken token)
                    {
                        var n = 0;
                        await foreach (var line in File.ReadLinesAsync(path, token))
                        {
                            n += line.Length;
                        }

                        return n;
                    }
                }
                """, StreamFileLinesCodeFixProvider.Key);
        }

        [Fact]
        public Task QuietWhenIndexedCountedTwiceReturnedStoredOrReReadInALoop()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;
                using System.IO;
                using System.Linq;

                public sealed class Config
                {
                    private string[] cached = System.Array.Empty<string>();

                    public string Header(string path) => File.ReadAllLines(path)[0];

                    public int Size(string path) => File.ReadAllLines(path).Length;

                    public int Twice(string path)
                    {
                        var lines = File.ReadAllLines(path);
                        return lines.Count(l => l.Length > 0) + lines.Count();
                    }

                    public string[] Load(string path) => File.ReadAllLines(path);

                    public void Keep(string path) => cached = File.ReadAllLines(path);

                    public IEnumerable<string> Lazy(string path) => File.ReadAllLines(path).Where(l => l.Length > 0);

                    public int Nested(string path, int[] ids)
                    {
                        var lines = File.ReadAllLines(path);
                        var n = 0;
                        foreach (var id in ids)
                        {
                            n += lines.Count(l => l.EndsWith(id.ToString()));
                        }

                        return n;
                    }

                    public int Passed(string path) => Process(File.ReadAllLines(path));

                    private static int Process(string[] lines) => lines.Length;

                    public int SplitOnCommas(string path) => File.ReadAllText(path).Split(',').Count();
                }
                """);
        }
    }
}
