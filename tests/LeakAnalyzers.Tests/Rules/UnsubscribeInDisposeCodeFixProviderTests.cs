using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Retention;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Retention.EventSubscriptionOutlivesSubscriberAnalyzer, LeakAnalyzers.CodeFixes.Retention.UnsubscribeInDisposeCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class UnsubscribeInDisposeCodeFixProviderTests
    {
        private const string Settings = """
            using System;

            public static class Settings
            {
                public static event EventHandler? Reloaded;
                public static event EventHandler<string>? Renamed;
                public static void Raise() { Reloaded?.Invoke(null, EventArgs.Empty); Renamed?.Invoke(null, "x"); }
            }
            """;

        /// <summary>One fix at a time and Fix All (the rule has three descriptors with one ID: markup uses the first).</summary>
        private static Task FixAsync(string[] sources, string[] fixedSources)
        {
            var test = new F.CodeFixTest { CodeActionEquivalenceKey = UnsubscribeInDisposeCodeFixProvider.Key, MarkupOptions = MarkupOptions.UseFirstDescriptor };
            foreach (var source in sources)
            {
                test.TestState.Sources.Add(source);
            }

            foreach (var source in fixedSources)
            {
                test.FixedState.Sources.Add(source);
            }

            return test.RunAsync(CancellationToken.None);
        }

        [Fact]
        public Task MethodHandlerGetsNewDisposeAndIDisposable()
        {
            return FixAsync(new[]
            {
                Settings,
                """
                using System;

                public class Page
                {
                    public Page() { {|LEAK003:Settings.Reloaded += OnReloaded|}; }
                    private void OnReloaded(object? sender, EventArgs e) { }
                }
                """,
            }, new[]
            {
                Settings,
                """
                using System;

                public class Page : IDisposable
                {
                    public Page() { Settings.Reloaded += OnReloaded; }
                    private void OnReloaded(object? sender, EventArgs e) { }

                    public void Dispose()
                    {
                        Settings.Reloaded -= OnReloaded;
                    }
                }
                """,
            });
        }

        [Fact]
        public Task FixAllPutsEverySubscriptionIntoExistingDispose()
        {
            return FixAsync(new[]
            {
                Settings,
                """
                using System;

                public class Page : IDisposable
                {
                    private string _name = "";
                    public Page()
                    {
                        {|LEAK003:Settings.Reloaded += OnReloaded|};
                        {|LEAK003:Settings.Renamed += (s, name) => _name = name|};
                    }
                    private void OnReloaded(object? sender, EventArgs e) { }
                    public void Dispose() => Console.WriteLine("disposed");
                }
                """,
            }, new[]
            {
                Settings,
                """
                using System;

                public class Page : IDisposable
                {
                    private string _name = "";
                    public Page()
                    {
                        Settings.Reloaded += OnReloaded;
                        Settings.Renamed += OnRenamed;
                    }

                    private void OnRenamed(object? s, string name) => _name = name;

                    private void OnReloaded(object? sender, EventArgs e) { }
                    public void Dispose()
                    {
                        Console.WriteLine("disposed");
                        Settings.Reloaded -= OnReloaded;
                        Settings.Renamed -= OnRenamed;
                    }
                }
                """,
            });
        }

        [Fact]
        public Task LambdaCapturingLocalsIsStoredInField()
        {
            return FixAsync(new[]
            {
                Settings,
                """
                using System;

                public class Page
                {
                    private int _count;
                    public void Watch(int step)
                    {
                        {|LEAK003:Settings.Reloaded += (s, e) => _count += step|};
                    }
                }
                """,
            }, new[]
            {
                Settings,
                """
                using System;

                public class Page : IDisposable
                {
                    private EventHandler? _onReloaded;
                    private int _count;
                    public void Watch(int step)
                    {
                        Settings.Reloaded += _onReloaded = (s, e) => _count += step;
                    }

                    public void Dispose()
                    {
                        if (_onReloaded is not null)
                        {
                            Settings.Reloaded -= _onReloaded;
                        }
                    }
                }
                """,
            });
        }

        [Fact]
        public Task DisposeAsyncWhenThatIsWhatTheTypeHas()
        {
            return FixAsync(new[]
            {
                Settings,
                """
                using System;
                using System.Threading.Tasks;

                public class Session : IAsyncDisposable
                {
                    public Session() { {|LEAK003:Settings.Reloaded += OnReloaded|}; }
                    private void OnReloaded(object? sender, EventArgs e) { }
                    public ValueTask DisposeAsync() => default;
                }
                """,
            }, new[]
            {
                Settings,
                """
                using System;
                using System.Threading.Tasks;

                public class Session : IAsyncDisposable
                {
                    public Session() { Settings.Reloaded += OnReloaded; }
                    private void OnReloaded(object? sender, EventArgs e) { }
                    public ValueTask DisposeAsync()
                    {
                        Settings.Reloaded -= OnReloaded;
                        return default;
                    }
                }
                """,
            });
        }

        [Fact]
        public Task DisposeInAnotherPartialPartAndInjectedParameterThroughItsField()
        {
            return FixAsync(new[]
            {
                Settings,
                """
                using System;

                public interface IBus { event EventHandler? Published; }

                public partial class Widget
                {
                    private readonly IBus _bus;
                    public Widget(IBus bus)
                    {
                        _bus = bus;
                        {|LEAK003:bus.Published += OnPublished|};
                    }
                    private void OnPublished(object? sender, EventArgs e) { }
                }
                """,
                """
                using System;

                public partial class Widget : IDisposable
                {
                    public void Dispose()
                    {
                    }
                }
                """,
            }, new[]
            {
                Settings,
                """
                using System;

                public interface IBus { event EventHandler? Published; }

                public partial class Widget
                {
                    private readonly IBus _bus;
                    public Widget(IBus bus)
                    {
                        _bus = bus;
                        bus.Published += OnPublished;
                    }
                    private void OnPublished(object? sender, EventArgs e) { }
                }
                """,
                """
                using System;

                public partial class Widget : IDisposable
                {
                    public void Dispose()
                    {
                        _bus.Published -= OnPublished;
                    }
                }
                """,
            });
        }

        [Fact]
        public Task InheritedDisposeBoolIsOverridden()
        {
            return FixAsync(new[]
            {
                Settings,
                """
                using System;

                public abstract class ViewModelBase : IDisposable
                {
                    public void Dispose() { Dispose(true); }
                    protected virtual void Dispose(bool disposing) { }
                }

                public class Page : ViewModelBase
                {
                    public Page() { {|LEAK003:Settings.Reloaded += OnReloaded|}; }
                    private void OnReloaded(object? sender, EventArgs e) { }
                }
                """,
            }, new[]
            {
                Settings,
                """
                using System;

                public abstract class ViewModelBase : IDisposable
                {
                    public void Dispose() { Dispose(true); }
                    protected virtual void Dispose(bool disposing) { }
                }

                public class Page : ViewModelBase
                {
                    public Page() { Settings.Reloaded += OnReloaded; }
                    private void OnReloaded(object? sender, EventArgs e) { }

                    protected override void Dispose(bool disposing)
                    {
                        Settings.Reloaded -= OnReloaded;
                        base.Dispose(disposing);
                    }
                }
                """,
            });
        }
    }
}
