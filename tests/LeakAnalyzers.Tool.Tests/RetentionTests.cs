using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;
using LeakAnalyzers.Tool.Heap;
using Microsoft.Diagnostics.NETCore.Client;
using Xunit;
using Xunit.Abstractions;

namespace LeakAnalyzers.Tool.Tests
{
    /// <summary>
    /// Heap snapshots, their diff and the retention paths. The unit tests build summaries and object graphs by hand; the few
    /// process tests dump the sample service (a few MB of heap) and check that no dump is ever left behind.
    /// </summary>
    public class RetentionTests
    {
        private static readonly string Root = typeof(RetentionTests).Assembly.GetCustomAttribute<RepositoryRootAttribute>()!.Path;
        private static readonly string SampleDll = Path.Combine(Root, "samples", "OrderService", "bin", "Debug", "net10.0", "OrderService.dll");
        private readonly ITestOutputHelper output;

        public RetentionTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        [Theory]
        [InlineData("System.Collections.Generic.Dictionary<System.String, Shop.Order>", "Dictionary<string, Shop.Order>", "Dictionary<string, Order>")]
        [InlineData("System.Collections.Generic.Dictionary<System.String, Shop.Order>+Entry[]", "Dictionary<string, Shop.Order>.Entry[]", "Dictionary<string, Order>.Entry[]")]
        [InlineData("System.Byte[]", "byte[]", "byte[]")]
        [InlineData("Shop.Cache+Node<System.Int32>", "Shop.Cache.Node<int>", "Cache.Node<int>")]
        [InlineData("System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<System.String, System.Object>>", "List<KeyValuePair<string, object>>", "List<KeyValuePair<string, object>>")]
        public void TypeNamesAreReadableWithTheirGenericArguments(string runtimeName, string readable, string shortName)
        {
            Assert.Equal(readable, TypeNames.Readable(runtimeName));
            Assert.Equal(shortName, TypeNames.Short(runtimeName));
            Assert.Equal("Shop.Cache+Node", TypeNames.Definition("Shop.Cache+Node<System.Int32>[]"));
            Assert.Equal("Shop.Cache+Node", SourceMap.Normalize("Shop.Cache+Node`1"));
        }

        [Fact]
        public void TheDiffRanksTypesByGrowthInBytesAndCountsSurvivors()
        {
            var before = Summary(("Shop.Order", 100, 10_000), ("System.String", 50, 2_000), ("Shop.Temp", 500, 40_000));
            var after = Summary(("Shop.Order", 400, 40_000), ("System.String", 60, 2_600), ("Shop.Temp", 10, 800), ("Shop.New", 1, 64));
            var diff = HeapDiff.Compute(before, after, new Dictionary<string, long> { ["Shop.Order"] = 100, ["System.String"] = 45 });

            Assert.Equal(new[] { "Shop.Order", "System.String", "Shop.New", "Shop.Temp" }, diff.Rows.Select(r => r.Name));
            var order = diff.Rows[0];
            Assert.Equal(30_000, order.BytesGrowth);
            Assert.Equal(300, order.CountGrowth);
            Assert.Equal(100, order.Survived);
            Assert.Equal(0, diff.Rows.Single(r => r.Name == "Shop.New").Survived);
            Assert.Equal(30_000 + 600 + 64, diff.PositiveGrowth);
            Assert.Equal(after.LiveBytes - before.LiveBytes, diff.Growth);

            // Only types that grew are "top", at most as many as asked for.
            Assert.Equal(new[] { "Shop.Order", "System.String" }, diff.Top(2).Select(t => t.Name));
            Assert.DoesNotContain(diff.Top(10), t => t.Name == "Shop.Temp");

            // An object the GC moved keeps its content key: words that point into the heap (references) are left out, the rest count.
            const ulong heapStart = 0x7f0000000000, heapEnd = 0x7f0100000000;
            byte[] Payload(params ulong[] words) => words.SelectMany(BitConverter.GetBytes).ToArray();
            var moved = HeapSummary.ContentKey(0x1111, 40, Payload(42, 0x7f0000001000, 7), heapStart, heapEnd);
            Assert.Equal(moved, HeapSummary.ContentKey(0x1111, 40, Payload(42, 0x7f00000a2000, 7), heapStart, heapEnd));
            Assert.NotEqual(moved, HeapSummary.ContentKey(0x1111, 40, Payload(43, 0x7f0000001000, 7), heapStart, heapEnd));
            Assert.NotEqual(moved, HeapSummary.ContentKey(0x2222, 40, Payload(42, 0x7f0000001000, 7), heapStart, heapEnd));
            Assert.NotEqual(moved, HeapSummary.ContentKey(0x1111, 48, Payload(42, 0x7f0000001000, 7), heapStart, heapEnd));

            // Common keys count as multisets, per type: two equal objects before and three after are two survivors.
            var a = HeapSummary.ContentKey(0x1111, 24, Payload(1), heapStart, heapEnd);
            var b = HeapSummary.ContentKey(0x1111, 24, Payload(2), heapStart, heapEnd);
            var c = HeapSummary.ContentKey(0x2222, 24, Payload(1), heapStart, heapEnd);
            var common = HeapSummary.CommonByTag(new[] { a, a, b, c }.OrderBy(k => k).ToArray(), new[] { a, a, a, c }.OrderBy(k => k).ToArray());
            Assert.Equal(2, common[HeapSummary.Tag(0x1111)]);
            Assert.Equal(1, common[HeapSummary.Tag(0x2222)]);

            // Survivors are matched by address and type: the same address with another type is a new object.
            Assert.NotEqual(HeapSummary.Key(0x7f0000001000, 0x1111), HeapSummary.Key(0x7f0000001000, 0x2222));
            Assert.NotEqual(HeapSummary.Key(0x7f0000001000, 0x1111), HeapSummary.Key(0x7f0000001008, 0x1111));
        }

        [Fact]
        public void ManyObjectsHeldTheSameWayFoldIntoOneLineAndAChainIntoOneHop()
        {
            // static Shop.Cache.s_items -> Dictionary -> Entry[] -> 100 Orders; a timer queue chain of 50 timers -> callback -> Poller.
            var parents = new Dictionary<ulong, ulong>();
            var roots = new List<RootLabel> { new(RootKind.StaticField, "Shop.Cache", "s_items"), new(RootKind.StaticField, "System.Threading.TimerQueue", "<Instances>k__BackingField"), new(RootKind.StrongHandle) };
            var types = new Dictionary<ulong, string>();
            ulong next = 0x1000;
            ulong New(string type, ulong parent)
            {
                var address = next += 0x40;
                types[address] = type;
                parents[address] = parent;
                return address;
            }

            var dictionary = New("System.Collections.Generic.Dictionary<System.String, Shop.Order>", RetentionPaths.PathFolder.RootEntry(0));
            var entries = New("System.Collections.Generic.Dictionary<System.String, Shop.Order>+Entry[]", dictionary);
            var orders = Enumerable.Range(0, 100).Select(_ => New("Shop.Order", entries)).ToList();
            var queue = New("System.Threading.TimerQueue", RetentionPaths.PathFolder.RootEntry(1));
            var timer = New("System.Threading.TimerQueueTimer", queue);
            var pollers = new List<ulong>();
            for (var i = 0; i < 50; i++)
            {
                var callback = New("System.Threading.TimerCallback", timer);
                pollers.Add(New("Shop.Poller", callback));
                timer = New("System.Threading.TimerQueueTimer", timer);
            }

            var handled = New("Shop.Order", RetentionPaths.PathFolder.RootEntry(2));
            PathStep Step(ulong parent, ulong child)
            {
                var type = types[parent];
                var field = type switch
                {
                    "System.Threading.TimerQueue" => "_shortTimers",
                    "System.Threading.TimerQueueTimer" => types[child] == "System.Threading.TimerQueueTimer" ? "_next" : "_timerCallback",
                    "System.Threading.TimerCallback" => "_target",
                    _ when type.EndsWith("[]", StringComparison.Ordinal) => "[].value",
                    _ => "_entries",
                };
                return new PathStep(type, field, type == "System.Threading.TimerCallback" ? "Shop.Poller.<.ctor>b__2_0" : null);
            }

            var folder = new RetentionPaths.PathFolder(parents, i => roots[i], Step);
            var orderGroups = RetentionPaths.Group(folder, orders.Append(handled).Select(a => (a, 1024L)), "Shop.Order").OrderByDescending(g => g.Objects).ToList();
            Assert.Equal(2, orderGroups.Count);
            Assert.Equal(100, orderGroups[0].Objects);
            Assert.Equal(100 * 1024, orderGroups[0].Bytes);
            Assert.Equal(RootKind.StaticField, orderGroups[0].Root.Kind);
            Assert.Equal(new[] { "System.Collections.Generic.Dictionary<System.String, Shop.Order>", "System.Collections.Generic.Dictionary<System.String, Shop.Order>+Entry[]" }, orderGroups[0].Steps.Select(s => s.Type));
            Assert.Equal(("Shop.Cache", "s_items"), orderGroups[0].Holder);
            Assert.Equal(1, orderGroups[1].Objects);
            Assert.Equal(RootKind.StrongHandle, orderGroups[1].Root.Kind);
            Assert.Null(orderGroups[1].Holder);

            // The 50 pollers sit at 50 depths of the timer chain, yet it is one way of holding them: the repeated hop is counted once.
            var pollerGroups = RetentionPaths.Group(folder, pollers.Select(a => (a, 1056L)), "Shop.Poller");
            var poller = Assert.Single(pollerGroups);
            Assert.Equal(50, poller.Objects);
            Assert.True(poller.ThroughTimerQueue);
            Assert.Equal(50, poller.Steps.Single(s => s.Type == "System.Threading.TimerQueueTimer").MaxRun);
            Assert.Equal("Shop.Poller.<.ctor>b__2_0", Assert.Single(poller.Methods));

            var report = new RetentionReport(HeapDiff.Compute(Summary(), Summary(("Shop.Poller", 50, 52_800))), Array.Empty<TypeGrowth>(), null, SourceMap.Empty);
            var text = report.Describe(poller);
            Assert.StartsWith("the timer queue (a Timer never disposed) → TimerQueueTimer ×up to 50 (a chain) → TimerCallback (Poller.<.ctor>b__2_0) → Poller", text);
            Assert.Equal("static Shop.Cache.s_items → Dictionary<string, Order> → Dictionary<string, Order>.Entry[] → Order", report.Describe(orderGroups[0]));
        }

        [Fact]
        public async Task HoldersMapToTheirDeclarationsAndToTheFindingsOnThem()
        {
            var folder = Directory.CreateTempSubdirectory("leakcheck-map-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(folder, "Cache.cs"), """
                    using System;
                    using System.Collections.Generic;
                    namespace Shop
                    {
                        public static class Cache
                        {
                            private static readonly List<Order> s_items = new();
                            public static event EventHandler? Changed;
                            public static void Add(Order order) => s_items.Add(order);
                            public static void Raise() => Changed?.Invoke(null, EventArgs.Empty);
                        }

                        public sealed class Order { public int Id { get; set; } }

                        public sealed class Store
                        {
                            private readonly Dictionary<int, Order> _orders = new();
                            public void Put(Order order) => _orders[order.Id] = order;
                            public Store() => Cache.Changed += (_, _) => _orders.Clear();
                        }
                    }
                    """);
                var map = new SourceMap();
                Assert.True(await map.AddSourceAsync(folder, TextWriter.Null, CancellationToken.None));
                var cacheFile = Path.Combine(folder, "Cache.cs");
                Assert.Equal(new Declaration(cacheFile, 7, "field"), map.Find("Shop.Cache", "s_items"));
                Assert.Equal("event", map.Find("Shop.Cache", "Changed")!.Kind);
                Assert.Equal(13, map.Find("Shop.Order", "Id")!.Line);
                Assert.Equal(17, map.Find("Shop.Store", "_orders")!.Line);
                Assert.Equal(19, map.FindMethod("Shop.Store.<.ctor>b__2_0")!.Line);
                Assert.Null(map.Find("Shop.Nowhere", "s_items"));

                // The scan of the source found the static list (LEAK001): its path says so, with its share of the growth.
                var list = map.FindingOn("Shop.Cache", "s_items");
                Assert.NotNull(list);
                Assert.Equal("LEAK001", list!.RuleId);

                var (report, cacheGroup, storeGroup) = ReportWithTwoHolders(map);
                Assert.Equal($"LEAK001 (found by the analyzers) — and it holds 75% of the growth [{cacheFile}:7]", report.Attribution(cacheGroup));
                Assert.Equal($"not found by the analyzers: the growth (25%) is held by Shop.Store._orders ({cacheFile}:17)", report.Attribution(storeGroup));
                Assert.StartsWith($"static Shop.Cache.s_items ({cacheFile}:7) → List<Order>", report.Describe(cacheGroup));
                Assert.Contains($"Store._orders ({cacheFile}:17) → Dictionary<int, Order>", report.Describe(storeGroup));

                // With the watch's verdicts, the finding says whether it was confirmed.
                var watched = new RetentionReport(report.Diff, report.Top, null, map, new Dictionary<SarifFinding, string> { [list] = "Confirmed" });
                Assert.StartsWith("LEAK001 Confirmed — and it holds 75% of the growth", watched.Attribution(cacheGroup));
                var lines = string.Join("\n", watched.Lines());
                Assert.Contains("Shop.Order: +3.0 KB (+3 objects), 100% of the growth", lines);
                Assert.Contains("LEAK001 Confirmed — and it holds 75% of the growth", lines);

                // A SARIF finding alone (no source) still names the finding and its location.
                var sarifOnly = new SourceMap();
                sarifOnly.AddFindings(new[] { new SarifFinding("LEAK002", "cache", "/src/Shop/Cache.cs", 7, "Shop.Cache", "s_items", "Shop") });
                Assert.Equal(new Declaration("/src/Shop/Cache.cs", 7, "field"), sarifOnly.Find("Shop.Cache", "s_items"));
                Assert.StartsWith("LEAK002 (found by the analyzers) — and it holds 75% of the growth", ReportWithTwoHolders(sarifOnly).Report.Attribution(cacheGroup));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        [Fact]
        public async Task SnapshotDiffReadsTwoDumpsAndRejectsFilesItCannotRead()
        {
            var folder = Directory.CreateTempSubdirectory("leakcheck-diff-").FullName;
            var dumps = new List<string>();
            using var target = await StartSampleAsync();
            try
            {
                var (first, _, _, _) = await DumpWriter.WriteAsync(target.Id, folder, long.MaxValue, null, CancellationToken.None);
                var (second, _, _, _) = await DumpWriter.WriteAsync(target.Id, folder, long.MaxValue, null, CancellationToken.None);
                dumps.Add(first);
                dumps.Add(second);
                var sarif = Path.Combine(Root, "samples", "OrderService", "obj", "OrderService.sarif");
                var (exit, stdout, _) = await Leakcheck("snapshot-diff", first, second, "--findings", sarif);
                Assert.Contains(exit, new[] { 0, 1 });
                Assert.Contains("What grows: the live heap", stdout);
                Assert.Matches(@"\d[\d,]* → \d[\d,]* live objects", stdout);

                // Bounded work: a path search capped at 50 objects says so, and still prints no more than it found.
                var (firstSummary, _, _) = SnapshotAnalysis.Analyze(first, null, new RetentionBudget());
                var (_, cappedDiff, capped) = SnapshotAnalysis.Analyze(second, firstSummary, new RetentionBudget { MaxPathObjects = 50 });
                Assert.NotNull(capped);
                Assert.True(capped!.HitObjectBudget);
                var cappedLines = new RetentionReport(cappedDiff!, cappedDiff!.Top(5), capped, new SourceMap()).Lines().ToList();
                Assert.Contains("  The path search stopped at its budget (50 objects visited): paths are the shortest among the objects visited.", cappedLines);

                // The user's dumps are theirs: snapshot-diff leaves them.
                Assert.True(File.Exists(first) && File.Exists(second));

                // A dump without the heap, a file that is no dump, a missing file: one line, exit code 2.
                var normal = Path.Combine(folder, "normal.dmp");
                await new DiagnosticsClient(target.Id).WriteDumpAsync(DumpType.Normal, normal, false, CancellationToken.None);
                var garbage = Path.Combine(folder, "garbage.dmp");
                File.WriteAllBytes(garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
                foreach (var (file, message) in new[] { (normal, "holds no walkable GC heap"), (garbage, "cannot read"), (Path.Combine(folder, "none.dmp"), "no such dump file") })
                {
                    var (bad, badOut, error) = await Leakcheck("snapshot-diff", file, second);
                    Assert.Equal(2, bad);
                    Assert.Contains(message, error);
                    Assert.Single(error.Trim().Split('\n'));
                    Assert.DoesNotContain("   at ", error + badOut);
                }
            }
            finally
            {
                target.Kill();
                dumps.ForEach(DumpWriter.Delete);
                Directory.Delete(folder, recursive: true);
            }

            Assert.Empty(DumpWriter.LiveDumps);
        }

        [Fact]
        public async Task ATargetThatExitsDuringTheSnapshotLeavesNothing()
        {
            // Deterministic: the dump goes into a FIFO this test reads, so the writer is held mid-dump until the target is killed.
            var folder = Directory.CreateTempSubdirectory("leakcheck-exit-").FullName;
            var fifo = Path.Combine(folder, "held.dmp");
            using (var mkfifo = Process.Start("mkfifo", fifo)!)
            {
                await mkfifo.WaitForExitAsync();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            var target = await StartSampleAsync();
            var started = new TaskCompletionSource();
            FileStream? reader = null;
            var reading = Task.Run(() =>
            {
                reader = new FileStream(fifo, FileMode.Open, FileAccess.Read);
                var buffer = new byte[4096];
                _ = reader.Read(buffer, 0, buffer.Length);
                started.SetResult();
            });
            DumpWriter.NameForTests = (_, _) => "held.dmp";
            try
            {
                var snapshot = DumpWriter.WriteAsync(target.Id, folder, long.MaxValue, null, CancellationToken.None);
                await started.Task;
                target.Kill();
                var error = await Assert.ThrowsAsync<SnapshotException>(() => snapshot);
                Assert.Contains("exited during the snapshot", error.Message);
            }
            finally
            {
                DumpWriter.NameForTests = null;
                await reading;
                reader?.Dispose();
                target.Dispose();
            }

            Assert.Empty(Directory.GetFileSystemEntries(folder));
            Directory.Delete(folder);
        }

        [Fact]
        [System.Runtime.Versioning.SupportedOSPlatform("linux")]
        public async Task NoPermissionAFullDiskAndADumpSizeCapGiveOneLineAndLeaveNothing()
        {
            var folder = Directory.CreateTempSubdirectory("leakcheck-faults-").FullName;
            try
            {
                // A cap smaller than the target's dump: refused before anything is written.
                using (var target = await StartSampleAsync())
                {
                    var (exit, _, error) = await Leakcheck("watch", "--pid", target.Id.ToString(CultureInfo.InvariantCulture), "--retention", "--dump-dir", folder, "--max-dump-size", "1MB", "--duration", "30s", "--interval", "200ms");
                    target.Kill();
                    Assert.Equal(2, exit);
                    Assert.Contains("more than --max-dump-size 1.0 MB", error);
                    Assert.Empty(Directory.GetFileSystemEntries(folder));
                }

                // A full disk, simulated without root: the target (and the createdump it starts) may write files of 2 MB at most.
                // (W^X double mapping is off: it needs a file larger than that for the runtime itself to start.)
                using (var limited = await StartSampleAsync("bash", "-c", $"ulimit -f 2048 && exec dotnet {SampleDll} --forever --delay-ms 2", ("DOTNET_EnableWriteXorExecute", "0")))
                {
                    var (exit, _, error) = await Leakcheck("watch", "--pid", limited.Id.ToString(CultureInfo.InvariantCulture), "--retention", "--dump-dir", folder, "--duration", "30s", "--interval", "200ms");
                    limited.Kill();
                    Assert.Equal(2, exit);
                    Assert.Contains("was cut short at 2.0 MB", error);
                    Assert.Contains("file-size limit", error);
                    Assert.Single(error.Trim().Split('\n'));
                    Assert.Empty(Directory.GetFileSystemEntries(folder));
                }

                // No permission: the dump is written by the target's user, who may not write to the folder.
                var locked = Directory.CreateDirectory(Path.Combine(folder, "locked")).FullName;
                var root = Environment.UserName == "root";
                File.SetUnixFileMode(locked, root ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserExecute);
                using (var other = root ? await StartSampleAsync("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", SampleDll, "--forever", "--delay-ms", "2") : await StartSampleAsync())
                {
                    var error = await Assert.ThrowsAsync<SnapshotException>(() => DumpWriter.WriteAsync(other.Id, locked, long.MaxValue, null, CancellationToken.None));
                    other.Kill();
                    Assert.Contains("may not write there", error.Message);
                    Assert.Contains("Permission denied", error.Message);
                    Assert.Empty(Directory.GetFileSystemEntries(locked));
                }
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }

            Assert.Empty(DumpWriter.LiveDumps);
        }

        [Fact]
        public async Task AWatchWhoseBudgetAllowsNoCollectionStillSnapshotsItsStartAndEnd()
        {
            // --max-pause 0: no collection is induced, so there may be no heap sample at all; the window still has its two snapshots.
            var folder = Directory.CreateTempSubdirectory("leakcheck-nobudget-").FullName;
            using var target = await StartSampleAsync();
            try
            {
                var (exit, stdout, _) = await Leakcheck("watch", "--pid", target.Id.ToString(CultureInfo.InvariantCulture), "--findings", Path.Combine(Root, "samples", "OrderService", "obj", "OrderService.sarif"), "--retention", "--dump-dir", folder, "--max-pause", "0", "--duration", "3s", "--interval", "500ms");
                Assert.Contains(exit, new[] { 0, 1, 3 });
                Assert.Contains("no collection induced", stdout);
                Assert.Matches(@"Snapshots: 2 dump\(s\) written in", stdout);
                Assert.Contains("What grows: the live heap", stdout);
                Assert.Contains("static OrderService.RequestHistory.History (samples/OrderService/Orders.cs:84)", stdout);

                // The strings the history held at the first snapshot are still held at the second, wherever the GC moved them.
                var row = System.Text.RegularExpressions.Regex.Match(stdout, @"\n  string +([\d,]+) → ([\d,]+) .* ([\d,]+) of ([\d,]+)\n");
                Assert.True(row.Success, "no string row in the diff");
                long Number(int group) => long.Parse(row.Groups[group].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                Assert.True(Number(3) >= Number(1) / 2, $"{Number(3)} of {Number(1)} strings survived");
                Assert.True(Number(3) <= Number(4));
                Assert.Empty(Directory.GetFileSystemEntries(folder));
            }
            finally
            {
                target.Kill();
                Directory.Delete(folder, recursive: true);
            }
        }

        [Fact]
        public async Task AStoppedWatchDeletesTheDumpItWasWriting()
        {
            // leakcheck in its own process, stopped (SIGTERM, as a service manager or CI stops it; a Ctrl+C is SIGINT and takes the
            // same path, but a test cannot send it: background processes inherit SIGINT ignored) as soon as its first dump appears.
            var folder = Directory.CreateTempSubdirectory("leakcheck-sigint-").FullName;
            using var target = await StartSampleAsync();
            var tool = Path.Combine(AppContext.BaseDirectory, "leakcheck.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { tool, "watch", "--pid", target.Id.ToString(CultureInfo.InvariantCulture), "--retention", "--dump-dir", folder, "--duration", "60s", "--interval", "200ms" })
            {
                start.ArgumentList.Add(argument);
            }

            using var leakcheck = Process.Start(start)!;
            var stdout = leakcheck.StandardOutput.ReadToEndAsync();
            var stderr = leakcheck.StandardError.ReadToEndAsync();
            try
            {
                // Wait for the dump to appear (the condition, not a time: the loop only looks again).
                while (!Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    if (leakcheck.HasExited)
                    {
                        Assert.Fail("leakcheck exited before it wrote a dump: " + await stdout + await stderr);
                    }

                    await Task.Delay(5);
                }

                Assert.Equal(0, Kill(leakcheck.Id, 15));

                await leakcheck.WaitForExitAsync();
                output.WriteLine($"exit {leakcheck.ExitCode}\n{await stdout}\n{await stderr}");
                Assert.NotEqual(0, leakcheck.ExitCode);
                Assert.Empty(Directory.GetFileSystemEntries(folder));
            }
            finally
            {
                if (!leakcheck.HasExited)
                {
                    leakcheck.Kill();
                }

                target.Kill();
                Directory.Delete(folder, recursive: true);
            }
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);

        private static (RetentionReport Report, PathGroup Cache, PathGroup Store) ReportWithTwoHolders(SourceMap map)
        {
            // 4 orders of 1 KB at the end, 1 at the start: 3 held by the static list, 1 by a store's dictionary.
            var diff = HeapDiff.Compute(Summary(("Shop.Order", 1, 1024)), Summary(("Shop.Order", 4, 4096)));
            var type = diff.Rows.Single();
            var cache = Group(new RootLabel(RootKind.StaticField, "Shop.Cache", "s_items"), new[] { new PathStep("System.Collections.Generic.List<Shop.Order>", "_items"), new PathStep("Shop.Order[]", "[]") }, 3, 3072, 0.75);
            var store = Group(new RootLabel(RootKind.StaticField, "Shop.Registry", "s_store"), new[] { new PathStep("Shop.Store", "_orders"), new PathStep("System.Collections.Generic.Dictionary<System.Int32, Shop.Order>", "_entries"), new PathStep("System.Collections.Generic.Dictionary<System.Int32, Shop.Order>+Entry[]", "[].value") }, 1, 1024, 0.25);
            type.Paths.Add(cache);
            type.Paths.Add(store);
            return (new RetentionReport(diff, new[] { type }, null, map), cache, store);
        }

        private static PathGroup Group(RootLabel root, PathStep[] steps, long objects, long bytes, double share)
        {
            var constructor = typeof(PathGroup).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
            var group = (PathGroup)constructor.Invoke(new object[] { root, steps, "Shop.Order" });
            typeof(PathGroup).GetProperty(nameof(PathGroup.Objects))!.SetValue(group, objects);
            typeof(PathGroup).GetProperty(nameof(PathGroup.Bytes))!.SetValue(group, bytes);
            typeof(PathGroup).GetProperty(nameof(PathGroup.GrowthShare))!.SetValue(group, share);
            return group;
        }

        private static HeapSummary Summary(params (string Name, long Count, long Bytes)[] types)
            => new(types.ToDictionary(t => t.Name, t => new TypeStats(t.Name, t.Count, t.Bytes)), types.Sum(t => t.Count), types.Sum(t => t.Bytes), null, complete: true);

        /// <summary>Starts the sample (or a command that execs it) and waits for its diagnostics channel.</summary>
        private static async Task<Process> StartSampleAsync(params object[] command)
        {
            var arguments = command.OfType<string>().ToList();
            var start = arguments.Count == 0
                ? new ProcessStartInfo("dotnet") { ArgumentList = { SampleDll, "--forever", "--delay-ms", "2" } }
                : new ProcessStartInfo(arguments[0]);
            foreach (var argument in arguments.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (name, value) in command.OfType<(string, string)>())
            {
                start.Environment[name] = value;
            }

            start.Environment["HOME"] = Path.GetTempPath();
            start.UseShellExecute = false;
            start.RedirectStandardOutput = true;
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            while (!DiagnosticsClient.GetPublishedProcesses().Contains(process.Id))
            {
                Assert.False(process.HasExited, "the sample exited before its diagnostics channel opened");
                await Task.Delay(20);
            }

            return process;
        }

        private async Task<(int Exit, string Out, string Err)> Leakcheck(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await Program.RunAsync(args, stdout, stderr, CancellationToken.None);
            output.WriteLine($"leakcheck {string.Join(" ", args)} -> {exit}\n{stdout}\n{stderr}");
            return (exit, stdout.ToString(), stderr.ToString());
        }
    }
}
