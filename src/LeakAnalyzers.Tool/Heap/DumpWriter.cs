using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>
    /// Writes heap dumps of a process into a directory and makes sure none survives the command: every dump is deleted
    /// when it has been read, on errors, when the process is interrupted (SIGINT, SIGTERM, SIGQUIT: the handler waits for
    /// a dump being written to be finished, then deletes it) and at exit. A dump is written by the runtime's createdump,
    /// as the target's user, and suspends the target while it is written.
    /// </summary>
    public static class DumpWriter
    {
        private static readonly object Gate = new();
        private static readonly HashSet<string> Live = new(StringComparer.Ordinal);
        private static readonly List<PosixSignalRegistration> Registrations = new();
        private static Task? s_writing;
        private static bool s_registered;
        private static bool s_interrupted;

        /// <summary>A test seam: the name of the next dump (null: a fresh unique name).</summary>
        internal static Func<int, string, string>? NameForTests { get; set; }

        /// <summary>True once SIGINT, SIGTERM or SIGQUIT arrived: no more dumps are written.</summary>
        public static bool Interrupted
        {
            get
            {
                lock (Gate)
                {
                    return s_interrupted;
                }
            }
        }

        /// <summary>Dumps still on disk (written by this process and not yet deleted).</summary>
        public static IReadOnlyCollection<string> LiveDumps
        {
            get
            {
                lock (Gate)
                {
                    return Live.ToList();
                }
            }
        }

        /// <summary>
        /// Writes a dump with the heap of <paramref name="pid"/> into <paramref name="directory"/> and returns its path; the
        /// caller deletes it with <see cref="Delete"/> (in a finally). Faults are one clear <see cref="SnapshotException"/>
        /// and leave nothing on disk.
        /// </summary>
        public static async Task<(string Path, TimeSpan Elapsed, long Bytes, long? Expected)> WriteAsync(int pid, string directory, long maxBytes, long? expectedBytes, CancellationToken cancellationToken)
        {
            EnsureHandlers();
            if (!Directory.Exists(directory))
            {
                throw new SnapshotException($"--dump-dir {directory}: no such directory");
            }

            var free = FreeBytes(directory);
            var expected = expectedBytes ?? EstimateBytes(pid);
            if (expected is { } need)
            {
                if (need > maxBytes)
                {
                    throw new SnapshotException($"a dump of process {pid} needs about {Runtime.Statistics.Projection.FormatBytes(need)}, more than --max-dump-size {Runtime.Statistics.Projection.FormatBytes(maxBytes)}; raise it, or watch without --retention");
                }

                if (free is { } available && need > available)
                {
                    throw new SnapshotException($"not enough disk for a dump in {directory}: about {Runtime.Statistics.Projection.FormatBytes(need)} needed, {Runtime.Statistics.Projection.FormatBytes(available)} free; choose another --dump-dir");
                }
            }

            var path = Path.Combine(Path.GetFullPath(directory), NameForTests?.Invoke(pid, directory) ?? string.Create(CultureInfo.InvariantCulture, $"leakcheck-{pid}-{Guid.NewGuid():N}.dmp"));
            Task writing;
            lock (Gate)
            {
                if (s_interrupted)
                {
                    throw new OperationCanceledException("interrupted");
                }

                Live.Add(path);
                var client = new DiagnosticsClient(pid);
                writing = client.WriteDumpAsync(DumpType.WithHeap, path, logDumpGeneration: false, CancellationToken.None);
                s_writing = writing;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                await Task.WhenAny(writing, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
                if (!writing.IsCompleted)
                {
                    // Interrupted while the runtime writes: let it finish (stopping createdump could leave the target stopped), then delete.
                    await Task.WhenAny(writing, Task.Delay(TimeSpan.FromMinutes(2), CancellationToken.None)).ConfigureAwait(false);
                    Delete(path);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                await writing.ConfigureAwait(false);
                var elapsed = clock.Elapsed;
                if (Interrupted || cancellationToken.IsCancellationRequested)
                {
                    // A signal came while it was written: the handler deleted it.
                    Delete(path);
                    throw new OperationCanceledException("interrupted", cancellationToken);
                }

                var info = new FileInfo(path);
                if (!info.Exists || info.Length == 0)
                {
                    throw new SnapshotException($"the dump of process {pid} was not written to {directory}");
                }

                if (info.Length > maxBytes)
                {
                    throw new SnapshotException($"the dump of process {pid} took {Runtime.Statistics.Projection.FormatBytes(info.Length)}, more than --max-dump-size {Runtime.Statistics.Projection.FormatBytes(maxBytes)}; it was deleted");
                }

                return (path, elapsed, info.Length, expected);
            }
            catch (Exception e) when (Interrupted && e is not OperationCanceledException)
            {
                Delete(path);
                throw new OperationCanceledException("interrupted", e, cancellationToken);
            }
            catch (Exception e) when (e is ServerErrorException or ServerNotAvailableException or IOException or UnauthorizedAccessException or TimeoutException or EndOfStreamException or InvalidOperationException)
            {
                Delete(path);
                throw Explain(e, pid, directory);
            }
            catch
            {
                Delete(path);
                throw;
            }
            finally
            {
                lock (Gate)
                {
                    if (s_writing == writing)
                    {
                        s_writing = null;
                    }
                }
            }
        }

        /// <summary>Deletes a dump (whatever is at the path: a partial file too), and forgets it.</summary>
        public static void Delete(string path)
        {
            try
            {
                if (File.Exists(path) || Directory.Exists(path) || IsSpecial(path))
                {
                    File.Delete(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Reported by the caller's check of what is left; nothing else to do.
            }

            lock (Gate)
            {
                if (!File.Exists(path))
                {
                    Live.Remove(path);
                }
            }
        }

        /// <summary>Waits for a dump being written (bounded), then deletes every live dump: for signals and exit.</summary>
        public static void DeleteAll()
        {
            Task? writing;
            lock (Gate)
            {
                writing = s_writing;
            }

            try
            {
                writing?.Wait(TimeSpan.FromMinutes(2));
            }
            catch (AggregateException)
            {
                // It failed: its file is deleted below.
            }

            foreach (var path in LiveDumps)
            {
                Delete(path);
            }
        }

        /// <summary>
        /// The dump's expected size: a dump with the heap holds the target's private writable memory (the GC heap with
        /// everything it committed, the runtime's own data, thread stacks), which /proc/pid/smaps counts as the
        /// resident and swapped private pages of its writable mappings; null when it cannot be read.
        /// </summary>
        public static long? EstimateBytes(int pid)
        {
            try
            {
                long total = 0;
                var writable = false;
                foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
                {
                    if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-', StringComparison.Ordinal))
                    {
                        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        writable = parts.Length > 1 && parts[1].Length > 1 && parts[1][1] == 'w';
                        continue;
                    }

                    if (writable && (line.StartsWith("Private_Dirty:", StringComparison.Ordinal) || line.StartsWith("Swap:", StringComparison.Ordinal)))
                    {
                        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb))
                        {
                            total += kb * 1024;
                        }
                    }
                }

                return total > 0 ? total : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        public static long? FreeBytes(string directory)
        {
            try
            {
                return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return null;
            }
        }

        internal static SnapshotException Explain(Exception e, int pid, string directory)
        {
            var message = e.Message.Split('\n')[0].Trim();

            if (!IsRunning(pid))
            {
                return new SnapshotException($"process {pid} exited during the snapshot; the partial dump was deleted", e);
            }

            if (message.Contains("Permission denied", StringComparison.OrdinalIgnoreCase) || message.Contains("(13)", StringComparison.Ordinal))
            {
                return new SnapshotException($"the dump cannot be written to {directory}: the target's user ({TargetUser(pid)}) may not write there, or may not be dumped ({message}); choose a --dump-dir the target's user can write to", e);
            }

            if (message.Contains("No space", StringComparison.OrdinalIgnoreCase) || message.Contains("(28)", StringComparison.Ordinal)
                || message.Contains("File too large", StringComparison.OrdinalIgnoreCase) || message.Contains("(27)", StringComparison.Ordinal))
            {
                return new SnapshotException($"not enough disk for the dump in {directory} ({message}); the partial dump was deleted; choose another --dump-dir", e);
            }

            // A target killed while it is dumped fails the dump before the kernel shows it gone: before calling a failure that
            // names no cause a failure to write, give the target a moment to settle.
            if (ExitsWithin(pid, TimeSpan.FromSeconds(2)))
            {
                return new SnapshotException($"process {pid} exited during the snapshot; the partial dump was deleted", e);
            }

            return new SnapshotException($"cannot write a dump of process {pid} to {directory} ({message}); nothing was left on disk", e);
        }

        /// <summary>
        /// A dump that ClrMD cannot read right after it was written: when it is much smaller than expected, or the target
        /// has a file-size limit it reached, it was cut short (a full disk or ulimit -f: createdump does not always report it).
        /// </summary>
        internal static SnapshotException Unreadable(SnapshotException e, int pid, string path, long bytes, long? expected)
        {
            var limit = FileSizeLimit(pid);
            var directory = Path.GetDirectoryName(path) ?? path;
            if (limit is { } max && bytes >= max - 4096 || expected is { } need && bytes < need / 2 || FreeBytes(directory) is < 1024 * 1024)
            {
                var why = limit is { } l && bytes >= l - 4096 ? $"the target's file-size limit (ulimit -f, {Runtime.Statistics.Projection.FormatBytes(l)})" : $"not enough disk in {directory}";
                return new SnapshotException($"the dump of process {pid} was cut short at {Runtime.Statistics.Projection.FormatBytes(bytes)}{(expected is { } x ? $" (about {Runtime.Statistics.Projection.FormatBytes(x)} expected)" : string.Empty)}: {why}; it was deleted; choose another --dump-dir", e);
            }

            return new SnapshotException($"the dump of process {pid} cannot be read: {e.Message}; it was deleted", e);
        }

        /// <summary>The target's RLIMIT_FSIZE ("Max file size" in /proc/pid/limits), which createdump inherits; null when unlimited.</summary>
        internal static long? FileSizeLimit(int pid)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/limits").FirstOrDefault(l => l.StartsWith("Max file size", StringComparison.Ordinal));
                var parts = line?[13..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts is { Length: > 0 } && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static string TargetUser(int pid)
        {
            try
            {
                var uid = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
                return uid is null ? "unknown" : "uid " + uid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "unknown";
            }
        }

        private static bool ExitsWithin(int pid, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < timeout)
            {
                Thread.Sleep(50);
                if (!IsRunning(pid))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited && File.Exists($"/proc/{pid}/status") && File.ReadAllText($"/proc/{pid}/status") is var status
                    && !status.Contains("State:\tZ", StringComparison.Ordinal) && !status.Contains("State:\tX", StringComparison.Ordinal);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
            {
                return false;
            }
        }

        private static bool IsSpecial(string path)
        {
            try
            {
                return (File.GetAttributes(path) & FileAttributes.Device) != 0 || new FileInfo(path).Exists;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        private static void EnsureHandlers()
        {
            lock (Gate)
            {
                if (s_registered)
                {
                    return;
                }

                s_registered = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
                if (!OperatingSystem.IsWindows())
                {
                    foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
                    {
                        Registrations.Add(PosixSignalRegistration.Create(signal, _ =>
                        {
                            // No new dump after a signal; the one being written is finished and deleted with the others. The
                            // default handling (or the command line's cancellation) then goes on.
                            lock (Gate)
                            {
                                s_interrupted = true;
                            }

                            DeleteAll();
                        }));
                    }
                }
            }
        }
    }
}
