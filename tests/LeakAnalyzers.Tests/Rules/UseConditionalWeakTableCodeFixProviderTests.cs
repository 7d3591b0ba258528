using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Collections;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Collections.CacheNeverEvictsAnalyzer, LeakAnalyzers.CodeFixes.Collections.UseConditionalWeakTableCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class UseConditionalWeakTableCodeFixProviderTests
    {
        [Fact]
        public Task ObjectKeyedCachesBecomeWeakTablesEveryUseRewritten()
        {
            return F.CodeFixAsync("""
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public sealed class Session { public string User = ""; }

                public sealed class Widget { }

                public static class Decorations
                {
                    private static readonly ConcurrentDictionary<Session, string> {|LEAK002:Labels|} = new();
                    private static readonly Dictionary<Widget, List<string>> {|LEAK002:notes|} = new Dictionary<Widget, List<string>>();

                    public static string Label(Session s) => Labels.GetOrAdd(s, x => x.User.ToUpperInvariant());

                    public static List<string> Notes(Widget w)
                    {
                        if (!notes.ContainsKey(w))
                        {
                            notes[w] = new List<string>();
                        }

                        notes.TryGetValue(w, out var list);
                        return list!;
                    }
                }
                """, """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Runtime.CompilerServices;

                public sealed class Session { public string User = ""; }

                public sealed class Widget { }

                public static class Decorations
                {
                    private static readonly ConditionalWeakTable<Session, string> Labels = new();
                    private static readonly ConditionalWeakTable<Widget, List<string>> notes = new ConditionalWeakTable<Widget, List<string>>();

                    public static string Label(Session s) => Labels.GetValue(s, x => x.User.ToUpperInvariant());

                    public static List<string> Notes(Widget w)
                    {
                        if (!notes.TryGetValue(w, out _))
                        {
                            notes.AddOrUpdate(w, new List<string>());
                        }

                        notes.TryGetValue(w, out var list);
                        return list!;
                    }
                }
                """, UseConditionalWeakTableCodeFixProvider.Key);
        }

        [Fact]
        public Task NotOfferedForStringKeysOrWhenAUseHasNoWeakTableEquivalent()
        {
            return F.NoCodeFixAsync("""
                using System.Collections.Concurrent;

                public sealed class Session { }

                public static class Caches
                {
                    private static readonly ConcurrentDictionary<string, string> {|LEAK002:ByName|} = new();
                    private static readonly ConcurrentDictionary<Session, string> {|LEAK002:Counted|} = new();

                    public static string A(string k) => ByName.GetOrAdd(k, x => x);
                    public static string B(Session s) => Counted.GetOrAdd(s, x => "s") + Counted.Count;
                }
                """, UseConditionalWeakTableCodeFixProvider.Key);
        }
    }
}
