using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Resources;
using Xunit;
using F5 = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.DisposableNotDisposedAnalyzer, LeakAnalyzers.CodeFixes.Resources.DisposeWhereDroppedCodeFixProvider>;
using U5 = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.DisposableNotDisposedAnalyzer, LeakAnalyzers.CodeFixes.Resources.AddUsingCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    /// <summary>LEAK005 where <c>using</c> would dispose what the method hands over: dispose on the paths that drop it.</summary>
    public class DisposeWhereDroppedCodeFixProviderTests
    {
        private const string EarlyReturn = """
            using System.IO;

            public class Files
            {
                public Stream? OpenNonEmpty(string path)
                {
                    var stream = {|LEAK005:File.OpenRead(path)|};
                    if (stream.Length == 0)
                    {
                        return null;
                    }

                    return stream;
                }
            }
            """;

        [Fact]
        public Task DisposesBeforeTheEarlyReturnThatDropsIt()
        {
            return F5.CodeFixAsync(EarlyReturn, """
                using System.IO;

                public class Files
                {
                    public Stream? OpenNonEmpty(string path)
                    {
                        var stream = File.OpenRead(path);
                        if (stream.Length == 0)
                        {
                            stream.Dispose();
                            return null;
                        }

                        return stream;
                    }
                }
                """, DisposeWhereDroppedCodeFixProvider.Key);
        }

        [Fact]
        public Task AddUsingIsNotOfferedForALocalThatIsReturned()
        {
            return U5.NoCodeFixAsync(EarlyReturn, AddUsingCodeFixProvider.DisposableKey);
        }

        [Fact]
        public Task AddsAnElseToTheBranchThatDoesNotYieldIt()
        {
            return F5.CodeFixAsync("""
                using System.Collections.Generic;
                using System.IO;

                public class Files
                {
                    public IEnumerable<Stream> NonEmpty(string[] paths)
                    {
                        foreach (var path in paths)
                        {
                            var stream = {|LEAK005:File.OpenRead(path)|};
                            if (stream.Length > 0)
                            {
                                yield return stream;
                            }
                        }
                    }
                }
                """, """
                using System.Collections.Generic;
                using System.IO;

                public class Files
                {
                    public IEnumerable<Stream> NonEmpty(string[] paths)
                    {
                        foreach (var path in paths)
                        {
                            var stream = File.OpenRead(path);
                            if (stream.Length > 0)
                            {
                                yield return stream;
                            }
                            else
                            {
                                stream.Dispose();
                            }
                        }
                    }
                }
                """, DisposeWhereDroppedCodeFixProvider.Key);
        }

        [Fact]
        public Task DisposesAtTheEndOfTheBlockAndBeforeABreakWhenStoredOnOneBranch()
        {
            return F5.CodeFixAsync("""
                using System.Collections.Generic;
                using System.IO;

                public sealed class Pool : System.IDisposable
                {
                    private readonly List<FileStream> _open = new List<FileStream>();

                    public void OpenAll(string[] paths, long limit)
                    {
                        foreach (var path in paths)
                        {
                            var stream = {|LEAK005:new FileStream(path, FileMode.Open)|};
                            if (stream.Length > limit)
                                break;
                            if (stream.CanSeek)
                            {
                                _open.Add(stream);
                                continue;
                            }
                        }
                    }

                    public void Dispose() => _open.ForEach(s => s.Dispose());
                }
                """, """
                using System.Collections.Generic;
                using System.IO;

                public sealed class Pool : System.IDisposable
                {
                    private readonly List<FileStream> _open = new List<FileStream>();

                    public void OpenAll(string[] paths, long limit)
                    {
                        foreach (var path in paths)
                        {
                            var stream = new FileStream(path, FileMode.Open);
                            if (stream.Length > limit)
                            {
                                stream.Dispose();
                                break;
                            }
                            if (stream.CanSeek)
                            {
                                _open.Add(stream);
                                continue;
                            }
                            stream.Dispose();
                        }
                    }

                    public void Dispose() => _open.ForEach(s => s.Dispose());
                }
                """, DisposeWhereDroppedCodeFixProvider.Key);
        }

        [Fact]
        public Task NoFixWhenTheLocalGoesToACallWhoseOwnershipIsUnknown()
        {
            return F5.NoCodeFixAsync("""
                using System.IO;

                public class Files
                {
                    public Stream? OpenChecked(string path)
                    {
                        var stream = {|LEAK005:File.OpenRead(path)|};
                        if (stream.Length == 0)
                        {
                            return null;
                        }

                        Inspect(stream);
                        return stream;
                    }

                    private static void Inspect(Stream stream) => stream.Flush();
                }
                """, DisposeWhereDroppedCodeFixProvider.Key);
        }

        [Fact]
        public Task NoFixWhenTheResourceIsNeverHandedOver()
        {
            // Add using is the fix there.
            return F5.NoCodeFixAsync("""
                using System.IO;

                public class Reader
                {
                    public int First(string path, bool skip)
                    {
                        var stream = {|LEAK005:File.OpenRead(path)|};
                        if (skip)
                        {
                            return 0;
                        }

                        var b = stream.ReadByte();
                        stream.Dispose();
                        return b;
                    }
                }
                """, DisposeWhereDroppedCodeFixProvider.Key);
        }

        [Fact]
        public Task HoistsTheLocalOutOfATryWhoseCatchSwallowsTheException()
        {
            return F5.CodeFixAsync("""
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Tuners
                {
                    public async Task<Stream> OpenFirstAsync(string[] hosts, CancellationToken cancellationToken)
                    {
                        foreach (var host in hosts)
                        {
                            try
                            {
                                var stream = await {|LEAK005:ConnectAsync(host)|}.ConfigureAwait(false);
                                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                                return stream;
                            }
                            catch (IOException ex)
                            {
                                Console.WriteLine(ex.Message);
                            }
                        }

                        throw new InvalidOperationException("no host");
                    }

                    private static Task<Stream> ConnectAsync(string host) => Task.FromResult<Stream>(File.OpenRead(host));
                }
                """, """
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Tuners
                {
                    public async Task<Stream> OpenFirstAsync(string[] hosts, CancellationToken cancellationToken)
                    {
                        foreach (var host in hosts)
                        {
                            Stream? stream = null;
                            try
                            {
                                stream = await ConnectAsync(host).ConfigureAwait(false);
                                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                                return stream;
                            }
                            catch (IOException ex)
                            {
                                stream?.Dispose();
                                Console.WriteLine(ex.Message);
                            }
                        }

                        throw new InvalidOperationException("no host");
                    }

                    private static Task<Stream> ConnectAsync(string host) => Task.FromResult<Stream>(File.OpenRead(host));
                }
                """, DisposeWhereDroppedCodeFixProvider.Key);
        }

        [Fact]
        public Task NoHoistingWhenTheTryStoresTheLocalBeforeSomethingThatCanThrow()
        {
            return F5.NoCodeFixAsync("""
                using System;
                using System.Collections.Generic;
                using System.IO;

                public class Registry
                {
                    private readonly List<Stream> _open = new List<Stream>();

                    public void OpenAll(string[] paths)
                    {
                        foreach (var path in paths)
                        {
                            try
                            {
                                var stream = {|LEAK005:File.OpenRead(path)|};
                                if (stream.Length == 0)
                                {
                                    continue;
                                }

                                _open.Add(stream);
                                Console.WriteLine(stream.Length);
                            }
                            catch (IOException ex)
                            {
                                Console.WriteLine(ex.Message);
                            }
                        }
                    }
                }
                """, DisposeWhereDroppedCodeFixProvider.Key);
        }

        [Fact]
        public Task DisposesBeforeAThrowAndAnEmbeddedReturnWhenStoredInAField()
        {
            return F5.CodeFixAsync("""
                using System;
                using System.IO;

                public sealed class Current : IDisposable
                {
                    private Stream? _current;

                    public void Open(string path, bool strict)
                    {
                        var stream = {|LEAK005:File.OpenRead(path)|};
                        if (stream.Length == 0)
                            return;
                        if (strict && !stream.CanSeek)
                        {
                            throw new InvalidDataException(path);
                        }

                        _current?.Dispose();
                        _current = stream;
                    }

                    public void Dispose() => _current?.Dispose();
                }
                """, """
                using System;
                using System.IO;

                public sealed class Current : IDisposable
                {
                    private Stream? _current;

                    public void Open(string path, bool strict)
                    {
                        var stream = File.OpenRead(path);
                        if (stream.Length == 0)
                        {
                            stream.Dispose();
                            return;
                        }
                        if (strict && !stream.CanSeek)
                        {
                            stream.Dispose();
                            throw new InvalidDataException(path);
                        }

                        _current?.Dispose();
                        _current = stream;
                    }

                    public void Dispose() => _current?.Dispose();
                }
                """, DisposeWhereDroppedCodeFixProvider.Key);
        }
    }
}
