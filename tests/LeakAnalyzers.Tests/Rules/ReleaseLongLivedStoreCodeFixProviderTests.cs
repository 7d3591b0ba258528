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
    
        private const string Messenger = """
            using System;
            using System.Collections.Generic;

            public sealed class Messenger
            {
                public static Messenger Default { get; } = new Messenger();
                private readonly List<Action<object>> _all = new();
                private readonly Dictionary<string, List<Action<object>>> _byTopic = new();

                public void Subscribe(Action<object> handler) => _all.Add(handler);
                public void Unsubscribe(Action<object> handler) => _all.Remove(handler);
                public void Listen(string topic, Action<object> handler)
                {
                    if (!_byTopic.TryGetValue(topic, out var list))
                    {
                        _byTopic[topic] = list = new List<Action<object>>();
                    }

                    list.Add(handler);
                }

                public void Follow(Action<object> handler) => _all.Add(handler);
            }
            """;

        [Fact]
        public Task ARegistrationWithAMatchingRemovalIsUnregisteredInDispose()
        {
            // Subscribe/Unsubscribe take the same parameters and Unsubscribe's summary removes the handler: the fix calls it
            // in Dispose with the same receiver and arguments (Fix All: every registration of the type in one Dispose).
            return F.CodeFixAsync(new[] { Messenger, """
                using System;

                public sealed class Screen : IDisposable
                {
                    private int _seen;

                    public Screen()
                    {
                        Messenger.Default.Subscribe({|LEAK004:OnMessage|});
                        Messenger.Default.Subscribe({|LEAK004:OnOther|});
                    }

                    private void OnMessage(object message) => _seen++;
                    private void OnOther(object message) => _seen--;

                    public void Dispose()
                    {
                        _seen = 0;
                    }
                }
                """ }, new[] { Messenger, """
                using System;

                public sealed class Screen : IDisposable
                {
                    private int _seen;

                    public Screen()
                    {
                        Messenger.Default.Subscribe(OnMessage);
                        Messenger.Default.Subscribe(OnOther);
                    }

                    private void OnMessage(object message) => _seen++;
                    private void OnOther(object message) => _seen--;

                    public void Dispose()
                    {
                        _seen = 0;
                        Messenger.Default.Unsubscribe(OnMessage);
                        Messenger.Default.Unsubscribe(OnOther);
                    }
                }
                """ }, ReleaseLongLivedStoreCodeFixProvider.UnregisterKey);
        }

        [Fact]
        public Task NoUnregisterFixWithoutAMatchingRemovalOrForALambda()
        {
            // Listen has no method with its parameters that removes the handler; a lambda has no fix either: a new lambda in
            // Dispose is another delegate and removes nothing.
            return F.NoCodeFixAsync(Messenger + """

                public sealed class Panel
                {
                    private int _seen;

                    public void Open(string topic)
                    {
                        Messenger.Default.Listen(topic, {|LEAK004:OnMessage|});
                        Messenger.Default.Subscribe(m {|LEAK004:=>|} _seen++);
                    }

                    private void OnMessage(object message) => _seen++;
                }
                """, ReleaseLongLivedStoreCodeFixProvider.UnregisterKey);
        }
}
}
