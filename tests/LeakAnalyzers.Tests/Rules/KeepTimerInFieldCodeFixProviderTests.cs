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
    }
}
