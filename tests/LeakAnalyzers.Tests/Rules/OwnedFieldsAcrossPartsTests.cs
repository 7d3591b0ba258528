using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Disposable = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>;
using Native = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.NativeMemoryNotFreedAnalyzer>;
using Pooled = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.PooledArrayNotReturnedAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    /// <summary>
    /// LEAK006/007/008 on fields whose acquisition, release or replacement is in another part of a partial type (each in
    /// both document orders), in nested types, records and types with a primary constructor. Each finding is reported in
    /// the document where it is, so the IDE's per-document request shows exactly what the build shows (checked by every test).
    /// </summary>
    public class OwnedFieldsAcrossPartsTests
    {
        private const string Field = """
            using System.IO;

            public sealed partial class Store
            {
                private readonly FileStream {|#0:_data|};
            }
            """;

        private static async Task BothOrders<TAnalyzer>(string first, string second, params DiagnosticResult[] expected)
            where TAnalyzer : Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer, new()
        {
            await Infrastructure.Verify<TAnalyzer>.AnalyzerAsync(new[] { first, second }, expected);
            await Infrastructure.Verify<TAnalyzer>.AnalyzerAsync(new[] { second, first }, expected);
        }

        [Fact]
        public Task AcquiredInAnotherPartAndNeverDisposed()
        {
            return BothOrders<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>(
                Field,
                """
                using System;
                using System.IO;

                public sealed partial class Store : IDisposable
                {
                    public Store(string path)
                    {
                        _data = {|#1:File.OpenRead(path)|};
                    }

                    public void Dispose() { }
                }
                """,
                Disposable.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_data", "FileStream", "nothing in the type disposes it"));
        }

        [Fact]
        public Task DisposedInAnotherPartIsQuiet()
        {
            return BothOrders<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>(
                """
                using System.IO;

                public sealed partial class Store
                {
                    private readonly FileStream _data = File.OpenRead("data.bin");
                    private FileStream? _log;

                    public void Open() => _log = File.OpenWrite("log.txt");
                }
                """,
                """
                using System;

                public sealed partial class Store : IDisposable
                {
                    public void Dispose()
                    {
                        _data.Dispose();
                        _log?.Dispose();
                    }
                }
                """);
        }

        [Fact]
        public Task ReplacedAndClearedInAnotherPartAreReportedThere()
        {
            return BothOrders<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>(
                """
                using System;
                using System.IO;

                public sealed partial class Rolling : IDisposable
                {
                    private Stream? _current = File.OpenWrite("first.log");

                    public void Dispose() => _current?.Dispose();
                }

                public class RollingDriver
                {
                    public void Run(Rolling target, string[] values)
                    {
                        foreach (var value in values)
                        {
                            target.Roll(value);
                            target.Stop();
                        }
                    }
                }
                """,
                """
                using System.IO;

                public sealed partial class Rolling
                {
                    public void Roll(string path)
                    {
                        {|#0:_current = File.OpenWrite(path)|};
                    }

                    public void Stop()
                    {
                        {|#1:_current = null|};
                    }
                }
                """,
                Disposable.Diagnostic().WithLocation(0).WithArguments("_current", "FileStream", "it is replaced here without disposing the previous instance"),
                Disposable.Diagnostic().WithLocation(1).WithArguments("_current", "FileStream", "it is set to null here without disposing the previous instance"));
        }

        [Fact]
        public Task ReleasedBeforeTheReplacementInAnotherPartIsQuiet()
        {
            return BothOrders<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>(
                """
                using System;
                using System.IO;

                public sealed partial class Rolling : IDisposable
                {
                    private Stream? _current = File.OpenWrite("first.log");

                    private void Close() => _current?.Dispose();

                    public void Dispose() => Close();
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
                """
                using System.IO;

                public sealed partial class Rolling
                {
                    public void Roll(string path)
                    {
                        Close();
                        _current = File.OpenWrite(path);
                    }
                }
                """);
        }

        [Fact]
        public Task LostInAConstructorInAnotherPart()
        {
            return BothOrders<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>(
                """
                using System;
                using System.Net.Sockets;

                public sealed partial class Lease : IDisposable
                {
                    private readonly Socket _socket;

                    public void Dispose() => _socket.Dispose();
                }
                """,
                """
                using System.Net.Sockets;

                public sealed partial class Lease
                {
                    public Lease(string host)
                    {
                        {|#0:_socket = new Socket(SocketType.Stream, ProtocolType.Tcp)|};
                        _socket.Connect(host, 80);
                    }
                }
                """,
                Disposable.Diagnostic().WithLocation(0).WithArguments("_socket", "Socket", "it is not disposed when 'Connect' throws in the constructor, and nobody can dispose a half-built object"));
        }

        [Fact]
        public Task NestedPartialTypeAcrossDocuments()
        {
            return BothOrders<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>(
                """
                using System.IO;

                public static partial class Outer
                {
                    public sealed partial class Inner<T>
                    {
                        private FileStream {|#0:_data|};
                        internal FileStream _kept;
                    }
                }
                """,
                """
                using System.IO;

                public static partial class Outer
                {
                    public sealed partial class Inner<T>
                    {
                        public Inner(string path)
                        {
                            _data = {|#1:File.OpenRead(path)|};
                            _kept = File.OpenRead(path);
                        }
                    }

                    // A containing type's code that names the field: don't know, quiet.
                    public static void Close(Inner<int> inner) => inner._kept.Dispose();
                }
                """,
                Disposable.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_data", "FileStream", "'Inner' does not implement IDisposable, so nobody can dispose it"));
        }

        [Fact]
        public Task PrimaryConstructorFieldsOwnedOrInjected()
        {
            return BothOrders<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>(
                """
                using System;
                using System.IO;

                public sealed partial class Reader(string path, Stream injected) : IDisposable
                {
                    private readonly FileStream {|#0:_file|} = {|#1:new FileStream(path, FileMode.Open)|};
                    private readonly Stream _injected = injected;
                    private readonly FileStream _closed = File.OpenRead(path);
                }
                """,
                """
                public sealed partial class Reader
                {
                    public void Dispose() => _closed.Dispose();
                }
                """,
                Disposable.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_file", "FileStream", "nothing in the type disposes it"));
        }

        [Fact]
        public Task RecordsOwnTheirFields()
        {
            return BothOrders<LeakAnalyzers.Resources.OwnedDisposableFieldNotDisposedAnalyzer>(
                """
                using System.IO;

                public sealed partial record Session(string Name)
                {
                    private FileStream? {|#0:_log|} = {|#1:File.OpenWrite(Name)|};
                }

                public partial record struct Handle(string Path)
                {
                    private FileStream? _stream;
                }
                """,
                """
                using System;
                using System.IO;

                public sealed partial record Session : IDisposable
                {
                    public void Dispose() { }
                }

                public partial record struct Handle : IDisposable
                {
                    public void Open() => _stream = File.OpenRead(Path);

                    public void Dispose() => _stream?.Dispose();
                }
                """,
                Disposable.Diagnostic().WithLocation(0).WithArguments("_log", "FileStream", "nothing in the type disposes it").WithLocation(1));
        }

        [Fact]
        public Task NativeMemoryFreedOrReplacedInAnotherPart()
        {
            return BothOrders<LeakAnalyzers.Resources.NativeMemoryNotFreedAnalyzer>(
                """
                using System;
                using System.Runtime.InteropServices;

                public sealed partial class Growable : IDisposable
                {
                    private IntPtr _buffer = Marshal.AllocHGlobal(16);
                    private IntPtr {|#0:_lost|};

                    public void Dispose() => Marshal.FreeHGlobal(_buffer);
                }

                public class GrowableDriver
                {
                    public void Run(Growable target, int[] values)
                    {
                        foreach (var value in values)
                        {
                            target.Grow(value);
                        }
                    }
                }
                """,
                """
                using System;
                using System.Runtime.InteropServices;

                public sealed partial class Growable
                {
                    public Growable() => _lost = {|#1:Marshal.AllocCoTaskMem(8)|};

                    public void Grow(int size)
                    {
                        {|#2:_buffer = Marshal.AllocHGlobal(size)|};
                    }
                }
                """,
                new DiagnosticResult(LeakAnalyzers.Resources.NativeMemoryNotFreedAnalyzer.FieldRule).WithLocation(0).WithLocation(1).WithArguments("_lost", "native memory", "nothing in the type frees it"),
                new DiagnosticResult(LeakAnalyzers.Resources.NativeMemoryNotFreedAnalyzer.FieldRule).WithLocation(2).WithArguments("_buffer", "native memory", "it is replaced here without freeing the previous block"));
        }

        [Fact]
        public Task PooledArrayReturnedOrReplacedInAnotherPart()
        {
            return BothOrders<LeakAnalyzers.Resources.PooledArrayNotReturnedAnalyzer>(
                """
                using System;
                using System.Buffers;

                public sealed partial class Builder : IDisposable
                {
                    private char[] _chars = ArrayPool<char>.Shared.Rent(256);
                    private byte[] {|#0:_bytes|};

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
                """,
                """
                using System.Buffers;

                public sealed partial class Builder
                {
                    public Builder() => _bytes = {|#1:ArrayPool<byte>.Shared.Rent(16)|};

                    public void Grow(int size)
                    {
                        {|#2:_chars = ArrayPool<char>.Shared.Rent(size)|};
                    }
                }
                """,
                new DiagnosticResult(LeakAnalyzers.Resources.PooledArrayNotReturnedAnalyzer.FieldRule).WithLocation(0).WithLocation(1).WithArguments("_bytes", "nothing in the type returns it to the pool"),
                new DiagnosticResult(LeakAnalyzers.Resources.PooledArrayNotReturnedAnalyzer.FieldRule).WithLocation(2).WithArguments("_chars", "it is replaced here without returning the previous array"));
        }

        [Fact]
        public Task AGeneratedPartIsNotReadAsTheDriverDoesNotAnalyseIt()
        {
            // The analyzers skip generated code (as the driver does for their actions): a Dispose in a generated part is not seen.
            var test = new Disposable.AnalyzerTest();
            test.TestState.Sources.Add(("Store.cs", """
                using System.IO;

                public sealed partial class Store
                {
                    private readonly FileStream {|#0:_data|} = {|#1:File.OpenRead("data.bin")|};
                }
                """));
            test.TestState.Sources.Add(("Store.g.cs", """
                using System;

                public sealed partial class Store : IDisposable
                {
                    public void Dispose() => _data.Dispose();
                }
                """));
            test.ExpectedDiagnostics.Add(Disposable.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_data", "FileStream", "nothing in the type disposes it"));
            return Disposable.AnalyzerAsync(test);
        }
    }
}
