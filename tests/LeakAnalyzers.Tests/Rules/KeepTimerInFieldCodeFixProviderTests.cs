using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Resources;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.TimerOrRegistrationKeptAliveAnalyzer, LeakAnalyzers.CodeFixes.Resources.KeepTimerInFieldCodeFixProvider>;

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
    }
}
