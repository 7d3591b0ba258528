using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Retention;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Retention.LongLivedDelegateCapturesAnalyzer, LeakAnalyzers.CodeFixes.Retention.CaptureOnlyWhatIsNeededCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class CaptureOnlyWhatIsNeededCodeFixProviderTests
    {
        /// <summary>One fix at a time and Fix All (the rule has two descriptors with one ID: markup uses the first).</summary>
        private static Task FixAsync(string source, string fixedSource, string key)
        {
            var test = new F.CodeFixTest { CodeActionEquivalenceKey = key, MarkupOptions = MarkupOptions.UseFirstDescriptor };
            test.TestState.Sources.Add(source);
            test.FixedState.Sources.Add(fixedSource);
            return test.RunAsync(CancellationToken.None);
        }

        [Fact]
        public Task ReadOnlyMembersAreCopiedIntoLocals()
        {
            return FixAsync("""
                using System;
                using System.Collections.Generic;

                public static class Hooks { public static readonly List<Func<string>> Describers = new(); }

                public class Report
                {
                    private readonly string _title = "t";
                    public int Pages { get; } = 3;
                    public void Publish()
                    {
                        Hooks.Describers.Add(() {|LEAK004:=>|} _title + this.Pages + _title);
                    }
                }
                """, """
                using System;
                using System.Collections.Generic;

                public static class Hooks { public static readonly List<Func<string>> Describers = new(); }

                public class Report
                {
                    private readonly string _title = "t";
                    public int Pages { get; } = 3;
                    public void Publish()
                    {
                        var title = _title;
                        var pages = Pages;
                        Hooks.Describers.Add(() => title + pages + title);
                    }
                }
                """, CaptureOnlyWhatIsNeededCodeFixProvider.CaptureKey);
        }

        [Fact]
        public Task LazilyAssignedStaticSlotNoLongerPinsTheFirstInstance()
        {
            // s_format ??= ... from an instance keeps the first instance for the process; copying the read-only value it
            // needs leaves only that value in the slot.
            return FixAsync("""
                using System;

                public class Formatter
                {
                    private static Func<object, string>? s_format;
                    private readonly string _culture;

                    public Formatter(string culture) => _culture = culture;

                    public string Format(object value)
                    {
                        s_format ??= v {|LEAK004:=>|} _culture + ":" + v;
                        return s_format(value);
                    }
                }
                """, """
                using System;

                public class Formatter
                {
                    private static Func<object, string>? s_format;
                    private readonly string _culture;

                    public Formatter(string culture) => _culture = culture;

                    public string Format(object value)
                    {
                        var culture = _culture;
                        s_format ??= v => culture + ":" + v;
                        return s_format(value);
                    }
                }
                """, CaptureOnlyWhatIsNeededCodeFixProvider.CaptureKey);
        }

        [Fact]
        public Task FixAllPicksDistinctNamesInOneBlock()
        {
            return FixAsync("""
                using System;

                public class Report
                {
                    public static Func<string>? First;
                    public static Func<string>? Second;
                    private readonly string _title = "t";
                    public void Publish()
                    {
                        First += () {|LEAK004:=>|} _title;
                        Second += () {|LEAK004:=>|} _title + "!";
                    }
                }
                """, """
                using System;

                public class Report
                {
                    public static Func<string>? First;
                    public static Func<string>? Second;
                    private readonly string _title = "t";
                    public void Publish()
                    {
                        var title = _title;
                        First += () => title;
                        var title2 = _title;
                        Second += () => title2 + "!";
                    }
                }
                """, CaptureOnlyWhatIsNeededCodeFixProvider.CaptureKey);
        }

        [Fact]
        public Task MutableStateIsNotCopied()
        {
            var source = """
                using System;

                public class Counter
                {
                    public static Action? Tick;
                    private int _count;
                    public void Start() { Tick += () {|LEAK004:=>|} _count++; }
                }
                """;
            var test = new F.CodeFixTest
            {
                CodeActionEquivalenceKey = CaptureOnlyWhatIsNeededCodeFixProvider.CaptureKey,
                MarkupOptions = MarkupOptions.UseFirstDescriptor,
                CodeActionValidationMode = CodeActionValidationMode.None,
            };
            test.TestState.Sources.Add(source);
            test.FixedState.Sources.Add(source);
            test.FixedState.MarkupHandling = MarkupMode.Allow;
            return test.RunAsync(CancellationToken.None);
        }

        [Fact]
        public Task RegistrationIsKeptAndDisposed()
        {
            return FixAsync("""
                using System.Threading;
                using System.Threading.Tasks;

                public class Downloader
                {
                    private bool _cancelled;
                    public async Task RunAsync(CancellationToken token, CancellationToken other)
                    {
                        token.Register(() {|LEAK004:=>|} _cancelled = true);
                        other.Register(() {|LEAK004:=>|} _cancelled = true);
                        await Task.Delay(10);
                    }
                }
                """, """
                using System.Threading;
                using System.Threading.Tasks;

                public class Downloader
                {
                    private bool _cancelled;
                    public async Task RunAsync(CancellationToken token, CancellationToken other)
                    {
                        using var registration = token.Register(() => _cancelled = true);
                        using var registration2 = other.Register(() => _cancelled = true);
                        await Task.Delay(10);
                    }
                }
                """, CaptureOnlyWhatIsNeededCodeFixProvider.RegistrationKey);
        }
    }
}
