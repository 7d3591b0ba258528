using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Collections;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Collections.CacheNeverEvictsAnalyzer, LeakAnalyzers.CodeFixes.Collections.UseMemoryCacheCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class UseMemoryCacheCodeFixProviderTests
    {
        /// <summary>
        /// The part of Microsoft.Extensions.Caching.Memory the fix writes against, compiled here in memory: the test needs no
        /// package resolved from a feed at test time (that failed on loaded machines, and the fix is only offered when the
        /// type resolves).
        /// </summary>
        private const string MemoryCacheStub = """
            namespace Microsoft.Extensions.Caching.Memory
            {
                public interface ICacheEntry : System.IDisposable
                {
                    object Key { get; }
                    object? Value { get; set; }
                    long? Size { get; set; }
                }

                public interface IMemoryCache : System.IDisposable
                {
                    bool TryGetValue(object key, out object? value);
                    ICacheEntry CreateEntry(object key);
                    void Remove(object key);
                }

                public class MemoryCacheOptions
                {
                    public long? SizeLimit { get; set; }
                }

                public class MemoryCacheEntryOptions
                {
                    public long? Size { get; set; }
                }

                public class MemoryCache : IMemoryCache
                {
                    public MemoryCache(MemoryCacheOptions options) { }
                    public bool TryGetValue(object key, out object? value) => throw null!;
                    public ICacheEntry CreateEntry(object key) => throw null!;
                    public void Remove(object key) { }
                    public void Dispose() { }
                }

                public static class CacheExtensions
                {
                    public static TItem? GetOrCreate<TItem>(this IMemoryCache cache, object key, System.Func<ICacheEntry, TItem> factory) => throw null!;
                    public static bool TryGetValue<TItem>(this IMemoryCache cache, object key, out TItem? value) => throw null!;
                    public static TItem Set<TItem>(this IMemoryCache cache, object key, TItem value, MemoryCacheEntryOptions options) => throw null!;
                }
            }
            """;

        private static async Task<MetadataReference> MemoryCacheReferenceAsync()
        {
            var references = await Infrastructure.TestReferences.Default.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
            var compilation = CSharpCompilation.Create(
                "Microsoft.Extensions.Caching.Memory",
                new[] { CSharpSyntaxTree.ParseText(MemoryCacheStub, new CSharpParseOptions(LanguageVersion.Latest)) },
                references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            using var image = new MemoryStream();
            var emitted = compilation.Emit(image);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
            return MetadataReference.CreateFromImage(image.ToArray());
        }

        [Fact]
        public async Task EveryUseMovesToASizeLimitedMemoryCache()
        {
            var test = new F.CodeFixTest { CodeActionEquivalenceKey = UseMemoryCacheCodeFixProvider.Key };
            var memoryCache = await MemoryCacheReferenceAsync();
            test.TestState.AdditionalReferences.Add(memoryCache);
            test.FixedState.AdditionalReferences.Add(memoryCache);
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
