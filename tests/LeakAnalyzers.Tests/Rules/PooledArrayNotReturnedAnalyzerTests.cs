using System.Threading.Tasks;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.PooledArrayNotReturnedAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class PooledArrayNotReturnedAnalyzerTests
    {
        [Fact]
        public Task RentedNeverReturned()
        {
            return V.AnalyzerAsync("""
                using System.Buffers;
                using System.IO;

                public class Copier
                {
                    public void Copy(Stream from, Stream to)
                    {
                        var buffer = {|#0:ArrayPool<byte>.Shared.Rent(4096)|};
                        int n;
                        while ((n = from.Read(buffer, 0, buffer.Length)) > 0)
                        {
                            to.Write(buffer, 0, n);
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("pooled array", "rented here is never returned to the pool"));
        }

        [Fact]
        public Task EarlyReturnInAsyncMethod()
        {
            return V.AnalyzerAsync("""
                using System.Buffers;
                using System.IO;
                using System.Threading.Tasks;

                public class Copier
                {
                    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create();

                    public async Task<int> ReadAsync(Stream from)
                    {
                        var buffer = {|#0:_pool.Rent(1024)|};
                        var n = await from.ReadAsync(buffer, 0, buffer.Length);
                        if (n == 0)
                        {
                            return 0;
                        }

                        _pool.Return(buffer);
                        return n;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("pooled array", "rented here is not returned to the pool on every path"));
        }

        [Fact]
        public Task RentedInLoopBeforeReturn()
        {
            return V.AnalyzerAsync("""
                using System.Buffers;

                public class Chunks
                {
                    public int Sum(int[] sizes)
                    {
                        int[] chunk = new int[0];
                        var total = 0;
                        foreach (var size in sizes)
                        {
                            chunk = {|#0:ArrayPool<int>.Shared.Rent(size)|};
                            total += chunk.Length;
                        }

                        ArrayPool<int>.Shared.Return(chunk);
                        return total;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("pooled array", "rented here is overwritten before it is returned to the pool"));
        }

        [Fact]
        public Task ReturnedTwice()
        {
            return V.AnalyzerAsync("""
                using System.Buffers;

                public class Twice
                {
                    public int Run(int n)
                    {
                        var a = ArrayPool<char>.Shared.Rent(n);
                        try
                        {
                            var len = a.Length;
                            ArrayPool<char>.Shared.Return(a);
                            return len;
                        }
                        finally
                        {
                            {|#0:ArrayPool<char>.Shared.Return(a)|};
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("pooled array", "is returned to the pool a second time here, after it was already returned on this path"));
        }

        [Fact]
        public Task DiscardedRent()
        {
            return V.AnalyzerAsync("""
                using System.Buffers;

                public class Warm
                {
                    public void Run() => {|#0:ArrayPool<byte>.Shared.Rent(1 << 20)|};
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("pooled array", "rented here is dropped without being returned to the pool"));
        }

        [Fact]
        public Task ReturnedInFinallyOrConditionallyRentedIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Buffers;

                public class Good
                {
                    public int A(int n)
                    {
                        var a = ArrayPool<byte>.Shared.Rent(n);
                        try
                        {
                            return a.Length;
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(a);
                        }
                    }

                    public int B(int n)
                    {
                        byte[]? rented = null;
                        Span<byte> buffer = n <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(n));
                        var length = buffer.Length;
                        if (rented != null)
                        {
                            ArrayPool<byte>.Shared.Return(rented);
                        }

                        return length;
                    }

                    public int C(int[] sizes)
                    {
                        var total = 0;
                        foreach (var size in sizes)
                        {
                            var chunk = ArrayPool<int>.Shared.Rent(size);
                            total += chunk.Length;
                            ArrayPool<int>.Shared.Return(chunk, clearArray: true);
                        }

                        return total;
                    }

                    public int D(int n)
                    {
                        var a = ArrayPool<byte>.Shared.Rent(n);
                        var len = a.Length;
                        ArrayPool<byte>.Shared.Return(a);
                        a = ArrayPool<byte>.Shared.Rent(n * 2);
                        len += a.Length;
                        ArrayPool<byte>.Shared.Return(a);
                        return len;
                    }
                }
                """);
        }

        [Fact]
        public Task HandedOverIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Buffers;

                public sealed class PooledBuffer : IDisposable
                {
                    private byte[] _array;

                    public PooledBuffer(int n)
                    {
                        var array = ArrayPool<byte>.Shared.Rent(n);
                        _array = array;
                    }

                    public static byte[] Take(int n)
                    {
                        var array = ArrayPool<byte>.Shared.Rent(n);
                        return array;
                    }

                    public static PooledBuffer Wrap(int n)
                    {
                        var array = ArrayPool<byte>.Shared.Rent(n);
                        return new PooledBuffer(array);
                    }

                    private PooledBuffer(byte[] array) => _array = array;

                    public void Dispose() => ArrayPool<byte>.Shared.Return(_array);
                }
                """);
        }

        [Fact]
        public Task LambdaAndLocalFunctionAreAnalysedOnTheirOwn()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Buffers;

                public class Work
                {
                    public Func<int, int> Make() => n =>
                    {
                        var a = {|#0:ArrayPool<int>.Shared.Rent(n)|};
                        return a.Length;
                    };

                    public int Local(int n)
                    {
                        return Rent();

                        int Rent()
                        {
                            var a = ArrayPool<int>.Shared.Rent(n);
                            try
                            {
                                return a.Length;
                            }
                            finally
                            {
                                ArrayPool<int>.Shared.Return(a);
                            }
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("pooled array", "rented here is never returned to the pool"));
        }

        [Fact]
        public Task ReturnedInAsyncFinallyIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System.Buffers;
                using System.IO;
                using System.Threading.Tasks;

                public class Reader
                {
                    public async Task<int> ReadAsync(Stream s)
                    {
                        var buffer = ArrayPool<byte>.Shared.Rent(4096);
                        try
                        {
                            return await s.ReadAsync(buffer, 0, buffer.Length);
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                        }
                    }
                }
                """);
        }

        [Fact]
        public Task ArrayHandedToAnUnresolvedConstructorIsQuiet()
        {
            // Shape of StackExchange.Redis' ScanResult with a missing reference: the array goes into a result object.
            return V.AnalyzerAsync("""
                using System.Buffers;

                public class Scanner
                {
                    public object Scan(int count)
                    {
                        var keys = ArrayPool<string>.Shared.Rent(count);
                        return new {|#0:ScanResult|}(keys, count);
                    }
                }
                """,
                Microsoft.CodeAnalysis.Testing.DiagnosticResult.CompilerError("CS0246").WithLocation(0).WithArguments("ScanResult"));
        }
        // ---- Pool rentals kept in fields, and pools recognised from their members ----

        private static Microsoft.CodeAnalysis.Testing.DiagnosticResult Field(int location)
            => new Microsoft.CodeAnalysis.Testing.DiagnosticResult(LeakAnalyzers.Resources.PooledArrayNotReturnedAnalyzer.FieldRule).WithLocation(location);

        [Fact]
        public Task RentedIntoAFieldAndNeverReturned()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Buffers;

                public sealed class Writer : IDisposable
                {
                    private byte[] {|#0:_buffer|} = {|#1:ArrayPool<byte>.Shared.Rent(4096)|};
                    private readonly byte[] _own = new byte[16];

                    public void Write(byte b) { _buffer[0] = b; _own[0] = b; }

                    public void Dispose() { }
                }

                public sealed class Returned : IDisposable
                {
                    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(4096);

                    public void Dispose()
                    {
                        if (_buffer != null)
                        {
                            ArrayPool<byte>.Shared.Return(_buffer);
                            _buffer = null;
                        }
                    }
                }
                """,
                Field(0).WithLocation(1).WithArguments("_buffer", "nothing in the type returns it to the pool"));
        }

        [Fact]
        public Task FieldReplacedOnGrowthWithoutReturningThePreviousArray()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Buffers;

                public sealed class Builder : IDisposable
                {
                    private char[] _chars = ArrayPool<char>.Shared.Rent(256);
                    private int _length;

                    public void GrowLeaky(int size)
                    {
                        {|#0:_chars = ArrayPool<char>.Shared.Rent(size)|};
                    }

                    public void Grow(int size)
                    {
                        var old = _chars;
                        _chars = ArrayPool<char>.Shared.Rent(size);
                        Array.Copy(old, _chars, _length);
                        ArrayPool<char>.Shared.Return(old);
                    }

                    public void Dispose() => ArrayPool<char>.Shared.Return(_chars);
                }

                public class BuilderDriver
                {
                    public void Run(Builder target, int[] values)
                    {
                        foreach (var value in values)
                        {
                            target.GrowLeaky(value);
                        }
                    }
                }
                """,
                Field(0).WithArguments("_chars", "it is replaced here without returning the previous array"));
        }

        [Fact]
        public Task HandWrittenPoolsAreRecognisedFromTheirMembers()
        {
            return V.AnalyzerAsync("""
                using System.Collections.Concurrent;

                public sealed class BufferPool
                {
                    private readonly ConcurrentBag<byte[]> _free = new();

                    public byte[] Take() => _free.TryTake(out var buffer) ? buffer : new byte[4096];

                    public void Return(byte[] buffer) => _free.Add(buffer);
                }

                public sealed class Stack
                {
                    private readonly System.Collections.Generic.Stack<byte[]> _items = new();
                    public byte[] Take() => _items.Pop();
                    public void Return(byte[] item) => _items.Push(item);
                }

                public class Reader
                {
                    private readonly BufferPool _pool = new();

                    public int Leaky()
                    {
                        var buffer = {|#0:_pool.Take()|};
                        return buffer.Length;
                    }

                    public int Fine()
                    {
                        var buffer = _pool.Take();
                        try
                        {
                            return buffer.Length;
                        }
                        finally
                        {
                            _pool.Return(buffer);
                        }
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("pooled array", "rented here is never returned to the pool"));
        }
    }
}
