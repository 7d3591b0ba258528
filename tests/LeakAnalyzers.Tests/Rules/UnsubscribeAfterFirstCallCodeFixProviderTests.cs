using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Retention;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Retention.EventSubscriptionOutlivesSubscriberAnalyzer, LeakAnalyzers.CodeFixes.Retention.UnsubscribeAfterFirstCallCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class UnsubscribeAfterFirstCallCodeFixProviderTests
    {
        private static Task FixAsync(string source, string fixedSource)
        {
            var test = new F.CodeFixTest { CodeActionEquivalenceKey = UnsubscribeAfterFirstCallCodeFixProvider.Key, MarkupOptions = MarkupOptions.UseFirstDescriptor };
            test.TestState.Sources.Add(source);
            test.FixedState.Sources.Add(fixedSource);
            return test.RunAsync(CancellationToken.None);
        }

        [Fact]
        public Task OneShotLambdasRemoveThemselvesWithFixAll()
        {
            return FixAsync("""
                using System;

                public static class Settings
                {
                    public static event EventHandler? Reloaded;
                    public static event EventHandler<string>? Renamed;
                    public static void Raise() { Reloaded?.Invoke(null, EventArgs.Empty); Renamed?.Invoke(null, "x"); }
                }

                public class Page
                {
                    private int _n;
                    private string _name = "";
                    public void WaitOnce()
                    {
                        {|LEAK003:Settings.Reloaded += (s, e) => _n++|};
                        {|LEAK003:Settings.Renamed += (s, name) => { _name = name; }|};
                    }
                }
                """, """
                using System;

                public static class Settings
                {
                    public static event EventHandler? Reloaded;
                    public static event EventHandler<string>? Renamed;
                    public static void Raise() { Reloaded?.Invoke(null, EventArgs.Empty); Renamed?.Invoke(null, "x"); }
                }

                public class Page
                {
                    private int _n;
                    private string _name = "";
                    public void WaitOnce()
                    {
                        EventHandler? handler = null;
                        handler = (s, e) => { Settings.Reloaded -= handler; _n++; };
                        Settings.Reloaded += handler;
                        EventHandler<string>? handler2 = null;
                        handler2 = (s, name) => { Settings.Renamed -= handler2; _name = name; };
                        Settings.Renamed += handler2;
                    }
                }
                """);
        }
    }
}
