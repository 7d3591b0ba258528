using System.Threading.Tasks;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.DisposableNotDisposedAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class DisposableNotDisposedAnalyzerTests
    {
        // ---- Positive ----

        [Fact]
        public Task LocalNeverDisposed()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Reader
                {
                    public int First(string path)
                    {
                        var stream = {|#0:new FileStream(path, FileMode.Open)|};
                        return stream.ReadByte();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"));
        }

        [Fact]
        public Task FactoryResultDroppedAfterMemberAccess()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Config
                {
                    public string Load(string path) => {|#0:File.OpenText(path)|}.ReadToEnd();
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("StreamReader", "dropped without being disposed"));
        }

        [Fact]
        public Task DiscardedCreation()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Touch
                {
                    public void Run(string path)
                    {
                        {|#0:File.Create(path)|};
                        _ = {|#1:new FileStream(path, FileMode.Open)|};
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "dropped without being disposed"),
                V.Diagnostic().WithLocation(1).WithArguments("FileStream", "dropped without being disposed"));
        }

        [Fact]
        public Task EarlyReturnSkipsDispose()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Reader
                {
                    public int First(string path, bool skip)
                    {
                        var stream = {|#0:File.OpenRead(path)|};
                        if (skip)
                        {
                            return 0;
                        }

                        var b = stream.ReadByte();
                        stream.Dispose();
                        return b;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "not disposed on every path"));
        }

        [Fact]
        public Task ExceptionBetweenCreateAndDispose()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Writer
                {
                    public void Write(string path, byte[] data)
                    {
                        var stream = {|#0:new FileStream(path, FileMode.Create)|};
                        stream.Write(data, 0, data.Length);
                        stream.Dispose();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "not disposed when an exception is thrown"));
        }

        [Fact]
        public Task ExceptionPathsCanBeSwitchedOff()
        {
            var test = new V.AnalyzerTest();
            test.TestState.Sources.Add("""
                using System.IO;

                public class Writer
                {
                    public void Write(string path, byte[] data)
                    {
                        var stream = new FileStream(path, FileMode.Create);
                        stream.Write(data, 0, data.Length);
                        stream.Dispose();
                    }
                }
                """);
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", """
                root = true

                [*.cs]
                leak_analyzers.LEAK005.exception_paths = false
                """));
            return V.AnalyzerAsync(test);
        }

        [Fact]
        public Task AwaitedFactoryInAsyncMethod()
        {
            return V.AnalyzerAsync("""
                using System.Net.Http;
                using System.Threading.Tasks;

                public class Client
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<int> StatusAsync(HttpRequestMessage request)
                    {
                        var response = await {|#0:_http.SendAsync(request)|}.ConfigureAwait(false);
                        return (int)response.StatusCode;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("HttpResponseMessage", "never disposed"));
        }

        [Fact]
        public Task OverwrittenInLoop()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Scanner
                {
                    public long Total(string[] paths)
                    {
                        long total = 0;
                        FileStream? stream = null;
                        foreach (var path in paths)
                        {
                            stream = {|#0:File.OpenRead(path)|};
                            total += stream.Length;
                        }

                        stream?.Dispose();
                        return total;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "overwritten before it is disposed"));
        }

        [Fact]
        public Task InsideLambdaAndLocalFunction()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public class Jobs
                {
                    public Func<string, long> Measure() => path =>
                    {
                        var s = {|#0:File.OpenRead(path)|};
                        return s.Length;
                    };

                    public long Local(string path)
                    {
                        return Size();

                        long Size()
                        {
                            var s = {|#1:File.OpenRead(path)|};
                            return s.Length;
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"),
                V.Diagnostic().WithLocation(1).WithArguments("FileStream", "never disposed"));
        }

        [Fact]
        public Task GenericFactoryAndStructDisposable()
        {
            return V.AnalyzerAsync("""
                using System;

                public struct Lease : IDisposable
                {
                    public void Dispose() => Native.Release(1);
                }

                public sealed record Session : IDisposable
                {
                    public string Name { get; init; } = "";
                    public void Dispose() => Native.Release(2);
                }

                public static class Native
                {
                    public static void Release(int handle) { }
                }

                public static class Factory
                {
                    public static T Create<T>() where T : IDisposable, new() => new T();
                }

                public class User
                {
                    public string Run()
                    {
                        var lease = {|#0:new Lease()|};
                        var session = {|#1:Factory.Create<Session>()|};
                        return session.Name + lease.GetHashCode();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Lease", "never disposed"),
                V.Diagnostic().WithLocation(1).WithArguments("Session", "never disposed"));
        }

        [Fact]
        public Task RefStructWithDispose()
        {
            return V.AnalyzerAsync("""
                public ref struct Buffer
                {
                    public Buffer(int size) { Size = size; }
                    public int Size { get; }
                    public void Dispose() { }
                }

                public class User
                {
                    public int Run()
                    {
                        var b = {|#0:new Buffer(10)|};
                        return b.Size;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Buffer", "never disposed"));
        }

        [Fact]
        public Task PatternMatchingAndSwitchExpressionDoNotHideTheLeak()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Kinds
                {
                    public string Describe(string path, int mode)
                    {
                        var stream = {|#0:File.OpenRead(path)|};
                        var kind = mode switch { 0 => "zero", _ => "other" };
                        if (stream is { Length: > 10 })
                        {
                            return kind;
                        }

                        return kind + stream.Length;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"));
        }

        // ---- Negative ----

        [Fact]
        public Task UsingDeclarationsAndStatements()
        {
            return V.AnalyzerAsync("""
                using System.IO;
                using System.Threading.Tasks;

                public class Reader
                {
                    public int A(string path)
                    {
                        using var stream = File.OpenRead(path);
                        return stream.ReadByte();
                    }

                    public int B(string path)
                    {
                        using (var stream = new FileStream(path, FileMode.Open))
                        {
                            return stream.ReadByte();
                        }
                    }

                    public int C(string path)
                    {
                        var stream = File.OpenRead(path);
                        using (stream)
                        {
                            return stream.ReadByte();
                        }
                    }

                    public async Task<int> D(string path)
                    {
                        await using var stream = File.OpenRead(path);
                        return await stream.ReadAsync(new byte[1]);
                    }

                    public void E(string path)
                    {
                        using (File.Create(path)) { }
                    }
                }
                """);
        }

        [Fact]
        public Task DisposedInFinallyOrEveryPath()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Reader
                {
                    public int A(string path)
                    {
                        var stream = File.OpenRead(path);
                        try
                        {
                            return stream.ReadByte();
                        }
                        finally
                        {
                            stream.Dispose();
                        }
                    }

                    public int B(string path)
                    {
                        FileStream? stream = null;
                        try
                        {
                            stream = File.OpenRead(path);
                            return stream.ReadByte();
                        }
                        finally
                        {
                            if (stream != null)
                            {
                                stream.Dispose();
                            }
                        }
                    }

                    public int C(string path, bool flag)
                    {
                        var stream = new FileStream(path, FileMode.Open);
                        if (flag)
                        {
                            stream.Dispose();
                            return 0;
                        }

                        stream.Dispose();
                        return 1;
                    }

                    public void D(string path)
                    {
                        var stream = File.OpenRead(path);
                        stream?.Dispose();
                    }
                }
                """);
        }

        [Fact]
        public Task OwnershipTransferred()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;
                using System.IO;
                using System.Threading.Tasks;

                public class Owner : IDisposable
                {
                    private Stream? _stream;
                    private readonly List<IDisposable> _all = new();

                    public Stream Open(string path)
                    {
                        var stream = File.OpenRead(path);
                        return stream;
                    }

                    public void Keep(string path)
                    {
                        var stream = File.OpenRead(path);
                        _stream = stream;
                    }

                    public void Collect(string path)
                    {
                        var stream = File.OpenRead(path);
                        _all.Add(stream);
                    }

                    public StreamReader Wrap(string path)
                    {
                        var stream = File.OpenRead(path);
                        var reader = new StreamReader(stream);
                        return reader;
                    }

                    public Task<Stream> FromResult(string path)
                    {
                        var stream = File.OpenRead(path);
                        return Task.FromResult<Stream>(stream);
                    }

                    public IEnumerable<Stream> Many(string[] paths)
                    {
                        foreach (var path in paths)
                        {
                            var stream = File.OpenRead(path);
                            yield return stream;
                        }
                    }

                    public Action Later(string path)
                    {
                        var stream = File.OpenRead(path);
                        return () => stream.Dispose();
                    }

                    public (Stream, int) Tuple(string path)
                    {
                        var stream = File.OpenRead(path);
                        return (stream, 1);
                    }

                    public bool TryOpen(string path, out Stream? result)
                    {
                        var stream = File.OpenRead(path);
                        result = stream;
                        return true;
                    }

                    public void Dispose() => _stream?.Dispose();
                }
                """);
        }

        [Fact]
        public Task LeaveOpenWrapperStillNeedsTheStreamDisposed()
        {
            return V.AnalyzerAsync("""
                using System.IO;
                using System.Text;

                public class Reader
                {
                    public string Read(string path)
                    {
                        var stream = {|#0:File.OpenRead(path)|};
                        using var reader = new StreamReader(stream, Encoding.UTF8, true, 1024, leaveOpen: true);
                        return reader.ReadToEnd();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"));
        }

        [Fact]
        public Task ExemptTypesAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Quiet
                {
                    public string Run(byte[] data)
                    {
                        var memory = new MemoryStream(data);
                        var reader = new StringReader("x");
                        var writer = new StringWriter();
                        var cts = new CancellationTokenSource();
                        var gate = new SemaphoreSlim(1);
                        var task = Task.Run(() => 1);
                        return memory.Length + reader.ReadToEnd() + writer + cts.IsCancellationRequested + gate.CurrentCount + task.Id;
                    }
                }
                """);
        }

        [Fact]
        public Task ConfiguredExemptType()
        {
            var test = new V.AnalyzerTest();
            test.TestState.Sources.Add("""
                using System;

                public sealed class Handle : IDisposable
                {
                    public void Dispose() { }
                }

                public class User
                {
                    public int Run()
                    {
                        var h = new Handle();
                        return h.GetHashCode();
                    }
                }
                """);
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", """
                root = true

                [*.cs]
                leak_analyzers.LEAK005.exempt_types = Handle, Other.Type
                """));
            return V.AnalyzerAsync(test);
        }

        [Fact]
        public Task FluentCallThatMayReturnTheObjectIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System;

                public sealed class Builder : IDisposable
                {
                    public Builder With(int x) => this;
                    public void Dispose() { }
                }

                public class User
                {
                    public Builder Make() => new Builder().With(1);
                }
                """);
        }

        [Fact]
        public Task NonOwnedResultsOfNonFactoryMethodsAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public class User
                {
                    private readonly Stream _shared = Stream.Null;

                    private Stream Shared() => _shared;

                    public long Run()
                    {
                        var s = Shared();
                        var e = Console.Out;
                        return s.Length + e.GetHashCode();
                    }
                }
                """);
        }

        [Fact]
        public Task DisposedInCatchAndRethrownOrReturned()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Opener
                {
                    public Stream Open(string path)
                    {
                        var stream = File.OpenRead(path);
                        try
                        {
                            stream.ReadByte();
                            return stream;
                        }
                        catch
                        {
                            stream.Dispose();
                            throw;
                        }
                    }
                }
                """);
        }

        [Fact]
        public Task EnumeratorAndDisposeThatFreesNothingAreQuiet()
        {
            // Shape of NLog's TemplateEnumerator: a struct-like enumerator whose Dispose only resets fields.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections;
                using System.Collections.Generic;

                public sealed class Holes : IEnumerator<int>
                {
                    private string _text;
                    public Holes(string text) { _text = text; }
                    public int Current => _text.Length;
                    object IEnumerator.Current => Current;
                    public bool MoveNext() => _text.Length > 0;
                    public void Reset() { }
                    public void Dispose() { _text = string.Empty; }
                }

                public sealed class Marker : IDisposable
                {
                    private bool _done;
                    public void Dispose() => _done = true;
                }

                public class User
                {
                    public bool Run(string text)
                    {
                        var holes = new Holes(text);
                        var marker = new Marker();
                        return holes.MoveNext() && marker.GetHashCode() > 0;
                    }
                }
                """);
        }

        [Fact]
        public Task WrapperOverTheCallersResourceIsQuiet()
        {
            // Shape of Dapper's TransactedConnection test and StreamReader over a caller's stream: disposing would close it.
            return V.AnalyzerAsync("""
                using System.IO;

                public class Parser
                {
                    public string FirstLine(Stream input)
                    {
                        var reader = new StreamReader(input);
                        return reader.ReadLine() ?? "";
                    }
                }
                """);
        }

        [Fact]
        public Task WrapperOverAFreshResourceIsReported()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Parser
                {
                    public string FirstLine(string path)
                    {
                        var reader = {|#0:new StreamReader(File.OpenRead(path))|};
                        return reader.ReadLine() ?? "";
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("StreamReader", "never disposed"));
        }

        [Fact]
        public Task StopReleasesAListenerOnNormalPaths()
        {
            // Shape of MQTTnet's free-port probe: TcpListener.Stop closes the socket.
            return V.AnalyzerAsync("""
                using System.Net;
                using System.Net.Sockets;

                public class Ports
                {
                    public int FreePort()
                    {
                        var probe = {|#0:new TcpListener(IPAddress.Loopback, 0)|};
                        probe.Start();
                        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                        probe.Stop();
                        return port;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("TcpListener", "not disposed when an exception is thrown"));
        }

        [Fact]
        public Task ComparedThenDropped()
        {
            // Shape of NLog's console check (peer TP): the stream is opened only to compare it, and never disposed.
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public class ConsoleProbe
                {
                    public bool HasInput() => {|#0:Console.OpenStandardInput(1)|} != Stream.Null;
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Stream", "dropped without being disposed"));
        }

        [Fact]
        public Task MemoryManagerWithEmptyDisposeBoolIsQuiet()
        {
            // Shape of ImageSharp's ByteMemoryManager (peer FP #8): Dispose(bool) overrides an abstract method and frees nothing.
            return V.AnalyzerAsync("""
                using System;
                using System.Buffers;

                public sealed class ByteManager : MemoryManager<byte>
                {
                    private readonly Memory<byte> _memory;
                    public ByteManager(Memory<byte> memory) { _memory = memory; }
                    protected override void Dispose(bool disposing) { }
                    public override Span<byte> GetSpan() => _memory.Span;
                    public override MemoryHandle Pin(int elementIndex = 0) => default;
                    public override void Unpin() { }
                }

                public class Images
                {
                    public int Wrap(Memory<byte> bytes)
                    {
                        var manager = new ByteManager(bytes);
                        return manager.Memory.Length;
                    }
                }
                """);
        }

        [Fact]
        public Task StreamSubclassThatReleasesSomethingIsReported()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public sealed class Counting : Stream
                {
                    private readonly FileStream _inner = File.OpenRead("x");
                    public override bool CanRead => true;
                    public override bool CanSeek => false;
                    public override bool CanWrite => false;
                    public override long Length => 0;
                    public override long Position { get; set; }
                    public override void Flush() { }
                    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
                    public override long Seek(long offset, SeekOrigin origin) => 0;
                    public override void SetLength(long value) { }
                    public override void Write(byte[] buffer, int offset, int count) { }
                    protected override void Dispose(bool disposing) { _inner.Dispose(); base.Dispose(disposing); }
                }

                public class User
                {
                    public int Run()
                    {
                        var s = {|#0:new Counting()|};
                        return s.ReadByte();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Counting", "never disposed"));
        }

        [Fact]
        public Task OutVarTupleAndSwitchExpressionHandOversAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Shapes
                {
                    public static bool TryOpen(string path, out Stream? stream)
                    {
                        stream = File.OpenRead(path);
                        return true;
                    }

                    public long Use(string path, int kind)
                    {
                        if (TryOpen(path, out var s) && s != null)
                        {
                            using (s)
                            {
                                return s.Length;
                            }
                        }

                        var (a, b) = (File.OpenRead(path), 1);
                        using (a)
                        {
                            Stream chosen = kind switch
                            {
                                0 => File.OpenRead(path),
                                _ => Stream.Null,
                            };
                            using (chosen)
                            {
                                return a.Length + b + chosen.Length;
                            }
                        }
                    }
                }
                """);
        }

        [Fact]
        public Task DisposedInEveryLoopIterationAndAfterCatch()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public class Loops
                {
                    public long Sum(string[] paths)
                    {
                        long total = 0;
                        foreach (var path in paths)
                        {
                            var stream = File.OpenRead(path);
                            try
                            {
                                total += stream.Length;
                            }
                            catch (IOException)
                            {
                                total = -1;
                            }
                            finally
                            {
                                stream.Dispose();
                            }
                        }

                        return total;
                    }
                }
                """);
        }

        [Fact]
        public Task EarlyBreakOutOfLoopSkipsDispose()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Loops
                {
                    public int Find(string[] paths)
                    {
                        for (var i = 0; i < paths.Length; i++)
                        {
                            var stream = {|#0:File.OpenRead(paths[i])|};
                            if (stream.Length == 0)
                            {
                                break;
                            }

                            stream.Close();
                        }

                        return -1;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "not disposed on every path"));
        }
    }
}
