// Resource handling that looks like LEAK005–LEAK009 but is correct: using, finally, hand-overs, owners, exempt types.
using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ValidCode.Resources
{
    public sealed class Files : IDisposable
    {
        private readonly List<IDisposable> _owned = new();
        private Stream? _current;

        public string ReadAll(string path)
        {
            using var reader = new StreamReader(File.OpenRead(path));
            return reader.ReadToEnd();
        }

        public async Task<int> FirstByteAsync(string path)
        {
            await using var stream = File.OpenRead(path);
            var buffer = new byte[1];
            return await stream.ReadAsync(buffer).ConfigureAwait(false);
        }

        public Stream Open(string path)
        {
            var stream = File.OpenRead(path);
            try
            {
                stream.Seek(0, SeekOrigin.Begin);
                return stream;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        public void Track(string path)
        {
            var stream = File.OpenRead(path);
            _owned.Add(stream);
        }

        public void Replace(string path)
        {
            var stream = File.OpenRead(path);
            _current?.Dispose();
            _current = stream;
        }

        public long SizeOf(string path)
        {
            FileStream? stream = null;
            try
            {
                stream = File.OpenRead(path);
                return stream.Length;
            }
            finally
            {
                stream?.Dispose();
            }
        }

        public string Parse(Stream input)
        {
            var reader = new StreamReader(input);
            return reader.ReadLine() ?? string.Empty;
        }

        public string Text(byte[] data)
        {
            var memory = new MemoryStream(data);
            var reader = new StringReader(Encoding.UTF8.GetString(memory.ToArray()));
            return reader.ReadToEnd();
        }

        public IEnumerable<string> Lines(string path)
        {
            using var reader = File.OpenText(path);
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                yield return line;
            }
        }

        public Func<Stream> Lazy(string path) => () => File.OpenRead(path);

        public void Dispose()
        {
            _current?.Dispose();
            foreach (var item in _owned)
            {
                item.Dispose();
            }
        }
    }

    public sealed class Http
    {
        private static readonly HttpClient _client = new();

        public async Task<string> GetAsync(Uri uri)
        {
            using var response = await _client.GetAsync(uri).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        }

        public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request);
    }

    public static class Native
    {
        [DllImport("native")]
        private static extern int Write(IntPtr p, int n);

        public static int Send(string text)
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

        public static IntPtr Allocate(int size) => Marshal.AllocHGlobal(size);

        public static void Pin(byte[] data)
        {
            var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
            try
            {
                Write(handle.AddrOfPinnedObject(), data.Length);
            }
            finally
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }

        public static int CoTask(int n)
        {
            var p = Marshal.AllocCoTaskMem(n);
            try
            {
                return Marshal.ReadByte(p);
            }
            finally
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    public sealed class NativeBuffer : IDisposable
    {
        private IntPtr _memory;

        public NativeBuffer(int size)
        {
            var memory = Marshal.AllocHGlobal(size);
            _memory = memory;
        }

        public void Dispose()
        {
            Marshal.FreeHGlobal(_memory);
            _memory = IntPtr.Zero;
        }
    }

    public static class Pools
    {
        public static int Copy(Stream from, Stream to)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int n, total = 0;
                while ((n = from.Read(buffer, 0, buffer.Length)) > 0)
                {
                    to.Write(buffer, 0, n);
                    total += n;
                }

                return total;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public static int Small(int n)
        {
            byte[]? rented = null;
            Span<byte> span = n <= 128 ? stackalloc byte[128] : (rented = ArrayPool<byte>.Shared.Rent(n));
            var length = span.Length;
            if (rented != null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            return length;
        }

        public static byte[] Take(int n)
        {
            var array = ArrayPool<byte>.Shared.Rent(n);
            return array;
        }
    }

    public sealed class Timers : IDisposable
    {
        private readonly Timer _timer;
        private CancellationTokenRegistration _registration;
        private CancellationTokenSource _cancel = new();

        public Timers(CancellationToken stopping)
        {
            _timer = new Timer(_ => Tick(), null, 0, 1000);
            _registration = stopping.Register(() => _timer.Dispose());
        }

        public async Task<int> RunAsync(CancellationToken token)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, _cancel.Token);
            using var registration = token.Register(() => Tick());
            await Task.Delay(1, linked.Token).ConfigureAwait(false);
            return 1;
        }

        public async Task<int> WithTimeoutAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Task.Delay(1, timeout.Token).ConfigureAwait(false);
            return 2;
        }

        public async Task<int> WithCancelAfterAsync(TimeSpan limit)
        {
            var timeout = new CancellationTokenSource();
            try
            {
                timeout.CancelAfter(limit);
                await Task.Delay(1, timeout.Token).ConfigureAwait(false);
                return 3;
            }
            finally
            {
                timeout.Dispose();
            }
        }

        public void Restart()
        {
            _cancel = new CancellationTokenSource();
            _cancel.Token.Register(Tick);
        }

        public void Local()
        {
            var cts = new CancellationTokenSource();
            cts.Token.Register(Tick);
            cts.Cancel();
        }

        public void Once()
        {
            var timer = new System.Timers.Timer(1000);
            timer.Elapsed += (s, e) => Tick();
            timer.Start();
            timer.Stop();
            timer.Dispose();
        }

        private void Tick()
        {
        }

        public void Dispose()
        {
            _timer.Dispose();
            _registration.Dispose();
            _cancel.Dispose();
        }
    }
}
