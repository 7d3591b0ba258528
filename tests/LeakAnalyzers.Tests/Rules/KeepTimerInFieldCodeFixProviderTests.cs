using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Resources;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.TimerOrRegistrationKeptAliveAnalyzer, LeakAnalyzers.CodeFixes.Resources.KeepTimerInFieldCodeFixProvider>;
using F4 = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Retention.LongLivedDelegateCapturesAnalyzer, LeakAnalyzers.CodeFixes.Resources.KeepTimerInFieldCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class KeepTimerInFieldCodeFixProviderTests
    {
        [Fact]
        public Task KeepsDroppedTimersInFieldsAndDisposesThem()
        {
            return F.CodeFixAsync("""
                using System.Threading;

                public sealed class Poller
                {
                    public Poller()
                    {
                        {|LEAK009:new Timer(_ => Poll(), null, 0, 1000)|};
                    }

                    public void Start() => {|LEAK009:new Timer(_ => Poll(), null, 0, 5000)|};

                    private static void Poll() { }
                }
                """, """
                using System;
                using System.Threading;

                public sealed class Poller : IDisposable
                {
                    private Timer? _timer2;
                    private Timer? _timer;

                    public Poller()
                    {
                        _timer = new Timer(_ => Poll(), null, 0, 1000);
                    }

                    public void Start()
                    {
                        _timer2?.Dispose();
                        _timer2 = new Timer(_ => Poll(), null, 0, 5000);
                    }

                    private static void Poll() { }

                    public void Dispose()
                    {
                        _timer?.Dispose();
                        _timer2?.Dispose();
                    }
                }
                """, KeepTimerInFieldCodeFixProvider.Key, iterations: 2);
        }
    
        [Fact]
        public Task KeepsARegistrationMeantToOutliveTheMethodInAFieldAndDisposesIt()
        {
            // The constructor and StartRecording return right after registering: the callback is meant to run later, so a
            // 'using var' would unregister it at once. Each becomes a field disposed with the object.
            return F.CodeFixAsync("""
                using System.Threading;

                public sealed class Recorder
                {
                    public Recorder(CancellationToken stopping)
                    {
                        {|LEAK009:stopping.Register(Stop)|};
                    }

                    public void StartRecording(CancellationToken cancellationToken)
                    {
                        _ = {|LEAK009:cancellationToken.Register(Stop)|};
                    }

                    private void Stop() { }
                }
                """, """
                using System;
                using System.Threading;

                public sealed class Recorder : IDisposable
                {
                    private CancellationTokenRegistration _registration2;
                    private CancellationTokenRegistration _registration;

                    public Recorder(CancellationToken stopping)
                    {
                        _registration = stopping.Register(Stop);
                    }

                    public void StartRecording(CancellationToken cancellationToken)
                    {
                        _registration2.Dispose();
                        _registration2 = cancellationToken.Register(Stop);
                    }

                    private void Stop() { }

                    public void Dispose()
                    {
                        _registration.Dispose();
                        _registration2.Dispose();
                    }
                }
                """, KeepTimerInFieldCodeFixProvider.RegistrationKey, iterations: 2);
        }

        [Fact]
        public Task ARegistrationFollowedByAnAwaitIsNotKeptInAField()
        {
            return F.NoCodeFixAsync("""
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Waiter
                {
                    public async Task WaitAsync(CancellationToken token)
                    {
                        var ready = new TaskCompletionSource<bool>();
                        {|LEAK009:token.Register(() => ready.TrySetCanceled())|};
                        await ready.Task;
                    }
                }
                """, KeepTimerInFieldCodeFixProvider.RegistrationKey);
        }
    
        [Fact]
        public Task Leak004RegistrationsInAConstructorAreKeptInFields()
        {
            // LibraryMonitor-like: registered once at construction on the host's tokens, to run when the host starts and stops.
            return F4.CodeFixAsync("""
                using System.Threading;

                public class Monitor
                {
                    public Monitor(CancellationToken started, CancellationToken stopping)
                    {
                        started.Register({|LEAK004:Start|});
                        stopping.Register({|LEAK004:Stop|});
                    }

                    private void Start() { }

                    private void Stop() { }
                }
                """, """
                using System;
                using System.Threading;

                public class Monitor : IDisposable
                {
                    private CancellationTokenRegistration _registration2;
                    private CancellationTokenRegistration _registration;

                    public Monitor(CancellationToken started, CancellationToken stopping)
                    {
                        _registration = started.Register(Start);
                        _registration2 = stopping.Register(Stop);
                    }

                    private void Start() { }

                    private void Stop() { }

                    public void Dispose()
                    {
                        Dispose(true);
                        GC.SuppressFinalize(this);
                    }

                    protected virtual void Dispose(bool disposing)
                    {
                        if (disposing)
                        {
                            _registration.Dispose();
                            _registration2.Dispose();
                        }
                    }
                }
                """, KeepTimerInFieldCodeFixProvider.CaptureRegistrationKey, iterations: 2);
        }

        private const string Rx = Infrastructure.RxStandIn.Source;

        [Fact]
        public Task Leak004ThrownAwaySubscriptionsAreKeptInFieldsAndDisposedInDispose()
        {
            // ReactiveCommand-like: the constructor subscribes to the caller's canExecute; a method subscribes to a handed-in feed.
            return F4.CodeFixAsync(new[] { Rx, """
                using System;
                using System.Reactive.Linq;

                public interface IFeed { IObservable<int> Prices { get; } }

                public sealed class Command : IDisposable
                {
                    private readonly IFeed _feed;
                    private bool _enabled;

                    public Command(IObservable<bool> canExecute, IFeed feed)
                    {
                        _feed = feed;
                        canExecute.Subscribe(x {|LEAK004:=>|} _enabled = x);
                    }

                    public void Watch() => _feed.Prices.Subscribe(p {|LEAK004:=>|} _enabled = p > 0);

                    public void Dispose()
                    {
                    }
                }
                """ }, new[] { Rx, """
                using System;
                using System.Reactive.Linq;

                public interface IFeed { IObservable<int> Prices { get; } }

                public sealed class Command : IDisposable
                {
                    private IDisposable? _subscription2;
                    private IDisposable? _subscription;
                    private readonly IFeed _feed;
                    private bool _enabled;

                    public Command(IObservable<bool> canExecute, IFeed feed)
                    {
                        _feed = feed;
                        _subscription = canExecute.Subscribe(x => _enabled = x);
                    }

                    public void Watch()
                    {
                        _subscription2?.Dispose();
                        _subscription2 = _feed.Prices.Subscribe(p => _enabled = p > 0);
                    }

                    public void Dispose()
                    {
                        _subscription?.Dispose();
                        _subscription2?.Dispose();
                    }
                }
                """ }, KeepTimerInFieldCodeFixProvider.SubscriptionKey, iterations: 2);
        }

        [Fact]
        public Task Leak004OneFieldForASubscriptionWithTwoCapturingCallbacksDisposedInDisposeBool()
        {
            // onNext and onError both capture 'this': two findings, one subscription; Dispose(bool) gets it under 'if (disposing)'.
            return F4.CodeFixAsync(new[] { Rx, """
                using System;
                using System.Reactive.Linq;

                public class View : IDisposable
                {
                    private int _last;
                    private Exception? _error;

                    public View(IObservable<int> values)
                    {
                        values.Subscribe(v {|LEAK004:=>|} _last = v, e {|LEAK004:=>|} _error = e);
                    }

                    public void Dispose()
                    {
                        Dispose(true);
                        GC.SuppressFinalize(this);
                    }

                    protected virtual void Dispose(bool disposing)
                    {
                        if (disposing)
                        {
                            _last = 0;
                        }
                    }
                }
                """ }, new[] { Rx, """
                using System;
                using System.Reactive.Linq;

                public class View : IDisposable
                {
                    private IDisposable? _subscription;
                    private int _last;
                    private Exception? _error;

                    public View(IObservable<int> values)
                    {
                        _subscription = values.Subscribe(v => _last = v, e => _error = e);
                    }

                    public void Dispose()
                    {
                        Dispose(true);
                        GC.SuppressFinalize(this);
                    }

                    protected virtual void Dispose(bool disposing)
                    {
                        if (disposing)
                        {
                            _last = 0;
                            _subscription?.Dispose();
                        }
                    }
                }
                """ }, KeepTimerInFieldCodeFixProvider.SubscriptionKey, iterations: 1);
        }

        [Fact]
        public Task Leak004NoSubscriptionFieldWhereDisposeCannotBeExtended()
        {
            // Dispose comes from a base class with no overridable Dispose(bool): a field nothing disposes would not help.
            return F4.NoCodeFixAsync(Rx.Replace("namespace System.Reactive.Linq", "namespace System.Reactive.Linq.Stub") + """

                namespace App
                {
                    using System;
                    using System.Reactive.Linq.Stub;

                    public class Base : IDisposable
                    {
                        public void Dispose() { }
                    }

                    public sealed class Derived : Base
                    {
                        private bool _enabled;

                        public Derived(IObservable<bool> canExecute)
                        {
                            canExecute.Subscribe(x {|LEAK004:=>|} _enabled = x);
                        }
                    }
                }
                """, KeepTimerInFieldCodeFixProvider.SubscriptionKey);
        }

        [Fact]
        public Task Leak004NoSubscriptionFieldInATypeThatIsNotDisposable()
        {
            // Reported because a stop method disposes what the node keeps; a Dispose added to it would never be called.
            return F4.NoCodeFixAsync(Rx.Replace("namespace System.Reactive.Linq", "namespace System.Reactive.Linq.Stub") + """

                namespace App
                {
                    using System;
                    using System.Reactive.Linq.Stub;

                    public sealed class Node
                    {
                        private readonly IObservable<int> _values;
                        private IDisposable? _kept;
                        private int _last;

                        public Node(IObservable<int> values) => _values = values;

                        public void Start()
                        {
                            _values.Subscribe(v {|LEAK004:=>|} _last = v);
                        }

                        public void Stop() => _kept?.Dispose();
                    }
                }
                """, KeepTimerInFieldCodeFixProvider.SubscriptionKey);
        }

        [Fact]
        public Task NoTimerOrRegistrationFieldWhereDisposeCannotBeExtended()
        {
            // Dispose comes from a base class with no overridable Dispose(bool): a field nothing disposes would only move the leak.
            return F.NoCodeFixAsync("""
                using System;
                using System.Threading;

                public class Base : IDisposable
                {
                    public void Dispose() { }
                }

                public sealed class Poller : Base
                {
                    public Poller(CancellationToken stopping)
                    {
                        {|LEAK009:new Timer(_ => Poll(), null, 0, 1000)|};
                        {|LEAK009:stopping.Register(() => Poll())|};
                    }

                    private static void Poll() { }
                }
                """, KeepTimerInFieldCodeFixProvider.Key);
        }

        [Fact]
        public Task NoRegistrationFieldWhereDisposeCannotBeExtended()
        {
            return F.NoCodeFixAsync("""
                using System;
                using System.Threading;

                public class Base : IDisposable
                {
                    public void Dispose() { }
                }

                public sealed class Watcher : Base
                {
                    public Watcher(CancellationToken stopping)
                    {
                        {|LEAK009:stopping.Register(() => Poll())|};
                    }

                    private static void Poll() { }
                }
                """, KeepTimerInFieldCodeFixProvider.RegistrationKey);
        }
    }
}
