using System.Threading.Tasks;
using LeakAnalyzers.Collections;
using LeakAnalyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Collections.CacheNeverEvictsAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class CacheNeverEvictsAnalyzerTests
    {
        // ---- Positive ----

        [Fact]
        public Task GetOrAddOnStaticConcurrentDictionaryKeyedByRequestData()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Concurrent;
                using System.Text.RegularExpressions;

                public static class Patterns
                {
                    private static readonly ConcurrentDictionary<string, Regex> {|#0:Compiled|} = new();

                    public static bool Matches(string pattern, string input)
                        => {|#1:Compiled.GetOrAdd(pattern, p => new Regex(p, RegexOptions.Compiled))|}.IsMatch(input);
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Patterns.Compiled", "string", 1));
        }

        [Fact]
        public Task RegistryThatRejectsDuplicateNamesOfPluginClasses()
        {
            // Quiet: a duplicate check that throws, filled with new plug-ins whose classes name themselves with constants.
            // Reported: the same shape filled with names made at run time.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public interface IHandler { string Name { get; } }
                public sealed class Ping : IHandler { public string Name => "ping"; }
                public sealed class Pong : IHandler { public string Name => "pong"; }
                public sealed class Dynamic : IHandler
                {
                    public Dynamic(string name) => Name = name;
                    public string Name { get; }
                }

                public static class Handlers
                {
                    private static readonly Dictionary<string, IHandler> s_handlers = new();
                    private static readonly Dictionary<string, IHandler> {|#0:s_dynamic|} = new();

                    public static void Register(IHandler handler)
                    {
                        if (s_handlers.ContainsKey(handler.Name))
                        {
                            throw new InvalidOperationException("duplicate " + handler.Name);
                        }

                        s_handlers[handler.Name] = handler;
                    }

                    public static void RegisterDynamic(IHandler handler)
                    {
                        if (s_dynamic.ContainsKey(handler.Name))
                        {
                            throw new InvalidOperationException("duplicate " + handler.Name);
                        }

                        {|#1:s_dynamic[handler.Name] = handler|};
                    }

                    public static IHandler Get(string name) => s_handlers[name] ?? s_dynamic[name];
                }

                public static class Startup
                {
                    public static void Init(string[] names)
                    {
                        Handlers.Register(new Ping());
                        Handlers.Register(new Pong());
                        foreach (var name in names)
                        {
                            Handlers.RegisterDynamic(new Dynamic(name));
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Handlers.s_dynamic", "string", 1));
        }

        [Fact]
        public Task TryGetValueThenIndexerSetInAsyncMethod()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public sealed class UserNames
                {
                    private static readonly Dictionary<int, string> {|#0:byId|} = new();

                    public async Task<string> GetAsync(int id)
                    {
                        if (byId.TryGetValue(id, out var name))
                        {
                            return name;
                        }

                        name = await Task.FromResult("user" + id);
                        {|#1:byId[id] = name|};
                        return name;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("UserNames.byId", "int", 1));
        }

        [Fact]
        public Task ContainsKeyThenAddWithTupleKey()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Prices
                {
                    private static readonly Dictionary<(string Customer, string Sku), decimal> {|#0:Quotes|} = new();

                    public static decimal Quote(string customer, string sku)
                    {
                        var key = (customer, sku);
                        if (!Quotes.ContainsKey(key))
                        {
                            {|#1:Quotes.Add(key, customer.Length * 1.5m + sku.Length)|};
                        }

                        return Quotes[key];
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Prices.Quotes", "(string Customer, string Sku)", 1));
        }

        [Fact]
        public Task LazyTaskValuesAndRecordKeysAndStaticPropertyExposure()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public sealed record ProductKey(string Tenant, int Id);

                public static class Catalog
                {
                    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> {|#0:Pages|} = new();

                    public static ConcurrentDictionary<ProductKey, string> {|#2:Names|} { get; } = new();

                    public static Task<string> PageAsync(string url)
                        => {|#1:Pages.GetOrAdd(url, u => new Lazy<Task<string>>(() => Task.FromResult(u)))|}.Value;

                    public static string Name(ProductKey key) => {|#3:Names.GetOrAdd(key, k => k.Tenant + k.Id)|};

                    public static IReadOnlyDictionary<ProductKey, string> Snapshot => Names;
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Catalog.Pages", "string", 1),
                V.Diagnostic().WithLocation(2).WithLocation(3).WithArguments("Catalog.Names", "ProductKey", 1));
        }

        [Fact]
        public Task SingletonHeldInstanceCache()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public sealed class SqlCache
                {
                    public static readonly SqlCache Instance = new SqlCache();

                    private readonly Dictionary<string, string> {|#0:normalized|} = new();

                    public string Normalize(string sql)
                    {
                        if (normalized.TryGetValue(sql, out var n))
                        {
                            return n;
                        }

                        n = sql.Trim().ToUpperInvariant();
                        {|#1:normalized[sql] = n|};
                        return n;
                    }
                }

                public sealed class LazySingleton
                {
                    private static readonly System.Lazy<LazySingleton> Lazy = new(() => new LazySingleton());

                    public static LazySingleton Instance => Lazy.Value;

                    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> {|#2:sizes|} = new();

                    public int Size(string s) => {|#3:sizes.GetOrAdd(s, x => x.Length)|};
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("SqlCache.normalized", "string", 1),
                V.Diagnostic().WithLocation(2).WithLocation(3).WithArguments("LazySingleton.sizes", "string", 1));
        }

        [Fact]
        public async Task EditorConfigNamesADependencyInjectionSingleton()
        {
            var test = new Verify<CacheNeverEvictsAnalyzer>.AnalyzerTest();
            test.TestState.Sources.Add("""
                using System.Collections.Concurrent;

                namespace Shop
                {
                    public interface ITemplateRenderer { string Render(string template); }

                    public sealed class TemplateRenderer : ITemplateRenderer
                    {
                        private readonly ConcurrentDictionary<string, string> {|#0:compiled|} = new();

                        public string Render(string template) => {|#1:compiled.GetOrAdd(template, t => t.ToUpperInvariant())|};
                    }

                    public sealed class PerRequest
                    {
                        private readonly ConcurrentDictionary<string, string> seen = new();

                        public string Get(string k) => seen.GetOrAdd(k, x => x);
                    }
                }
                """);
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", """
                root = true

                [*.cs]
                leak_analyzers.long_lived_types = Shop.ITemplateRenderer
                """));
            test.ExpectedDiagnostics.Add(V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("TemplateRenderer.compiled", "string", 1));
            await test.RunAsync();
        }

        // ---- Objects reached from a static: every pool lives as long as the process ----

        /// <summary>The pool manager: pools kept per connection string, through a static dictionary (the Remove variant lets pools go).</summary>
        private static string PoolManagerSource(string extra = "") => """
            using System.Collections.Generic;

            namespace Db
            {
                public sealed class Transaction { }

                public sealed class Connector { }

                static class PoolManager
                {
                    internal static Dictionary<string, ConnectorPool> {|#2:Pools|} { get; } = new();

                    internal static void ClearAll()
                    {
                        lock (Pools)
                        {
                            foreach (var pair in Pools)
                            {
                                pair.Value.Clear();
                            }
                        }
                    }
            """ + extra + """
                }
            }
            """;

        /// <summary>The pool: pending enlisted connectors per transaction; the lists are emptied, the keys stay (or, with <paramref name="evictKey"/>, go).</summary>
        private static string ConnectorPoolSource(bool evictKey = false) => """
            using System.Collections.Generic;

            namespace Db
            {
                sealed class ConnectorPool
                {
                    readonly Dictionary<Transaction, List<Connector>> {|#0:_pendingEnlistedConnectors|} = new();

                    internal ConnectorPool(string connectionString) { }

                    internal void Clear() { }

                    internal void AddPendingEnlistedConnector(Connector connector, Transaction transaction)
                    {
                        lock (_pendingEnlistedConnectors)
                        {
                            if (!_pendingEnlistedConnectors.TryGetValue(transaction, out var list))
                                list = {|#1:_pendingEnlistedConnectors[transaction] = new List<Connector>()|};
                            list.Add(connector);
                        }
                    }

                    internal void RemovePendingEnlistedConnector(Connector connector, Transaction transaction)
                    {
                        lock (_pendingEnlistedConnectors)
                        {
                            var list = _pendingEnlistedConnectors[transaction];
                            list.Remove(connector);
            """ + (evictKey ? """
                            if (list.Count == 0)
                                _pendingEnlistedConnectors.Remove(transaction);
            """ : "") + """
                        }
                    }

                    internal Connector? TryAllocateEnlistedPending(Transaction transaction)
                    {
                        lock (_pendingEnlistedConnectors)
                        {
                            if (!_pendingEnlistedConnectors.TryGetValue(transaction, out var list))
                                return null;
                            var connector = list[list.Count - 1];
                            list.RemoveAt(list.Count - 1);
                            return connector;
                        }
                    }
                }
            }
            """;

        /// <summary>The connection: the only creation of a pool, into the static dictionary through a local alias (and into its own field).</summary>
        private const string ConnectionSource = """
            namespace Db
            {
                public sealed class Connection
                {
                    private readonly string _connectionString;
                    private ConnectorPool? _pool;

                    public Connection(string connectionString) => _connectionString = connectionString;

                    public void Open()
                    {
                        var pools = PoolManager.Pools;
                        lock (pools)
                        {
                            if (!pools.TryGetValue(_connectionString, out _pool))
                                _pool = {|#3:pools[_connectionString] = new ConnectorPool(_connectionString)|};
                        }
                    }
                }
            }
            """;

        private static DiagnosticResult PoolsCache()
            => V.Diagnostic().WithLocation(2).WithLocation(3).WithArguments("PoolManager.Pools", "string", 1);

        [Fact]
        public Task InstanceCacheOfAClassEveryInstanceOfWhichAStaticDictionaryKeeps()
        {
            // Every ConnectorPool the code creates goes into PoolManager.Pools (created in another file, through a local
            // alias of the static), which nothing removes from: each pool lives for the process, and its dictionary gains a
            // key per transaction. Emptying the per-transaction lists does not remove the keys. The static dictionary itself
            // is a cache keyed by connection strings.
            return V.AnalyzerAsync(
                new[] { PoolManagerSource(), ConnectorPoolSource(), ConnectionSource },
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("ConnectorPool._pendingEnlistedConnectors", "Transaction", 1),
                PoolsCache());
        }

        [Fact]
        public Task InstanceCacheOfAClassKeptInAStaticFieldWrittenOnce()
        {
            // The only pool is created into a static field that nothing writes again.
            return V.AnalyzerAsync(
                new[]
                {
                    PoolManagerSource().Replace("{|#2:Pools|}", "Pools"),
                    ConnectorPoolSource(),
                    """
                    namespace Db
                    {
                        static class DefaultPool
                        {
                            internal static readonly ConnectorPool Instance = new ConnectorPool("Host=db");
                        }
                    }
                    """,
                },
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("ConnectorPool._pendingEnlistedConnectors", "Transaction", 1));
        }

        [Fact]
        public Task PoolsRemovedFromTheStaticDictionaryAreQuiet()
        {
            // PoolManager.Pools.Remove lets a pool go: pools are not process-lived, and neither cache is reported.
            return V.AnalyzerAsync(new[]
            {
                PoolManagerSource("""

                        internal static void Clear(string connectionString)
                        {
                            lock (Pools)
                            {
                                Pools.Remove(connectionString);
                            }
                        }
                """).Replace("{|#2:Pools|}", "Pools"),
                ConnectorPoolSource(),
                ConnectionSource.Replace("{|#3:", string.Empty).Replace(")|};", ");"),
            });
        }

        [Fact]
        public Task ASecondCreationReturnedToTheCallerIsQuiet()
        {
            // One pool per call is handed to the caller (unpooled connections): not every pool lives for the process.
            return V.AnalyzerAsync(
                new[]
                {
                    PoolManagerSource("""

                            internal static ConnectorPool CreateUnpooled(string connectionString)
                            {
                                var pool = new ConnectorPool(connectionString);
                                return pool;
                            }
                    """),
                    ConnectorPoolSource(),
                    ConnectionSource,
                },
                PoolsCache());
        }

        [Fact]
        public Task KeyRemovedWhenItsListEmptiesIsQuiet()
        {
            // The fix: the transaction's key goes when its list is empty.
            return V.AnalyzerAsync(new[] { PoolManagerSource(), ConnectorPoolSource(evictKey: true), ConnectionSource }, PoolsCache());
        }

        [Fact]
        public Task AClassKeptInAStaticFieldButAlsoCreatedPerRequestIsQuiet()
        {
            // One pool is kept by a static field; another is made for every request and dropped after it.
            return V.AnalyzerAsync(new[]
            {
                PoolManagerSource().Replace("{|#2:Pools|}", "Pools"),
                ConnectorPoolSource(),
                """
                namespace Db
                {
                    static class DefaultPool
                    {
                        internal static readonly ConnectorPool Instance = new ConnectorPool("Host=db");
                    }

                    public sealed class RequestHandler
                    {
                        public void Handle(string connectionString, Connector connector, Transaction transaction)
                        {
                            var pool = new ConnectorPool(connectionString);
                            pool.AddPendingEnlistedConnector(connector, transaction);
                        }
                    }
                }
                """,
            });
        }

        [Fact]
        public Task PartialClassCacheWithLookupInOneMethod()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                public static partial class Geo
                {
                    private static readonly SortedDictionary<string, double[]> {|#0:coordinates|} = new();
                }
                """,
                """
                public static partial class Geo
                {
                    public static double[] Locate(string address)
                    {
                        if (!coordinates.TryGetValue(address, out var c))
                        {
                            c = new[] { address.Length * 1.0, 2.0 };
                            {|#1:coordinates.Add(address, c)|};
                        }

                        return c;
                    }
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Geo.coordinates", "string", 1));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public Task PartialTypeCacheFilledInOtherDocumentInEitherOrder(bool growthFirst)
        {
            var declaration = """
                using System.Collections.Concurrent;

                public sealed partial class Resolver
                {
                    public static readonly Resolver Instance = new Resolver();

                    private readonly ConcurrentDictionary<string, string> {|#0:resolved|} = new();
                }
                """;
            var growth = """
                public sealed partial class Resolver
                {
                    public string Resolve(string name) => {|#1:resolved.GetOrAdd(name, n => n.Trim())|};
                }
                """;
            return V.AnalyzerAsync(
                growthFirst ? new[] { growth, declaration } : new[] { declaration, growth },
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Resolver.resolved", "string", 1));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public Task PartialTypeCacheEvictedInOtherDocumentInEitherOrderIsQuiet(bool evictionFirst)
        {
            var declaration = """
                using System.Collections.Concurrent;

                public static partial class Templates
                {
                    private static readonly ConcurrentDictionary<string, string> Compiled = new();

                    public static string Get(string source) => Compiled.GetOrAdd(source, s => s.ToUpperInvariant());
                }
                """;
            var eviction = """
                public static partial class Templates
                {
                    public static void Forget(string source) => Compiled.TryRemove(source, out _);
                }
                """;
            return V.AnalyzerAsync(evictionFirst ? new[] { eviction, declaration } : new[] { declaration, eviction });
        }

        [Fact]
        public Task PrivateHelperWithConstantKeysFromAnotherPart()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Concurrent;

                public static partial class Meters
                {
                    private static readonly ConcurrentDictionary<string, object> Named = new();
                    private static readonly ConcurrentDictionary<string, object> {|#0:Tagged|} = new();

                    private static object Named1(string name) => Named.GetOrAdd(name, _ => new object());
                    private static object Tagged1(string tag) => {|#1:Tagged.GetOrAdd(tag, _ => new object())|};
                }
                """,
                """
                public static partial class Meters
                {
                    public static object Requests => Named1("requests");
                    public static object Errors() => Named1("errors");
                    public static object ForTag(string tag) => Tagged1(tag);
                    public static object Default() => Tagged1("default");
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Meters.Tagged", "string", 1));
        }

        [Fact]
        public Task MemoizerInAnotherDocumentIsReportedOnTheMemoizingCall()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System;

                public static partial class Parsers
                {
                    private static readonly Func<string, int> {|#1:Parse|} = {|#0:Memo.Of<string, int>(int.Parse)|};
                }
                """,
                """
                using System;
                using System.Collections.Concurrent;

                public static class Memo
                {
                    public static Func<TIn, TOut> Of<TIn, TOut>(Func<TIn, TOut> f) where TIn : notnull
                    {
                        var cache = new ConcurrentDictionary<TIn, TOut>();
                        return x => {|#2:cache.GetOrAdd(x, f)|};
                    }
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2).WithArguments("Parsers.Parse (memoized by Of)", "string", 1));
        }

        [Fact]
        public Task GenericMemoizerHelperStoredInAStaticField()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Text.RegularExpressions;

                public static class Functional
                {
                    public static Func<TIn, TOut> Memoize<TIn, TOut>(Func<TIn, TOut> f) where TIn : notnull
                    {
                        var cache = new ConcurrentDictionary<TIn, TOut>();
                        return x => {|#1:cache.GetOrAdd(x, f)|};
                    }

                    public static Func<TIn, TOut> MemoizeWithLookup<TIn, TOut>(Func<TIn, TOut> f) where TIn : notnull
                    {
                        var cache = new Dictionary<TIn, TOut>();
                        return x =>
                        {
                            if (cache.TryGetValue(x, out var y)) return y;
                            y = f(x);
                            {|#3:cache[x] = y|};
                            return y;
                        };
                    }
                }

                public static class Validators
                {
                    private static readonly Func<string, Regex> {|#4:Compile|} = {|#0:Functional.Memoize<string, Regex>(p => new Regex(p))|};
                    public static Func<string, int> {|#5:Length|} { get; } = {|#2:Functional.MemoizeWithLookup<string, int>(s => s.Length)|};

                    public static bool Valid(string pattern, string input)
                    {
                        var local = Functional.Memoize<string, int>(s => s.Length);
                        return Compile(pattern).IsMatch(input) && local(input) > 0;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(4).WithLocation(1).WithArguments("Validators.Compile (memoized by Memoize)", "string", 1),
                V.Diagnostic().WithLocation(2).WithLocation(5).WithLocation(3).WithArguments("Validators.Length (memoized by MemoizeWithLookup)", "string", 1));
        }

        [Fact]
        public Task MemoizerThatEvictsIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;

                public static class Functional
                {
                    public static Func<TIn, TOut> MemoizeBounded<TIn, TOut>(Func<TIn, TOut> f, int max) where TIn : notnull
                    {
                        var cache = new ConcurrentDictionary<TIn, TOut>();
                        return x =>
                        {
                            if (cache.Count >= max) cache.Clear();
                            return cache.GetOrAdd(x, f);
                        };
                    }
                }

                public static class Use
                {
                    private static readonly Func<string, int> Length = Functional.MemoizeBounded<string, int>(s => s.Length, 100);
                }
                """);
        }

        // ---- Negative ----

        [Fact]
        public Task BoundedKeysAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;
                using System.Reflection;

                public enum Format { Json, Xml }

                public static class Meta
                {
                    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Props = new();
                    private static readonly ConcurrentDictionary<MethodInfo, string> Names = new();
                    private static readonly ConcurrentDictionary<PropertyInfo, Func<object, object?>> Getters = new();
                    private static readonly ConcurrentDictionary<Assembly, Type[]> Types = new();
                    private static readonly ConcurrentDictionary<Format, string> Mime = new();
                    private static readonly ConcurrentDictionary<char, string> Escapes = new();

                    public static PropertyInfo[] Of(Type t) => Props.GetOrAdd(t, x => x.GetProperties());
                    public static string Name(MethodInfo m) => Names.GetOrAdd(m, x => x.Name);
                    public static Func<object, object?> Getter(PropertyInfo p) => Getters.GetOrAdd(p, x => o => x.GetValue(o));
                    public static Type[] In(Assembly a) => Types.GetOrAdd(a, x => x.GetTypes());
                    public static string Of(Format f) => Mime.GetOrAdd(f, x => x.ToString());
                    public static string Escape(char c) => Escapes.GetOrAdd(c, x => "\\" + x);
                }
                """);
        }

        [Fact]
        public Task KeysThatEveryCallerPassesAsConstantsAreBounded()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Concurrent;

                public static class Channels
                {
                    private static readonly ConcurrentDictionary<string, object> ByName = new();

                    public static object Get(string name) => ByName.GetOrAdd(name, _ => new object());

                    public static object Debug() => Get("debug");
                }
                """,
                """
                public sealed class Game
                {
                    private const string Perf = "perf";

                    public void Start() { Channels.Get(Perf); Channels.Get("sound"); }
                }
                """,
            });
        }

        [Fact]
        public Task OneCallerWithRequestDataMakesKeysUnbounded()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Concurrent;

                public static class Channels
                {
                    private static readonly ConcurrentDictionary<string, object> {|#0:ByName|} = new();

                    public static object Get(string name) => {|#1:ByName.GetOrAdd(name, _ => new object())|};
                }
                """,
                """
                public sealed class Api
                {
                    public void Start(string userInput) { Channels.Get("sound"); Channels.Get(userInput); }
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Channels.ByName", "string", 1));
        }

        [Fact]
        public Task ResolutionCachesMapToABoundedSetOfTypes()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Reflection;

                public static class Resolver
                {
                    private static readonly ConcurrentDictionary<string, Type?> Types = new();
                    private static readonly Dictionary<string, Assembly> Assemblies = new();

                    public static Type? Find(string name) => Types.GetOrAdd(name, n => Type.GetType(n));

                    public static Assembly Load(string name)
                    {
                        if (!Assemblies.TryGetValue(name, out var a))
                        {
                            a = Assembly.Load(name);
                            Assemblies[name] = a;
                        }

                        return a;
                    }
                }
                """);
        }

        [Fact]
        public Task SizeCheckEvictionTimerSweepAndEvictionInAnotherType()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Threading;

                public static class Caches
                {
                    private const int Max = 1000;
                    private static readonly Dictionary<string, string> Bounded = new();
                    private static readonly ConcurrentDictionary<string, string> Swept = new();
                    internal static readonly ConcurrentDictionary<string, string> ClearedElsewhere = new();
                    private static readonly Timer Sweeper = new Timer(_ => Swept.Clear(), null, 60_000, 60_000);

                    public static string A(string k)
                    {
                        if (Bounded.TryGetValue(k, out var v)) return v;
                        if (Bounded.Count > Max) Bounded.Clear();
                        return Bounded[k] = k.ToUpperInvariant();
                    }

                    public static string B(string k) => Swept.GetOrAdd(k, x => x);

                    public static string C(string k) => ClearedElsewhere.GetOrAdd(k, x => x);
                }
                """,
                """
                public static class Admin
                {
                    public static void Purge(string k) => Caches.ClearedElsewhere.TryRemove(k, out _);
                }
                """,
            });
        }

        [Fact]
        public Task PerRequestLocalAndWeakOrSelfEvictingCachesAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Runtime.CompilerServices;

                public sealed class Handler
                {
                    private readonly Dictionary<string, int> perRequest = new();
                    private static readonly ConditionalWeakTable<object, string> Tags = new();

                    public int Handle(IEnumerable<string> words)
                    {
                        var local = new ConcurrentDictionary<string, int>();
                        var n = 0;
                        foreach (var w in words)
                        {
                            n += local.GetOrAdd(w, x => x.Length);
                            if (!perRequest.TryGetValue(w, out var c)) perRequest[w] = c;
                        }

                        return n;
                    }

                    public static string Tag(object o) => Tags.GetValue(o, x => x.ToString() ?? "");
                }
                """);
        }

        [Fact]
        public Task FilledOnlyInStaticConstructorIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Codes
                {
                    private static readonly Dictionary<string, int> ByName = new();

                    static Codes()
                    {
                        foreach (var name in new[] { "a", "b" })
                        {
                            if (!ByName.ContainsKey(name))
                            {
                                ByName.Add(name, name.Length);
                            }
                        }
                    }

                    public static int Get(string n) => ByName.TryGetValue(n, out var c) ? c : -1;
                }
                """);
        }

        [Fact]
        public Task PlainGrowthWithoutLookupIsLeak001NotLeak002()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Log
                {
                    private static readonly Dictionary<int, string> Lines = new();
                    private static int next;

                    public static void Write(string line) => Lines[next++] = line;
                }
                """);
        }

        [Fact]
        public async Task Leak001AndLeak002GiveOneFindingPerField()
        {
            var source = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public static class Mixed
                {
                    private static readonly ConcurrentDictionary<string, int> Cache = new();
                    private static readonly List<string> History = new();

                    public static int Get(string k) { History.Add(k); return Cache.GetOrAdd(k, x => x.Length); }

                    public static void Put(string k) => Cache[k] = 1;
                }
                """;
            var compilation = Suites.TestCompilation.Create(new[] { ("a.cs", source) });
            var result = await Suites.TestCompilation.AnalyzeAsync(compilation, [new CacheNeverEvictsAnalyzer(), new StaticCollectionOnlyGrowsAnalyzer()]);
            Assert.Empty(result.Exceptions);
            Assert.Collection(
                System.Linq.Enumerable.OrderBy(result.Diagnostics, d => d.Id),
                d => Assert.Equal(("LEAK001", "History"), (d.Id, d.Properties[DiagnosticPropertyNames.MemberName])),
                d => Assert.Equal(("LEAK002", "Cache"), (d.Id, d.Properties[DiagnosticPropertyNames.MemberName])));
        }
    }
}
