using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Collections;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Collections.StaticCollectionOnlyGrowsAnalyzer, LeakAnalyzers.CodeFixes.Collections.BoundCollectionCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class BoundCollectionCodeFixProviderTests
    {
        [Fact]
        public Task ListTrimsOldestAfterAddInExpressionBody()
        {
            return F.CodeFixAsync("""
                using System.Collections.Generic;

                public static class RequestLog
                {
                    private static readonly List<string> {|LEAK001:History|} = new();

                    public static void Record(string path) => History.Add(path);
                }
                """, """
                using System.Collections.Generic;

                public static class RequestLog
                {
                    private const int MaxHistoryCount = 1024;
                    private static readonly List<string> History = new();

                    public static void Record(string path)
                    {
                        History.Add(path);
                        if (History.Count > MaxHistoryCount) { History.RemoveRange(0, History.Count - MaxHistoryCount); }
                    }
                }
                """, BoundCollectionCodeFixProvider.BoundKey);
        }

        [Fact]
        public Task InstanceListOfASingletonIsBoundedToo()
        {
            return F.CodeFixAsync("""
                using System.Collections.Generic;

                public sealed class AuditTrail
                {
                    public static AuditTrail Instance { get; } = new AuditTrail();

                    private readonly List<string> {|LEAK001:_entries|} = new();

                    private AuditTrail() { }

                    public void Record(string entry) => _entries.Add(entry);
                }
                """, """
                using System.Collections.Generic;

                public sealed class AuditTrail
                {
                    public static AuditTrail Instance { get; } = new AuditTrail();

                    private const int MaxEntriesCount = 1024;
                    private readonly List<string> _entries = new();

                    private AuditTrail() { }

                    public void Record(string entry)
                    {
                        _entries.Add(entry);
                        if (_entries.Count > MaxEntriesCount) { _entries.RemoveRange(0, _entries.Count - MaxEntriesCount); }
                    }
                }
                """, BoundCollectionCodeFixProvider.BoundKey);
        }

        [Fact]
        public Task QueueDequeuesAtEveryGrowthSiteInSeveralMethods()
        {
            return F.CodeFixAsync("""
                using System.Collections.Generic;

                public class Tracker
                {
                    private static readonly Queue<int> {|LEAK001:_seen|} = new Queue<int>();

                    public void A(int x)
                    {
                        _seen.Enqueue(x);
                    }

                    public void B(int x)
                    {
                        if (x > 0)
                            _seen.Enqueue(x * 2);
                    }
                }
                """, """
                using System.Collections.Generic;

                public class Tracker
                {
                    private const int MaxSeenCount = 1024;
                    private static readonly Queue<int> _seen = new Queue<int>();

                    public void A(int x)
                    {
                        _seen.Enqueue(x);
                        while (_seen.Count > MaxSeenCount) { _seen.Dequeue(); }
                    }

                    public void B(int x)
                    {
                        if (x > 0)
                        {
                            _seen.Enqueue(x * 2);
                            while (_seen.Count > MaxSeenCount) { _seen.Dequeue(); }
                        }
                    }
                }
                """, BoundCollectionCodeFixProvider.BoundKey);
        }

        [Fact]
        public Task DictionaryIsClearedWhenFullBeforeAReturningAdd()
        {
            return F.CodeFixAsync("""
                using System.Collections.Generic;

                public static class Seen
                {
                    private static readonly HashSet<string> {|LEAK001:s_names|} = new();

                    public static bool IsNew(string name)
                    {
                        return s_names.Add(name);
                    }
                }
                """, """
                using System.Collections.Generic;

                public static class Seen
                {
                    private const int MaxNamesCount = 1024;
                    private static readonly HashSet<string> s_names = new();

                    public static bool IsNew(string name)
                    {
                        if (s_names.Count >= MaxNamesCount) { s_names.Clear(); }
                        return s_names.Add(name);
                    }
                }
                """, BoundCollectionCodeFixProvider.ClearKey);
        }

        [Fact]
        public Task FixAllBoundsEveryFieldOnceAcrossTypes()
        {
            return F.CodeFixAsync("""
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public static class Metrics
                {
                    private static readonly ConcurrentQueue<long> {|LEAK001:Latencies|} = new();
                    private static readonly LinkedList<string> {|LEAK001:Errors|} = new();

                    public static void Observe(long ms)
                    {
                        Latencies.Enqueue(ms);
                    }

                    public static void Fail(string e)
                    {
                        Errors.AddLast(e);
                        Latencies.Enqueue(-1);
                    }
                }

                public class Audit
                {
                    internal static List<string> {|LEAK001:Entries|} { get; } = new();

                    public void Write(string e) { Entries.Add(e); }
                }
                """, """
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public static class Metrics
                {
                    private const int MaxLatenciesCount = 1024;
                    private static readonly ConcurrentQueue<long> Latencies = new();
                    private const int MaxErrorsCount = 1024;
                    private static readonly LinkedList<string> Errors = new();

                    public static void Observe(long ms)
                    {
                        Latencies.Enqueue(ms);
                        while (Latencies.Count > MaxLatenciesCount && Latencies.TryDequeue(out _)) { }
                    }

                    public static void Fail(string e)
                    {
                        Errors.AddLast(e);
                        while (Errors.Count > MaxErrorsCount) { Errors.RemoveFirst(); }
                        Latencies.Enqueue(-1);
                        while (Latencies.Count > MaxLatenciesCount && Latencies.TryDequeue(out _)) { }
                    }
                }

                public class Audit
                {
                    private const int MaxEntriesCount = 1024;

                    internal static List<string> Entries { get; } = new();

                    public void Write(string e) { Entries.Add(e); if (Entries.Count > MaxEntriesCount) { Entries.RemoveRange(0, Entries.Count - MaxEntriesCount); } }
                }
                """, BoundCollectionCodeFixProvider.BoundKey);
        }

        [Fact]
        public Task GrowthInAnotherDocumentIsFixedThere()
        {
            return F.CodeFixAsync(new[]
            {
                """
                using System.Collections.Generic;

                internal static class Registry
                {
                    internal static readonly Stack<string> {|LEAK001:Names|} = new();
                }
                """,
                """
                internal sealed class Handler
                {
                    public void Handle(string name)
                    {
                        Registry.Names.Push(name);
                    }
                }
                """,
            },
            new[]
            {
                """
                using System.Collections.Generic;

                internal static class Registry
                {
                    internal const int MaxNamesCount = 1024;
                    internal static readonly Stack<string> Names = new();
                }
                """,
                """
                internal sealed class Handler
                {
                    public void Handle(string name)
                    {
                        Registry.Names.Push(name);
                        if (Registry.Names.Count > Registry.MaxNamesCount) { Registry.Names.Clear(); }
                    }
                }
                """,
            }, BoundCollectionCodeFixProvider.ClearKey);
        }

        [Fact]
        public Task LambdaAndIndexerAndCollectionClearWhenFull()
        {
            return F.CodeFixAsync("""
                using System;
                using System.Collections.Generic;
                using System.Collections.ObjectModel;

                public static class Hub
                {
                    private static readonly Dictionary<Guid, string> {|LEAK001:Sessions|} = new();
                    private static readonly ObservableCollection<string> {|LEAK001:Feed|} = new();

                    public static Action<string> Subscriber = text => Feed.Add(text);

                    public static void Open(Guid id, string user) => Sessions[id] = user;
                }
                """, """
                using System;
                using System.Collections.Generic;
                using System.Collections.ObjectModel;

                public static class Hub
                {
                    private const int MaxSessionsCount = 1024;
                    private static readonly Dictionary<Guid, string> Sessions = new();
                    private const int MaxFeedCount = 1024;
                    private static readonly ObservableCollection<string> Feed = new();

                    public static Action<string> Subscriber = text => { Feed.Add(text); if (Feed.Count > MaxFeedCount) { Feed.Clear(); } };

                    public static void Open(Guid id, string user)
                    {
                        Sessions[id] = user;
                        if (Sessions.Count > MaxSessionsCount) { Sessions.Clear(); }
                    }
                }
                """, BoundCollectionCodeFixProvider.ClearKey);
        }

        [Fact]
        public Task StackIsNotOfferedTrimming()
        {
            return F.NoCodeFixAsync("""
                using System.Collections.Generic;

                public static class Undo
                {
                    private static readonly Stack<string> {|LEAK001:Steps|} = new();

                    public static void Do(string s) => Steps.Push(s);
                }
                """, BoundCollectionCodeFixProvider.BoundKey);
        }
    }
}
