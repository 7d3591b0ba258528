using System.Collections.Immutable;
using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Collections;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Collections.CacheNeverEvictsAnalyzer, LeakAnalyzers.CodeFixes.Collections.UseMemoryCacheCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class UseMemoryCacheCodeFixProviderTests
    {
        private static readonly ReferenceAssemblies WithMemoryCache = Infrastructure.TestReferences.Default
            .AddPackages(ImmutableArray.Create(new PackageIdentity("Microsoft.Extensions.Caching.Memory", "8.0.1")));

        [Fact]
        public async Task EveryUseMovesToASizeLimitedMemoryCache()
        {
            var test = new F.CodeFixTest { CodeActionEquivalenceKey = UseMemoryCacheCodeFixProvider.Key, ReferenceAssemblies = WithMemoryCache };
            test.TestState.Sources.Add("""
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public static class Pricing
                {
                    private static readonly ConcurrentDictionary<string, decimal> {|LEAK002:Quotes|} = new();
                    private static readonly Dictionary<int, string> {|LEAK002:names|} = new Dictionary<int, string>();

                    public static decimal Quote(string sku) => Quotes.GetOrAdd(sku, s => s.Length * 1.5m);

                    public static decimal QuoteWith(string sku) => Quotes.GetOrAdd(sku, Compute);

                    private static decimal Compute(string sku) => sku.Length;

                    public static string Name(int id)
                    {
                        if (names.ContainsKey(id))
                        {
                            names.TryGetValue(id, out var known);
                            return known!;
                        }

                        var name = "user" + id;
                        names[id] = name;
                        return name;
                    }
                }
                """);
            test.FixedState.Sources.Add("""
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using Microsoft.Extensions.Caching.Memory;

                public static class Pricing
                {
                    private const int MaxQuotesEntries = 10_000;
                    private static readonly MemoryCache Quotes = new MemoryCache(new MemoryCacheOptions { SizeLimit = MaxQuotesEntries });
                    private const int MaxNamesEntries = 10_000;
                    private static readonly MemoryCache names = new MemoryCache(new MemoryCacheOptions { SizeLimit = MaxNamesEntries });

                    public static decimal Quote(string sku) => Quotes.GetOrCreate(sku, entry => { entry.Size = 1; var s = (string)entry.Key; return s.Length * 1.5m; })!;

                    public static decimal QuoteWith(string sku) => Quotes.GetOrCreate(sku, entry => { entry.Size = 1; return Compute((string)entry.Key); })!;

                    private static decimal Compute(string sku) => sku.Length;

                    public static string Name(int id)
                    {
                        if (names.TryGetValue<string>(id, out _))
                        {
                            names.TryGetValue<string>(id, out var known);
                            return known!;
                        }

                        var name = "user" + id;
                        names.Set(id, name, new MemoryCacheEntryOptions { Size = 1 });
                        return name;
                    }
                }
                """);
            await test.RunAsync();
        }

        [Fact]
        public Task NotOfferedWithoutTheMemoryCachePackage()
        {
            return F.NoCodeFixAsync("""
                using System.Collections.Concurrent;

                public static class Pricing
                {
                    private static readonly ConcurrentDictionary<string, decimal> {|LEAK002:Quotes|} = new();

                    public static decimal Quote(string sku) => Quotes.GetOrAdd(sku, s => s.Length * 1.5m);
                }
                """, UseMemoryCacheCodeFixProvider.Key);
        }
    }
}
