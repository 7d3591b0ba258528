using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Collections;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Collections.CacheNeverEvictsAnalyzer, LeakAnalyzers.CodeFixes.Collections.BoundCacheCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class BoundCacheCodeFixProviderTests
    {
        [Fact]
        public Task GuardGoesBeforeGetOrAddInExpressionBody()
        {
            return F.CodeFixAsync("""
                using System.Collections.Concurrent;

                public static class Patterns
                {
                    private static readonly ConcurrentDictionary<string, int> {|LEAK002:s_lengths|} = new();

                    public static int Length(string s) => s_lengths.GetOrAdd(s, x => x.Length);
                }
                """, """
                using System.Collections.Concurrent;

                public static class Patterns
                {
                    private const int MaxLengthsEntries = 10_000;
                    private static readonly ConcurrentDictionary<string, int> s_lengths = new();

                    public static int Length(string s)
                    {
                        if (s_lengths.Count >= MaxLengthsEntries) { s_lengths.Clear(); }

                        return s_lengths.GetOrAdd(s, x => x.Length);
                    }
                }
                """, BoundCacheCodeFixProvider.BoundKey);
        }

        [Fact]
        public Task FixAllBoundsEveryCacheBeforeItsGuardedAdds()
        {
            return F.CodeFixAsync("""
                using System.Collections.Generic;

                public sealed class Names
                {
                    public static readonly Names Instance = new();

                    private readonly Dictionary<int, string> {|LEAK002:byId|} = new();
                    private static readonly Dictionary<string, string> {|LEAK002:Upper|} = new();

                    public string Get(int id)
                    {
                        if (!byId.TryGetValue(id, out var name))
                        {
                            name = "user" + id;
                            byId[id] = name;
                        }

                        return name;
                    }

                    public static string ToUpper(string s)
                    {
                        if (Upper.ContainsKey(s)) return Upper[s];
                        Upper.Add(s, s.ToUpperInvariant());
                        return Upper[s];
                    }
                }
                """, """
                using System.Collections.Generic;

                public sealed class Names
                {
                    public static readonly Names Instance = new();

                    private const int MaxByIdEntries = 10_000;
                    private readonly Dictionary<int, string> byId = new();
                    private const int MaxUpperEntries = 10_000;
                    private static readonly Dictionary<string, string> Upper = new();

                    public string Get(int id)
                    {
                        if (!byId.TryGetValue(id, out var name))
                        {
                            name = "user" + id;
                            if (byId.Count >= MaxByIdEntries) { byId.Clear(); }
                            byId[id] = name;
                        }

                        return name;
                    }

                    public static string ToUpper(string s)
                    {
                        if (Upper.ContainsKey(s)) return Upper[s];
                        if (Upper.Count >= MaxUpperEntries) { Upper.Clear(); }
                        Upper.Add(s, s.ToUpperInvariant());
                        return Upper[s];
                    }
                }
                """, BoundCacheCodeFixProvider.BoundKey);
        }
    }
}
