using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Resources;
using LeakAnalyzers.Resources;
using Xunit;
using F5 = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.DisposableNotDisposedAnalyzer, LeakAnalyzers.CodeFixes.Resources.AddUsingCodeFixProvider>;
using F9 = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.TimerOrRegistrationKeptAliveAnalyzer, LeakAnalyzers.CodeFixes.Resources.AddUsingCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class AddUsingCodeFixProviderTests
    {
        [Fact]
        public Task AddsUsingVarKeepingComments()
        {
            return F5.CodeFixAsync("""
                using System.IO;

                public class Reader
                {
                    public int First(string path)
                    {
                        // open the file
                        var stream = {|LEAK005:File.OpenRead(path)|}; // trailing note
                        return stream.ReadByte();
                    }

                    public long Second(string path)
                    {
                        var info = {|LEAK005:new FileStream(path, FileMode.Open)|};
                        return info.Length;
                    }
                }
                """, """
                using System.IO;

                public class Reader
                {
                    public int First(string path)
                    {
                        // open the file
                        using var stream = File.OpenRead(path); // trailing note
                        return stream.ReadByte();
                    }

                    public long Second(string path)
                    {
                        using var info = new FileStream(path, FileMode.Open);
                        return info.Length;
                    }
                }
                """, AddUsingCodeFixProvider.DisposableKey);
        }

        [Fact]
        public Task AddsAwaitUsingInAsyncMethod()
        {
            return F5.CodeFixAsync("""
                using System.IO;
                using System.Threading.Tasks;

                public class Reader
                {
                    public async Task<int> FirstAsync(string path)
                    {
                        var stream = {|LEAK005:File.OpenRead(path)|};
                        return await stream.ReadAsync(new byte[1]);
                    }
                }
                """, """
                using System.IO;
                using System.Threading.Tasks;

                public class Reader
                {
                    public async Task<int> FirstAsync(string path)
                    {
                        await using var stream = File.OpenRead(path);
                        return await stream.ReadAsync(new byte[1]);
                    }
                }
                """, AddUsingCodeFixProvider.DisposableKey);
        }

        [Fact]
        public Task RemovesTrailingDisposeWhenEarlyReturnSkippedIt()
        {
            return F5.CodeFixAsync("""
                using System.IO;

                public class Reader
                {
                    public void Copy(string path, bool skip)
                    {
                        var stream = {|LEAK005:File.OpenRead(path)|};
                        if (skip)
                        {
                            return;
                        }

                        stream.ReadByte();
                        stream.Dispose();
                    }
                }
                """, """
                using System.IO;

                public class Reader
                {
                    public void Copy(string path, bool skip)
                    {
                        using var stream = File.OpenRead(path);
                        if (skip)
                        {
                            return;
                        }

                        stream.ReadByte();
                    }
                }
                """, AddUsingCodeFixProvider.DisposableKey);
        }

        [Fact]
        public Task NoFixWhenTheLocalIsReassigned()
        {
            return F5.NoCodeFixAsync("""
                using System.IO;

                public class Scanner
                {
                    public long Total(string[] paths)
                    {
                        long total = 0;
                        FileStream? stream = null;
                        foreach (var path in paths)
                        {
                            stream = {|LEAK005:File.OpenRead(path)|};
                            total += stream.Length;
                        }

                        stream?.Dispose();
                        return total;
                    }
                }
                """, AddUsingCodeFixProvider.DisposableKey);
        }

        [Fact]
        public Task RegistrationAndLinkedSourceGetUsing()
        {
            return F9.CodeFixAsync("""
                using System.Threading;
                using System.Threading.Tasks;

                public class Waiter
                {
                    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
                    {
                        var tcs = new TaskCompletionSource<bool>();
                        {|LEAK009:cancellationToken.Register(() => tcs.TrySetCanceled())|};
                        var linked = {|LEAK009:CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)|};
                        await Task.Delay(1, linked.Token);
                        return await tcs.Task;
                    }
                }
                """, """
                using System.Threading;
                using System.Threading.Tasks;

                public class Waiter
                {
                    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
                    {
                        var tcs = new TaskCompletionSource<bool>();
                        using var registration = cancellationToken.Register(() => tcs.TrySetCanceled());
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        await Task.Delay(1, linked.Token);
                        return await tcs.Task;
                    }
                }
                """, AddUsingCodeFixProvider.TimerOrRegistrationKey);
        }

        [Fact]
        public Task ADisposableDroppedInsideAnExpressionIsHoistedIntoAUsingLocal()
        {
            return F5.CodeFixAsync("""
                using System.IO;

                public static class Files
                {
                    public static string Head(string path)
                    {
                        var text = {|LEAK005:new StreamReader(path)|}.ReadToEnd();
                        return text.Substring(0, 10);
                    }

                    public static long Size(string path) => Measure(path);

                    private static long Measure(string path)
                    {
                        return {|LEAK005:File.OpenRead(path)|}.Length;
                    }
                }
                """, """
                using System.IO;

                public static class Files
                {
                    public static string Head(string path)
                    {
                        using var streamReader = new StreamReader(path);
                        var text = streamReader.ReadToEnd();
                        return text.Substring(0, 10);
                    }

                    public static long Size(string path) => Measure(path);

                    private static long Measure(string path)
                    {
                        using var fileStream = File.OpenRead(path);
                        return fileStream.Length;
                    }
                }
                """, AddUsingCodeFixProvider.DisposableKey);
        }

        [Fact]
        public Task NoHoistingWhereTheCreationIsConditionalOrNotInABlock()
        {
            return F5.NoCodeFixAsync("""
                using System.IO;

                public static class Console2
                {
                    public static bool Available(bool interactive)
                    {
                        if (!interactive)
                        {
                            return false;
                        }
                        else if ({|LEAK005:System.Console.OpenStandardInput(1)|} == Stream.Null)
                        {
                            return false;
                        }

                        return interactive && {|LEAK005:System.Console.OpenStandardInput(1)|}.CanRead;
                    }
                }
                """, AddUsingCodeFixProvider.DisposableKey);
        }

        [Fact]
        public Task ALinkedSourceWhoseTokenIsPassedToAnAwaitedCallIsHoisted()
        {
            return F9.CodeFixAsync("""
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Copier
                {
                    private readonly CancellationTokenSource _stopping = new();

                    public async Task CopyAsync(Stream source, Stream target, CancellationToken cancellationToken)
                    {
                        await source.CopyToAsync(target, {|LEAK009:CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token)|}.Token);
                    }
                }
                """, """
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Copier
                {
                    private readonly CancellationTokenSource _stopping = new();

                    public async Task CopyAsync(Stream source, Stream target, CancellationToken cancellationToken)
                    {
                        using var cancellationTokenSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
                        await source.CopyToAsync(target, cancellationTokenSource.Token);
                    }
                }
                """, AddUsingCodeFixProvider.TimerOrRegistrationKey);
        }

        [Fact]
        public Task NoHoistingOfATokenSourceWhoseTokenOutlivesTheStatement()
        {
            return F9.NoCodeFixAsync("""
                using System;
                using System.Threading;

                public class Command
                {
                    private Func<CancellationToken>? _factory;

                    public void CancelAfter(TimeSpan timeout) => _factory = () => {|LEAK009:new CancellationTokenSource(timeout)|}.Token;
                }
                """, AddUsingCodeFixProvider.TimerOrRegistrationKey);
        }

        [Fact]
        public Task NoUsingForATimerThatMustKeepRunning()
        {
            return F9.NoCodeFixAsync("""
                public class Heartbeat
                {
                    public void Start()
                    {
                        var timer = {|LEAK009:new System.Timers.Timer(1000)|};
                        timer.Elapsed += (s, e) => Beat();
                        timer.Start();
                    }

                    private void Beat() { }
                }
                """, AddUsingCodeFixProvider.TimerOrRegistrationKey);
        }

        [Fact]
        public Task UsingForASourceGivenADelayByCancelAfterThatServesAnAwait()
        {
            return F9.CodeFixAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Client
                {
                    public async Task<int> FetchAsync(Func<CancellationToken, Task<int>> fetch)
                    {
                        var timeout = {|LEAK009:new CancellationTokenSource()|};
                        timeout.CancelAfter(5000);
                        return await fetch(timeout.Token);
                    }
                }
                """, """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Client
                {
                    public async Task<int> FetchAsync(Func<CancellationToken, Task<int>> fetch)
                    {
                        using var timeout = new CancellationTokenSource();
                        timeout.CancelAfter(5000);
                        return await fetch(timeout.Token);
                    }
                }
                """, AddUsingCodeFixProvider.TimerOrRegistrationKey);
        }

        [Fact]
        public Task NoUsingForASourceGivenADelayByCancelAfterWhoseTimeoutMustFireLater()
        {
            // Akka.NET's Ask: the timeout must still fire after the block ends; using var would cancel nothing, ever.
            return F9.NoCodeFixAsync("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                public class Asker
                {
                    public Task<object> Ask(TimeSpan timeout)
                    {
                        var result = new TaskCompletionSource<object>();
                        if (timeout > TimeSpan.Zero)
                        {
                            var cancellationSource = {|LEAK009:new CancellationTokenSource()|};
                            cancellationSource.Token.Register(() => result.TrySetCanceled());
                            cancellationSource.CancelAfter(timeout);
                        }

                        return result.Task;
                    }
                }
                """, AddUsingCodeFixProvider.TimerOrRegistrationKey);
        }
    }
}
