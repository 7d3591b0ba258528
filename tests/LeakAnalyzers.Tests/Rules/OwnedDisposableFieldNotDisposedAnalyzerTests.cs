using System.Threading.Tasks;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class OwnedDisposableFieldNotDisposedAnalyzerTests
    {
        [Fact]
        public Task OwnerDoesNotImplementIDisposable()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public class Logger
                {
                    private readonly FileStream {|#0:_file|};

                    public Logger(string path)
                    {
                        _file = {|#1:new FileStream(path, FileMode.Append)|};
                    }

                    public void Write(byte[] data) => _file.Write(data, 0, data.Length);
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_file", "FileStream", "'Logger' does not implement IDisposable, so nobody can dispose it"));
        }

        [Fact]
        public Task DisposableOwnerForgetsTheField()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Net.Http;
                using System.Threading;

                public sealed class Poller : IDisposable
                {
                    private readonly HttpClient {|#0:_client|} = {|#1:new HttpClient()|};
                    private readonly Timer {|#2:_timer|};
                    private readonly SemaphoreSlim _gate = new(1);

                    public Poller()
                    {
                        _timer = {|#3:new Timer(_ => { })|};
                    }

                    public void Dispose() => _gate.Dispose();
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_client", "HttpClient", "nothing in the type disposes it"),
                V.Diagnostic().WithLocation(2).WithLocation(3).WithArguments("_timer", "Timer", "nothing in the type disposes it"));
        }

        [Fact]
        public Task ReassignedWithoutDisposingThePrevious()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public sealed class Rolling : IDisposable
                {
                    private Stream _current;

                    public Rolling(string path) { _current = File.OpenWrite(path); }

                    public void Roll(string path)
                    {
                        {|#0:_current = File.OpenWrite(path)|};
                    }

                    public void Dispose() => _current.Dispose();
                }

                public class RollingDriver
                {
                    public void Run(Rolling target, string[] values)
                    {
                        foreach (var value in values)
                        {
                            target.Roll(value);
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("_current", "FileStream", "it is replaced here without disposing the previous instance"));
        }

        [Fact]
        public Task PartialClassAndNestedTypeDisposeIt()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.IO;

                public sealed partial class Store
                {
                    private readonly FileStream _data = File.OpenRead("data.bin");
                }
                """,
                """
                using System;

                public sealed partial class Store : IDisposable
                {
                    public void Dispose() => new Closer().Close(this);

                    private sealed class Closer
                    {
                        public void Close(Store store) => store._data.Dispose();
                    }
                }
                """,
            });
        }

        [Fact]
        public Task InjectedOrHandedOverFieldsAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;
                using System.IO;

                public class Reader
                {
                    private readonly Stream _injected;
                    private readonly Stream _mixed;
                    private readonly Stream _exposed = File.OpenRead("x");
                    private readonly MemoryStream _memory = new();
                    private Stream? _lazy;

                    public Reader(Stream injected, bool own)
                    {
                        _injected = injected;
                        _mixed = own ? File.OpenRead("y") : injected;
                    }

                    public Stream Exposed => _exposed;

                    public Stream Lazy()
                    {
                        if (_lazy == null)
                        {
                            _lazy = File.OpenRead("z");
                        }

                        return _lazy;
                    }
                }
                """);
        }

        [Fact]
        public Task DisposedInDisposeBoolPatternAndGuardedReplacementAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                public class Base : IDisposable
                {
                    public void Dispose() { Dispose(true); GC.SuppressFinalize(this); }
                    protected virtual void Dispose(bool disposing) { }
                }

                public class Derived : Base
                {
                    private Stream _stream = File.OpenRead("a");
                    private Timer? _timer;

                    public void Restart()
                    {
                        _timer?.Dispose();
                        _timer = new Timer(_ => { });
                    }

                    public void Swap(string path)
                    {
                        var old = _stream;
                        _stream = File.OpenRead(path);
                        old.Dispose();
                    }

                    protected override void Dispose(bool disposing)
                    {
                        if (disposing)
                        {
                            _stream.Dispose();
                            _timer?.Dispose();
                        }

                        base.Dispose(disposing);
                    }
                }

                public sealed class AsyncOwner : IAsyncDisposable
                {
                    private readonly FileStream _file = File.OpenRead("b");

                    public async ValueTask DisposeAsync() => await _file.DisposeAsync();
                }

                public sealed record class Settings(string Path) : IDisposable
                {
                    private readonly FileStream _lock = File.OpenRead(Path);
                    public void Dispose() => _lock.Close();
                }
                """);
        }

        [Fact]
        public Task FieldWhoseDisposeOnlyDisposesAMemoryStreamIsQuiet()
        {
            // Shape of NLog's ReusableStreamCreator: Dispose only disposes a MemoryStream held in a generic base.
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public class Reusable<T> where T : class
                {
                    protected T? _item;
                }

                public sealed class StreamCreator : Reusable<MemoryStream>, IDisposable
                {
                    public StreamCreator() { _item = new MemoryStream(); }
                    void IDisposable.Dispose() { _item?.Dispose(); }
                }

                public class FileWriter
                {
                    private readonly StreamCreator _creator = new StreamCreator();
                    public int Id => _creator.GetHashCode();
                }
                """);
        }
        // ---- Lifetimes and ownership decided from the code: singletons, one-time initialisation, helpers, clearing ----

        [Fact]
        public Task FieldsOfAProcessLifetimeSingletonAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Diagnostics.Tracing;
                using System.Threading;

                [EventSource(Name = "Shop")]
                public sealed class ShopEvents : EventSource
                {
                    public static readonly ShopEvents Log = new ShopEvents();

                    private readonly EventCounter _orders;

                    private ShopEvents()
                    {
                        _orders = new EventCounter("orders", this);
                    }

                    public void Order() => _orders.WriteMetric(1);
                }

                public sealed class Heartbeat
                {
                    public static Heartbeat Instance { get; } = new Heartbeat();

                    private readonly Timer _timer;

                    private Heartbeat()
                    {
                        _timer = new Timer(_ => Beat(), null, 1000, 1000);
                    }

                    private void Beat() => Console.WriteLine("beat");
                }
                """);
        }

        [Fact]
        public Task TypeWithAStaticInstanceThatIsAlsoCreatedElsewhereIsNoSingleton()
        {
            return V.AnalyzerAsync("""
                using System.IO;

                public sealed class Journal
                {
                    public static readonly Journal Default = new Journal("journal.log");

                    private readonly FileStream {|#0:_file|};

                    public Journal(string path)
                    {
                        _file = {|#1:new FileStream(path, FileMode.Append)|};
                    }

                    public void Write(byte b) => _file.WriteByte(b);
                }

                public class Orders
                {
                    public void Save(string path) => new Journal(path).Write(1);
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_file", "FileStream", "'Journal' does not implement IDisposable, so nobody can dispose it"));
        }

        [Fact]
        public Task ReplacementInAMethodCalledOnceIsQuiet()
        {
            // ImageSharp's LzwCompressor shape: Initialize runs once per compressor, which is created per frame.
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public abstract class Compressor : IDisposable
                {
                    public abstract void Initialize(int rows);
                    public void Dispose() => Dispose(true);
                    protected abstract void Dispose(bool disposing);
                }

                public sealed class LzwCompressor : Compressor
                {
                    private MemoryOwner? _encoder;

                    public override void Initialize(int rows) => _encoder = new MemoryOwner(rows);

                    protected override void Dispose(bool disposing) => _encoder?.Dispose();
                }

                public sealed class MemoryOwner : IDisposable
                {
                    private readonly FileStream _spill;
                    public MemoryOwner(int rows) { _spill = File.Create(Path.GetTempFileName()); }
                    public void Dispose() => _spill.Dispose();
                }

                public class Writer
                {
                    public void Write(Compressor compressor, int rows)
                    {
                        compressor.Initialize(rows);
                    }
                }
                """);
        }

        [Fact]
        public Task ReplacementInAMethodCalledInALoopIsReported()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public sealed class Segments : IDisposable
                {
                    private FileStream? _current;

                    public void Next(string path)
                    {
                        {|#0:_current = new FileStream(path, FileMode.Create)|};
                    }

                    public void Dispose() => _current?.Dispose();
                }

                public class Recorder
                {
                    public void Record(Segments segments, string[] paths)
                    {
                        foreach (var path in paths)
                        {
                            segments.Next(path);
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("_current", "FileStream", "it is replaced here without disposing the previous instance"));
        }

        [Fact]
        public Task ClearedWithoutDisposingIsADrop()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public sealed class Session : IDisposable
                {
                    private FileStream? _log = new FileStream("session.log", FileMode.Append);

                    public void Reset()
                    {
                        {|#0:_log = null|};
                    }

                    public void Restart()
                    {
                        _log?.Dispose();
                        _log = null;
                    }

                    public void Swap()
                    {
                        var old = _log;
                        _log = null;
                        old?.Dispose();
                    }

                    public void Dispose() => _log?.Dispose();
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("_log", "FileStream", "it is set to null here without disposing the previous instance"));
        }

        [Fact]
        public Task FieldReleasedThroughAHelperOrAnAlias()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;
                using System.Threading;

                public sealed class Exporter : IDisposable
                {
                    private readonly FileStream _output = new FileStream("out.csv", FileMode.Create);
                    private Timer? _flush = new Timer(_ => { }, null, 1000, 1000);

                    public void Dispose()
                    {
                        Close(_output);
                        var flush = Interlocked.Exchange(ref _flush, null);
                        flush?.Dispose();
                    }

                    private static void Close(Stream stream)
                    {
                        stream.Flush();
                        stream.Dispose();
                    }
                }

                public sealed class Reporter : IDisposable
                {
                    private readonly FileStream {|#0:_output|} = {|#1:new FileStream("report.csv", FileMode.Create)|};

                    public void Dispose() => Log(_output);

                    private static void Log(Stream stream) => Console.WriteLine(stream.Length);
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_output", "FileStream", "nothing in the type disposes it"));
        }

        [Fact]
        public Task OwnershipOfTheAssignedValueComesFromTheSummaries()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public sealed class Logs
                {
                    private readonly Stream _shared = Stream.Null;
                    public Stream Shared() => _shared;
                    public Stream Fresh(string path) => File.OpenWrite(path);
                }

                public sealed class Sink : IDisposable
                {
                    private readonly Stream {|#0:_mine|};
                    private readonly Stream _theirs;

                    public Sink(Logs logs, string path)
                    {
                        _mine = {|#1:logs.Fresh(path)|};
                        _theirs = logs.Shared();
                    }

                    public void Write(byte b)
                    {
                        _mine.WriteByte(b);
                        _theirs.WriteByte(b);
                    }

                    public void Dispose() { }
                }
                """,
                V.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_mine", "Stream", "nothing in the type disposes it"));
        }
        [Fact]
        public Task ReplacementOncePerFreshObjectOrThroughAForwardingOverloadIsQuiet()
        {
            // ImageSharp's KernelSamplingMap: each processor creates a map and builds it once, through an overload.
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public sealed class SamplingMap : IDisposable
                {
                    private FileStream? _offsets;

                    public void Build(string path) => Build(path, FileMode.Create);

                    public void Build(string path, FileMode mode)
                    {
                        _offsets = new FileStream(path, mode);
                    }

                    public void Dispose() => _offsets?.Dispose();
                }

                public class Blur
                {
                    public void Apply(string path)
                    {
                        using var map = new SamplingMap();
                        map.Build(path);
                    }
                }

                public class Median
                {
                    public void Apply(string path)
                    {
                        using var map = new SamplingMap();
                        map.Build(path, FileMode.CreateNew);
                    }
                }
                """);
        }

        [Fact]
        public Task FieldLostWhenTheConstructorThrowsAfterAcquiringIt()
        {
            // Hangfire's distributed lock: the connection leaked when Acquire threw inside the constructor.
            return V.AnalyzerAsync("""
                using System;
                using System.Net.Sockets;

                public sealed class Lease : IDisposable
                {
                    private readonly Socket _socket;
                    private readonly Socket _guarded;

                    public Lease(string host)
                    {
                        {|#0:_socket = new Socket(SocketType.Stream, ProtocolType.Tcp)|};
                        _socket.Connect(host, 80);

                        _guarded = new Socket(SocketType.Stream, ProtocolType.Tcp);
                        try
                        {
                            _guarded.Connect(host, 81);
                        }
                        catch
                        {
                            _guarded.Dispose();
                            throw;
                        }
                    }

                    public void Dispose()
                    {
                        _socket.Dispose();
                        _guarded.Dispose();
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("_socket", "Socket", "it is not disposed when 'Connect' throws in the constructor, and nobody can dispose a half-built object"));
        }
        [Fact]
        public Task ReplacementInAnEventHandlerRunsAgainAndAgain()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.IO;

                public sealed class Publisher
                {
                    public event EventHandler? Changed;
                    public void Raise() => Changed?.Invoke(this, EventArgs.Empty);
                }

                public sealed class Snapshotter : IDisposable
                {
                    private FileStream? _snapshot;

                    public void Attach(Publisher publisher) => publisher.Changed += OnChanged;

                    private void OnChanged(object? sender, EventArgs e)
                    {
                        {|#0:_snapshot = File.Create("snapshot.bin")|};
                    }

                    public void Dispose() => _snapshot?.Dispose();
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("_snapshot", "FileStream", "it is replaced here without disposing the previous instance"));
        }
    }
}
