using System.Threading.Tasks;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.TimerOrRegistrationKeptAliveAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class TimerOrRegistrationKeptAliveAnalyzerTests
    {
        private const string TimerWhy = "the runtime keeps a running timer and its callback's target alive until it is disposed";
        private const string RegistrationWhy = "the token, which this method does not own, keeps the callback and what it captures alive until the registration is disposed";

        [Fact]
        public Task TimerDropped()
        {
            return V.AnalyzerAsync("""
                using System.Threading;

                public class Poller
                {
                    public void Start() => {|#0:new Timer(_ => Poll(), null, 0, 1000)|};

                    private void Poll() { }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("timer", "dropped without being disposed", TimerWhy));
        }

        [Fact]
        public Task TimersTimerInLocalNeverDisposed()
        {
            return V.AnalyzerAsync("""
                public class Heartbeat
                {
                    public void Start()
                    {
                        var timer = {|#0:new System.Timers.Timer(1000)|};
                        timer.Elapsed += (s, e) => Beat();
                        timer.Start();
                    }

                    private void Beat() { }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("System.Timers.Timer", "never disposed", TimerWhy));
        }

        [Fact]
        public Task RegistrationOnParameterTokenDropped()
        {
            return V.AnalyzerAsync("""
                using System.Threading;
                using System.Threading.Tasks;

                public class Waiter
                {
                    public Task<bool> WaitAsync(CancellationToken cancellationToken)
                    {
                        var tcs = new TaskCompletionSource<bool>();
                        {|#0:cancellationToken.Register(() => tcs.TrySetCanceled())|};
                        return tcs.Task;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("CancellationTokenRegistration", "dropped without being disposed", RegistrationWhy));
        }

        [Fact]
        public Task RegistrationOnFieldSourceKeptInLocalNeverDisposed()
        {
            return V.AnalyzerAsync("""
                using System.Threading;

                public class Worker
                {
                    private readonly CancellationTokenSource _shutdown = new();

                    public void Handle(object request)
                    {
                        var registration = {|#0:_shutdown.Token.Register(state => ((Worker)state!).Abort(), this)|};
                        Process(request);
                    }

                    private void Process(object request) { }
                    private void Abort() { }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("CancellationTokenRegistration", "never disposed", RegistrationWhy));
        }

        [Fact]
        public Task OneRegistrationOnTheObjectsOwnSourceInItsConstructorIsACycle()
        {
            return V.AnalyzerAsync("""
                using System.Threading;

                public sealed class Scheduler
                {
                    private readonly CancellationTokenSource _cts = new();
                    private int _runs;

                    public Scheduler()
                    {
                        _cts.Token.Register(() => _runs = 0);
                    }
                }
                """);
        }

        [Fact]
        public Task LinkedAndDelayedTokenSources()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Requests
                {
                    public async Task<int> RunAsync(CancellationToken outer)
                    {
                        var linked = {|#0:CancellationTokenSource.CreateLinkedTokenSource(outer)|};
                        await Task.Delay(10, linked.Token);
                        return 1;
                    }

                    public CancellationToken Timeout() => {|#1:new CancellationTokenSource(TimeSpan.FromSeconds(30))|}.Token;
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("linked CancellationTokenSource", "never disposed", "it stays registered on its parent token(s), which keep it and its callbacks alive"),
                V.Diagnostic().WithLocation(1).WithArguments("CancellationTokenSource with a delay", "dropped without being disposed", "its timer stays queued, with the source and its callbacks, until the delay expires"));
        }

        [Fact]
        public Task DisposedOrKeptIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Good : IDisposable
                {
                    private Timer? _timer;
                    private CancellationTokenRegistration _registration;

                    public void Start(CancellationToken token)
                    {
                        _timer = new Timer(_ => { }, null, 0, 1000);
                        _registration = token.Register(() => _timer?.Dispose());
                    }

                    public async Task<int> A(CancellationToken token)
                    {
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token);
                        using var registration = token.Register(() => { });
                        await Task.Delay(1, linked.Token);
                        return 1;
                    }

                    public void B()
                    {
                        var local = new CancellationTokenSource();
                        local.Token.Register(() => { });
                        local.Cancel();
                    }

                    public async Task C(CancellationToken token)
                    {
                        var registration = token.Register(() => { });
                        try
                        {
                            await Task.Delay(1);
                        }
                        finally
                        {
                            registration.Dispose();
                        }
                    }

                    public void D()
                    {
                        var plain = new CancellationTokenSource();
                        plain.Cancel();
                    }

                    public Timer E() => new Timer(_ => { });

                    public void Dispose()
                    {
                        _timer?.Dispose();
                        _registration.Dispose();
                    }
                }
                """);
        }

        [Fact]
        public Task RegistrationOnASourceCreatedInTheSameMethodIsQuiet()
        {
            // Shape of NLog's AsyncTaskTarget: a fresh source per registration, stored in a field; the registration dies with it.
            return V.AnalyzerAsync("""
                using System.Threading;

                public class Target
                {
                    private CancellationTokenSource _cancel = new();

                    private void ReInit()
                    {
                        _cancel = new CancellationTokenSource();
                        _cancel.Token.Register(OnCancelled);
                    }

                    private void OnCancelled() { }
                }
                """);
        }

        private const string CancelAfterWhat = "CancellationTokenSource given a delay by CancelAfter";
        private const string DelayedWhy = "its timer stays queued, with the source and its callbacks, until the delay expires";

        [Fact]
        public Task LocalSourceGivenADelayByCancelAfterNeverDisposed()
        {
            // Shape of Akka.NET's Ask before the fix: the timeout source's timer keeps the registration and the result until it fires.
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Asker
                {
                    public Task<object> Ask(TimeSpan? timeout)
                    {
                        var result = new TaskCompletionSource<object>();
                        if (timeout is { } t && t > TimeSpan.Zero)
                        {
                            var cancellationSource = {|#0:new CancellationTokenSource()|};
                            cancellationSource.Token.Register(() => result.TrySetCanceled());
                            cancellationSource.CancelAfter(t);
                        }

                        return result.Task;
                    }

                    public async Task<int> FetchAsync(Func<CancellationToken, Task<int>> fetch)
                    {
                        var timeout = {|#1:new CancellationTokenSource()|};
                        timeout.CancelAfter(5000);
                        return await fetch(timeout.Token);
                    }

                    public async Task PollAsync(bool bounded, Func<CancellationToken, Task> poll)
                    {
                        var source = {|#2:new CancellationTokenSource()|};
                        if (bounded)
                        {
                            source.CancelAfter(TimeSpan.FromSeconds(30));
                        }

                        await poll(source.Token);
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments(CancelAfterWhat, "never disposed", DelayedWhy),
                V.Diagnostic().WithLocation(1).WithArguments(CancelAfterWhat, "never disposed", DelayedWhy),
                V.Diagnostic().WithLocation(2).WithArguments(CancelAfterWhat, "never disposed", DelayedWhy));
        }

        [Fact]
        public Task LocalSourceGivenADelayByCancelAfterDisposedOrKeptIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public sealed class Client : IDisposable
                {
                    private CancellationTokenSource? _timeout;

                    public async Task<int> A(Func<CancellationToken, Task<int>> fetch)
                    {
                        using var timeout = new CancellationTokenSource();
                        timeout.CancelAfter(5000);
                        return await fetch(timeout.Token);
                    }

                    public async Task<int> B(Func<CancellationToken, Task<int>> fetch)
                    {
                        var timeout = new CancellationTokenSource();
                        try
                        {
                            timeout.CancelAfter(TimeSpan.FromSeconds(5));
                            return await fetch(timeout.Token);
                        }
                        finally
                        {
                            timeout.Dispose();
                        }
                    }

                    public CancellationTokenSource C(TimeSpan delay)
                    {
                        var source = new CancellationTokenSource();
                        source.CancelAfter(delay);
                        return source;
                    }

                    public void D(TimeSpan delay)
                    {
                        var source = new CancellationTokenSource();
                        source.CancelAfter(delay);
                        _timeout = source;
                    }

                    public void E(Action<CancellationToken> run)
                    {
                        var plain = new CancellationTokenSource();
                        run(plain.Token);
                        plain.Cancel();
                    }

                    public void F(CancellationTokenSource handedIn, Action<CancellationToken> run)
                    {
                        handedIn.CancelAfter(1000);
                        run(handedIn.Token);
                    }

                    public void G(TimeSpan delay, Action<CancellationToken> run)
                    {
                        var source = new CancellationTokenSource();
                        run(source.Token);
                        source = new CancellationTokenSource(delay);
                        source.CancelAfter(delay);
                        source.Dispose();
                    }

                    public void Dispose() => _timeout?.Dispose();
                }
                """);
        }
    }
}
