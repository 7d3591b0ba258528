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
    }
}
