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
        public Task ExceptionBetweenCreateAndDisposeWhenExceptionPathsAreOn()
        {
            var test = new V.AnalyzerTest();
            test.TestState.Sources.Add("""
                using System.IO;

                public class Writer
                {
                    public void Write(string path, byte[] data)
                    {
                        var stream = {|#0:new FileStream(path, FileMode.Create)|};
                        Audit.Log(path, data.Length);
                        stream.Dispose();
                    }
                }

                public static class Audit
                {
                    public static void Log(string what, int size) => System.Console.WriteLine(what + size);
                }
                """);
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", """
                root = true

                [*.cs]
                leak_analyzers.LEAK005.exception_paths = true
                """));
            test.ExpectedDiagnostics.Add(V.Diagnostic().WithLocation(0).WithArguments("FileStream", "not disposed when an exception is thrown"));
            return V.AnalyzerAsync(test);
        }

        [Fact]
        public Task ExceptionPathsAreOffByDefault()
        {
            var test = new V.AnalyzerTest();
            test.TestState.Sources.Add("""
                using System.IO;

                public class Writer
                {
                    public void Write(string path, byte[] data)
                    {
                        var stream = new FileStream(path, FileMode.Create);
                        Audit.Log(path, data.Length);
                        stream.Dispose();
                    }
                }

                public static class Audit
                {
                    public static void Log(string what, int size) => System.Console.WriteLine(what + size);
                }
                """);
            return V.AnalyzerAsync(test);
        }

        [Fact]
        public Task ACallOnTheResourceThatThrowsLosesIt()
        {
            // MQTTnet's TLS shape: the stream is kept only after authentication succeeds; a failed handshake drops it.
            return V.AnalyzerAsync("""
                using System;
                using System.IO;
                using System.Net.Security;
                using System.Threading.Tasks;

                public sealed class Channel : IDisposable
                {
                    private Stream? _stream;

                    public async Task ConnectAsync(Stream transport, string host)
                    {
                        var tls = {|#0:new SslStream(File.OpenRead(host), false)|};
                        await tls.AuthenticateAsClientAsync(host);
                        _stream = tls;
                    }

                    public async Task ConnectSafelyAsync(string host)
                    {
                        var tls = new SslStream(File.OpenRead(host), false);
                        try
                        {
                            await tls.AuthenticateAsClientAsync(host);
                        }
                        catch
                        {
                            tls.Dispose();
                            throw;
                        }

                        _stream = tls;
                    }

                    public void Dispose() => _stream?.Dispose();
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("SslStream", "not disposed when 'AuthenticateAsClientAsync' throws"));
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
                        var probe = new TcpListener(IPAddress.Loopback, 0);
                        try
                        {
                            probe.Start();
                            return ((IPEndPoint)probe.LocalEndpoint).Port;
                        }
                        finally
                        {
                            probe.Stop();
                        }
                    }

                    public int Unguarded()
                    {
                        var probe = {|#0:new TcpListener(IPAddress.Loopback, 0)|};
                        probe.Start();
                        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                        probe.Stop();
                        return port;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("TcpListener", "not disposed when 'Start' throws"));
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
        // ---- Ownership from the method summaries: what callees, constructors and getters really do ----

        [Fact]
        public Task ConstructorThatOnlyReadsTheArgumentLeavesItToTheCaller()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public sealed class Header
                {
                    public Header(Stream stream) { Length = stream.Length; Seekable = stream.CanSeek; }
                    public long Length { get; }
                    public bool Seekable { get; }
                }

                public class Reader
                {
                    public long Size(string path)
                    {
                        var stream = {|#0:File.OpenRead(path)|};
                        var header = new Header(stream);
                        return header.Length;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"));
        }

        [Fact]
        public Task ConstructorThatKeepsTheArgumentTakesItOver()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public sealed class Parser : IDisposable
                {
                    private readonly Stream _stream;
                    public Parser(Stream stream) { _stream = stream; }
                    public int Next() => _stream.ReadByte();
                    public void Dispose() => _stream.Dispose();
                }

                public sealed record Holder(Stream Stream);

                public class Holds(Stream stream)
                {
                    public long Length => stream.Length;
                }

                public class Factory
                {
                    public Parser Open(string path)
                    {
                        var stream = File.OpenRead(path);
                        return new Parser(stream);
                    }

                    public int First(string path)
                    {
                        var stream = File.OpenRead(path);
                        using var parser = new Parser(stream);
                        return parser.Next();
                    }

                    public Holder Hold(string path)
                    {
                        var stream = File.OpenRead(path);
                        return new Holder(stream);
                    }

                    public Holds Capture(string path)
                    {
                        var stream = File.OpenRead(path);
                        var holds = new Holds(stream);
                        return holds;
                    }
                }
                """);
        }

        [Fact]
        public Task PrivateHelperThatOnlyReadsIsNotAHandOver()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Checksums
                {
                    public int Of(string path)
                    {
                        var stream = {|#0:File.OpenRead(path)|};
                        return Sum(stream);
                    }

                    public int Closed(string path)
                    {
                        var stream = File.OpenRead(path);
                        try
                        {
                            return Sum(stream);
                        }
                        finally
                        {
                            Release(stream);
                        }
                    }

                    private static int Sum(Stream stream)
                    {
                        var total = 0;
                        int b;
                        while ((b = stream.ReadByte()) >= 0)
                        {
                            total += b;
                        }

                        return total;
                    }

                    private static void Release(Stream? stream)
                    {
                        if (stream != null)
                        {
                            stream.Dispose();
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"));
        }

        [Fact]
        public Task HelperThatReleasesOnlySometimesIsNotARelease()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Maybe
                {
                    public void Run(string path, bool keep)
                    {
                        var stream = File.OpenRead(path);
                        Finish(stream, keep);
                    }

                    private void Finish(Stream stream, bool keep)
                    {
                        if (!keep)
                        {
                            stream.Dispose();
                        }
                    }
                }
                """);
        }

        [Fact]
        public Task SecondLocalIsAnAliasNotAnEscape()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Aliases
                {
                    public int Read(string path, bool skip)
                    {
                        var stream = {|#0:File.OpenRead(path)|};
                        var same = stream;
                        if (skip)
                        {
                            return 0;
                        }

                        var b = same.ReadByte();
                        same.Dispose();
                        return b;
                    }

                    public int Fine(string path)
                    {
                        var stream = File.OpenRead(path);
                        Stream other = stream;
                        using (other)
                        {
                            return other.ReadByte();
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "not disposed on every path"));
        }

        [Fact]
        public Task LambdaThatOnlyReadsTheResourceDoesNotTakeIt()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;
                using System.Linq;

                public class Scan
                {
                    public int Count(string path, int[] limits)
                    {
                        var stream = {|#0:File.OpenRead(path)|};
                        return limits.Count(limit => stream.Length > limit);
                    }

                    public IDisposable Later(string path)
                    {
                        var stream = File.OpenRead(path);
                        return new Callback(() => stream.Dispose());
                    }
                }

                public sealed class Callback(Action action) : IDisposable
                {
                    public void Dispose() => action();
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"));
        }

        [Fact]
        public Task YieldReturnOnOnePathIsNotAReleaseOnTheOthers()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Generic;
                using System.IO;

                public class Files
                {
                    public IEnumerable<Stream> NonEmpty(string[] paths)
                    {
                        foreach (var path in paths)
                        {
                            var stream = {|#0:File.OpenRead(path)|};
                            if (stream.Length > 0)
                            {
                                yield return stream;
                            }
                        }
                    }

                    public IEnumerable<Stream> All(string[] paths)
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
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "not disposed on every path"));
        }

        [Fact]
        public Task GetterThatReturnsANewObjectIsAnAcquisitionAtEachUse()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Settings
                {
                    private readonly string _path = "settings.json";
                    private readonly Stream _cached = Stream.Null;

                    private Stream Data => File.OpenRead(_path);

                    private Stream Cached => _cached;

                    public int First()
                    {
                        var data = {|#0:Data|};
                        return data.ReadByte();
                    }

                    public int Fine()
                    {
                        using var data = Data;
                        return data.ReadByte() + Cached.ReadByte();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Stream", "never disposed"));
        }

        [Fact]
        public Task ProjectMethodsThatReturnANewDisposableAreAcquisitionsWhateverTheirName()
        {
            return V.AnalyzerAsync("""
                using System.IO;
                using System.Threading.Tasks;

                public class Store
                {
                    private readonly Stream _shared = Stream.Null;

                    public Stream Load(string path)
                    {
                        var stream = new FileStream(path, FileMode.Open);
                        return stream;
                    }

                    public async Task<Stream> FetchAsync(string path)
                    {
                        await Task.Yield();
                        return File.OpenRead(path);
                    }

                    public Stream CreateShared() => _shared;

                    public async Task<int> Use(string path)
                    {
                        var a = {|#0:Load(path)|};
                        var b = await {|#1:FetchAsync(path)|}.ConfigureAwait(false);
                        var c = CreateShared();
                        return a.ReadByte() + b.ReadByte() + c.ReadByte();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Stream", "never disposed"),
                V.Diagnostic().WithLocation(1).WithArguments("Stream", "never disposed"));
        }

        [Fact]
        public Task LibraryMethodsThatReturnANewDisposableUnderAnotherName()
        {
            return V.AnalyzerAsync("""
                using System.Net.Http;
                using System.Threading.Tasks;

                public class Client
                {
                    private readonly HttpClient _http = new HttpClient();

                    public async Task<int> Status(string url)
                    {
                        var response = await {|#0:_http.GetAsync(url)|};
                        return (int)response.StatusCode;
                    }

                    public async Task<string> Fine(string url)
                    {
                        using var response = await _http.GetAsync(url);
                        return await response.Content.ReadAsStringAsync();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("HttpResponseMessage", "never disposed"));
        }

        [Fact]
        public Task KeptOnlyOnSomePathsIsReported()
        {
            // A listener is kept only when it starts; when it does not, it is dropped with its socket open.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;
                using System.Net.Sockets;

                public sealed class Listener : IDisposable
                {
                    private Socket? _socket;
                    public bool Start(bool warnOnly)
                    {
                        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                        return !warnOnly;
                    }

                    public void Dispose() => _socket?.Dispose();
                }

                public sealed class Server : IDisposable
                {
                    private readonly List<Listener> _listeners = new();

                    public void Register(bool warnOnly)
                    {
                        var listener = {|#0:new Listener()|};
                        if (listener.Start(warnOnly))
                        {
                            _listeners.Add(listener);
                        }
                    }

                    public void RegisterOrDispose(bool warnOnly)
                    {
                        var listener = new Listener();
                        try
                        {
                            if (listener.Start(warnOnly))
                            {
                                _listeners.Add(listener);
                                return;
                            }
                        }
                        catch
                        {
                            listener.Dispose();
                            throw;
                        }

                        listener.Dispose();
                    }

                    public void Dispose() => _listeners.ForEach(l => l.Dispose());
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Listener", "not disposed on every path"));
        }

        [Fact]
        public Task TemporaryGivenToAMethodThatOnlyReadsItIsDropped()
        {
            return V.AnalyzerAsync("""
                using System.IO;
                using System.Text.Json;

                public record Config(string Name);

                public class Loader
                {
                    public Config? Load(string path) => JsonSerializer.Deserialize<Config>({|#0:File.OpenRead(path)|});

                    public long Size(string path) => Measure({|#1:new FileStream(path, FileMode.Open)|});

                    private static long Measure(Stream stream) => stream.Length;
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "dropped without being disposed"),
                V.Diagnostic().WithLocation(1).WithArguments("FileStream", "dropped without being disposed"));
        }

        [Fact]
        public Task FluentCallThatReturnsItsReceiverCarriesTheObligation()
        {
            // Rx's SchedulePeriodicRecursive shape: Start() ends in `return this`.
            return V.AnalyzerAsync("""
                using System;
                using System.Threading;

                public sealed class Periodic : IDisposable
                {
                    private readonly AutoResetEvent _resume = new(false);
                    private Timer? _timer;

                    public Periodic Start()
                    {
                        _timer = new Timer(_ => _resume.Set(), null, 0, 100);
                        return this;
                    }

                    public void Dispose()
                    {
                        _timer?.Dispose();
                        _resume.Dispose();
                    }
                }

                public static class Scheduling
                {
                    public static IDisposable Every()
                    {
                        var periodic = new Periodic();
                        return periodic.Start();
                    }

                    public static IDisposable Kept()
                    {
                        var periodic = new Periodic();
                        periodic.Start();
                        return periodic;
                    }

                    public static void Lost()
                    {
                        {|#0:new Periodic()|}.Start();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Periodic", "dropped without being disposed"));
        }

        [Fact]
        public Task FactoryThatKeepsWhatItCreatesLeavesTheCallerNoObligation()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;
                using System.IO;

                public sealed class Connection : IDisposable
                {
                    private readonly FileStream _file = new FileStream("log", FileMode.Append);
                    public void Send(byte b) => _file.WriteByte(b);
                    public void Dispose() => _file.Dispose();
                }

                public sealed class Pool : IDisposable
                {
                    private readonly List<Connection> _all = new();
                    private readonly Dictionary<string, Connection> _byName = new();

                    public Connection Open()
                    {
                        var connection = new Connection();
                        _all.Add(connection);
                        return connection;
                    }

                    public Connection Named(string name) => _byName[name] = new Connection();

                    public void Dispose() => _all.ForEach(c => c.Dispose());
                }

                public class User
                {
                    public void Send(Pool pool)
                    {
                        var connection = pool.Open();
                        connection.Send(1);
                        pool.Named("x").Send(2);
                    }
                }
                """);
        }

        [Fact]
        public Task WrapperThatOwnsItsInnerObjectCarriesTheObligationOn()
        {
            // MQTTnet's MqttTcpChannel shape: socket → its own NetworkStream (ownsSocket) → TLS stream → field; the catch disposes the socket.
            return V.AnalyzerAsync("""
                using System;
                using System.IO;
                using System.Net.Security;
                using System.Net.Sockets;
                using System.Threading.Tasks;

                public sealed class PlatformSocket : IDisposable
                {
                    private readonly Socket _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    private NetworkStream? _stream;

                    public async Task ConnectAsync(string host, int port)
                    {
                        await _socket.ConnectAsync(host, port);
                        _stream = new NetworkStream(_socket, true);
                    }

                    public NetworkStream GetStream() => _stream ?? throw new InvalidOperationException();

                    public void Dispose()
                    {
                        _stream?.Dispose();
                        _socket.Dispose();
                    }
                }

                public sealed class Channel : IDisposable
                {
                    private Stream? _stream;

                    public async Task ConnectAsync(string host, bool tls)
                    {
                        PlatformSocket? socket = null;
                        try
                        {
                            socket = new PlatformSocket();
                            await socket.ConnectAsync(host, 1883);
                            var networkStream = socket.GetStream();
                            if (tls)
                            {
                                _stream = new SslStream(networkStream, false);
                            }
                            else
                            {
                                _stream = networkStream;
                            }
                        }
                        catch
                        {
                            socket?.Dispose();
                            throw;
                        }
                    }

                    public void Dispose() => _stream?.Dispose();
                }
                """);
        }

        [Fact]
        public Task IntermediateThatBecomesPartOfTheResultIsHandedOver()
        {
            // Serilog's default-interface ForContext shape: the intermediate logger becomes the sink of the returned one.
            return V.AnalyzerAsync("""
                using System;

                public interface ILog
                {
                    void Write(string message);

                    ILog ForContext(string name) => new LogConfiguration().WriteTo(this).Create().ForContext(name);
                }

                public sealed class Log : ILog, IDisposable
                {
                    private readonly ILog? _sink;
                    private readonly string _name;
                    public Log(ILog? sink, string name) { _sink = sink; _name = name; }
                    public void Write(string message) => _sink?.Write(_name + message);
                    public ILog ForContext(string name) => new Log(this, name);
                    public void Dispose() => (_sink as IDisposable)?.Dispose();
                }

                public sealed class LogConfiguration
                {
                    private ILog? _sink;
                    public LogConfiguration WriteTo(ILog sink) { _sink = sink; return this; }
                    public Log Create() => new Log(_sink, "");
                }
                """);
        }

        [Fact]
        public Task VirtualCallsUseTheSummaryOnlyWhenEveryImplementationAgrees()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public interface IOpener
                {
                    Stream Open(string path);
                }

                public sealed class FileOpener : IOpener
                {
                    public Stream Open(string path) => File.OpenRead(path);
                }

                public interface ISource
                {
                    Stream Get(string path);
                }

                public sealed class Fresh : ISource
                {
                    public Stream Get(string path) => File.OpenRead(path);
                }

                public sealed class Shared : ISource
                {
                    private readonly Stream _stream = Stream.Null;
                    public Stream Get(string path) => _stream;
                }

                public class User
                {
                    public int Read(IOpener opener, ISource source, string path)
                    {
                        var a = {|#0:opener.Open(path)|};
                        var b = source.Get(path);
                        return a.ReadByte() + b.ReadByte();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Stream", "never disposed"));
        }

        [Fact]
        public Task JetBrainsAnnotationsAreRead()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                namespace JetBrains.Annotations
                {
                    [AttributeUsage(AttributeTargets.All)]
                    public sealed class MustDisposeResourceAttribute : Attribute
                    {
                        public MustDisposeResourceAttribute() { }
                        public MustDisposeResourceAttribute(bool value) { }
                    }

                    [AttributeUsage(AttributeTargets.All)]
                    public sealed class HandlesResourceDisposalAttribute : Attribute { }
                }

                namespace App
                {
                    using JetBrains.Annotations;

                    public sealed class Lease : IDisposable
                    {
                        public void Dispose() { Console.WriteLine("released"); }
                    }

                    public sealed class Leases
                    {
                        private readonly Lease _current = new Lease();

                        [MustDisposeResource]
                        public Lease Take() => _current;

                        public void Keep([HandlesResourceDisposal] Lease lease) { Console.WriteLine(lease); }
                    }

                    public class User
                    {
                        public void Run(Leases leases)
                        {
                            var lease = {|#0:leases.Take()|};
                            Console.WriteLine(lease);
                            var kept = new Lease();
                            leases.Keep(kept);
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Lease", "never disposed"));
        }

        [Fact]
        public Task AwaitUsingAndAsyncHelpersAreFollowed()
        {
            return V.AnalyzerAsync("""
                using System.IO;
                using System.Threading.Tasks;

                public class Copier
                {
                    public async Task CopyAsync(string from, string to)
                    {
                        await using var source = File.OpenRead(from);
                        var target = File.Create(to);
                        try
                        {
                            await source.CopyToAsync(target);
                        }
                        finally
                        {
                            await CloseAsync(target);
                        }
                    }

                    private static async Task CloseAsync(Stream stream)
                    {
                        await stream.FlushAsync();
                        await stream.DisposeAsync();
                    }
                }
                """);
        }
        [Fact]
        public async Task LibraryCodeOutsideTheBaseClassLibraryIsUnknown()
        {
            // ASP.NET Core's results dispose the stream they are given; an unsigned package in a System.* namespace is not the BCL.
            var library = await Infrastructure.Library.CompileAsync("""
                namespace Microsoft.AspNetCore.Mvc
                {
                    public class FileStreamResult
                    {
                        public FileStreamResult(System.IO.Stream stream, string contentType) { Stream = stream; }
                        public System.IO.Stream Stream { get; }
                    }
                }

                namespace System.Reactive.Streams
                {
                    public static class Sink
                    {
                        private static readonly System.Collections.Generic.List<System.IO.Stream> All = new();
                        public static void Keep(System.IO.Stream stream) => All.Add(stream);
                    }
                }
                """, "ThirdParty");
            var test = new V.AnalyzerTest();
            test.TestState.AdditionalReferences.Add(library);
            test.TestState.Sources.Add("""
                using System.IO;
                using System.Reactive.Streams;
                using System.Text.Json;
                using Microsoft.AspNetCore.Mvc;

                public class Controller
                {
                    public FileStreamResult Download(string path)
                    {
                        var stream = File.OpenRead(path);
                        return new FileStreamResult(stream, "application/octet-stream");
                    }

                    public void Archive(string path) => Sink.Keep(File.OpenRead(path));

                    public string? Name(string path) => JsonSerializer.Deserialize<string>({|#0:File.OpenRead(path)|});
                }
                """);
            test.ExpectedDiagnostics.Add(V.Diagnostic().WithLocation(0).WithArguments("FileStream", "dropped without being disposed"));
            await test.RunAsync();
        }

        [Fact]
        public Task CapturedByACallbackThatRunsLaterIsNotTheMethodsToDispose()
        {
            return V.AnalyzerAsync("""
                using System.IO;
                using System.Linq;
                using System.Threading;

                public class Background
                {
                    public void Later(string path)
                    {
                        var stream = File.OpenRead(path);
                        ThreadPool.QueueUserWorkItem(_ => stream.ReadByte());
                    }

                    public int Now(string path, int[] limits)
                    {
                        var stream = {|#0:File.OpenRead(path)|};
                        return limits.Count(limit => stream.Length > limit);
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"));
        }

        [Fact]
        public Task CodeThatCannotRunCreatesNothing()
        {
            // ImageSharp's AOT seeding shape: generic methods called on default(T) so that the compiler sees the instantiation.
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public interface IProcessor
                {
                    IDisposable CreateFor<T>(object? configuration);
                }

                public static class Seeding
                {
                    private static void Seed<TProc>()
                        where TProc : class, IProcessor
                        => default(TProc)!.CreateFor<int>(default);

                    private static void SeedImage()
                    {
                        IProcessor processor = default!;
                        processor.CreateFor<long>(default);
                        File.Open(default!, default(FileMode));
                    }
                }
                """);
        }
        [Fact]
        public Task AFlagThatMakesTheFactoryReturnNothingCreatesNothing()
        {
            // ImageSharp's WebpLosslessDecoder.DecodeImageStream(decoder, w, h, isLevel0: true) returns null at level 0.
            return V.AnalyzerAsync("""
                using System.IO;

                public class Decoder
                {
                    public Stream? Decode(string path, bool headerOnly)
                    {
                        if (headerOnly)
                        {
                            return null;
                        }

                        return File.OpenRead(path);
                    }

                    public void Run(string path)
                    {
                        Decode(path, true);
                        {|#0:Decode(path, false)|};
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("Stream", "dropped without being disposed"));
        }

        [Fact]
        public Task ElementsTakenOutOfACollectionTheTypeOwnsMustBeDisposed()
        {
            // NLog's TCP sender: pending SocketAsyncEventArgs it created, dequeued on error and dropped.
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;
                using System.IO;

                public sealed class Sender : IDisposable
                {
                    private readonly Queue<MemoryStream> _unused = new();
                    private readonly Queue<FileStream> _pending = new();
                    private readonly Queue<FileStream> _borrowed = new();

                    public void Send(string path) => _pending.Enqueue(new FileStream(path, FileMode.Open));

                    public void Borrow(FileStream stream) => _borrowed.Enqueue(stream);

                    public void Fail()
                    {
                        while (_pending.Count > 0)
                        {
                            var item = {|#0:_pending.Dequeue()|};
                            Console.WriteLine(item.Name);
                        }

                        while (_borrowed.Count > 0)
                        {
                            var item = _borrowed.Dequeue();
                            Console.WriteLine(item.Name);
                        }
                    }

                    public void Flush()
                    {
                        while (_pending.Count > 0)
                        {
                            using var item = _pending.Dequeue();
                            item.Flush();
                        }
                    }

                    public void Dispose() => Flush();
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("FileStream", "never disposed"));
        }

        [Fact]
        public Task SocketEventArgsBelongToTheirCompletedHandlers()
        {
            // NLog's UDP sender: the args are disposed only if the Completed handler disposes them.
            return V.AnalyzerAsync("""
                using System.Net;
                using System.Net.Sockets;

                public sealed class Udp
                {
                    private readonly Socket _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    private readonly EndPoint _endpoint = new IPEndPoint(IPAddress.Loopback, 514);

                    public void SendLeaky(byte[] bytes)
                    {
                        var args = {|#0:new SocketAsyncEventArgs()|};
                        args.SetBuffer(bytes, 0, bytes.Length);
                        args.RemoteEndPoint = _endpoint;
                        args.Completed += Forget;
                        if (!_socket.SendToAsync(args))
                        {
                            Forget(_socket, args);
                        }
                    }

                    public void Send(byte[] bytes)
                    {
                        var args = new SocketAsyncEventArgs();
                        args.SetBuffer(bytes, 0, bytes.Length);
                        args.RemoteEndPoint = _endpoint;
                        args.Completed += Done;
                        if (!_socket.SendToAsync(args))
                        {
                            Done(_socket, args);
                        }
                    }

                    private static void Forget(object? sender, SocketAsyncEventArgs e) => System.Console.WriteLine(e.SocketError);

                    private static void Done(object? sender, SocketAsyncEventArgs e)
                    {
                        System.Console.WriteLine(e.SocketError);
                        e.Dispose();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("SocketAsyncEventArgs", "never disposed"));
        }
    }
}
