using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using LeakAnalyzers.Runtime.Statistics;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>
    /// One self-contained HTML file: the headline verdict with the exit code at the top, the verdict table with the findings'
    /// source locations (relative to their solution or project), and a chart per series with axes, units, time ticks and
    /// its trend line, drawn as SVG by an inline script from the embedded data (no network). Charts of one kind (the findings'
    /// element counts; the live heap; the working set) share one scale from zero by default; a toggle gives each chart its own range.
    /// </summary>
    public static class HtmlReport
    {
        public static void Write(string path, int pid, WatchedSeries heap, WatchedSeries workingSet, IReadOnlyList<WatchedSeries> fields, WatchSettings settings, string? stopped, int exitCode, string verdict, PauseSummary? pauses)
        {
            var c = CultureInfo.InvariantCulture;
            var all = new[] { heap, workingSet }.Concat(fields).ToList();
            var data = all.Select(s => new
            {
                name = s.Name,
                unit = s.Unit,
                status = s.Status,
                seconds = s.Seconds,
                values = s.Values.Select(v => double.IsNaN(v) ? (double?)null : v),
                slope = s.Trend?.Slope ?? 0,
                intercept = s.Trend?.Intercept ?? 0,
            });
            var json = JsonSerializer.Serialize(data);
            var rows = new StringBuilder();
            foreach (var s in all)
            {
                var where = s.Finding is null ? string.Empty : $"{s.Finding.RuleId} {RelativePath(s.Finding.File)}:{s.Finding.Line}";
                var perSecond = s.PerSecond;
                rows.Append("<tr><td>").Append(WebUtility.HtmlEncode(s.Name)).Append("</td><td class=\"").Append(s.Status).Append("\">").Append(s.Status)
                    .Append("</td><td>").Append(s.Unit == "bytes" ? (perSecond > 0 ? "+" : string.Empty) + Projection.FormatBytes(perSecond) + "/s" : (perSecond > 0 ? "+" : string.Empty) + perSecond.ToString("0.##", c) + " elements/s")
                    .Append("</td><td>").Append(s.Values.Count(v => !double.IsNaN(v))).Append("</td><td>").Append(s.Values.Count > 0 && !double.IsNaN(s.Values[^1]) ? (s.Unit == "bytes" ? Projection.FormatBytes(s.Values[^1]) : s.Values[^1].ToString("0", c)) : "no data")
                    .Append("</td><td>").Append(WebUtility.HtmlEncode(where)).Append("</td></tr>\n");
            }

            var kind = exitCode switch { Program.Found => "leak", Program.Clean => "clean", _ => "inconclusive" };
            var title = exitCode switch { Program.Found => "LEAK", Program.Clean => "No leak", _ => "Inconclusive" };
            var html = $$"""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>leakcheck: {{title}} (exit code {{exitCode}}), process {{pid}}</title>
                <style>
                body { font-family: system-ui, sans-serif; margin: 1.5em 2em; color: #222; }
                #headline { padding: 0.8em 1.2em; border-radius: 6px; margin-bottom: 1.2em; color: #fff; }
                #headline.leak { background: #b00020; }
                #headline.clean { background: #1b7a2f; }
                #headline.inconclusive { background: #a15c00; }
                #headline h1 { margin: 0 0 0.3em; font-size: 1.8em; }
                #headline p { margin: 0.2em 0; }
                table { border-collapse: collapse; margin-bottom: 1.5em; }
                td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
                .Leaking, .Confirmed { color: #b00020; font-weight: bold; }
                .NotLeaking, .NotConfirmed { color: #1b7a2f; }
                .Inconclusive, .NotEnoughSamples { color: #a15c00; font-weight: bold; }
                .chart { margin: 0.5em 0 1.5em; }
                .chart h3 { margin: 0.2em 0; font-size: 1em; }
                svg { background: #fafafa; border: 1px solid #ddd; }
                svg text { font-size: 11px; fill: #444; }
                .nodata { fill: #888; font-size: 14px; }
                </style>
                </head>
                <body>
                <div id="headline" class="{{kind}}">
                <h1>{{title}} &mdash; exit code {{exitCode}}</h1>
                <p id="verdict">{{WebUtility.HtmlEncode(verdict)}}</p>
                <p>Process {{pid}}, watched {{heap.Seconds.LastOrDefault().ToString("0", c)}} s of {{settings.Duration.TotalSeconds.ToString("0.###", c)}} s, a sample every {{settings.Interval.TotalSeconds.ToString("0.###", c)}} s: {{heap.Values.Count}} heap sample(s). {{WebUtility.HtmlEncode(stopped ?? string.Empty)}}</p>
                <p>{{WebUtility.HtmlEncode(pauses?.Describe() ?? string.Empty)}}</p>
                </div>
                <table id="verdicts"><tr><th>Series</th><th>Verdict</th><th>Growth</th><th>Samples</th><th>Now</th><th>Finding</th></tr>
                {{rows}}</table>
                <label><input type="checkbox" id="shared" checked> One scale from zero per kind of series (live heap, working set, the findings' element counts); clear it to zoom each chart to its own range.</label>
                <div id="charts"></div>
                <script>
                const series = {{json}};
                const ns = 'http://www.w3.org/2000/svg';
                const W = 760, H = 230, L = 70, R = 20, T = 14, B = 36;
                function size(v) {
                  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
                  let a = Math.abs(v), i = 0;
                  while (a >= 1024 && i < u.length - 1) { a /= 1024; i++; }
                  return (v < 0 ? '-' : '') + (i === 0 ? a.toFixed(0) : a.toFixed(a < 10 ? 1 : 0)) + ' ' + u[i];
                }
                function label(unit, v) { return unit === 'bytes' ? size(v) : (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(Math.round(v * 100) / 100)); }
                function ticks(lo, hi, n, bytes) {
                  if (!(hi > lo)) { hi = lo + 1; }
                  const raw = (hi - lo) / n;
                  const base = bytes && raw >= 1024 ? Math.pow(1024, Math.floor(Math.log(raw) / Math.log(1024))) : 1;
                  const r = raw / base, p = Math.pow(10, Math.floor(Math.log10(r)));
                  const m = r / p, step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p * base;
                  const out = [];
                  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) { out.push(t); }
                  return out;
                }
                function el(name, attrs, text) {
                  const e = document.createElementNS(ns, name);
                  for (const k in attrs) { e.setAttribute(k, attrs[k]); }
                  if (text !== undefined) { e.textContent = text; }
                  return e;
                }
                // Kinds of series: the findings' counts share one scale; the live heap and the working set each have their own.
                function kind(s) { return s.unit === 'elements' ? 'elements' : s.name; }
                function draw() {
                  const shared = document.getElementById('shared').checked;
                  const range = {};
                  for (const s of series) {
                    for (const v of s.values) {
                      if (v === null) { continue; }
                      const r = range[kind(s)] || (range[kind(s)] = { lo: 0, hi: 0 });
                      r.hi = Math.max(r.hi, v);
                    }
                  }
                  const root = document.getElementById('charts');
                  root.textContent = '';
                  for (const s of series) {
                    const box = document.createElement('div');
                    box.className = 'chart';
                    const h = document.createElement('h3');
                    h.textContent = s.name + ' (' + s.unit + '): ' + s.status;
                    box.appendChild(h);
                    const svg = el('svg', { width: W, height: H });
                    const pts = s.values.map((v, i) => [s.seconds[i], v]).filter(p => p[1] !== null && p[0] !== undefined);
                    if (pts.length === 0) {
                      svg.appendChild(el('text', { class: 'nodata', x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no data: this series was never read (see the verdict table)'));
                    } else {
                      const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
                      const x0 = Math.min(0, ...xs), x1 = Math.max(...xs, x0 + 1);
                      let y0 = Math.min(...ys), y1 = Math.max(...ys);
                      if (shared) { y0 = 0; y1 = range[kind(s)].hi; }
                      if (!(y1 > y0)) { y1 = y0 + (s.unit === 'bytes' ? 1024 : 1); }
                      const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R);
                      const sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
                      svg.appendChild(el('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#888' }));
                      svg.appendChild(el('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B, stroke: '#888' }));
                      for (const t of ticks(x0, x1, 8, false)) {
                        svg.appendChild(el('line', { x1: sx(t), y1: H - B, x2: sx(t), y2: H - B + 4, stroke: '#888' }));
                        svg.appendChild(el('text', { class: 'xtick', x: sx(t), y: H - B + 16, 'text-anchor': 'middle' }, t.toFixed(t % 1 === 0 ? 0 : 1) + ' s'));
                      }
                      for (const t of ticks(y0, y1, 4, s.unit === 'bytes')) {
                        svg.appendChild(el('line', { x1: L, y1: sy(t), x2: W - R, y2: sy(t), stroke: '#e4e4e4' }));
                        svg.appendChild(el('text', { class: 'ytick', x: L - 6, y: sy(t) + 4, 'text-anchor': 'end' }, label(s.unit, t)));
                      }
                      svg.appendChild(el('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle' }, 'time since the watch started (s)'));
                      svg.appendChild(el('text', { x: 12, y: (T + H - B) / 2, transform: 'rotate(-90 12 ' + (T + H - B) / 2 + ')', 'text-anchor': 'middle' }, s.unit === 'bytes' ? 'bytes' : 'elements'));
                      svg.appendChild(el('polyline', { class: 'samples', fill: 'none', stroke: '#1565c0', 'stroke-width': 2, points: pts.map(p => sx(p[0]).toFixed(1) + ',' + sy(p[1]).toFixed(1)).join(' ') }));
                      const a = xs[0], b = xs[xs.length - 1];
                      svg.appendChild(el('line', { class: 'trend', x1: sx(a), y1: sy(s.intercept + s.slope * a), x2: sx(b), y2: sy(s.intercept + s.slope * b), stroke: '#c62828', 'stroke-dasharray': '6 4' }));
                      svg.appendChild(el('text', { x: W - R, y: T + 2, 'text-anchor': 'end' }, 'min ' + label(s.unit, Math.min(...ys)) + ', max ' + label(s.unit, Math.max(...ys)) + ', trend ' + (s.slope > 0 ? '+' : '') + label(s.unit, s.slope) + '/s'));
                    }
                    box.appendChild(svg);
                    root.appendChild(box);
                  }
                  document.body.setAttribute('data-charts', String(document.querySelectorAll('polyline.samples').length));
                  document.body.setAttribute('data-nodata', String(document.querySelectorAll('text.nodata').length));
                }
                document.getElementById('shared').addEventListener('change', draw);
                draw();
                const head = document.getElementById('headline').getBoundingClientRect();
                document.body.setAttribute('data-headline-bottom', String(Math.round(head.bottom)));
                document.body.setAttribute('data-viewport-height', String(window.innerHeight));
                </script>
                </body>
                </html>
                """;
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllText(path, html);
        }

        /// <summary>The file relative to the folder of its nearest solution (.sln, .slnx) or else project (.csproj) above it; unchanged when there is none.</summary>
        public static string RelativePath(string? file)
        {
            if (string.IsNullOrEmpty(file) || !Path.IsPathRooted(file))
            {
                return file ?? string.Empty;
            }

            foreach (var patterns in new[] { new[] { "*.sln", "*.slnx" }, new[] { "*.csproj" } })
            {
                for (var dir = Path.GetDirectoryName(file); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
                {
                    try
                    {
                        if (Directory.Exists(dir) && patterns.Any(p => Directory.EnumerateFiles(dir, p).Any()))
                        {
                            return Path.GetRelativePath(dir, file);
                        }
                    }
                    catch (Exception e) when (e is UnauthorizedAccessException or IOException)
                    {
                        break;
                    }
                }
            }

            return file;
        }
    }
}
