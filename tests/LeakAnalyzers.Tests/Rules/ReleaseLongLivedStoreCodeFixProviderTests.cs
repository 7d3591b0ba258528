using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Retention;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Retention.LongLivedDelegateCapturesAnalyzer, LeakAnalyzers.CodeFixes.Retention.ReleaseLongLivedStoreCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class ReleaseLongLivedStoreCodeFixProviderTests
    {
        [Fact]
        public Task ATimerFieldWhoseCallbackCapturesThisIsDisposedInDispose()
        {
            return F.CodeFixAsync("""
                using System.Threading;

                public sealed class Refresher
                {
                    private readonly Timer _timer;
                    private int _count;

                    public Refresher()
                    {
                        _timer = new Timer(_ {|LEAK004:=>|} _count++, null, 0, 1000);
                    }

                    public int Count => _count;
                }
                """, """
                using System;
                using System.Threading;

                public sealed class Refresher : IDisposable
                {
                    private readonly Timer _timer;
                    private int _count;

                    public Refresher()
                    {
                        _timer = new Timer(_ => _count++, null, 0, 1000);
                    }

                    public int Count => _count;

                    public void Dispose()
                    {
                        _timer?.Dispose();
                    }
                }
                """, ReleaseLongLivedStoreCodeFixProvider.TimerKey);
        }

        [Fact]
        public Task AnInstanceMethodAddedToAStaticDelegateIsRemovedInDispose()
        {
            return F.CodeFixAsync("""
                using System;

                public static class Bus
                {
                    public static Action<string>? Published;
                }

                public sealed class Listener
                {
                    private int _seen;

                    public void Listen() => Bus.Published += {|LEAK004:OnPublished|};

                    private void OnPublished(string message) => _seen++;
                }
                """, """
                using System;

                public static class Bus
                {
                    public static Action<string>? Published;
                }

                public sealed class Listener : IDisposable
                {
                    private int _seen;

                    public void Listen() => Bus.Published += OnPublished;

                    private void OnPublished(string message) => _seen++;

                    public void Dispose()
                    {
                        Bus.Published -= OnPublished;
                    }
                }
                """, ReleaseLongLivedStoreCodeFixProvider.HandlerKey);
        }
    }
}
