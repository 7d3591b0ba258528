using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>
    /// One self-contained HTML file: a chart per series with its trend line (drawn as SVG by an inline script from the
    /// embedded data, no network), the verdict table and the findings' source locations.
    /// </summary>
    public static class HtmlReport
    {
        public static void Write(string path, int pid, WatchedSeries heap, WatchedSeries workingSet, IReadOnlyList<WatchedSeries> fields, WatchSettings settings, string? stopped)
        {
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
                var where = s.Finding is null ? string.Empty : $"{s.Finding.RuleId} {s.Finding.File}:{s.Finding.Line}";
                var perSecond = (s.Trend?.Slope ?? 0) / settings.Interval.TotalSeconds;
                rows.Append("<tr><td>").Append(WebUtility.HtmlEncode(s.Name)).Append("</td><td class=\"").Append(s.Status).Append("\">").Append(s.Status)
                    .Append("</td><td>").Append(s.Unit == "bytes" ? LeakAnalyzers.Runtime.Statistics.Projection.FormatBytes(perSecond) + "/s" : perSecond.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " elements/s")
                    .Append("</td><td>").Append(s.Values.Count).Append("</td><td>").Append(WebUtility.HtmlEncode(where)).Append("</td></tr>\n");
            }

            var html = $$"""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>leakcheck report, process {{pid}}</title>
                <style>
                body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
                table { border-collapse: collapse; margin-bottom: 2em; }
                td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
                .Leaking, .Confirmed { color: #b00; font-weight: bold; }
                .NotLeaking, .NotConfirmed { color: #070; }
                .chart { margin: 1em 0 2em; }
                svg { background: #fafafa; border: 1px solid #ddd; }
                </style>
                </head>
                <body>
                <h1>leakcheck: process {{pid}}</h1>
                <p>{{settings.Duration.TotalSeconds}} s, a sample every {{settings.Interval.TotalSeconds}} s. {{WebUtility.HtmlEncode(stopped ?? string.Empty)}}</p>
                <table id="verdicts"><tr><th>Series</th><th>Verdict</th><th>Growth</th><th>Samples</th><th>Finding</th></tr>
                {{rows}}</table>
                <div id="charts"></div>
                <script>
                const series = {{json}};
                const ns = 'http://www.w3.org/2000/svg';
                const W = 720, H = 220, P = 40;
                for (const s of series) {
                  const box = document.createElement('div');
                  box.className = 'chart';
                  const title = document.createElement('h3');
                  title.textContent = s.name + ' (' + s.unit + '): ' + s.status;
                  box.appendChild(title);
                  const svg = document.createElementNS(ns, 'svg');
                  svg.setAttribute('width', W); svg.setAttribute('height', H);
                  const pts = s.values.map((v, i) => [s.seconds[i], v]).filter(p => p[1] !== null);
                  if (pts.length > 0) {
                    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
                    const x0 = Math.min(...xs), x1 = Math.max(...xs) || 1, y0 = Math.min(...ys), y1 = Math.max(...ys);
                    const sx = x => P + (x - x0) / ((x1 - x0) || 1) * (W - 2 * P);
                    const sy = y => H - P - (y - y0) / ((y1 - y0) || 1) * (H - 2 * P);
                    const line = document.createElementNS(ns, 'polyline');
                    line.setAttribute('class', 'samples');
                    line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#1565c0'); line.setAttribute('stroke-width', '2');
                    line.setAttribute('points', pts.map(p => sx(p[0]) + ',' + sy(p[1])).join(' '));
                    svg.appendChild(line);
                    const trend = document.createElementNS(ns, 'line');
                    trend.setAttribute('class', 'trend');
                    const n = s.values.length - 1;
                    trend.setAttribute('x1', sx(s.seconds[0] ?? 0)); trend.setAttribute('y1', sy(s.intercept));
                    trend.setAttribute('x2', sx(s.seconds[n] ?? 0)); trend.setAttribute('y2', sy(s.intercept + s.slope * n));
                    trend.setAttribute('stroke', '#c62828'); trend.setAttribute('stroke-dasharray', '6 4');
                    svg.appendChild(trend);
                    const label = document.createElementNS(ns, 'text');
                    label.setAttribute('x', P); label.setAttribute('y', 16);
                    label.textContent = 'min ' + Math.round(y0) + ', max ' + Math.round(y1);
                    svg.appendChild(label);
                  }
                  box.appendChild(svg);
                  document.getElementById('charts').appendChild(box);
                }
                document.body.setAttribute('data-charts', String(document.querySelectorAll('polyline.samples').length));
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
    }
}
