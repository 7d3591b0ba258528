using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using LeakAnalyzers.Runtime.Statistics;

namespace LeakAnalyzers.Runtime
{
    /// <summary>What the scenario showed about one finding.</summary>
    public enum ConfirmationStatus
    {
        /// <summary>The member grew: the leak is real in this scenario.</summary>
        Confirmed,

        /// <summary>The member changed but stayed bounded (its trend is NotLeaking).</summary>
        NotConfirmed,

        /// <summary>The scenario never touched the member (or it could not be found): run a scenario that does.</summary>
        NotExercised,

        /// <summary>The member changed, but its trend is too noisy to call either way: run more iterations.</summary>
        Inconclusive,
    }

    /// <summary>The outcome for one finding.</summary>
    public sealed class FindingResult
    {
        internal FindingResult(SarifFinding finding, ConfirmationStatus status, SeriesReport? series, string reason)
        {
            Finding = finding;
            Status = status;
            Series = series;
            Reason = reason;
        }

        public SarifFinding Finding { get; }

        public ConfirmationStatus Status { get; }

        /// <summary>The member's element or handler counts, when it could be read.</summary>
        public SeriesReport? Series { get; }

        public string Reason { get; }

        public override string ToString() => $"{Finding.RuleId} {Finding.TypeMetadataName}.{Finding.MemberName}: {Status} ({Reason})";
    }

    /// <summary>
    /// Confirms findings in a test: runs the scenario once, tracking every member the findings name, and tells for each
    /// whether it grew (Confirmed), stayed bounded (NotConfirmed) or was never touched (NotExercised).
    /// </summary>
    public static class FindingConfirmation
    {
        /// <summary>Findings from the build's SARIF log (<c>-p:ErrorLog=...</c>); only those that name a member are checked.</summary>
        public static Task<IReadOnlyList<FindingResult>> ConfirmAsync(string sarifPath, Func<Task> iteration, Action<LeakProbe>? configure = null)
            => ConfirmAsync(SarifFindings.Load(sarifPath), iteration, configure);

        /// <summary>Findings given directly: rule id, the containing type's metadata name and the member.</summary>
        public static Task<IReadOnlyList<FindingResult>> ConfirmAsync(IEnumerable<(string RuleId, string TypeMetadataName, string MemberName)> findings, Func<Task> iteration, Action<LeakProbe>? configure = null)
            => ConfirmAsync(findings.Select(f => new SarifFinding(f.RuleId, string.Empty, null, 0, f.TypeMetadataName, f.MemberName, null)), iteration, configure);

        public static IReadOnlyList<FindingResult> Confirm(IEnumerable<SarifFinding> findings, Action iteration, Action<LeakProbe>? configure = null)
            => ConfirmAsync(findings, () =>
            {
                iteration();
                return Task.CompletedTask;
            }, configure).GetAwaiter().GetResult();

        public static async Task<IReadOnlyList<FindingResult>> ConfirmAsync(IEnumerable<SarifFinding> findings, Func<Task> iteration, Action<LeakProbe>? configure = null)
        {
            var list = findings.Where(f => f.NamesMember).ToList();
            var probe = LeakProbe.For(iteration);
            configure?.Invoke(probe);
            var tracked = new List<(SarifFinding Finding, string Key)>();
            var missing = new List<SarifFinding>();
            for (var i = 0; i < list.Count; i++)
            {
                var finding = list[i];
                var counter = MemberCounter.TryCreate(finding.TypeMetadataName!, finding.MemberName!, finding.AssemblyName);
                if (counter is null)
                {
                    missing.Add(finding);
                    continue;
                }

                var key = "#" + i + " " + finding.MemberName;
                probe.Track(key, counter);
                tracked.Add((finding, key));
            }

            var report = await probe.RunAsync().ConfigureAwait(false);
            var results = new List<FindingResult>();
            foreach (var (finding, key) in tracked)
            {
                var series = report.Tracked.First(s => s.Name == key);
                var status = series.Untouched ? ConfirmationStatus.NotExercised
                    : series.Trend.Verdict == Verdict.Leaking ? ConfirmationStatus.Confirmed
                    : series.Trend.Verdict == Verdict.NotLeaking ? ConfirmationStatus.NotConfirmed
                    : ConfirmationStatus.Inconclusive;
                var reason = status switch
                {
                    ConfirmationStatus.NotExercised => "the scenario never changed it",
                    ConfirmationStatus.Confirmed => $"grows {series.Trend.Slope:0.###} elements per iteration (p = {series.Trend.PValue:0.####})",
                    _ => $"{series.Trend.Verdict}: {series.Trend.Slope:0.###} elements per iteration",
                };
                results.Add(new FindingResult(finding, status, series, reason));
            }

            foreach (var finding in missing)
            {
                results.Add(new FindingResult(finding, ConfirmationStatus.NotExercised, null, "the member is not in the loaded assemblies (or belongs to an open generic type)"));
            }

            return results;
        }
    }
}
