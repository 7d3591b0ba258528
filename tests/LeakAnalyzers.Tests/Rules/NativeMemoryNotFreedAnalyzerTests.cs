using System.Threading.Tasks;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Resources.NativeMemoryNotFreedAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class NativeMemoryNotFreedAnalyzerTests
    {
        [Fact]
        public Task AllocHGlobalNeverFreed()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;

                public class Interop
                {
                    public void Send(byte[] data)
                    {
                        IntPtr buffer = {|#0:Marshal.AllocHGlobal(data.Length)|};
                        Marshal.Copy(data, 0, buffer, data.Length);
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("native memory", "never freed"));
        }

        [Fact]
        public Task ExceptionBetweenAllocAndFree()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;

                public class Interop
                {
                    [DllImport("native")] private static extern int Write(IntPtr p, int n);

                    public int Send(string text)
                    {
                        var p = {|#0:Marshal.StringToHGlobalUni(text)|};
                        var n = Write(p, text.Length);
                        Marshal.FreeHGlobal(p);
                        return n;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("native memory", "not freed when an exception is thrown"));
        }

        [Fact]
        public Task NativeMemoryWithPointersAndEarlyReturn()
        {
            return V.AnalyzerAsync("""
                using System.Runtime.InteropServices;

                public unsafe class Buffers
                {
                    public int Sum(int n)
                    {
                        byte* p = (byte*){|#0:NativeMemory.AllocZeroed((nuint)n)|};
                        if (n == 0)
                        {
                            return 0;
                        }

                        int sum = 0;
                        for (int i = 0; i < n; i++)
                        {
                            sum += p[i];
                        }

                        NativeMemory.Free(p);
                        return sum;
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("native memory", "not freed on every path"));
        }

        [Fact]
        public Task GCHandleNeverFreedAndDiscarded()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;

                public class Pinner
                {
                    public IntPtr Pin(byte[] data)
                    {
                        var handle = {|#0:GCHandle.Alloc(data, GCHandleType.Pinned)|};
                        return handle.AddrOfPinnedObject();
                    }

                    public void Keep(object o)
                    {
                        {|#1:GCHandle.Alloc(o)|};
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("GC handle", "never freed"),
                V.Diagnostic().WithLocation(1).WithArguments("GC handle", "dropped without being freed"));
        }

        [Fact]
        public Task AllocInLoopOverwritten()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;

                public class Interop
                {
                    public void Many(int count)
                    {
                        IntPtr p = IntPtr.Zero;
                        for (int i = 0; i < count; i++)
                        {
                            p = {|#0:Marshal.AllocCoTaskMem(16)|};
                            Marshal.WriteInt32(p, i);
                        }

                        Marshal.FreeCoTaskMem(p);
                    }
                }
                """,
                V.Diagnostic().WithLocation(0).WithArguments("native memory", "overwritten before it is freed"));
        }

        [Fact]
        public Task FreedInFinallyIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;
                using System.Threading.Tasks;

                public unsafe class Interop
                {
                    [DllImport("native")] private static extern int Write(IntPtr p, int n);

                    public int A(string text)
                    {
                        var p = Marshal.StringToHGlobalUni(text);
                        try
                        {
                            return Write(p, text.Length);
                        }
                        finally
                        {
                            Marshal.FreeHGlobal(p);
                        }
                    }

                    public void B(object o)
                    {
                        var h = GCHandle.Alloc(o, GCHandleType.Pinned);
                        try
                        {
                            Write(h.AddrOfPinnedObject(), 1);
                        }
                        finally
                        {
                            if (h.IsAllocated)
                            {
                                h.Free();
                            }
                        }
                    }

                    public void C(int n)
                    {
                        void* p = null;
                        try
                        {
                            p = NativeMemory.Alloc((nuint)n);
                            Write((IntPtr)p, n);
                        }
                        finally
                        {
                            NativeMemory.Free(p);
                        }
                    }

                    public void D(int n)
                    {
                        var p = Marshal.AllocHGlobal(n);
                        var q = p + 1;
                        Marshal.FreeHGlobal(p);
                    }
                }
                """);
        }

        [Fact]
        public Task ReturnedOrStoredIsHandedOver()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;

                public sealed class NativeBuffer : IDisposable
                {
                    private IntPtr _p;
                    private GCHandle _self;

                    public NativeBuffer(int n)
                    {
                        var p = Marshal.AllocHGlobal(n);
                        _p = p;
                        _self = GCHandle.Alloc(this, GCHandleType.Weak);
                    }

                    public static IntPtr Allocate(int n)
                    {
                        var p = Marshal.AllocHGlobal(n);
                        return p;
                    }

                    public static IntPtr Cookie(object state)
                    {
                        var h = GCHandle.Alloc(state);
                        return GCHandle.ToIntPtr(h);
                    }

                    public (IntPtr, int) Tuple(int n)
                    {
                        var p = Marshal.AllocHGlobal(n);
                        return (p, n);
                    }

                    public void Dispose()
                    {
                        Marshal.FreeHGlobal(_p);
                        _self.Free();
                    }
                }
                """);
        }
        // ---- Native memory and GC handles kept in fields ----

        private static Microsoft.CodeAnalysis.Testing.DiagnosticResult Field(int location)
            => new Microsoft.CodeAnalysis.Testing.DiagnosticResult(LeakAnalyzers.Resources.NativeMemoryNotFreedAnalyzer.FieldRule).WithLocation(location);

        [Fact]
        public Task FieldAllocatedAndNeverFreed()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;

                public sealed class Scratch : IDisposable
                {
                    private readonly IntPtr {|#0:_buffer|};
                    private GCHandle {|#2:_pin|};

                    public Scratch(byte[] data)
                    {
                        _buffer = {|#1:Marshal.AllocHGlobal(1024)|};
                        _pin = {|#3:GCHandle.Alloc(data, GCHandleType.Pinned)|};
                    }

                    public void Dispose() { }
                }

                public unsafe class Native
                {
                    private byte* {|#4:_block|} = (byte*){|#5:NativeMemory.Alloc(64)|};

                    public byte First() => _block[0];
                }
                """,
                Field(0).WithLocation(1).WithArguments("_buffer", "native memory", "nothing in the type frees it"),
                Field(2).WithLocation(3).WithArguments("_pin", "a GC handle", "nothing in the type frees it"),
                Field(4).WithLocation(5).WithArguments("_block", "native memory", "'Native' does not implement IDisposable, so nobody can free it"));
        }

        [Fact]
        public Task FieldFreedInDisposeFinalizerOrHelperIsQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;

                public sealed class Owned : IDisposable
                {
                    private IntPtr _buffer = Marshal.AllocHGlobal(1024);
                    private GCHandle _pin;

                    public Owned(byte[] data) { _pin = GCHandle.Alloc(data, GCHandleType.Pinned); }

                    public void Dispose()
                    {
                        Release(_buffer);
                        _buffer = IntPtr.Zero;
                        if (_pin.IsAllocated)
                        {
                            _pin.Free();
                        }
                    }

                    private static void Release(IntPtr p) => Marshal.FreeHGlobal(p);
                }

                public class Finalized
                {
                    private readonly IntPtr _buffer = Marshal.AllocCoTaskMem(16);

                    ~Finalized() => Marshal.FreeCoTaskMem(_buffer);
                }

                public sealed class Injected
                {
                    private readonly IntPtr _buffer;
                    public Injected(IntPtr buffer) { _buffer = buffer; }
                    public IntPtr Buffer => _buffer;
                }
                """);
        }

        [Fact]
        public Task FieldReplacedOrClearedWithoutFreeing()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Runtime.InteropServices;

                public sealed class Growable : IDisposable
                {
                    private IntPtr _buffer = Marshal.AllocHGlobal(16);
                    private IntPtr _spare = Marshal.AllocHGlobal(16);
                    private int _size = 16;

                    public void Grow(int size)
                    {
                        {|#0:_buffer = Marshal.AllocHGlobal(size)|};
                        _size = size;
                    }

                    public void GrowInPlace(int size)
                    {
                        _spare = Marshal.ReAllocHGlobal(_spare, (IntPtr)size);
                    }

                    public void Reset()
                    {
                        {|#1:_buffer = IntPtr.Zero|};
                    }

                    public void Dispose()
                    {
                        Marshal.FreeHGlobal(_buffer);
                        Marshal.FreeHGlobal(_spare);
                    }

                    public int Size => _size;
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
                Field(0).WithArguments("_buffer", "native memory", "it is replaced here without freeing the previous block"),
                Field(1).WithArguments("_buffer", "native memory", "it is cleared here without being freed"));
        }
    }
}
