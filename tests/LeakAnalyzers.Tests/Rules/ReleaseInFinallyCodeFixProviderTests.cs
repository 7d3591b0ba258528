using System.Threading.Tasks;
using LeakAnalyzers.CodeFixes.Resources;
using Xunit;
using F7 = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.NativeMemoryNotFreedAnalyzer, LeakAnalyzers.CodeFixes.Resources.ReleaseInFinallyCodeFixProvider>;
using F8 = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.PooledArrayNotReturnedAnalyzer, LeakAnalyzers.CodeFixes.Resources.ReleaseInFinallyCodeFixProvider>;

namespace LeakAnalyzers.Tests.Rules
{
    public class ReleaseInFinallyCodeFixProviderTests
    {
        [Fact]
        public Task WrapsInTryFinallyAndMovesTheFree()
        {
            return F7.CodeFixAsync("""
                using System;
                using System.Runtime.InteropServices;

                public class Interop
                {
                    [DllImport("native")] private static extern int Write(IntPtr p, int n);

                    public int Send(string text)
                    {
                        var p = {|LEAK007:Marshal.StringToHGlobalUni(text)|};
                        var n = Write(p, text.Length);
                        Marshal.FreeHGlobal(p);
                        return n;
                    }

                    public void Pin(object o)
                    {
                        var h = {|LEAK007:GCHandle.Alloc(o, GCHandleType.Pinned)|};
                        Write(h.AddrOfPinnedObject(), 1);
                    }
                }
                """, """
                using System;
                using System.Runtime.InteropServices;

                public class Interop
                {
                    [DllImport("native")] private static extern int Write(IntPtr p, int n);

                    public int Send(string text)
                    {
                        var p = Marshal.StringToHGlobalUni(text);
                        try
                        {
                            var n = Write(p, text.Length);
                            return n;
                        }
                        finally
                        {
                            Marshal.FreeHGlobal(p);
                        }
                    }

                    public void Pin(object o)
                    {
                        var h = GCHandle.Alloc(o, GCHandleType.Pinned);
                        try
                        {
                            Write(h.AddrOfPinnedObject(), 1);
                        }
                        finally
                        {
                            h.Free();
                        }
                    }
                }
                """, ReleaseInFinallyCodeFixProvider.FreeKey);
        }

        [Fact]
        public Task NativeMemoryWithPointer()
        {
            return F7.CodeFixAsync("""
                using System.Runtime.InteropServices;

                public unsafe class Buffers
                {
                    public int First(int n)
                    {
                        byte* p = (byte*){|LEAK007:NativeMemory.Alloc((nuint)n)|};
                        if (n == 0)
                        {
                            return 0;
                        }

                        int first = p[0];
                        NativeMemory.Free(p);
                        return first;
                    }
                }
                """, """
                using System.Runtime.InteropServices;

                public unsafe class Buffers
                {
                    public int First(int n)
                    {
                        byte* p = (byte*)NativeMemory.Alloc((nuint)n);
                        try
                        {
                            if (n == 0)
                            {
                                return 0;
                            }

                            int first = p[0];
                            return first;
                        }
                        finally
                        {
                            NativeMemory.Free(p);
                        }
                    }
                }
                """, ReleaseInFinallyCodeFixProvider.FreeKey);
        }

        [Fact]
        public Task ReturnsPooledArrayInFinally()
        {
            return F8.CodeFixAsync("""
                using System.Buffers;
                using System.IO;
                using System.Threading.Tasks;

                public class Copier
                {
                    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create();

                    public async Task<int> ReadAsync(Stream from)
                    {
                        var buffer = {|LEAK008:_pool.Rent(1024)|};
                        var n = await from.ReadAsync(buffer, 0, buffer.Length);
                        if (n == 0)
                        {
                            return 0;
                        }

                        _pool.Return(buffer);
                        return n;
                    }

                    public void Copy(Stream from, Stream to)
                    {
                        var chunk = {|LEAK008:ArrayPool<byte>.Shared.Rent(4096)|};
                        int read;
                        while ((read = from.Read(chunk, 0, chunk.Length)) > 0)
                        {
                            to.Write(chunk, 0, read);
                        }
                    }
                }
                """, """
                using System.Buffers;
                using System.IO;
                using System.Threading.Tasks;

                public class Copier
                {
                    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create();

                    public async Task<int> ReadAsync(Stream from)
                    {
                        var buffer = _pool.Rent(1024);
                        try
                        {
                            var n = await from.ReadAsync(buffer, 0, buffer.Length);
                            if (n == 0)
                            {
                                return 0;
                            }

                            return n;
                        }
                        finally
                        {
                            _pool.Return(buffer);
                        }
                    }

                    public void Copy(Stream from, Stream to)
                    {
                        var chunk = ArrayPool<byte>.Shared.Rent(4096);
                        try
                        {
                            int read;
                            while ((read = from.Read(chunk, 0, chunk.Length)) > 0)
                            {
                                to.Write(chunk, 0, read);
                            }
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(chunk);
                        }
                    }
                }
                """, ReleaseInFinallyCodeFixProvider.ReturnKey);
        }

        [Fact]
        public Task NoFixWhenReleasedInsideANestedStatement()
        {
            return F8.NoCodeFixAsync("""
                using System.Buffers;

                public class Chunks
                {
                    public int Run(int n, bool flag)
                    {
                        var a = {|LEAK008:ArrayPool<int>.Shared.Rent(n)|};
                        if (flag)
                        {
                            ArrayPool<int>.Shared.Return(a);
                            return 0;
                        }

                        return a.Length;
                    }
                }
                """, ReleaseInFinallyCodeFixProvider.ReturnKey);
        }
    }
}
