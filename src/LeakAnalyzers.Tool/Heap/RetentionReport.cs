using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using LeakAnalyzers.Runtime;
using LeakAnalyzers.Runtime.Statistics;
using LeakAnalyzers.Tool.Watch;

namespace LeakAnalyzers.Tool.Heap
{
    /// <summary>The diff of two snapshots, the paths that hold the top growing types, tied to the source and the findings.</summary>
    public sealed class RetentionReport
    {
        private static readonly CultureInfo C = CultureInfo.InvariantCulture;

        public RetentionReport(HeapDiff diff, IReadOnlyList<TypeGrowth> top, PathSearchStats? search, SourceMap map, IReadOnlyDictionary<SarifFinding, string>? statuses = null, int snapshots = 2)
        {
            Diff = diff;
            Top = top;
            Search = search;
            Map = map;
            Statuses = statuses ?? new Dictionary<SarifFinding, string>();
            Snapshots = snapshots;
            foreach (var group in top.SelectMany(t => t.Paths))
            {
                var holder = HolderKey(group);
                HolderShares[holder] = HolderShares.GetValueOrDefault(holder) + group.GrowthShare;
            }
        }

        public HeapDiff Diff { get; }

        public IReadOnlyList<TypeGrowth> Top { get; }

        public PathSearchStats? Search { get; }

        public SourceMap Map { get; }

        /// <summary>The watch's verdict per finding (Confirmed, NotConfirmed...); empty for two dumps given by the user.</summary>
        public IReadOnlyDictionary<SarifFinding, string> Statuses { get; }

        public int Snapshots { get; }

        /// <summary>Per holder (its display key), the share of the heap's growth it holds over all the top types.</summary>
        public Dictionary<string, double> HolderShares { get; } = new(StringComparer.Ordinal);

        /// <summary>The finding a group's path names (on its root or on any member on the way), if any.</summary>
        public SarifFinding? FindingFor(PathGroup group)
            => group.Members.Select(m => Map.FindingOn(m.Type, m.Member)).FirstOrDefault(f => f is not null);

        public IEnumerable<string> Lines()
        {
            var before = Diff.Before;
            var after = Diff.After;
            yield return $"What grows: the live heap {Sign(Diff.Growth)}{Projection.FormatBytes(Diff.Growth)} between the snapshots at {before.Seconds.ToString("0.0", C)} s and {after.Seconds.ToString("0.0", C)} s ({Format(before.LiveObjects)} → {Format(after.LiveObjects)} live objects; {Snapshots} snapshot(s), every dump deleted).";
            if (!before.Complete || !after.Complete)
            {
                yield return "  (the marking stopped at its budget: the counts are lower bounds)";
            }

            var shown = Diff.Rows.Where(r => r.BytesGrowth > 0).Take(Math.Max(Top.Count, 5)).ToList();
            if (shown.Count == 0)
            {
                yield return "  No type grew between the snapshots.";
                yield break;
            }

            var width = Math.Min(60, shown.Max(r => TypeNames.Readable(r.Name).Length));
            yield return $"  {"type".PadRight(width)}  {"objects",-21}  {"bytes",-21}  {"growth",-22}  survived";
            foreach (var row in shown)
            {
                var survived = row.Survived is { } s ? $"{Format(s)} of {Format(row.CountAfter)}" : "?";
                yield return $"  {Clip(TypeNames.Readable(row.Name), width).PadRight(width)}  {(Format(row.CountBefore) + " → " + Format(row.CountAfter)),-21}  {(Projection.FormatBytes(row.BytesBefore) + " → " + Projection.FormatBytes(row.BytesAfter)),-21}  {("+" + Projection.FormatBytes(row.BytesGrowth) + ", " + Sign(row.CountGrowth) + Format(row.CountGrowth)),-22}  {survived}";
            }

            yield return "Who holds it (shortest paths from the GC roots, one line per way of holding; static fields and handles first):";
            foreach (var type in Top)
            {
                yield return $"  {TypeNames.Readable(type.Name)}: +{Projection.FormatBytes(type.BytesGrowth)} ({Sign(type.CountGrowth)}{Format(type.CountGrowth)} objects), {Percent(Diff.PositiveGrowth > 0 ? (double)type.BytesGrowth / Diff.PositiveGrowth : 0)} of the growth";
                if (type.Paths.Count == 0)
                {
                    yield return "    no path found" + (type.Unreached > 0 ? $" ({Format(type.Unreached)} objects not reached within the budget)" : string.Empty);
                    continue;
                }

                foreach (var group in Shown(type))
                {
                    yield return $"    {Describe(group)}: {Format(group.Objects)} objects, {Projection.FormatBytes(group.Bytes)}";
                    yield return "      " + Attribution(group);
                }

                if (type.Unreached > 0)
                {
                    yield return $"    ({Format(type.Unreached)} more not reached within the budget)";
                }
            }

            if (Search is { } search && (search.HitObjectBudget || search.HitTimeBudget))
            {
                yield return $"  The path search stopped at its budget ({(search.HitObjectBudget ? Format(search.MaxObjects) + " objects visited" : search.MaxTime.TotalSeconds.ToString("0", C) + " s")}): paths are the shortest among the objects visited.";
            }

            // Findings the watch confirmed whose members no path above goes through.
            var onPaths = Top.SelectMany(t => t.Paths).Select(FindingFor).Where(f => f is not null).ToHashSet();
            foreach (var (finding, status) in Statuses.Where(s => s.Value == "Confirmed" && !onPaths.Any(f => Same(f!, s.Key))))
            {
                yield return $"  {finding.RuleId} {finding.TypeMetadataName}.{finding.MemberName} is Confirmed but holds none of the top growing types: it grows in count more than in bytes.";
            }
        }

        /// <summary>"static Shop.Cache.s_items (Cache.cs:14) → Dictionary&lt;string, Order&gt; → Entry[] → Order".</summary>
        public string Describe(PathGroup group)
        {
            var parts = new List<string> { RootText(group) };
            var steps = group.Steps.ToList();
            if (group.ThroughTimerQueue)
            {
                var first = steps.FindIndex(s => s.Type == "System.Threading.TimerQueueTimer");
                if (first > 0)
                {
                    steps.RemoveRange(0, first);
                }
            }

            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                var text = TypeNames.Short(step.Type);
                if (step.Field == "_invocationList")
                {
                    parts.Add(text + " invocation list");
                    if (i + 1 < steps.Count && steps[i + 1].Type == "System.Object[]")
                    {
                        i++;
                    }

                    continue;
                }

                if (step.Method is { } method)
                {
                    var where = Map.FindMethod(method) is { } d ? ", " + Location(d) : string.Empty;
                    parts.Add($"{text} ({ShortMethod(method)}{where})");
                    continue;
                }

                if (!TypeNames.IsFramework(step.Type) && step.Field is { } hop && !hop.StartsWith('[') && !step.Type.Contains("<>", StringComparison.Ordinal))
                {
                    var member = DumpHeap.MemberName(hop);
                    text += "." + member;
                    if (Map.Find(step.Type, member) is { } declaration)
                    {
                        text += " (" + Location(declaration) + ")";
                    }
                }

                if (step.MaxRun > 1)
                {
                    text += $" ×up to {step.MaxRun.ToString(C)} (a chain)";
                }

                parts.Add(text);
            }

            parts.Add(TypeNames.Short(group.Target));
            return string.Join(" → ", Compress(parts, group));
        }

        /// <summary>A long stretch of framework hops (sockets, pipes, async state machines) is cut to its ends: "… 6 more …".</summary>
        private static List<string> Compress(List<string> parts, PathGroup group)
        {
            const int Keep = 8;
            if (parts.Count <= Keep)
            {
                return parts;
            }

            // Keep the root and the first two hops, and the last four (the holder and the instance).
            var result = parts.Take(3).ToList();
            result.Add($"… {parts.Count - 7} more …");
            result.AddRange(parts.Skip(parts.Count - 4));
            _ = group;
            return result;
        }

        /// <summary>"LEAK001 Confirmed — and it holds 92% of the growth", or "not found by the analyzers: the growth is held by ...".</summary>
        public string Attribution(PathGroup group)
        {
            var share = HolderShares.GetValueOrDefault(HolderKey(group));
            var finding = FindingFor(group);
            if (finding is not null)
            {
                var status = StatusOf(finding) is { } watched ? " " + watched : " (found by the analyzers)";
                return $"{finding.RuleId}{status} — and it holds {Percent(share)} of the growth [{HtmlReport.RelativePath(finding.File)}:{finding.Line}]";
            }

            var holder = HolderText(group);
            return $"not found by the analyzers: the growth ({Percent(share)}) is held by {holder}";
        }

        /// <summary>A self-contained HTML section: the diff table, then a block per growing type with its paths.</summary>
        public string Html()
        {
            var html = new StringBuilder();
            html.Append("<section id=\"retention\"><h2>What grows, and who holds it</h2>\n<p>")
                .Append(WebUtility.HtmlEncode(Lines().First())).Append("</p>\n");
            html.Append("<table id=\"growth\"><tr><th>Type</th><th>Objects</th><th>Bytes</th><th>Growth</th><th>Survived</th></tr>\n");
            foreach (var row in Diff.Rows.Where(r => r.BytesGrowth > 0).Take(Math.Max(Top.Count, 5)))
            {
                html.Append("<tr><td>").Append(WebUtility.HtmlEncode(TypeNames.Readable(row.Name))).Append("</td><td>")
                    .Append(Format(row.CountBefore)).Append(" → ").Append(Format(row.CountAfter)).Append("</td><td>")
                    .Append(Projection.FormatBytes(row.BytesBefore)).Append(" → ").Append(Projection.FormatBytes(row.BytesAfter)).Append("</td><td>+")
                    .Append(Projection.FormatBytes(row.BytesGrowth)).Append("</td><td>").Append(row.Survived is { } s ? Format(s) : "?").Append("</td></tr>\n");
            }

            html.Append("</table>\n");
            foreach (var type in Top)
            {
                html.Append("<div class=\"growing\"><h3>").Append(WebUtility.HtmlEncode(TypeNames.Readable(type.Name))).Append(": +")
                    .Append(Projection.FormatBytes(type.BytesGrowth)).Append("</h3><ul>\n");
                foreach (var group in Shown(type))
                {
                    html.Append("<li><code class=\"path\">").Append(WebUtility.HtmlEncode(Describe(group))).Append("</code>: ")
                        .Append(Format(group.Objects)).Append(" objects, ").Append(Projection.FormatBytes(group.Bytes))
                        .Append("<br><span class=\"attribution\">").Append(WebUtility.HtmlEncode(Attribution(group))).Append("</span></li>\n");
                }

                html.Append("</ul></div>\n");
            }

            html.Append("</section>\n");
            return html.ToString();
        }

        /// <summary>The first group, and the others that hold at least 2% of what the type's groups hold.</summary>
        private static IEnumerable<PathGroup> Shown(TypeGrowth type)
        {
            var total = type.Paths.Sum(g => g.Bytes);
            return type.Paths.Where((g, i) => i == 0 || g.Bytes >= 0.02 * total);
        }

        private string? StatusOf(SarifFinding finding) => Statuses.FirstOrDefault(s => Same(s.Key, finding)).Value;

        private static bool Same(SarifFinding a, SarifFinding b)
            => a.RuleId == b.RuleId && a.MemberName == b.MemberName && SourceMap.Normalize(a.TypeMetadataName ?? string.Empty) == SourceMap.Normalize(b.TypeMetadataName ?? string.Empty);

        private string RootText(PathGroup group)
        {
            if (group.ThroughTimerQueue)
            {
                return "the timer queue (a Timer never disposed)";
            }

            var root = group.Root;
            if (root.Kind != RootKind.StaticField)
            {
                return root.ToString();
            }

            var declaration = Map.Find(root.Type!, root.Member!);
            var kind = declaration?.Kind == "event" ? "event" : "static";
            return $"{kind} {TypeNames.Readable(root.Type)}.{root.Member}{(declaration is null ? string.Empty : " (" + Location(declaration) + ")")}";
        }

        private string HolderText(PathGroup group)
        {
            if (group.Holder is { } holder)
            {
                var declaration = Map.Find(holder.Type, holder.Member);
                return $"{TypeNames.Readable(holder.Type)}.{holder.Member}{(declaration is null ? " (not in the given source)" : " (" + Location(declaration) + ")")}";
            }

            var method = group.Methods.LastOrDefault();
            var callback = method is null ? string.Empty : $", calling {ShortMethod(method)}{(Map.FindMethod(method) is { } d ? " (" + Location(d) + ")" : string.Empty)}";
            return RootText(group) + callback;
        }

        private static string HolderKey(PathGroup group) => group.Holder is { } h ? h.Type + "." + h.Member : group.Root.ToString() + (group.ThroughTimerQueue ? "|timer" : string.Empty);

        private static string Location(Declaration declaration) => $"{HtmlReport.RelativePath(declaration.File)}:{declaration.Line}";

        private static string ShortMethod(string method)
        {
            var at = method.IndexOf(".<", StringComparison.Ordinal);
            var dot = at > 0 ? at : method.LastIndexOf('.');
            return dot > 0 ? TypeNames.Short(method[..dot]) + method[dot..] : method;
        }

        private static string Format(long value) => value.ToString("#,0", C);

        private static string Percent(double share) => (share * 100).ToString(share < 0.095 && share > 0 ? "0.#" : "0", C) + "%";

        private static string Sign(long value) => value > 0 ? "+" : string.Empty;

        private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
    }
}
