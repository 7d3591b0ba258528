using System.Threading.Tasks;
using LeakAnalyzers.Retention;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Retention.LongLivedDelegateCapturesAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class LongLivedDelegateCapturesAnalyzerTests
    {
        private static DiagnosticResult Captures(int location, string place, string captured)
            => V.Diagnostic().WithLocation(location).WithArguments(place, captured);

        // ---- Positive ----

        [Fact]
        public Task LambdaAddedToStaticMulticastFieldCapturesThis()
        {
            return V.AnalyzerAsync("""
                using System;

                public class Report
                {
                    public static Func<string>? Titles;
                    private string _title = "";
                    public void Publish() { Titles += () {|#0:=>|} _title; }
                }
                """, Captures(0, "static field 'Titles'", "'this'"));
        }

        private const string Messaging = """
            using System;
            using System.Collections.Generic;

            public sealed class Messenger
            {
                public static Messenger Default { get; } = new Messenger();
                private readonly Dictionary<object, List<Action<object>>> _byRecipient = new();
                private readonly List<Action<object>> _all = new();

                public void Register(object recipient, Action<object> handler)
                {
                    if (!_byRecipient.TryGetValue(recipient, out var list))
                    {
                        _byRecipient[recipient] = list = new List<Action<object>>();
                    }

                    list.Add(handler);
                }

                public void Subscribe(Action<object> handler) => _all.Add(handler);
                public void Unsubscribe(Action<object> handler) => _all.Remove(handler);
                public void UnregisterAll(object recipient) => _byRecipient.Remove(recipient);
                public void Send(object message, Action<object> onDelivered) => onDelivered(message);
            }

            public static class Bus
            {
                private static readonly List<Action> s_handlers = new();
                private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<Action>> s_topics = new();
                public static void On(Action handler) => s_handlers.Add(handler);
                public static void Off(Action handler) => s_handlers.Remove(handler);
                public static void OnTopic(string topic, Action handler) => s_topics.GetOrAdd(topic, _ => new List<Action>()).Add(handler);
            }
            """;

        [Fact]
        public Task DelegatesKeptByRegistrationMethodsOfStaticServices()
        {
            // The registration API stores the handler (its summary says so); the caller's lambda or method group holds 'this'.
            return V.AnalyzerAsync(new[]
            {
                Messaging,
                """
                public sealed class ViewModel
                {
                    private int _count;

                    public ViewModel()
                    {
                        Bus.On(() {|#0:=>|} _count++);
                        Messenger.Default.Subscribe({|#1:OnMessage|});
                        Messenger.Default.Register(this, m {|#2:=>|} _count++);
                    }

                    private void OnMessage(object message) => _count++;
                }

                public sealed record Panel(string Name)
                {
                    public int Seen { get; private set; }
                    public void Attach() => Bus.On(() {|#3:=>|} Seen++);
                    public void Follow(string topic) => Bus.OnTopic(topic, () {|#4:=>|} Seen++);
                }
                """,
            },
            Captures(0, "the registrations of 'Bus' ('On' keeps it)", "'this'"),
            Captures(1, "the registrations of 'Messenger.Default' ('Subscribe' keeps it)", "'this'"),
            Captures(2, "the registrations of 'Messenger.Default' ('Register' keeps it)", "'this'"),
            Captures(3, "the registrations of 'Bus' ('On' keeps it)", "'this'"),
            Captures(4, "the registrations of 'Bus' ('OnTopic' keeps it)", "'this'"));
        }

        [Fact]
        public Task RegistrationsUndoneOrNotKeptAreQuiet()
        {
            return V.AnalyzerAsync(new[]
            {
                Messaging,
                """
                using System;

                public sealed class Unsubscribes : IDisposable
                {
                    private int _count;
                    public Unsubscribes() { Messenger.Default.Subscribe(OnMessage); Bus.On(OnTick); }
                    private void OnMessage(object message) => _count++;
                    private void OnTick() => _count++;
                    public void Dispose() { Messenger.Default.Unsubscribe(OnMessage); Bus.Off(OnTick); }
                }

                public sealed class UnregistersEverything : IDisposable
                {
                    private int _count;
                    public UnregistersEverything() => Messenger.Default.Register(this, m => _count++);
                    public void Dispose() => Messenger.Default.UnregisterAll(this);
                }

                public static class Retry
                {
                    // The action is captured by a local function and a work item, run, and gone: not kept.
                    public static void Repeat(int times, Action action)
                    {
                        var left = times;
                        void Next() { if (left-- > 0) { action(); Next(); } }
                        System.Threading.Tasks.Task.Run(Next);
                    }
                }

                public sealed class NotKept
                {
                    private int _count;
                    private readonly Messenger _own = new Messenger();

                    public void Run()
                    {
                        Retry.Repeat(3, () => _count++);
                        Messenger.Default.Send("hi", m => _count++);
                        Bus.On(static () => { });
                        var local = new Messenger();
                        local.Subscribe(m => _count++);
                        _own.Subscribe(m => _count++);
                    }
                }
                """,
            });
        }

        [Fact]
        public Task StaticSlotSetOnceFromAnInstancePinsTheFirstInstance()
        {
            return V.AnalyzerAsync("""
                using System;

                public sealed class Formatter
                {
                    private static Func<string>? s_describe;
                    private static Action? s_tick;
                    private static Func<int, int>? s_square;
                    private static Func<string>? s_latest;
                    private readonly string _name;

                    public Formatter(string name) => _name = name;

                    public string Describe()
                    {
                        s_describe ??= () {|#0:=>|} _name;
                        if (s_tick is null)
                        {
                            s_tick = {|#1:OnTick|};
                        }

                        s_square ??= static x => x * x;
                        s_latest = () => _name;
                        return s_describe() + s_square(2) + s_latest();
                    }

                    public static void Init() => s_tick ??= Console.WriteLine;

                    private void OnTick() { }
                }
                """,
                Captures(0, "static field 's_describe' (set once, by the first instance)", "'this'"),
                Captures(1, "static field 's_tick' (set once, by the first instance)", "'this'"));
        }

        private const string DispatcherTimerStub = """
            using System;

            namespace System.Windows.Threading
            {
                public class DispatcherTimer
                {
                    public event EventHandler? Tick;
                    public TimeSpan Interval { get; set; }
                    public bool IsEnabled { get; set; }
                    public void Start() { }
                    public void Stop() { }
                }
            }
            """;

        [Fact]
        public Task UiTimersStartedAndNeverStopped()
        {
            return V.AnalyzerAsync(new[]
            {
                DispatcherTimerStub,
                """
                using System;
                using System.Windows.Threading;

                public sealed class Clock
                {
                    private readonly DispatcherTimer _timer = new DispatcherTimer();
                    private int _ticks;

                    public Clock()
                    {
                        _timer.Tick += {|#0:OnTick|};
                        _timer.Start();
                    }

                    public void Blink()
                    {
                        var blink = new DispatcherTimer { Interval = TimeSpan.FromSeconds(1) };
                        blink.Tick += (s, e) {|#1:=>|} _ticks++;
                        blink.Start();
                    }

                    private void OnTick(object? sender, EventArgs e) => _ticks++;
                }

                public sealed class StopsIt : IDisposable
                {
                    private readonly DispatcherTimer _timer = new DispatcherTimer();
                    private readonly DispatcherTimer _other = new DispatcherTimer();
                    private int _ticks;

                    public StopsIt()
                    {
                        _timer.Tick += OnTick;
                        _timer.Start();
                        _other.Tick += OnTick;
                        _other.IsEnabled = true;
                    }

                    public void Once()
                    {
                        var once = new DispatcherTimer();
                        once.Tick += (s, e) => { once.Stop(); _ticks++; };
                        once.Start();
                        var never = new DispatcherTimer();
                        never.Tick += (s, e) => _ticks++;
                    }

                    private void OnTick(object? sender, EventArgs e) => _ticks++;

                    public void Dispose()
                    {
                        _timer.Stop();
                        _other.IsEnabled = false;
                    }
                }
                """,
            },
            Captures(0, "the Tick event of the UI timer '_timer'", "'this'"),
            Captures(1, "the Tick event of the UI timer 'blink'", "'this'"));
        }

        [Fact]
        public Task InstanceMethodGroupAddedToStaticCollection()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public static class Hooks { public static readonly List<Action> OnShutdown = new(); }

                public class Session
                {
                    public void Open() => Hooks.OnShutdown.Add({|#0:Close|});
                    private void Close() { }
                }
                """, Captures(0, "static collection 'OnShutdown'", "'this'"));
        }

        [Fact]
        public Task LazyValueInStaticCacheFactoryResult()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;

                public class Pricing
                {
                    private static readonly ConcurrentDictionary<string, Lazy<decimal>> Cache = new();
                    private decimal _rate = 1.2m;
                    public decimal Get(string sku) => Cache.GetOrAdd(sku, _ => new Lazy<decimal>(() {|#0:=>|} _rate * 10)).Value;
                }
                """, Captures(0, "static cache 'Cache'", "'this'"));
        }

        [Fact]
        public Task ThreadingTimerCallbackOnInstanceNeverDisposed()
        {
            return V.AnalyzerAsync("""
                using System.Threading;

                public class Poller
                {
                    private Timer? _timer;
                    private int _ticks;
                    public void Start() => _timer = new Timer(_ {|#0:=>|} _ticks++, null, 0, 1000);
                }
                """, Captures(0, "the callback of the timer '_timer'", "'this'"));
        }

        [Fact]
        public Task GenericCacheAddsInstanceMethodFromAsyncMethod()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;
                using System.Threading.Tasks;

                public static class Refreshers { public static readonly ConcurrentDictionary<string, Func<Task>> All = new(); }

                public class Repository<T>
                {
                    public async Task InitAsync(string key)
                    {
                        await Task.Yield();
                        Refreshers.All.TryAdd(key, {|#0:RefreshAsync|});
                    }
                    private Task RefreshAsync() => Task.CompletedTask;
                }
                """, Captures(0, "static collection 'All'", "'this'"));
        }

        [Fact]
        public Task TimersTimerElapsedNeverStopped()
        {
            return V.AnalyzerAsync("""
                public class Autosave
                {
                    private readonly System.Timers.Timer _timer = new(5000);
                    public Autosave() { _timer.Elapsed += {|#0:Save|}; _timer.Start(); }
                    private void Save(object? sender, System.Timers.ElapsedEventArgs e) { }
                }
                """, Captures(0, "the Elapsed event of the timer '_timer'", "'this'"));
        }

        [Fact]
        public Task CancellationTokenRegisterOnParameterTokenDiscarded()
        {
            return V.AnalyzerAsync("""
                using System.Threading;
                using System.Threading.Tasks;

                public class Downloader
                {
                    private bool _cancelled;
                    public async Task RunAsync(CancellationToken token)
                    {
                        token.Register(() {|#0:=>|} _cancelled = true);
                        await Task.Delay(10);
                    }
                }
                """, Captures(0, "a registration on the non-local token 'token'", "'this'"));
        }

        [Fact]
        public Task ThreadPoolWaitRegistrationDiscarded()
        {
            return V.AnalyzerAsync("""
                using System.Threading;

                public class Watcher
                {
                    private int _signals;
                    public void Watch(WaitHandle handle)
                        => ThreadPool.RegisterWaitForSingleObject(handle, (state, timedOut) {|#0:=>|} _signals++, null, -1, false);
                }
                """, Captures(0, "ThreadPool.RegisterWaitForSingleObject", "'this'"));
        }

        [Fact]
        public Task StaticEventHandlerCapturesDisposableLocal()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public static class Logging
                {
                    public static void Start(string path)
                    {
                        var writer = new StreamWriter(path);
                        AppDomain.CurrentDomain.ProcessExit += (s, e) {|#0:=>|} writer.Flush();
                    }
                }
                """, Captures(0, "the static event 'AppDomain.CurrentDomain.ProcessExit'", "the disposable local 'writer'"));
        }

        [Fact]
        public Task StaticFieldLambdaCapturesLargeBuffer()
        {
            return V.AnalyzerAsync("""
                using System;

                public static class Checksums
                {
                    public static Func<int>? Last;
                    public static void Compute(int size)
                    {
                        var buffer = new byte[size];
                        Last = () {|#0:=>|} buffer.Length;
                    }
                }
                """, Captures(0, "static field 'Last'", "the buffer 'buffer'"));
        }

        [Fact]
        public Task SharedClosureKeepsBigLocalAliveWithBothLocations()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Linq;

                public static class Importer
                {
                    public static Func<string>? Describe;
                    public static int Import(string name, int size)
                    {
                        var data = new byte[size];
                        var label = name.ToUpperInvariant();
                        var count = Enumerable.Range(0, 10).Count(i {|#1:=>|} data[i] > 0);
                        Describe = () {|#0:=>|} label;
                        return count;
                    }
                }
                """,
                new DiagnosticResult(LongLivedDelegateCapturesAnalyzer.SharedClosureRule).WithLocation(0).WithLocation(1)
                    .WithArguments("static field 'Describe'", "the buffer 'data'", "11"));
        }

        [Fact]
        public Task StaticPropertyLocalFunctionCapturesThisInRecord()
        {
            return V.AnalyzerAsync("""
                using System;

                public record Order(string Id)
                {
                    public static Action? OnSaved { get; set; }
                    public void Save()
                    {
                        OnSaved += {|#0:Notify|};
                        void Notify() => Console.WriteLine(Id);
                    }
                }
                """, Captures(0, "static property 'OnSaved'", "'this'"));
        }

        [Fact]
        public Task PrimaryConstructorParameterMeansThis()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public static class Registry { public static readonly Dictionary<string, Func<string>> Names = new(); }

                public class Plugin(string name)
                {
                    public void Register() => Registry.Names[name] = () {|#0:=>|} name;
                }
                """, Captures(0, "static collection 'Names'", "'this'"));
        }

        // ---- Negative ----

        [Fact]
        public Task StaticAndCaptureNothingLambdas()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public class Setup
                {
                    public static Func<int>? Seed;
                    public static readonly List<Action> Actions = new();
                    public void Run()
                    {
                        Seed = static () => 42;
                        Seed = () => 7;
                        Actions.Add(() => Console.WriteLine("x"));
                        Actions.Add(Console.WriteLine);
                    }
                }
                """);
        }

        [Fact]
        public Task SmallCopiedValues()
        {
            return V.AnalyzerAsync("""
                using System;

                public class Report
                {
                    public static Func<string>? LastTitle;
                    private string _title = "";
                    public void Publish()
                    {
                        var title = _title;
                        var ids = new int[4];
                        LastTitle = () => title + ids.Length;
                    }
                }
                """);
        }

        [Fact]
        public Task ShortLivedStorage()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;
                using System.Threading;

                public class Work
                {
                    private Func<int>? _next;
                    private int _n;
                    public void Run(CancellationToken token)
                    {
                        Func<int> local = () => _n;
                        _next = () => _n;
                        var list = new List<Action> { () => _n++ };
                        using var registration = token.Register(() => _n = 0);
                        using var cts = new CancellationTokenSource();
                        cts.Token.Register(() => _n = 1);
                    }
                }
                """);
        }

        [Fact]
        public Task TimerDisposedOrHandedOver()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;

                public class Poller : IDisposable
                {
                    private Timer? _timer;
                    private Timer? _other;
                    private int _ticks;
                    public void Start()
                    {
                        _timer = new Timer(_ => _ticks++, null, 0, 1000);
                        _other = new Timer(_ => _ticks++, null, 0, 1000);
                    }
                    public void Dispose()
                    {
                        _timer?.Dispose();
                        Interlocked.Exchange(ref _other, null)?.Dispose();
                    }
                }
                """);
        }

        [Fact]
        public Task TimerDisposedInGeneratedPart()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                public partial class AutoCapture
                {
                    private System.Timers.Timer? _timer;
                    public void Start() { _timer = new System.Timers.Timer(); _timer.Elapsed += Tick; _timer.Start(); }
                    private void Tick(object? sender, System.Timers.ElapsedEventArgs e) { }
                }
                """,
                """
                // <auto-generated/>
                public partial class AutoCapture : System.IDisposable
                {
                    public void Dispose() { _timer?.Dispose(); }
                }
                """,
            });
        }

        [Fact]
        public Task PartsOfAPartialTypeReleaseOrRemoveWhatAnotherPartStores()
        {
            // The release is in another document than the store, before or after it: per-document analysis of either
            // document must agree with the whole compilation (the verifier checks both).
            return V.AnalyzerAsync(new[]
            {
                Messaging,
                """
                using System;
                using System.Threading;

                public partial class Poller
                {
                    private Timer? _timer;
                    private int _ticks;
                    public static Action? Saved;
                    public void Start()
                    {
                        _timer = new Timer(_ => _ticks++, null, 0, 1000);
                        Saved += OnSaved;
                        Messenger.Default.Register(this, m => _ticks++);
                    }

                    private void OnSaved() => _ticks++;
                }
                """,
                """
                using System;

                public partial class Poller : IDisposable
                {
                    public void Dispose()
                    {
                        _timer?.Dispose();
                        Saved -= OnSaved;
                        Messenger.Default.UnregisterAll(this);
                    }
                }

                public partial class Leaky
                {
                    public void Stop() => Messenger.Default.UnregisterAll(new object());
                }
                """,
                """
                using System;
                using System.Threading;

                public partial class Leaky
                {
                    private Timer? _timer;
                    private int _ticks;
                    public static Action? Saved;
                    public void Start()
                    {
                        _timer = new Timer(_ {|#0:=>|} _ticks++, null, 0, 1000);
                        Saved += {|#1:OnSaved|};
                        Messenger.Default.Register(this, m {|#2:=>|} _ticks++);
                    }

                    private void OnSaved() => _ticks++;
                }
                """,
            },
            Captures(0, "the callback of the timer '_timer'", "'this'"),
            Captures(1, "static field 'Saved'", "'this'"),
            Captures(2, "the registrations of 'Messenger.Default' ('Register' keeps it)", "'this'"));
        }

        [Fact]
        public Task NestedTypeStoreReleasedByItsOwnCode()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;

                public class Host
                {
                    private int _count;
                    public sealed class Worker : IDisposable
                    {
                        private readonly Timer _timer;
                        private int _ticks;
                        public Worker() => _timer = new Timer(_ => _ticks++, null, 0, 1000);
                        public void Dispose() => _timer.Dispose();
                    }

                    public sealed class Leaky
                    {
                        private Timer? _timer;
                        private int _ticks;
                        public void Start() => _timer = new Timer(_ {|#0:=>|} _ticks++, null, 0, 1000);
                    }

                    public void Touch() => _count++;
                }
                """, Captures(0, "the callback of the timer '_timer'", "'this'"));
        }

        [Fact]
        public Task ContinuationsOnHandedTasksWithoutCancellation()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class MergeSink<T> : IDisposable
                {
                    private int _pending;
                    public void OnNext(Task<T> value) => value.ContinueWith((t, self) => ((MergeSink<T>)self!).Done(t), {|#0:this|});
                    public void Attach(Task<T> task) => task.ContinueWith(t {|#1:=>|} Done(t));
                    public async Task AttachLaterAsync(Task<T> task)
                    {
                        await Task.Yield();
                        _ = task.ContinueWith(t {|#2:=>|} _pending--, TaskScheduler.Default);
                    }

                    private void Done(Task<T> task) => _pending--;
                    public void Dispose() { }
                }
                """,
                Captures(0, "the continuation of the task 'value' (no cancellation token)", "'this'"),
                Captures(1, "the continuation of the task 'task' (no cancellation token)", "'this'"),
                Captures(2, "the continuation of the task 'task' (no cancellation token)", "'this'"));
        }

        [Fact]
        public Task ContinuationsThatEndWithTheObjectOrHoldNothingAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class CancelledSink<T> : IDisposable
                {
                    private readonly CancellationTokenSource _cts = new();
                    private readonly Task _own = Task.Delay(10);
                    private int _pending;
                    public void OnNext(Task<T> value) => value.ContinueWith((t, self) => ((CancelledSink<T>)self!).Done(), this, _cts.Token);
                    public void Attach(Task<T> task) => task.ContinueWith(t => Done(), _cts.Token, TaskContinuationOptions.None, TaskScheduler.Default);
                    public void Log(Task<T> task) => task.ContinueWith(t => Console.WriteLine(t.Status));
                    public void Own() => _own.ContinueWith(t => Done());
                    public Task Chained(Task<T> task) => task.ContinueWith(t => Done());
                    private void Done() => _pending--;
                    public void Dispose() => _cts.Cancel();
                }

                public sealed class NotDisposable
                {
                    private int _pending;
                    public void Attach(Task task) => task.ContinueWith(t => _pending--);
                }

                public static class Helpers
                {
                    public static void Forget(Task task) => task.ContinueWith(t => Console.WriteLine(t.Exception));
                }
                """);
        }

        private const string Rx = Infrastructure.RxStandIn.Source;

        [Fact]
        public Task DroppedSubscriptionsToHandedInObservablesInDisposableTypes()
        {
            return V.AnalyzerAsync(new[] { Rx, """
                using System;
                using System.Reactive.Linq;

                public interface IFeed { IObservable<int> Prices { get; } }

                public sealed class Command : IDisposable
                {
                    private readonly IObservable<bool> _canExecute;
                    private readonly IFeed _feed;
                    private bool _enabled;

                    public Command(IObservable<bool> canExecute, IFeed feed)
                    {
                        _feed = feed;
                        _canExecute = canExecute.Where(x => x).Replay(1).RefCount();
                        _canExecute.Subscribe(x {|#0:=>|} _enabled = x);
                        canExecute.Subscribe(x {|#1:=>|} OnChanged());
                    }

                    public void Watch() => _feed.Prices.Subscribe(p {|#2:=>|} _enabled = p > 0);

                    private void OnChanged() => _enabled = !_enabled;
                    public void Dispose() { }
                }

                public sealed class Primary(IObservable<int> ticks) : IDisposable
                {
                    private int _last;
                    public void Start() => ticks.Subscribe(t {|#3:=>|} _last = t);
                    public void Dispose() { }
                }
                """ },
                Captures(0, "the subscription to the observable '_canExecute' (thrown away)", "'this'"),
                Captures(1, "the subscription to the observable 'canExecute' (thrown away)", "'this'"),
                Captures(2, "the subscription to the observable '_feed.Prices' (thrown away)", "'this'"),
                Captures(3, "the subscription to the observable 'ticks' (thrown away)", "'this'"));
        }

        [Fact]
        public Task DroppedSubscriptionsInTypesWithAStopPath()
        {
            // Not disposable, but a stop method disposes the subscriptions the node keeps: one it threw away outlives it.
            return V.AnalyzerAsync(new[] { Rx, """
                using System;
                using System.Reactive.Linq;

                public interface IStreamSource { IObservable<object> Start(object target); }

                public abstract class Node
                {
                    protected abstract void StartListening(object target);
                    protected abstract void StopListening();
                    protected void ValueChanged(object value) { }
                }

                public sealed class StreamNode : Node
                {
                    private readonly IStreamSource? _source;
                    private IDisposable? _subscription;

                    public StreamNode(IStreamSource source) => _source = source;

                    protected override void StartListening(object target) => SourceFor(target)?.Start(target).Subscribe({|#0:ValueChanged|});

                    protected override void StopListening()
                    {
                        _subscription?.Dispose();
                        _subscription = null;
                    }

                    private IStreamSource? SourceFor(object target) => target is null ? null : _source;
                }

                public sealed class Watcher
                {
                    private readonly IObservable<int> _ticks;
                    private IDisposable? _kept;
                    private int _last;

                    public Watcher(IObservable<int> ticks) => _ticks = ticks;

                    public void Start()
                    {
                        _kept = _ticks.Subscribe(t => _last = t);
                        _ticks.Where(t => t > 0).Subscribe(t {|#1:=>|} _last = -t);
                    }

                    public void Stop() => _kept!.Dispose();
                }

                // Quiet: no stop path (nothing of it is ever ended), the node's own source, a callback that keeps nothing of this.
                public sealed class NoStop
                {
                    private readonly IStreamSource _source;
                    private int _count;
                    public NoStop(IStreamSource source) => _source = source;
                    public void Start(object target) => _source.Start(target).Subscribe(v => _count++);
                }

                public sealed class OwnSource
                {
                    private readonly Subject<object> _own = new();
                    private IDisposable? _subscription;
                    private int _count;
                    public void Start() => _own.Subscribe(v => _count++);
                    public void Stop() => _subscription?.Dispose();
                }

                public sealed class KeepsNothing
                {
                    private readonly IStreamSource _source;
                    private IDisposable? _subscription;
                    public KeepsNothing(IStreamSource source) => _source = source;
                    public void Start(object target) => _source.Start(target).Subscribe(v => Console.WriteLine(v));
                    public void Stop() => _subscription?.Dispose();
                }

                public sealed class KeepsIt
                {
                    private readonly IStreamSource _source;
                    private IDisposable? _subscription;
                    private int _count;
                    public KeepsIt(IStreamSource source) => _source = source;
                    public void Start(object target) => _subscription = _source?.Start(target).Subscribe(v => _count++);
                    public void Stop() => _subscription?.Dispose();
                }
                """ },
                Captures(0, "the subscription to the observable 'SourceFor(target)?.Start(target)' (thrown away)", "'this'"),
                Captures(1, "the subscription to the observable '_ticks.Where(t => t > 0)' (thrown away)", "'this'"));
        }

        [Fact]
        public Task RegistrationsWithAWeakMessengerAreQuiet()
        {
            // A messenger that keys its recipients weakly (a ConditionalWeakTable, as WeakReferenceMessenger does) keeps
            // nothing alive; the same registration with a messenger that keeps handlers in a dictionary is reported.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;
                using System.Runtime.CompilerServices;

                public sealed class WeakMessenger
                {
                    public static WeakMessenger Default { get; } = new();
                    private readonly ConditionalWeakTable<object, List<Action<object, object>>> _recipients = new();

                    public void Register<TMessage>(object recipient, Action<object, TMessage> handler)
                        => _recipients.GetOrCreateValue(recipient).Add((r, m) => handler(r, (TMessage)m));
                }

                public sealed class StrongMessenger
                {
                    public static StrongMessenger Default { get; } = new();
                    private readonly Dictionary<Type, List<Delegate>> _handlers = new();

                    public void Register<TMessage>(Action<TMessage> handler)
                    {
                        if (!_handlers.TryGetValue(typeof(TMessage), out var list))
                        {
                            _handlers[typeof(TMessage)] = list = new List<Delegate>();
                        }

                        list.Add(handler);
                    }
                }

                public sealed class ViewModel
                {
                    private int _count;

                    public ViewModel()
                    {
                        WeakMessenger.Default.Register<string>(this, static (r, m) => ((ViewModel)r)._count++);
                        WeakMessenger.Default.Register<int>(this, (r, m) => _count += m);
                        StrongMessenger.Default.Register<string>(m {|#0:=>|} _count++);
                    }
                }
                """,
                Captures(0, "the registrations of 'StrongMessenger.Default' ('Register' keeps it)", "'this'"));
        }

        [Fact]
        public Task BackgroundLoopsWithNoWayToStop()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Poller
                {
                    private int _ticks;

                    public Poller()
                    {
                        Task.Run(async () {|#0:=>|}
                        {
                            while (true)
                            {
                                _ticks++;
                                await Task.Delay(1000);
                            }
                        });
                        Task.Factory.StartNew({|#1:Spin|}, TaskCreationOptions.LongRunning);
                        new Thread({|#2:Pump|}).Start();
                    }

                    private void Spin()
                    {
                        for (;;)
                        {
                            _ticks--;
                        }
                    }

                    private void Pump()
                    {
                        do { _ticks += 2; } while (true);
                    }
                }

                // Quiet: a token the object cancels, a flag loop, a loop that breaks out, work that ends, static work.
                public sealed class Stoppable : IDisposable
                {
                    private readonly CancellationTokenSource _cts = new();
                    private volatile bool _running = true;
                    private int _ticks;

                    public Stoppable()
                    {
                        Task.Run(async () =>
                        {
                            while (true)
                            {
                                _ticks++;
                                await Task.Delay(1000, _cts.Token);
                            }
                        });
                        Task.Run(() =>
                        {
                            while (_running)
                            {
                                _ticks++;
                            }
                        });
                        Task.Run(() =>
                        {
                            while (true)
                            {
                                if (_ticks > 10)
                                {
                                    break;
                                }

                                _ticks++;
                            }
                        });
                        Task.Run(() => _ticks++);
                        Task.Run(static () => { while (true) { Thread.Sleep(1); } });
                    }

                    public void Dispose()
                    {
                        _running = false;
                        _cts.Cancel();
                    }
                }
                """,
                Captures(0, "a background loop with no way to stop it ('Task.Run')", "'this'"),
                Captures(1, "a background loop with no way to stop it ('TaskFactory.StartNew')", "'this'"),
                Captures(2, "a background loop with no way to stop it (a new 'Thread')", "'this'"));
        }

        private static DiagnosticResult Piled(int location, string composite, string when)
            => V.Diagnostic(LongLivedDelegateCapturesAnalyzer.PiledSubscriptionRule).WithLocation(location).WithArguments(composite, when);

        [Fact]
        public Task SubscriptionsPiledUpInACompositeByARecurringCallback()
        {
            return V.AnalyzerAsync(new[] { Rx, """
                using System;
                using System.Collections.Generic;
                using System.Reactive.Linq;
                using System.Threading.Tasks;

                public interface IAsyncSource<T> { Task<IAsyncDisposable> SubscribeAsync(IAsyncSink<T> sink); }
                public interface IAsyncSink<T> { Task OnNextAsync(T value); Task OnCompletedAsync(); }

                public sealed class AsyncComposite : IAsyncDisposable
                {
                    private readonly List<IAsyncDisposable> _items = new();
                    public async Task AddAsync(IAsyncDisposable item) { await Task.Yield(); _items.Add(item); }
                    public async Task RemoveAsync(IAsyncDisposable item) { await Task.Yield(); _items.Remove(item); }
                    public async ValueTask DisposeAsync() { foreach (var item in _items) await item.DisposeAsync(); _items.Clear(); }
                }

                public sealed class Serial : IAsyncDisposable
                {
                    private IAsyncDisposable? _current;
                    public Task AssignAsync(IAsyncDisposable item) { _current = item; return Task.CompletedTask; }
                    public ValueTask DisposeAsync() => _current?.DisposeAsync() ?? default;
                }

                public sealed class Scheduler
                {
                    private readonly List<Func<System.Threading.CancellationToken, Task>> _work = new();
                    public void ScheduleAsync(Func<System.Threading.CancellationToken, Task> action) => _work.Add(action);
                }

                public sealed class Sink<T> : IAsyncSink<T>
                {
                    private readonly Func<T, Task> _onNext;
                    private readonly Func<Task> _onCompleted;
                    public Sink(Func<T, Task> onNext, Func<Task> onCompleted) { _onNext = onNext; _onCompleted = onCompleted; }
                    public Task OnNextAsync(T value) => _onNext(value);
                    public Task OnCompletedAsync() => _onCompleted();
                }

                public static class Sinks
                {
                    public static IAsyncSink<T> Create<T>(Func<T, Task> onNext, Func<Task> onCompleted) => new Sink<T>(onNext, onCompleted);

                    // Every inner sequence's subscription stays in the composite after it completes.
                    public static (IAsyncSink<IAsyncSource<T>>, IAsyncDisposable) Merge<T>(IAsyncSink<T> observer)
                    {
                        var disposable = new AsyncComposite();
                        return (Create<IAsyncSource<T>>(async xs =>
                        {
                            var inner = await xs.SubscribeAsync(Create<T>(observer.OnNextAsync, () => Task.CompletedTask));
                            await disposable.{|#0:AddAsync|}(inner);
                        }, observer.OnCompletedAsync), disposable);
                    }

                    // Quiet: a serial composite holds only the latest inner subscription.
                    public static (IAsyncSink<IAsyncSource<T>>, IAsyncDisposable) Switch<T>(IAsyncSink<T> observer)
                    {
                        var serial = new Serial();
                        return (Create<IAsyncSource<T>>(async xs =>
                        {
                            var inner = await xs.SubscribeAsync(observer);
                            await serial.AssignAsync(inner);
                        }, observer.OnCompletedAsync), serial);
                    }

                    // Quiet: a scheduled action runs once, on a source from outside it.
                    public static IAsyncDisposable SubscribeOn<T>(IAsyncSource<T> source, IAsyncSink<T> observer, Scheduler scheduler)
                    {
                        var d = new AsyncComposite();
                        scheduler.ScheduleAsync(async ct =>
                        {
                            var inner = await source.SubscribeAsync(observer);
                            await d.AddAsync(inner);
                        });
                        return d;
                    }

                    // Quiet: the inner subscription is taken out when it completes.
                    public static (IAsyncSink<IAsyncSource<T>>, IAsyncDisposable) MergeFixed<T>(IAsyncSink<T> observer)
                    {
                        var disposable = new AsyncComposite();
                        return (Create<IAsyncSource<T>>(async xs =>
                        {
                            IAsyncDisposable? inner = null;
                            inner = await xs.SubscribeAsync(Create<T>(observer.OnNextAsync, async () => await disposable.RemoveAsync(inner!)));
                            await disposable.AddAsync(inner);
                        }, observer.OnCompletedAsync), disposable);
                    }
                }

                public sealed class Item { public IObservable<int> Changes { get; } = new Subject<int>(); }

                public sealed class Watcher : IDisposable
                {
                    private readonly CompositeDisposable _subscriptions = new();
                    private readonly CompositeDisposable _perItem = new();
                    private readonly Subject<Item> items = new();
                    private readonly Subject<Item> removed = new();
                    private int _sum;

                    public Watcher()
                    {
                        // One subscription per item that arrives, kept until the watcher goes.
                        items.Subscribe(item => _subscriptions.{|#1:Add|}(item.Changes.Subscribe(c => _sum += c)));

                        // Quiet: removed again when the item goes.
                        items.Subscribe(item => _perItem.Add(item.Changes.Subscribe(c => _sum -= c)));
                        removed.Subscribe(item => _perItem.Remove(null!));
                    }

                    public void Dispose() { _subscriptions.Dispose(); _perItem.Dispose(); }
                }

                public sealed class Quiet : IDisposable
                {
                    private readonly CompositeDisposable _subscriptions = new();
                    private readonly IDisposable _kept;
                    private readonly Subject<Item> items = new();
                    private int _sum;

                    public Quiet(List<Item> list)
                    {
                        // The same subscription every time, not a new one per run.
                        _kept = items.Subscribe(i => { });
                        items.Subscribe(item => _subscriptions.Add(_kept));
                        // Run once per element of a list, there and then: not a recurring callback.
                        list.ForEach(item => _subscriptions.Add(item.Changes.Subscribe(c => _sum += c)));
                        // A composite made in the run itself.
                        items.Subscribe(item => { var local = new CompositeDisposable(); local.Add(item.Changes.Subscribe(c => _sum += c)); });
                    }

                    public void Dispose() => _subscriptions.Dispose();
                }
                """ },
                Piled(0, "disposable", "each time the callback handed to 'Create' runs"),
                Piled(1, "_subscriptions", "on every notification of 'items'"));
        }

        private static DiagnosticResult Repeated(int location, string source, string when)
            => V.Diagnostic(LongLivedDelegateCapturesAnalyzer.RepeatedSubscriptionRule).WithLocation(location).WithArguments(source, when);

        [Fact]
        public Task DroppedSubscriptionsMadeAgainAndAgainOnAKeptSource()
        {
            return V.AnalyzerAsync(new[] { Rx, """
                using System;
                using System.Collections.ObjectModel;
                using System.Collections.Specialized;
                using System.Reactive.Linq;

                public sealed class Fetcher<TKey>
                {
                    private readonly Subject<int> _calls = new();
                    private int _current;

                    // One correlation subscription per request on the fetcher's own queue, never ended.
                    public IObservable<string> Get(TKey key)
                    {
                        var result = new Subject<string>();
                        var mine = ++_current;
                        _calls.Where(x => x == mine).{|#0:Subscribe|}(_ => result.OnNext(key!.ToString()!));
                        _calls.OnNext(mine);
                        return result;
                    }
                }

                public sealed class Item { public event EventHandler? Changed; }

                public static class CollectionExtensions
                {
                    public static IDisposable ForEachItem<T>(this INotifyCollectionChanged collection, Action<T> added, Action<T> removed)
                    {
                        NotifyCollectionChangedEventHandler handler = (s, e) => { };
                        collection.CollectionChanged += handler;
                        return new System.Reactive.Linq.CompositeDisposable();
                    }
                }

                public sealed class Group
                {
                    public ObservableCollection<Item> Children { get; } = new();
                    private int _changes;

                    public Group()
                    {
                        Children.CollectionChanged += delegate
                        {
                            Children.{|#1:ForEachItem|}<Item>(i => i.Changed += OnChanged, i => i.Changed -= OnChanged);
                        };
                    }

                    private void OnChanged(object? sender, EventArgs e) => _changes++;
                }

                public sealed class Nested
                {
                    private readonly Subject<int> _outer = new();
                    private readonly Subject<int> _inner = new();
                    private int _last;

                    public Nested() => _outer.Subscribe(x =>
                        _inner.{|#2:Subscribe|}(y => _last = x + y));
                }

                public sealed class Poller
                {
                    private readonly Subject<int> _ticks = new();
                    private int _sum;

                    public void Refresh() => _ticks.{|#3:Subscribe|}(t => _sum += t);

                    public void RefreshAll()
                    {
                        for (var i = 0; i < 3; i++)
                        {
                            Refresh();
                        }
                    }
                }
                """ },
                Repeated(0, "_calls", "on every call of 'Get' (each keeps the object in 'result')"),
                Repeated(1, "Children", "on every 'CollectionChanged' event"),
                Repeated(2, "_inner", "on every notification of '_outer'"),
                Repeated(3, "_ticks", "every time 'Refresh' runs"));
        }

        [Fact]
        public Task SubscriptionsMadeOnceEndedOrKeptAreNotRepeated()
        {
            return V.AnalyzerAsync(new[] { Rx, """
                using System;
                using System.Collections.ObjectModel;
                using System.Reactive.Linq;

                public sealed class Fetcher
                {
                    private readonly Subject<int> _calls = new();
                    private readonly CompositeDisposable _subscriptions = new();
                    private int _current;
                    private int _last;

                    // Ends after its reply.
                    public IObservable<string> Get(string key)
                    {
                        var result = new Subject<string>();
                        var mine = ++_current;
                        _calls.Where(x => x == mine).Take(1).Subscribe(_ => result.OnNext(key));
                        return result;
                    }

                    // Once, on a fresh object: nothing shows it runs again, and the callback keeps nothing made per call.
                    public void Start() => _calls.Subscribe(x => _last = x);

                    // A source the method is handed, or makes for this subscription alone.
                    public void Watch(IObservable<int> source) => source.Subscribe(x => _last = x);
                    public void Tick() { var own = new Subject<int>(); own.Subscribe(x => _last = x); }

                    public void Hook(ObservableCollection<int> numbers)
                    {
                        numbers.CollectionChanged += (s, e) =>
                        {
                            // Kept: ended by the owner.
                            _calls.Subscribe(x => _last = x).DisposeWith(_subscriptions);
                            // A subject made in the handler dies with it.
                            var local = new Subject<int>();
                            local.Subscribe(x => _last = x);
                            // A factory's fresh source.
                            Observable.Interval(TimeSpan.FromSeconds(1)).Take(1).Subscribe(x => _last = (int)x);
                        };
                    }
                }
                """ });
        }

        [Fact]
        public Task ParameterFilledWithANewObjectPerCallKeptByAProcessEvent()
        {
            // Each extension made by the factory hands a new coordinator to Init, whose handler on the process's event
            // keeps it (and all it references) until the process exits.
            return V.AnalyzerAsync("""
                using System;

                public sealed class Coordinator { public void RunHooks() { } }

                public sealed class Extension
                {
                    public Coordinator Create()
                    {
                        var coord = new Coordinator();
                        Hooks.Init(coord);
                        return coord;
                    }
                }

                public static class Hooks
                {
                    public static void Init(Coordinator coord)
                    {
                        AppDomain.CurrentDomain.ProcessExit += (s, e) {|#0:=>|} coord.RunHooks();
                    }
                }
                """,
                Captures(0, "the static event 'AppDomain.CurrentDomain.ProcessExit'", "the parameter 'coord', a new object at each call (as at line 10)"));
        }

        [Fact]
        public Task ParameterFilledWithANewObjectPerCallInHalfTypedCode()
        {
            // The configuration's type is missing (a package the compilation lacks): the call does not bind, its only
            // candidate is still Init, and the new coordinator is still what it is handed.
            return V.AnalyzerAsync("""
                using System;

                public sealed class Coordinator { public void RunHooks() { } }

                public sealed class Extension
                {
                    public Coordinator Create()
                    {
                        var conf = {|CS0103:Settings|}.Load();
                        var coord = new Coordinator();
                        Hooks.Init(conf, coord);
                        return coord;
                    }
                }

                public static class Hooks
                {
                    public static void Init({|CS0246:Config|} conf, Coordinator coord)
                    {
                        AppDomain.CurrentDomain.ProcessExit += (s, e) {|#0:=>|} coord.RunHooks();
                    }
                }
                """,
                Captures(0, "the static event 'AppDomain.CurrentDomain.ProcessExit'", "the parameter 'coord', a new object at each call (as at line 11)"));
        }

        [Fact]
        public Task OneShotCallbackQueuesThatTheStoreEmptiesAreNotRegistrations()
        {
            // A render loop's "run on the next frame" lists: the store itself takes every callback out when it runs them.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Concurrent;
                using System.Collections.Generic;

                public sealed class RenderLoop
                {
                    public static RenderLoop Instance { get; } = new RenderLoop();
                    private List<Action>? _onRender;
                    private readonly ConcurrentQueue<Action<TimeSpan>> _frames = new();
                    private Queue<Action> _next = new();
                    private Queue<Action> _current = new();

                    private readonly FrameClock _clock = new();
                    public void BeginInvokeOnRender(Action callback) => (_onRender ??= new List<Action>()).Add(callback);
                    public void RequestAnimationFrame(Action<TimeSpan> action) => _frames.Enqueue(action);
                    public void RequestFrame(Action<TimeSpan> action) => _clock.RequestFrame(action);
                    public void Post(Action action) => _next.Enqueue(action);

                    public void Render(TimeSpan now)
                    {
                        var callbacks = _onRender;
                        _onRender = null;
                        callbacks?.ForEach(c => c());
                        while (_frames.TryDequeue(out var frame)) frame(now);
                        (_current, _next) = (_next, _current);
                        foreach (var action in _current) action();
                    }
                }

                public sealed class Scroller
                {
                    private double _offset;

                    public void Fling()
                    {
                        RenderLoop.Instance.BeginInvokeOnRender(() => _offset = 0);
                        RenderLoop.Instance.RequestAnimationFrame(t => _offset += t.TotalMilliseconds);
                        RenderLoop.Instance.Post(() => _offset = 1);
                        RenderLoop.Instance.RequestFrame(t => _offset -= t.TotalMilliseconds);
                    }
                }

                public sealed class FrameClock
                {
                    private Queue<Action<TimeSpan>> _queued = new();
                    private Queue<Action<TimeSpan>> _running = new();

                    public void RequestFrame(Action<TimeSpan> action) => _queued.Enqueue(action);

                    public void Pulse(TimeSpan now)
                    {
                        (_queued, _running) = (_running, _queued);
                        while (_running.TryDequeue(out var callback)) callback(now);
                    }
                }
                """);
        }

        [Fact]
        public Task ParameterFromStartupOrFromAFieldIsTheCallersBusiness()
        {
            return V.AnalyzerAsync("""
                using System;

                public sealed class Logger { public void Flush() { } }

                public static class Program
                {
                    // Once, for the process.
                    public static void Main() => Hooks.Init(new Logger());
                }

                public sealed class Host
                {
                    private readonly Logger _logger = new Logger();
                    // The host's own logger, not a new one per call.
                    public void Start() => Hooks.Init(_logger);
                }

                public static class Hooks
                {
                    public static void Init(Logger logger)
                    {
                        AppDomain.CurrentDomain.ProcessExit += (s, e) => logger.Flush();
                    }
                }
                """);
        }

        [Fact]
        public Task KeptOwnedOrNonCapturingSubscriptionsAreQuiet()
        {
            return V.AnalyzerAsync(new[] { Rx, """
                using System;
                using System.Reactive.Linq;

                public sealed class KeepsIt : IDisposable
                {
                    private readonly IDisposable _subscription;
                    private readonly CompositeDisposable _disposables = new();
                    private bool _enabled;

                    public KeepsIt(IObservable<bool> canExecute, IObservable<bool> other, IObservable<bool> third)
                    {
                        _subscription = canExecute.Subscribe(x => _enabled = x);
                        _disposables.Add(other.Subscribe(x => _enabled = x));
                        third.Subscribe(x => _enabled = x).DisposeWith(_disposables);
                        canExecute.Subscribe(x => Console.WriteLine(x));
                    }

                    public void Dispose() { _subscription.Dispose(); _disposables.Dispose(); }
                }

                public sealed class OwnSource : IDisposable
                {
                    private readonly Subject<int> _changes = new();
                    private int _last;
                    public OwnSource() => _changes.Where(x => x > 0).Subscribe(x => _last = x);
                    public void Dispose() { }
                }

                public sealed class MethodParameter : IDisposable
                {
                    private int _last;
                    public void Attach(IObservable<int> source) => source.Subscribe(x => _last = x);
                    public void Dispose() { }
                }

                public sealed class ConcreteSubject : IDisposable
                {
                    private int _last;
                    public ConcreteSubject(Subject<int> parent) => parent.Subscribe(x => _last = x);
                    public void Dispose() { }
                }

                public sealed class NotDisposable
                {
                    private int _last;
                    public NotDisposable(IObservable<int> source) => source.Subscribe(x => _last = x);
                }
                """ });
        }

        [Fact]
        public Task RegisterOnOwnTokenSourceIsACycle()
        {
            return V.AnalyzerAsync("""
                using System.Threading;

                public class Watcher
                {
                    private readonly CancellationTokenSource _cts = new();
                    private bool _stopped;
                    public void Start() { _cts.Token.Register(() => _stopped = true); }
                    public void Stop() => _cts.Cancel();
                }
                """);
        }

        [Fact]
        public Task StaticMulticastFieldRemovedInDispose()
        {
            return V.AnalyzerAsync("""
                using System;

                public static class Drives { public static EventHandler? DataChanged; }

                public sealed class SidebarViewModel : IDisposable
                {
                    private int _changes;
                    public SidebarViewModel() { Drives.DataChanged += OnDataChanged; }
                    public void Dispose() { Drives.DataChanged -= OnDataChanged; }
                    private void OnDataChanged(object? sender, EventArgs e) => _changes++;
                }
                """);
        }

        [Fact]
        public Task PlainStaticFieldHoldsOnlyTheLatestInstance()
        {
            return V.AnalyzerAsync("""
                using System;

                public static class Hook { public static Func<int, bool>? Callback; public static Action? Update { get; set; } }

                public class MainWindow
                {
                    private int _last;
                    public MainWindow()
                    {
                        Hook.Callback = OnKey;
                        Hook.Update = () => _last = 0;
                    }
                    private bool OnKey(int key) { _last = key; return true; }
                }
                """);
        }

        [Fact]
        public Task SingletonCapturingItselfCostsNothing()
        {
            return V.AnalyzerAsync("""
                using System.Threading;

                public sealed class Heartbeat
                {
                    public static Heartbeat Instance { get; } = new Heartbeat();
                    private readonly Timer _timer;
                    private int _beats;
                    private Heartbeat() => _timer = new Timer(_ => _beats++, null, 0, 1000);
                }
                """);
        }

        private const string Elements = """
            using System;
            using System.Reactive.Linq;

            public class Element
            {
                public IObservable<int> GetObservable(string property) => new Subject<int>();
                public Element? Parent { get; set; }
                protected virtual void OnAttached() { }
                protected virtual void OnDetached() { }
            }

            public abstract class Transform
            {
                public event EventHandler? Changed;
                public void Raise() => Changed?.Invoke(this, EventArgs.Empty);
            }

            public sealed class Gradient
            {
                public IObservable<int> Stops { get; } = new Subject<int>();
            }

            public sealed class ChangedArgs
            {
                public object? OldValue { get; set; }
                public object? NewValue { get; set; }
            }

            public static class Events
            {
                public static IObservable<EventArgs> FromEventPattern(Action<EventHandler> add, Action<EventHandler> remove) => new Subject<EventArgs>();
            }
            """;

        private static DiagnosticResult ReplacedSubscription(int location, string subscriber, string handed, string member, string ownerType)
            => V.Diagnostic(LongLivedDelegateCapturesAnalyzer.ReplacedSubscriptionRule).WithLocation(location).WithArguments(subscriber, handed, member, ownerType);

        [Fact]
        public Task SubscriptionKeptInAFieldAndDisposedOnlyWhenReplacedIsReported()
        {
            // The subscription to a value the object is handed (its owner, a property's new value) is disposed only right
            // before the next one is kept: the last owner or shared transform keeps every subscriber that went away.
            return V.AnalyzerAsync(new[] { Rx, Elements, """
                using System;
                using System.Reactive.Linq;
                using System.Threading.Tasks;

                public class TabItem : Element
                {
                    private IDisposable? _ownerSubscription;
                    private int _placement;

                    protected override void OnAttached()
                    {
                        base.OnAttached();
                        _ownerSubscription?.Dispose();
                        _ownerSubscription = null;
                        if (Parent is { } owner)
                        {
                            SubscribeToOwner(owner);
                        }
                    }

                    protected void SubscribeToOwner(Element owner)
                        => _ownerSubscription = owner.GetObservable("Placement").Subscribe(v {|#0:=>|} _placement = v);
                }

                public class TransformHost : Element
                {
                    private IDisposable? _transformChanged;
                    private int _arranges;

                    private void OnTransformChanged(ChangedArgs e)
                    {
                        var newTransform = e.NewValue as Transform;
                        _transformChanged?.Dispose();
                        _transformChanged = null;
                        if (newTransform != null)
                        {
                            _transformChanged = Events.FromEventPattern(h => newTransform.Changed += h, h => newTransform.Changed -= h)
                                .Subscribe(_ {|#1:=>|} Arrange());
                        }
                    }

                    private void Arrange() => _arranges++;
                }

                public partial class Gauge : Element
                {
                    private IDisposable? _source;
                    private int _value;

                    private void Bind(Element next) => _source = next.GetObservable("Value").Subscribe({|#2:OnValue|});
                    private void OnValue(int v) => _value = v;
                }

                public partial class Gauge
                {
                    // The replacement is in another part of the type.
                    public void Rebind(Element next)
                    {
                        _source?.Dispose();
                        Bind(next);
                    }
                }

                public class Follower : Element
                {
                    private IDisposable? _leader;
                    private int _position;

                    public async Task FollowAsync(Element leader)
                    {
                        await Task.Yield();
                        _leader?.Dispose();
                        _leader = leader.GetObservable("Position").Subscribe(p {|#3:=>|} { _position = p; });
                    }
                }
                """ },
                ReplacedSubscription(0, "TabItem", "owner", "_ownerSubscription", "Element"),
                ReplacedSubscription(1, "TransformHost", "newTransform", "_transformChanged", "Transform"),
                ReplacedSubscription(2, "Gauge", "next", "_source", "Element"),
                ReplacedSubscription(3, "Follower", "leader", "_leader", "Element"));
        }

        [Fact]
        public Task SubscriptionEndedWhenTheSubscriberGoesAwayOrHoldingNothingOfItIsQuiet()
        {
            return V.AnalyzerAsync(new[] { Rx, Elements, """
                using System;
                using System.Collections.Generic;
                using System.Reactive.Linq;
                using System.Threading;

                // Also disposed on detach (the fixed TabItem).
                public class DetachingItem : Element
                {
                    private IDisposable? _ownerSubscription;
                    private int _placement;

                    public void AttachTo(Element owner)
                    {
                        _ownerSubscription?.Dispose();
                        _ownerSubscription = owner.GetObservable("Placement").Subscribe(v => _placement = v);
                    }

                    protected override void OnDetached()
                    {
                        _ownerSubscription?.Dispose();
                        _ownerSubscription = null;
                    }
                }

                // Disposed in Dispose.
                public sealed class DisposingView : Element, IDisposable
                {
                    private IDisposable? _model;
                    private int _value;

                    public void Show(Element model)
                    {
                        _model?.Dispose();
                        _model = model.GetObservable("Value").Subscribe(v => _value = v);
                    }

                    public void Dispose() => _model?.Dispose();
                }

                // Disposed by a method that does not subscribe again.
                public class Pausing : Element
                {
                    private IDisposable? _clock;
                    private int _ticks;

                    public void Start(Element clock)
                    {
                        _clock?.Dispose();
                        _clock = clock.GetObservable("Tick").Subscribe(t => _ticks += t);
                    }

                    public void Stop() => _clock?.Dispose();
                }

                // Taken out of the field by whoever ends it.
                public class Exchanging : Element
                {
                    private IDisposable? _owner;
                    private int _value;

                    public void Attach(Element owner)
                    {
                        _owner?.Dispose();
                        _owner = owner.GetObservable("Value").Subscribe(v => _value = v);
                    }

                    public void Detach() => Interlocked.Exchange(ref _owner, null)?.Dispose();
                }

                // Its own sources: its own observable, a child it made, a value it makes itself per instance.
                public class OwnSources : Element
                {
                    private readonly Element _child = new Element();
                    private IDisposable? _self;
                    private IDisposable? _part;
                    private int _value;

                    public void Refresh()
                    {
                        _self?.Dispose();
                        _self = this.GetObservable("Value").Subscribe(v => _value = v);
                        _part?.Dispose();
                        _part = _child.GetObservable("Value").Subscribe(v => _value = v);
                    }
                }

                public class DefaultOwner : Element
                {
                    private IDisposable? _owner;
                    private int _value;

                    public DefaultOwner() => Owner = new Element();

                    public Element Owner
                    {
                        set
                        {
                            _owner?.Dispose();
                            _owner = value.GetObservable("Value").Subscribe(v => _value = v);
                        }
                    }
                }

                // A value made by a call on what it is handed: often its own template part.
                public class Templated : Element
                {
                    private IDisposable? _part;
                    private int _value;

                    public void OnTemplateApplied(Func<string, Element> find)
                    {
                        var part = find("PART_Value");
                        _part?.Dispose();
                        _part = part.GetObservable("Value").Subscribe(v => _value = v);
                    }
                }

                // A weak observable: the collection holds the observable (and the callback) only through a WeakReference.
                public static class WeakExtensions
                {
                    public static IObservable<int> GetWeakChanges(this System.Collections.Specialized.INotifyCollectionChanged items)
                        => new WeakChanges(new WeakReference<System.Collections.Specialized.INotifyCollectionChanged>(items));

                    private sealed class WeakChanges : IObservable<int>
                    {
                        private readonly WeakReference<System.Collections.Specialized.INotifyCollectionChanged> _items;
                        public WeakChanges(WeakReference<System.Collections.Specialized.INotifyCollectionChanged> items) => _items = items;
                        public IDisposable Subscribe(IObserver<int> observer) => new CompositeDisposable();
                    }
                }

                public class WeakItemsView : Element
                {
                    private IDisposable? _itemsChanged;
                    private int _changes;

                    public void OnItemsChanged(System.Collections.ObjectModel.ObservableCollection<string> newItems)
                    {
                        _itemsChanged?.Dispose();
                        _itemsChanged = newItems.GetWeakChanges().Subscribe(_ => _changes++);
                    }
                }

                // Callbacks that hold nothing of the subscriber.
                public class Logging : Element
                {
                    private IDisposable? _owner;
                    private IDisposable? _other;

                    public void Attach(Element owner, List<int> log)
                    {
                        _owner?.Dispose();
                        _owner = owner.GetObservable("Value").Subscribe(static v => Console.WriteLine(v));
                        _other?.Dispose();
                        _other = owner.GetObservable("Other").Subscribe(v => log.Add(v));
                    }
                }

                // A sealed value handed in: most often a part of the subscriber's own.
                public class Painter : Element
                {
                    private IDisposable? _stops;
                    private int _count;

                    public void Use(Gradient gradient)
                    {
                        _stops?.Dispose();
                        _stops = gradient.Stops.Subscribe(s => _count += s);
                    }
                }

                // Made for one subscription and kept by nothing but its source: they live as long.
                internal sealed class Watcher
                {
                    private IDisposable? _subscription;
                    private int _last;

                    public void Watch(Element target)
                    {
                        _subscription?.Dispose();
                        _subscription = target.GetObservable("Value").Subscribe(v => _last = v);
                    }
                }

                public static class Watching
                {
                    public static void Watch(Element target) => new Watcher().Watch(target);
                }
                """ });
        }

        [Fact]
        public Task ThisCaptureInStaticEventIsLeftToLeak003()
        {
            return V.AnalyzerAsync("""
                using System;

                public class Page
                {
                    private int _n;
                    public Page() { AppDomain.CurrentDomain.ProcessExit += (s, e) => _n++; }
                }
                """);
        }
    }
}
