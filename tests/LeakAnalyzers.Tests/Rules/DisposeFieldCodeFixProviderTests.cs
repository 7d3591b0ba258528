using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Resources;
using Xunit;
using F = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer, LeakAnalyzers.CodeFixes.Resources.DisposeFieldCodeFixProvider>;
using N = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.NativeMemoryNotFreedAnalyzer, LeakAnalyzers.CodeFixes.Resources.DisposeFieldCodeFixProvider>;
using P = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.PooledArrayNotReturnedAnalyzer, LeakAnalyzers.CodeFixes.Resources.DisposeFieldCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class DisposeFieldCodeFixProviderTests
    {
        [Fact]
        public Task AddsToExistingDisposeBothFieldsInOneEdit()
        {
            return F.CodeFixAsync("""
                using System;
                using System.IO;
                using System.Net.Http;

                public sealed class Poller : IDisposable
                {
                    private readonly HttpClient {|LEAK006:_client|} = new HttpClient();
                    private readonly FileStream {|LEAK006:_log|} = File.OpenWrite("log.txt");
                    private bool _disposed;

                    public void Dispose() => _disposed = true;
                }
                """, """
                using System;
                using System.IO;
                using System.Net.Http;

                public sealed class Poller : IDisposable
                {
                    private readonly HttpClient _client = new HttpClient();
                    private readonly FileStream _log = File.OpenWrite("log.txt");
                    private bool _disposed;

                    public void Dispose()
                    {
                        _disposed = true;
                        _client?.Dispose();
                        _log?.Dispose();
                    }
                }
                """, DisposeFieldCodeFixProvider.DisposeFieldKey);
        }

        [Fact]
        public Task ImplementsDisposePatternOnNonSealedClass()
        {
            return F.CodeFixAsync("""
                using System.IO;

                public class AuditLog
                {
                    private readonly FileStream {|LEAK006:_file|};

                    public AuditLog(string path)
                    {
                        _file = new FileStream(path, FileMode.Append);
                    }
                }
                """, """
                using System;
                using System.IO;

                public class AuditLog : IDisposable
                {
                    private readonly FileStream _file;

                    public AuditLog(string path)
                    {
                        _file = new FileStream(path, FileMode.Append);
                    }

                    public void Dispose()
                    {
                        Dispose(true);
                        GC.SuppressFinalize(this);
                    }

                    protected virtual void Dispose(bool disposing)
                    {
                        if (disposing)
                        {
                            _file?.Dispose();
                        }
                    }
                }
                """, DisposeFieldCodeFixProvider.DisposeFieldKey);
        }

        [Fact]
        public Task ImplementsPlainDisposeOnSealedClass()
        {
            return F.CodeFixAsync("""
                using System.Threading;

                public sealed class Heartbeat
                {
                    private readonly Timer {|LEAK006:_timer|} = new Timer(_ => { }, null, 0, 1000);
                }
                """, """
                using System;
                using System.Threading;

                public sealed class Heartbeat : IDisposable
                {
                    private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);

                    public void Dispose()
                    {
                        _timer?.Dispose();
                    }
                }
                """, DisposeFieldCodeFixProvider.DisposeFieldKey);
        }

        [Fact]
        public Task AddsToDisposingBranchOrOverridesBaseDisposeBool()
        {
            return F.CodeFixAsync("""
                using System;
                using System.IO;

                public class Base : IDisposable
                {
                    public void Dispose() { Dispose(true); GC.SuppressFinalize(this); }
                    protected virtual void Dispose(bool disposing) { }
                }

                public class WithPattern : Base
                {
                    private readonly FileStream {|LEAK006:_a|} = File.OpenRead("a");

                    protected override void Dispose(bool disposing)
                    {
                        if (disposing)
                        {
                            Console.WriteLine("bye");
                        }

                        base.Dispose(disposing);
                    }
                }

                public class WithoutOverride : Base
                {
                    private readonly FileStream {|LEAK006:_b|} = File.OpenRead("b");
                }
                """, """
                using System;
                using System.IO;

                public class Base : IDisposable
                {
                    public void Dispose() { Dispose(true); GC.SuppressFinalize(this); }
                    protected virtual void Dispose(bool disposing) { }
                }

                public class WithPattern : Base
                {
                    private readonly FileStream _a = File.OpenRead("a");

                    protected override void Dispose(bool disposing)
                    {
                        if (disposing)
                        {
                            Console.WriteLine("bye");
                            _a?.Dispose();
                        }

                        base.Dispose(disposing);
                    }
                }

                public class WithoutOverride : Base
                {
                    private readonly FileStream _b = File.OpenRead("b");

                    protected override void Dispose(bool disposing)
                    {
                        if (disposing)
                        {
                            _b?.Dispose();
                        }

                        base.Dispose(disposing);
                    }
                }
                """, DisposeFieldCodeFixProvider.DisposeFieldKey);
        }

        [Fact]
        public Task DisposesThePreviousValueBeforeReplacing()
        {
            return F.CodeFixAsync("""
                using System;
                using System.IO;

                public sealed class Rolling : IDisposable
                {
                    private Stream _current;

                    public Rolling(string path) { _current = File.OpenWrite(path); }

                    public void Roll(string path)
                    {
                        {|LEAK006:_current = File.OpenWrite(path)|};
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
                """, """
                using System;
                using System.IO;

                public sealed class Rolling : IDisposable
                {
                    private Stream _current;

                    public Rolling(string path) { _current = File.OpenWrite(path); }

                    public void Roll(string path)
                    {
                        _current?.Dispose();
                        _current = File.OpenWrite(path);
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
                """, DisposeFieldCodeFixProvider.DisposePreviousKey);
        }
        // ---- Native memory and pool rentals kept in fields (LEAK007, LEAK008), and expression-bodied replacements ----

        [Fact]
        public Task FreesNativeMemoryAndHandlesInDispose()
        {
            return N.CodeFixAsync("""
                using System;
                using System.Runtime.InteropServices;

                public sealed class Scratch : IDisposable
                {
                    private IntPtr {|LEAK007:_buffer|} = Marshal.AllocHGlobal(1024);
                    private GCHandle {|LEAK007:_pin|};

                    public Scratch(byte[] data) { _pin = GCHandle.Alloc(data, GCHandleType.Pinned); }

                    public void Dispose()
                    {
                    }
                }
                """, """
                using System;
                using System.Runtime.InteropServices;

                public sealed class Scratch : IDisposable
                {
                    private IntPtr _buffer = Marshal.AllocHGlobal(1024);
                    private GCHandle _pin;

                    public Scratch(byte[] data) { _pin = GCHandle.Alloc(data, GCHandleType.Pinned); }

                    public void Dispose()
                    {
                        if (_buffer != IntPtr.Zero)
                        {
                            Marshal.FreeHGlobal(_buffer);
                            _buffer = IntPtr.Zero;
                        }

                        if (_pin.IsAllocated)
                        {
                            _pin.Free();
                        }
                    }
                }
                """, DisposeFieldCodeFixProvider.FreeFieldKey);
        }

        [Fact]
        public Task ReturnsThePreviousArrayBeforeGrowing()
        {
            return P.CodeFixAsync("""
                using System;
                using System.Buffers;

                public sealed class Builder : IDisposable
                {
                    private char[] _chars = ArrayPool<char>.Shared.Rent(256);

                    public void Grow(int size)
                    {
                        {|LEAK008:_chars = ArrayPool<char>.Shared.Rent(size)|};
                    }

                    public void Dispose() => ArrayPool<char>.Shared.Return(_chars);
                }

                public class BuilderDriver
                {
                    public void Run(Builder target, int[] values)
                    {
                        foreach (var value in values)
                        {
                            target.Grow(value);
                        }
                    }
                }
                """, """
                using System;
                using System.Buffers;

                public sealed class Builder : IDisposable
                {
                    private char[] _chars = ArrayPool<char>.Shared.Rent(256);

                    public void Grow(int size)
                    {
                        if (_chars != null)
                        {
                            ArrayPool<char>.Shared.Return(_chars);
                        }

                        _chars = ArrayPool<char>.Shared.Rent(size);
                    }

                    public void Dispose() => ArrayPool<char>.Shared.Return(_chars);
                }

                public class BuilderDriver
                {
                    public void Run(Builder target, int[] values)
                    {
                        foreach (var value in values)
                        {
                            target.Grow(value);
                        }
                    }
                }
                """, DisposeFieldCodeFixProvider.ReturnPreviousKey);
        }

        [Fact]
        public Task ExpressionBodiedReplacementBecomesABlock()
        {
            return F.CodeFixAsync("""
                using System;
                using System.IO;

                public sealed class Segments : IDisposable
                {
                    private FileStream? _current;

                    public void Next(string path) => {|LEAK006:_current = new FileStream(path, FileMode.Create)|};

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
                """, """
                using System;
                using System.IO;

                public sealed class Segments : IDisposable
                {
                    private FileStream? _current;

                    public void Next(string path)
                    {
                        _current?.Dispose();
                        _current = new FileStream(path, FileMode.Create);
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
                """, DisposeFieldCodeFixProvider.DisposePreviousKey);
        }

        [Fact]
        public Task NoFixWhenThePoolIsALocal()
        {
            return P.NoCodeFixAsync("""
                using System;
                using System.Buffers;

                public sealed class Holder : IDisposable
                {
                    private readonly int[] {|LEAK008:_items|};

                    public Holder(int size)
                    {
                        var pool = ArrayPool<int>.Create();
                        _items = pool.Rent(size);
                    }

                    public void Dispose() { }
                }
                """, DisposeFieldCodeFixProvider.ReturnFieldKey);
        }
    }
}
