using System;
using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>What <c>watch --retention</c> and <c>run --retention</c> were asked for.</summary>
    public sealed class RetentionSettings
    {
        public string DumpDirectory { get; init; } = Path.GetTempPath();

        /// <summary>Take another snapshot whenever the live heap has grown this much since the last one (null: only at the start and the end).</summary>
        public double? SnapshotEveryBytes { get; init; }

        /// <summary>The most disk one dump may take (default: no cap beyond the free space).</summary>
        public long MaxDumpBytes { get; init; } = long.MaxValue;

        /// <summary>A solution, project or folder to map the holders back to (and to scan for findings).</summary>
        public string? Source { get; init; }

        public RetentionBudget Budget { get; init; } = new();
    }

    /// <summary>The options of <c>--retention</c>, added to watch and run.</summary>
    public sealed class RetentionOptions
    {
        private readonly Option<bool> _retention = new("--retention") { Description = "Also take a heap snapshot (a dump, read offline and deleted) at the start and the end of the window: the types that grew, and the paths from the GC roots that hold them, tied to the source and the findings." };
        private readonly Option<string?> _dumpDir = new("--dump-dir") { Description = "Where the temporary dumps go (default: the temp folder). The target's user must be able to write there; each dump is about the size of the target's memory and is deleted when read." };
        private readonly Option<string?> _every = new("--snapshot-every") { Description = "With --retention: also take a snapshot whenever the live heap has grown this much since the last one (e.g. 200MB), so that a process that exits early still has its growth explained." };
        private readonly Option<string?> _maxDump = new("--max-dump-size") { Description = "With --retention: the most disk one dump may take (e.g. 2GB); a bigger one is refused before it is written, or deleted." };
        private readonly Option<string?> _source = new("--source") { Description = "With --retention: a solution, project or folder of the target's source: print the file:line of the members that hold the growth, and scan it for findings." };
        private readonly Option<int> _top = new("--top") { Description = "With --retention: how many of the top growing types get their paths.", DefaultValueFactory = _ => 5 };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _retention, _dumpDir, _every, _maxDump, _source, _top })
            {
                command.Options.Add(option);
            }
        }

        /// <summary>Null without --retention.</summary>
        public RetentionSettings? Settings(ParseResult result)
        {
            var retention = result.GetValue(_retention);
            var dumpDir = result.GetValue(_dumpDir);
            if (!retention)
            {
                foreach (var (name, given) in new[] { ("--dump-dir", dumpDir is not null), ("--snapshot-every", result.GetValue(_every) is not null), ("--max-dump-size", result.GetValue(_maxDump) is not null), ("--source", result.GetValue(_source) is not null) })
                {
                    if (given)
                    {
                        throw new UsageException($"{name} needs --retention.");
                    }
                }

                return null;
            }

            if (dumpDir is not null && !Directory.Exists(dumpDir))
            {
                throw new UsageException($"--dump-dir: no such directory: {dumpDir}");
            }

            var top = result.GetValue(_top);
            if (top < 1)
            {
                throw new UsageException("--top: must be at least 1.");
            }

            return new RetentionSettings
            {
                DumpDirectory = dumpDir ?? Path.GetTempPath(),
                SnapshotEveryBytes = result.GetValue(_every) is { } every ? Positive(Units.ParseBytes(every, "--snapshot-every"), "--snapshot-every") : null,
                MaxDumpBytes = result.GetValue(_maxDump) is { } max ? (long)Positive(Units.ParseBytes(max, "--max-dump-size"), "--max-dump-size") : long.MaxValue,
                Source = result.GetValue(_source),
                Budget = new RetentionBudget { TopTypes = top },
            };
        }

        /// <summary>The findings of a SARIF log and the declarations (and findings) of a source tree; null after a one-line error.</summary>
        public static async Task<SourceMap?> LoadMapAsync(string? findings, string? source, TextWriter error, CancellationToken cancellationToken)
        {
            var map = new SourceMap();
            if (findings is not null)
            {
                try
                {
                    map.AddFindings(SarifFindings.Load(findings));
                }
                catch (SarifFormatException e)
                {
                    await error.WriteLineAsync($"leakcheck: {e.Message}").ConfigureAwait(false);
                    return null;
                }
            }

            if (source is not null && !await map.AddSourceAsync(source, error, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return map;
        }

        private static double Positive(double value, string option) => value > 0 ? value : throw new UsageException($"{option}: must be more than zero.");
    }
}
