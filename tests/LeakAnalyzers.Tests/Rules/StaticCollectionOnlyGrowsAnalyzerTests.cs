using System.Threading.Tasks;
using LeakAnalyzers.Collections;
using LeakAnalyzers.Tests.Infrastructure;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Collections.StaticCollectionOnlyGrowsAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class StaticCollectionOnlyGrowsAnalyzerTests
    {
        // ---- Positive: the leak shapes ----

        [Fact]
        public Task RegistryOfPluginsKeyedByTheNamesTheirClassesGive()
        {
            // Quiet: every registration hands in a new plug-in whose class returns a constant name (bounded by the classes).
            // Reported: a name made at run time, or a plug-in that is not made at the call.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public interface ICodec { string Name { get; } }
                public sealed class CsvCodec : ICodec { public string Name => "csv"; }
                public sealed class JsonCodec : ICodec { public string Name { get { return nameof(JsonCodec); } } }
                public abstract class Format { public abstract string Key { get; } }
                public sealed class Png : Format { public override string Key => "png"; }
                public sealed class Session : ICodec
                {
                    public Session(string name) => Name = name;
                    public string Name { get; }
                }

                public static class Codecs
                {
                    private static readonly Dictionary<string, ICodec> s_codecs = new();
                    private static readonly Dictionary<string, Format> s_formats = new();
                    private static readonly Dictionary<string, ICodec> {|#0:s_sessions|} = new();
                    private static readonly Dictionary<string, ICodec> {|#2:s_any|} = new();

                    public static void Register(ICodec codec) => s_codecs.Add(codec.Name, codec);
                    public static void Register(Format format) => s_formats.Add(format.Key, format);
                    public static void Open(ICodec session) => {|#1:s_sessions.Add(session.Name, session)|};
                    public static void RegisterAny(ICodec codec) => {|#3:s_any.Add(codec.Name, codec)|};

                    public static ICodec Get(string name) => s_codecs[name];
                    public static Format Find(string name) => s_formats[name];
                    public static ICodec Session(string name) => s_sessions[name];
                    public static ICodec Any(string name) => s_any[name];
                }

                public static class Startup
                {
                    public static void Init()
                    {
                        Codecs.Register(new CsvCodec());
                        Codecs.Register(new JsonCodec());
                        Codecs.Register(new Png());
                        Codecs.Open(new Session(Guid.NewGuid().ToString()));
                        Codecs.RegisterAny(new CsvCodec());
                        var codec = Pick();
                        Codecs.RegisterAny(codec);
                    }

                    private static ICodec Pick() => new JsonCodec();
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Codecs.s_sessions", 1),
                V.Diagnostic().WithLocation(2).WithLocation(3).WithArguments("Codecs.s_any", 1));
        }

        [Fact]
        public Task ListAddedPerRequest()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class RequestLog
                {
                    private static readonly List<string> {|#0:History|} = new();

                    public static void Record(string path) => {|#1:History.Add(path)|};
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("RequestLog.History", 1));
        }

        [Fact]
        public Task InstanceCollectionOfASingletonTheCodeShows()
        {
            // The only instance is the one the type keeps in its static member: its list is as long-lived as a static.
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public sealed class AuditTrail
                {
                    public static AuditTrail Instance { get; } = new AuditTrail();

                    private readonly List<string> {|#0:_entries|} = new();

                    private AuditTrail() { }

                    public void Record(string entry) => {|#1:_entries.Add(entry)|};
                }
                """,
                V.Diagnostic(StaticCollectionOnlyGrowsAnalyzer.LongLivedRule).WithLocation(0).WithLocation(1).WithArguments("_entries", "AuditTrail", 1));
        }

        [Fact]
        public Task InstanceCollectionOfAContainerSingleton()
        {
            // Registered with AddSingleton: one instance for the container's life. A type registered as transient, or one
            // instance handed to the container (other instances of the class are created per use), is quiet.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                namespace Microsoft.Extensions.DependencyInjection
                {
                    public interface IServiceCollection { }

                    public static class ServiceCollectionServiceExtensions
                    {
                        public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TImplementation : TService => services;
                        public static IServiceCollection AddTransient<TService, TImplementation>(this IServiceCollection services) where TImplementation : TService => services;
                        public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, TService implementationInstance) where TService : class => services;
                    }
                }

                namespace App
                {
                    using Microsoft.Extensions.DependencyInjection;

                    public interface ITracker { void Seen(Guid id); }

                    public sealed class Topic
                    {
                        private readonly List<string> _lines = new();

                        public void Add(string line) => _lines.Add(line);

                        public static Topic Start() => new Topic();
                    }

                    public sealed class Tracker : ITracker
                    {
                        private readonly HashSet<Guid> {|#0:_seen|} = new();

                        public void Seen(Guid id) => {|#1:_seen.Add(id)|};
                    }

                    public sealed class PerCall : ITracker
                    {
                        private readonly HashSet<Guid> _seen = new();

                        public void Seen(Guid id) => _seen.Add(id);
                    }

                    public static class Startup
                    {
                        public static void Configure(IServiceCollection services)
                        {
                            services.AddSingleton<ITracker, Tracker>();
                            services.AddTransient<ITracker, PerCall>();
                            services.AddSingleton<Topic>(Topic.Start());
                        }
                    }
                }
                """,
                V.Diagnostic(StaticCollectionOnlyGrowsAnalyzer.LongLivedRule).WithLocation(0).WithLocation(1).WithArguments("_seen", "Tracker", 1));
        }

        [Fact]
        public Task ContainerRegistrationInAnotherFileIsFoundPerDocument()
        {
            // The IDE asks for Tracker.cs alone: the registration in Startup.cs is found by name (every test also checks
            // per-document findings against the whole compilation's).
            return V.AnalyzerAsync(new[]
            {
                """
                namespace Microsoft.Extensions.DependencyInjection
                {
                    public interface IServiceCollection { }

                    public static class ServiceCollectionServiceExtensions
                    {
                        public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TImplementation : TService => services;
                    }
                }

                namespace App
                {
                    using Microsoft.Extensions.DependencyInjection;

                    public static class Startup
                    {
                        public static void Configure(IServiceCollection services) => services.AddSingleton<ITracker, global::App.Tracking.Tracker>();
                    }
                }
                """,
                """
                using System.Collections.Concurrent;

                namespace App
                {
                    public interface ITracker { void Seen(string id); }
                }

                namespace App.Tracking
                {
                    public sealed class Tracker : App.ITracker
                    {
                        private readonly ConcurrentQueue<string> {|#0:_seen|} = new();

                        public void Seen(string id) => {|#1:_seen.Enqueue(id)|};
                    }
                }
                """,
            },
            V.Diagnostic(StaticCollectionOnlyGrowsAnalyzer.LongLivedRule).WithLocation(0).WithLocation(1).WithArguments("_seen", "Tracker", 1));
        }

        [Fact]
        public Task InstanceCollectionsOfOrdinaryOrNotReallySingleTypesAreQuiet()
        {
            // A static Instance does not make a singleton when the code creates more instances; an ordinary type's list lives
            // with its object; a singleton's list filled only in its constructor, or also trimmed, does not grow.
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public sealed class Registry
                {
                    public static Registry Default { get; } = new Registry();

                    private readonly List<string> _names = new();

                    public void Add(string name) => _names.Add(name);

                    public static Registry CreateScoped() => new Registry();
                }

                public sealed class Order
                {
                    private readonly List<string> _lines = new();

                    public void AddLine(string line) => _lines.Add(line);
                }

                public sealed class Settings
                {
                    public static readonly Settings Current = new Settings();

                    private readonly Dictionary<string, string> _defaults = new();
                    private readonly Queue<string> _recent = new();

                    private Settings()
                    {
                        _defaults.Add("mode", "fast");
                    }

                    public string Get(string key) => _defaults.TryGetValue(key, out var value) ? value : "";

                    public void Touch(string key)
                    {
                        _recent.Enqueue(key);
                        if (_recent.Count > 16)
                        {
                            _recent.Dequeue();
                        }
                    }
                }
                """);
        }

        [Fact]
        public Task PerKeyListsOfAStaticDictionaryGrow()
        {
            // The keys are few (set up at start-up, or an enum), but every key's list keeps what is added to it: map[k].Add(v)
            // and GetOrAdd(k, ..).Add(v) with nothing removing from the lists or the map.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public enum Channel { Email, Sms }

                public static class Handlers
                {
                    private static readonly Dictionary<string, List<Action<string>>> {|#0:ByTopic|} = new()
                    {
                        ["orders"] = new List<Action<string>>(),
                        ["users"] = new List<Action<string>>(),
                    };

                    public static void Subscribe(string topic, Action<string> handler) => {|#1:ByTopic[topic].Add(handler)|};

                    public static void Publish(string topic, string message)
                    {
                        foreach (var handler in ByTopic[topic])
                        {
                            handler(message);
                        }
                    }
                }

                public static class Outbox
                {
                    private static readonly ConcurrentDictionary<Channel, List<string>> {|#2:Sent|} = new();

                    public static void Record(Channel channel, string message)
                    {
                        var sent = Sent.GetOrAdd(channel, _ => new List<string>());
                        lock (sent)
                        {
                            {|#3:sent.Add(message)|};
                        }
                    }

                    public static int Count(Channel channel) => Sent.TryGetValue(channel, out var sent) ? sent.Count : 0;
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Handlers.ByTopic", 1),
                V.Diagnostic().WithLocation(2).WithLocation(3).WithArguments("Outbox.Sent", 1));
        }

        [Fact]
        public Task PerKeyListsThatShrinkOrAreHandedOutAreQuiet()
        {
            // A list trimmed through the map, a key removed, a list handed to the caller (what it does is not seen), a
            // list put in from a local: quiet.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public enum Channel { Email, Sms }

                public static class Trimmed
                {
                    private static readonly Dictionary<Channel, List<string>> Sent = new() { [Channel.Email] = new(), [Channel.Sms] = new() };

                    public static void Record(Channel channel, string message) => Sent[channel].Add(message);

                    public static void Acknowledge(Channel channel, string message) => Sent[channel].Remove(message);
                }

                public static class KeyRemoved
                {
                    private static readonly Dictionary<Channel, List<string>> Sent = new();

                    public static void Record(Channel channel, string message)
                    {
                        if (!Sent.TryGetValue(channel, out var list))
                        {
                            list = Sent[channel] = new List<string>();
                        }

                        list.Add(message);
                    }

                    public static void Flush(Channel channel) => Sent.Remove(channel);
                }

                public static class HandedOut
                {
                    private static readonly Dictionary<Channel, List<string>> Sent = new() { [Channel.Email] = new(), [Channel.Sms] = new() };

                    public static void Record(Channel channel, string message) => Sent[channel].Add(message);

                    public static List<string> Of(Channel channel) => Sent[channel];
                }

                public static class PutInFromALocal
                {
                    private static readonly Dictionary<Channel, List<string>> Sent = new();

                    public static void Start()
                    {
                        var list = new List<string>();
                        Sent[Channel.Email] = list;
                    }

                    public static void Record(Channel channel, string message) => Sent[channel].Add(message);
                }
                """);
        }

        [Fact]
        public Task LocalAliasOfAStaticCollectionIsFollowed()
        {
            // var seen = Seen; seen.Add(..): the local is the static list. A removal through an alias counts as well.
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Visits
                {
                    private static readonly List<string> {|#0:Seen|} = new();

                    public static void Record(string path)
                    {
                        var seen = Seen;
                        lock (seen)
                        {
                            {|#1:seen.Add(path)|};
                        }
                    }
                }

                public static class Trimmed
                {
                    private static readonly List<string> Seen = new();

                    public static void Record(string path)
                    {
                        var seen = Seen;
                        seen.Add(path);
                    }

                    public static void Forget(string path)
                    {
                        var seen = Seen;
                        seen.Remove(path);
                    }
                }

                public static class Reassigned
                {
                    private static readonly List<string> Seen = new();

                    public static void Record(string path, List<string> other)
                    {
                        var seen = Seen;
                        if (path.Length == 0)
                        {
                            seen = other;
                        }

                        seen.Add(path);
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Visits.Seen", 1));
        }

        [Fact]
        public Task InstanceListOfAClassEveryInstanceOfWhichAStaticDictionaryKeeps()
        {
            // The only creation of Session (another file) is GetOrAdd's factory on a static dictionary nothing removes
            // from: every session lives for the process, and so does its history.
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                namespace Chat
                {
                    sealed class Session
                    {
                        private readonly List<string> {|#0:_history|} = new();

                        internal Session(string user) { }

                        internal void Said(string line) => {|#1:_history.Add(line)|};
                    }
                }
                """,
                """
                using System.Collections.Concurrent;

                namespace Chat
                {
                    public static class Sessions
                    {
                        private static readonly ConcurrentDictionary<string, Session> ByUser = new();

                        public static void Said(string user, string line) => ByUser.GetOrAdd(user, u => new Session(u)).Said(line);
                    }
                }
                """,
            },
            V.Diagnostic(StaticCollectionOnlyGrowsAnalyzer.LongLivedRule).WithLocation(0).WithLocation(1).WithArguments("_history", "Session", 1));
        }

        [Fact]
        public Task GrowthSitesInSeveralMethodsAreAllAdditionalLocations()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public class Tracker
                {
                    internal static Queue<int> {|#0:Seen|} = new Queue<int>();

                    public void A(int x) { {|#1:Seen.Enqueue(x)|}; }

                    public void B(int x)
                    {
                        if (x > 0)
                        {
                            {|#2:Seen.Enqueue(x * 2)|};
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2).WithArguments("Tracker.Seen", 2));
        }

        [Fact]
        public Task DictionaryIndexerSetInAsyncMethod()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;
                using System.Threading.Tasks;

                public sealed class SessionStore
                {
                    private static readonly Dictionary<Guid, string> {|#0:Sessions|} = new();

                    public async Task<Guid> OpenAsync(string user)
                    {
                        await Task.Yield();
                        var id = Guid.NewGuid();
                        {|#1:Sessions[id] = user|};
                        return id;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("SessionStore.Sessions", 1));
        }

        [Fact]
        public Task StaticAutoPropertyConcurrentBag()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Concurrent;

                public static class Metrics
                {
                    public static ConcurrentBag<double> {|#0:Samples|} { get; } = new();

                    public static void Observe(double value) => {|#1:Samples.Add(value)|};
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Metrics.Samples", 1));
        }

        [Fact]
        public Task InstancesRegisterThemselvesFromConstructor()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public class Connection
                {
                    private static readonly HashSet<Connection> {|#0:All|} = new HashSet<Connection>();

                    public Connection() { {|#1:All.Add(this)|}; }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Connection.All", 1));
        }

        [Fact]
        public Task ImmutableListReassignedWithAdd()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Immutable;

                public static class Subscribers
                {
                    private static ImmutableList<string> {|#0:names|} = ImmutableList<string>.Empty;

                    public static void Join(string name) { {|#1:names = names.Add(name)|}; }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Subscribers.names", 1));
        }

        [Fact]
        public Task ImmutableInterlockedAddOrUpdate()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Immutable;

                public static class Counters
                {
                    private static ImmutableDictionary<string, int> {|#0:byName|} = ImmutableDictionary<string, int>.Empty;

                    public static void Hit(string name) => {|#1:ImmutableInterlocked.AddOrUpdate(ref byName, name, 1, (_, v) => v + 1)|};
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Counters.byName", 1));
        }

        [Fact]
        public Task GrowthInNestedTypeOfPrivateField()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public class Outer
                {
                    private static readonly List<object> {|#0:Items|} = new();

                    public class Inner
                    {
                        public void Keep(object o) => {|#1:Items.Add(o)|};
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Outer.Items", 1));
        }

        [Fact]
        public Task GrowthFromAnotherTypeAndFileOfInternalField()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                internal static class Registry
                {
                    internal static readonly List<string> {|#0:Names|} = new();
                }
                """,
                """
                internal sealed class Handler
                {
                    public void Handle(string name) => {|#1:Registry.Names.Add(name)|};
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Registry.Names", 1));
        }

        [Fact]
        public Task PartialClassGrowthInOtherPart()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                public partial class AuditTrail
                {
                    private static readonly LinkedList<string> {|#0:entries|} = new();
                }
                """,
                """
                public partial class AuditTrail
                {
                    public void Write(string e) => {|#1:entries.AddLast(e)|};
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("AuditTrail.entries", 1));
        }

        // ---- Per member, uses read by name: partial types, nested types, forwarding properties, helpers in other parts ----

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public Task PartialTypeGrowthInOtherDocumentInEitherOrder(bool growthFirst)
        {
            var declaration = """
                using System.Collections.Generic;

                public partial class Journal
                {
                    private static readonly List<string> {|#0:lines|} = new();
                }
                """;
            var growth = """
                public partial class Journal
                {
                    public void Append(string line) => {|#1:lines.Add(line)|};
                }
                """;
            return V.AnalyzerAsync(
                growthFirst ? new[] { growth, declaration } : new[] { declaration, growth },
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Journal.lines", 1));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public Task PartialTypeRemovalInOtherDocumentInEitherOrderIsQuiet(bool removalFirst)
        {
            var declaration = """
                using System.Collections.Generic;

                public partial class Journal
                {
                    private static readonly List<string> lines = new();

                    public void Append(string line) => lines.Add(line);
                }
                """;
            var removal = """
                public partial class Journal
                {
                    public void Trim() => lines.RemoveAt(0);
                }
                """;
            return V.AnalyzerAsync(removalFirst ? new[] { removal, declaration } : new[] { declaration, removal });
        }

        [Fact]
        public Task PartialTypeOfThreePartsReportsOnceWithEveryGrowthSite()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                public partial class Feed
                {
                    public void A(int x) => {|#1:items.Add(x)|};
                }
                """,
                """
                using System.Collections.Generic;

                public partial class Feed
                {
                    internal static readonly List<int> {|#0:items|} = new();
                }
                """,
                """
                public partial class Feed
                {
                    public void B(int x) { {|#2:items.Add(x + 1)|}; }
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2).WithArguments("Feed.items", 2));
        }

        [Fact]
        public Task NestedTypesUseAPrivateStaticCollection()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                public partial class Host
                {
                    private static readonly HashSet<object> {|#0:Live|} = new();
                    private static readonly HashSet<object> Tracked = new();

                    private sealed class Worker
                    {
                        public void Start(object o) { {|#1:Live.Add(o)|}; Tracked.Add(o); }

                        public sealed class Step
                        {
                            public void Run(object o) => {|#2:Live.Add(o)|};
                        }
                    }
                }
                """,
                """
                public partial class Host
                {
                    private sealed class Janitor
                    {
                        public void Sweep(object o) => Tracked.Remove(o);
                    }
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2).WithArguments("Host.Live", 2));
        }

        [Fact]
        public Task CollectionOfANestedTypeFilledByTheOuterType()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public class Outer
                {
                    private static class Store
                    {
                        public static readonly Queue<string> {|#0:Pending|} = new();
                    }

                    public void Put(string s) => {|#1:Store.Pending.Enqueue(s)|};
                }

                public class Other
                {
                    private static class Store
                    {
                        public static readonly Queue<string> Pending = new();

                        public static void Drain() => Pending.Dequeue();
                    }

                    public void Put(string s) => Store.Pending.Enqueue(s);
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Store.Pending", 1));
        }

        [Fact]
        public Task ForwardingPropertyInAnotherPartIsFollowed()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                public partial class Catalog
                {
                    private static readonly List<string> {|#0:names|} = new();
                    private static readonly List<string> kept = new();
                }
                """,
                """
                using System.Collections.Generic;

                public partial class Catalog
                {
                    internal static List<string> Names => names;
                    internal static List<string> Kept { get { return kept; } }
                }
                """,
                """
                internal static class Importer
                {
                    public static void Import(string n) { {|#1:Catalog.Names.Add(n)|}; Catalog.Kept.Add(n); }
                    public static void Reset() => Catalog.Kept.Clear();
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Catalog.names", 1));
        }

        [Fact]
        public Task InitOnlyHelperInAnotherPartIsStartUp()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                public partial class Codes
                {
                    private static readonly Dictionary<string, int> Known = new();
                    private static readonly Dictionary<string, int> {|#0:Seen|} = new();

                    static Codes() { Register("a", 1); Note("b"); }
                }
                """,
                """
                public partial class Codes
                {
                    private static void Register(string name, int code) => Fill(name, code);

                    private static void Fill(string name, int code) => Known[name] = code;

                    private static void Note(string name) => {|#1:Seen[name] = 0|};
                }
                """,
                """
                public partial class Codes
                {
                    public static void Observe(string name) => Note(name);
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Codes.Seen", 1));
        }

        [Fact]
        public Task HelperCalledFromStaticInitializersInAnotherPartIsStartUp()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                public static partial class Units
                {
                    private static readonly List<string> Names = new();
                    private static readonly List<string> {|#0:Aliases|} = new();

                    private static bool Load(string n) { Names.Add(n); return true; }
                    private static bool Alias(string n) { {|#1:Aliases.Add(n)|}; return true; }
                }
                """,
                """
                public static partial class Units
                {
                    private static readonly bool Loaded = Load("m");
                    public static bool Ready { get; } = Load("s") && Alias("sec");
                    public static bool Add(string n) => Alias(n);
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Units.Aliases", 1));
        }

        [Fact]
        public Task HelpersThatCallEachOtherAreNotStartUpOnly()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Loop
                {
                    private static readonly List<int> {|#0:Values|} = new();

                    static Loop() => A(1);

                    private static void A(int x) { {|#1:Values.Add(x)|}; B(x); }

                    private static void B(int x) { if (x < 10) A(x + 1); }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Loop.Values", 1));
        }

        [Fact]
        public Task GenericTypeAndLocalFunctionAndConditionalAccess()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public class EventSink<T>
                {
                    private static List<T>? {|#0:buffer|} = new();

                    public void Push(IEnumerable<T> items)
                    {
                        foreach (var item in items)
                        {
                            Keep(item);
                        }

                        void Keep(T item) => {|#1:buffer?.Add(item)|};
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("EventSink.buffer", 1));
        }

        [Fact]
        public Task RecordWithPrimaryConstructorAddsInMethod()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public record Order(string Id, decimal Total)
                {
                    private static readonly Stack<Order> {|#0:Recent|} = new();

                    public void Remember() => {|#1:Recent.Push(this)|};
                }

                public class Checkout(string prefix)
                {
                    private static readonly SortedSet<string> {|#2:Ids|} = new();

                    public string Next(int n) { var id = prefix + n; {|#3:Ids.Add(id)|}; return id; }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Order.Recent", 1),
                V.Diagnostic().WithLocation(2).WithLocation(3).WithArguments("Checkout.Ids", 1));
        }

        [Fact]
        public Task ExtensionTryAddAndReadOnlyExposure()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;
                using System.Linq;

                public static class Tags
                {
                    private static readonly Dictionary<string, int> {|#0:counts|} = new();

                    public static IReadOnlyDictionary<string, int> Counts => counts;

                    public static void Tag(string t) { {|#1:counts.TryAdd(t, 0)|}; }

                    public static int Total() => counts.Values.Sum() + counts.Count;

                    public static string Dump() => string.Join(",", counts.Keys) + counts.ToArray().Length;
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Tags.counts", 1));
        }

        [Theory]
        [InlineData("List<string>", "Items.AddRange(new[] { s })")]
        [InlineData("List<string>", "Items.Insert(0, s)")]
        [InlineData("List<string>", "Items.InsertRange(0, new[] { s })")]
        [InlineData("HashSet<string>", "Items.UnionWith(new[] { s })")]
        [InlineData("SortedList<string, int>", "Items.Add(s, 1)")]
        [InlineData("SortedDictionary<string, int>", "Items[s] = 1")]
        [InlineData("System.Collections.Concurrent.ConcurrentDictionary<string, int>", "Items.AddOrUpdate(s, 1, (_, v) => v + 1)")]
        [InlineData("System.Collections.Concurrent.ConcurrentStack<string>", "Items.Push(s)")]
        [InlineData("System.Collections.Concurrent.BlockingCollection<string>", "Items.Add(s)")]
        [InlineData("System.Collections.ObjectModel.Collection<string>", "Items.Add(s)")]
        [InlineData("System.Collections.ArrayList", "Items.Add(s)")]
        [InlineData("System.Collections.Hashtable", "Items[s] = s")]
        [InlineData("IList<string>", "Items.Add(s)")]
        [InlineData("IDictionary<string, string>", "Items[s] = s")]
        [InlineData("PriorityQueue<string, int>", "Items.Enqueue(s, 1)")]
        public Task EveryGrowthOperationOnEveryKind(string type, string growth)
        {
            var init = type.StartsWith("I", System.StringComparison.Ordinal) && !type.StartsWith("Imm", System.StringComparison.Ordinal)
                ? (type.StartsWith("IList", System.StringComparison.Ordinal) ? "new List<string>()" : "new Dictionary<string, string>()")
                : "new " + type + "()";
            return V.AnalyzerAsync($$"""
                using System.Collections.Generic;

                public static class Store
                {
                    private static readonly {{type}} {|#0:Items|} = {{init}};

                    public static void Keep(string s) { {|#1:{{growth}}|}; }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Store.Items", 1));
        }

        [Theory]
        [InlineData("List<string>", "Items.RemoveAll(x => x.Length > 3)")]
        [InlineData("List<string>", "Items.RemoveRange(0, 1)")]
        [InlineData("List<string>", "Items.RemoveAt(0)")]
        [InlineData("HashSet<string>", "Items.RemoveWhere(x => x.Length > 3)")]
        [InlineData("HashSet<string>", "Items.ExceptWith(new[] { \"a\" })")]
        [InlineData("HashSet<string>", "Items.IntersectWith(new[] { \"a\" })")]
        [InlineData("Stack<string>", "Items.Pop()")]
        [InlineData("Stack<string>", "Items.TryPop(out _)")]
        [InlineData("Queue<string>", "Items.Dequeue()")]
        [InlineData("System.Collections.Concurrent.ConcurrentDictionary<string, int>", "Items.TryRemove(\"a\", out _)")]
        [InlineData("System.Collections.Concurrent.ConcurrentBag<string>", "Items.TryTake(out _)")]
        [InlineData("List<string>", "Items.TrimExcess()")]
        [InlineData("LinkedList<string>", "Items.RemoveFirst()")]
        public Task EveryShrinkOperationSilences(string type, string shrink)
        {
            var add = type.Contains("Dictionary", System.StringComparison.Ordinal) ? "Items[s] = 1" : type.Contains("Stack", System.StringComparison.Ordinal) ? "Items.Push(s)" : type.Contains("Queue", System.StringComparison.Ordinal) ? "Items.Enqueue(s)" : type.Contains("Linked", System.StringComparison.Ordinal) ? "Items.AddLast(s)" : "Items.Add(s)";
            return V.AnalyzerAsync($$"""
                using System.Collections.Generic;

                public static class Store
                {
                    private static readonly {{type}} Items = new();

                    public static void Keep(string s) { {{add}}; }

                    public static void Sometimes(bool b) { if (b) { _ = {{shrink}}; } }
                }
                """.Replace("_ = Items.RemoveRange", "Items.RemoveRange").Replace("_ = Items.RemoveAt", "Items.RemoveAt").Replace("_ = Items.ExceptWith", "Items.ExceptWith").Replace("_ = Items.IntersectWith", "Items.IntersectWith").Replace("_ = Items.TrimExcess", "Items.TrimExcess").Replace("_ = Items.RemoveFirst", "Items.RemoveFirst"));
        }

        [Fact]
        public Task HashtableWithBoundedKeysIsQuietAndWithStringKeysIsFlagged()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections;

                public enum Kind { A, B }

                public static class Legacy
                {
                    private static readonly Hashtable ByKind = new Hashtable();
                    private static readonly Hashtable {|#0:ByName|} = new Hashtable();

                    public static void Put(Kind k, object v) => ByKind[k] = v;
                    public static void Put(string n, object v) => {|#1:ByName.Add(n, v)|};
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Legacy.ByName", 1));
        }

        [Fact]
        public Task PropertyWithBackingFieldIsFollowed()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                internal static class Sessions
                {
                    private static readonly List<string> {|#0:_open|} = new();

                    internal static List<string> Open => _open;
                    internal static List<string> OpenToo { get { return _open; } }
                }
                """,
                """
                internal sealed class Login
                {
                    public void Enter(string user) => {|#1:Sessions.Open.Add(user)|};
                    public void Again(string user) => {|#2:Sessions.OpenToo.Add(user)|};
                }
                """,
            },
            V.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2).WithArguments("Sessions._open", 2));
        }

        [Fact]
        public Task PropertyWithBackingFieldClearedThroughThePropertyIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                internal static class Sessions
                {
                    private static readonly List<string> _open = new();

                    internal static List<string> Open => _open;

                    public static void Enter(string user) => _open.Add(user);
                }

                internal static class Janitor
                {
                    public static void Sweep() => Sessions.Open.Clear();
                }
                """);
        }

        [Fact]
        public async Task PropertiesNameTheMemberForTheFixAndTheRuntimeCompanion()
        {
            var test = new Verify<StaticCollectionOnlyGrowsAnalyzer>.AnalyzerTest();
            test.TestState.Sources.Add("""
                using System.Collections.Generic;

                namespace Shop.Orders
                {
                    public class Outer<T>
                    {
                        public static class Inner
                        {
                            internal static Queue<T> {|#0:Pending|} { get; } = new();

                            public static void Put(T item) => {|#1:Pending.Enqueue(item)|};
                        }
                    }
                }
                """);
            test.ExpectedDiagnostics.Add(V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Inner.Pending", 1));
            await test.RunAsync();

            var compilation = Suites.TestCompilation.Create(new[] { ("a.cs", test.TestState.Sources[0].content.ToString().Replace("{|#0:", string.Empty).Replace("{|#1:", string.Empty).Replace("|}", string.Empty)) });
            var result = await Suites.TestCompilation.AnalyzeAsync(compilation, [new StaticCollectionOnlyGrowsAnalyzer()]);
            var diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("Shop.Orders.Outer`1+Inner", diagnostic.Properties[DiagnosticPropertyNames.TypeMetadataName]);
            Assert.Equal("Pending", diagnostic.Properties[DiagnosticPropertyNames.MemberName]);
            Assert.Equal("Property", diagnostic.Properties[DiagnosticPropertyNames.MemberKind]);
            Assert.Equal("Queue", diagnostic.Properties[DiagnosticPropertyNames.CollectionKind]);
            Assert.Equal("1", diagnostic.Properties[DiagnosticPropertyNames.GrowthCount]);
            Assert.Equal("TestAssembly", diagnostic.Properties[DiagnosticPropertyNames.AssemblyName]);
        }

        [Fact]
        public Task PragmaAndSuppressMessageSilence()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;
                using System.Diagnostics.CodeAnalysis;

                public static class Plugins
                {
                #pragma warning disable LEAK001 // filled by plug-ins at start-up
                    private static readonly List<object> Loaded = new();
                #pragma warning restore LEAK001

                    [SuppressMessage("Memory", "LEAK001:Static collection only grows", Justification = "bounded by tenants")]
                    private static readonly Dictionary<string, object> Tenants = new();

                    public static void Load(object p) => Loaded.Add(p);
                    public static void Add(string t) => Tenants[t] = new object();
                }
                """);
        }

        [Fact]
        public Task GrowthInStaticConstructorLambdaIsRuntimeGrowth()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public static class Crashes
                {
                    private static readonly List<Exception> {|#0:Seen|} = new();

                    static Crashes()
                    {
                        AppDomain.CurrentDomain.FirstChanceException += (_, e) => {|#1:Seen.Add(e.Exception)|};
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Crashes.Seen", 1));
        }

        [Fact]
        public Task HalfTypedCodeDoesNotReport()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Broken
                {
                    private static readonly List<string> Items = new();

                    public static void Keep(string s) { Items.{|CS1001:|}{|CS1002:|}
                }{|CS1513:|}
                """);
        }

        // ---- Negative: correct code that looks similar ----

        [Fact]
        public Task RemovedSomewhere()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Pending
                {
                    private static readonly List<int> Items = new();

                    public static void Add(int x) => Items.Add(x);

                    public static void Done(int x)
                    {
                        if (x > 10)
                        {
                            Items.Remove(x);
                        }
                    }
                }
                """);
        }

        [Fact]
        public Task ClearedFromAnotherType()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections.Generic;

                public static class Buffer
                {
                    public static readonly Queue<string> Lines = new();

                    public static void Write(string line) => Lines.Enqueue(line);
                }
                """,
                """
                public class Flusher
                {
                    public void Flush() { while (Buffer.Lines.TryDequeue(out var l)) { System.Console.WriteLine(l); } }
                }
                """,
            });
        }

        [Fact]
        public Task FilledOnlyInStaticConstructorAndInitializerHelpers()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class MimeTypes
                {
                    private static readonly Dictionary<string, string> Map = new();
                    private static readonly List<string> Known = Build();
                    private static readonly HashSet<string> Binary = new() { "png", "jpg" };

                    static MimeTypes()
                    {
                        Map["txt"] = "text/plain";
                        Register("json", "application/json");
                    }

                    private static void Register(string ext, string mime) => Map.Add(ext, mime);

                    private static List<string> Build() { var l = new List<string>(); l.Add("a"); return l; }

                    public static string Get(string ext) => Map.TryGetValue(ext, out var m) ? m : "application/octet-stream";

                    public static bool IsBinary(string ext) => Binary.Contains(ext) || Known.Contains(ext);
                }
                """);
        }

        [Fact]
        public Task BoundedKeys()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using System.Reflection;

                public enum Level { Low, High }

                public static class Lookups
                {
                    private static readonly Dictionary<Level, string> Names = new();
                    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Props = new();
                    private static readonly HashSet<char> Seen = new();
                    private static readonly Dictionary<bool, int> Flags = new();
                    private static readonly Dictionary<(Type, bool), int> Pairs = new();

                    public static void Set(Level l, string n) => Names[l] = n;
                    public static void Cache(Type t) => Props[t] = t.GetProperties();
                    public static void See(char c) => Seen.Add(c);
                    public static void Flag(bool b) => Flags[b] = 1;
                    public static void Pair(Type t) => Pairs[(t, true)] = 1;
                }
                """);
        }

        [Fact]
        public Task EscapesToCodeWeCannotSee()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Shared
                {
                    private static readonly List<string> Passed = new();
                    private static readonly List<string> Returned = new();
                    private static readonly List<string> Stored = new();
                    public static readonly List<string> Aliased = new();
                    private static readonly List<string> Exposed = new();

                    public static List<string> ExposedList => Exposed;

                    public static void Grow(string s)
                    {
                        Passed.Add(s); Returned.Add(s); Stored.Add(s); Aliased.Add(s); Exposed.Add(s);
                        External.Process(Passed);
                    }

                    public static List<string> GetReturned() => Returned;

                    public static Holder Hold() => new Holder { Items = Stored };

                    public static void Alias() { var local = Aliased; local.RemoveAt(0); }
                }

                public class Holder { public List<string>? Items { get; set; } }

                public static class External { public static void Process(IList<string> items) { } }
                """);
        }

        [Fact]
        public Task ReplacedOutsideInitializer()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public static class Batch
                {
                    private static List<int> current = new();

                    public static void Add(int x) => current.Add(x);

                    public static List<int> Swap()
                    {
                        var done = current;
                        current = new List<int>();
                        return done;
                    }
                }
                """);
        }

        [Fact]
        public Task ImmutableReassignedWithRemove()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Immutable;

                public static class Members
                {
                    private static ImmutableHashSet<string> set = ImmutableHashSet<string>.Empty;

                    public static void Join(string n) => set = set.Add(n);
                    public static void Leave(string n) => set = set.Remove(n);
                }
                """);
        }

        [Fact]
        public Task InstanceFieldsAndLocalsAreNotStatic()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;

                public class PerRequest
                {
                    private readonly List<int> items = new();

                    public void Add(int x) => items.Add(x);

                    public static int Sum(int[] xs)
                    {
                        var list = new List<int>();
                        foreach (var x in xs) list.Add(x);
                        return list.Count;
                    }
                }
                """);
        }

        [Fact]
        public Task CacheShapedGrowthBelongsToLeak002()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public static class Memo
                {
                    private static readonly ConcurrentDictionary<string, int> Lengths = new();
                    private static readonly Dictionary<string, string> Upper = new();

                    public static int Length(string s) => Lengths.GetOrAdd(s, x => x.Length);

                    public static string ToUpper(string s)
                    {
                        if (!Upper.TryGetValue(s, out var u))
                        {
                            u = s.ToUpperInvariant();
                            Upper[s] = u;
                        }

                        return u;
                    }
                }
                """);
        }

        [Fact]
        public Task ReadOnlyUsesOnlyAndCollectionExpressionInitializer()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;
                using System.Linq;

                public static class Config
                {
                    private static readonly List<string> Hosts = ["a", "b"];

                    public static string[] All() => [.. Hosts];
                    public static bool Has(string h) => Hosts.Contains(h) || Hosts.Any(x => x == h);
                    public static int Count() { lock (Hosts) { return Hosts.Count; } }
                }
                """);
        }

        [Fact]
        public Task ClearedInTimerCallbackLambda()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Concurrent;
                using System.Threading;

                public static class Stats
                {
                    private static readonly ConcurrentQueue<long> Latencies = new();
                    private static readonly Timer Flush = new Timer(_ => Latencies.Clear(), null, 1000, 1000);

                    public static void Record(long ms) => Latencies.Enqueue(ms);
                }
                """);
        }

        [Fact]
        public Task NotACollectionOrWeak()
        {
            return V.AnalyzerAsync("""
                using System.Runtime.CompilerServices;
                using System.Text;

                public static class Misc
                {
                    private static readonly ConditionalWeakTable<object, string> Tags = new();
                    private static readonly StringBuilder Log = new();

                    public static void Tag(object o) => Tags.Add(o, "x");
                    public static void Write(string s) => Log.Append(s);
                }
                """);
        }
    }
}
