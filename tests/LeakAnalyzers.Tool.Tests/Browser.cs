using System;
using System.Collections.Generic;
using System.Linq;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace LeakAnalyzers.Tool.Tests
{
    /// <summary>Loads a report in real headless Chromium (Debian's package; .ci/run installs it) and checks the charts were drawn.</summary>
    internal static class Browser
    {
        /// <summary>The headline's background for a leak (#b00020): the screenshot must show a band of it.</summary>
        private static readonly (byte R, byte G, byte B) LeakRed = (0xb0, 0x00, 0x20);

        private static string Chromium
        {
            get
            {
                var chromium = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "/usr/bin/chromium-browser";
                Assert.True(File.Exists(chromium), "Chromium is needed for the report test (apt-get install chromium; .ci/run does it).");
                return chromium;
            }
        }

        /// <summary>
        /// A 1280×720 screenshot of the report (a laptop's first screen): the headline's red band must be in it, whole, with
        /// no scrolling — at least 40 rows of it in the top 300 rows, and its bottom edge above the fold.
        /// </summary>
        public static void AssertLeakHeadlineVisibleWithoutScrolling(string htmlPath, ITestOutputHelper output)
        {
            var profile = Directory.CreateTempSubdirectory("leakcheck-chromium-").FullName;
            var shot = Path.Combine(profile, "shot.png");
            var info = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--hide-scrollbars", "--user-data-dir=" + profile, "--window-size=1280,720", "--virtual-time-budget=3000",
                "--screenshot=" + shot, new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            })
            {
                info.ArgumentList.Add(argument);
            }

            using (var process = Process.Start(info)!)
            {
                process.StandardOutput.ReadToEndAsync();
                process.StandardError.ReadToEnd();
                process.WaitForExit(60_000);
            }

            Assert.True(File.Exists(shot), "chromium wrote no screenshot");
            var png = Png.Load(shot);
            var redRows = new List<int>();
            for (var y = 0; y < png.Height; y++)
            {
                var red = 0;
                for (var x = 0; x < png.Width; x += 4)
                {
                    var (r, g, b) = png.Pixel(x, y);
                    red += Math.Abs(r - LeakRed.R) < 12 && g < 16 && Math.Abs(b - LeakRed.B) < 16 ? 1 : 0;
                }

                if (red > png.Width / 4 / 2)
                {
                    redRows.Add(y);
                }
            }

            output.WriteLine($"screenshot {png.Width}x{png.Height}: headline band rows {redRows.FirstOrDefault()}..{redRows.LastOrDefault()} ({redRows.Count} rows)");
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
            }

            Assert.True(redRows.Count >= 40, $"the headline band is not in the first screen ({redRows.Count} red rows)");
            Assert.True(redRows[0] < 300, $"the headline starts at row {redRows[0]}");
            Assert.True(redRows[^1] < png.Height - 1, "the headline is cut off at the bottom of the first screen");
        }

        /// <summary>Loads the report, checks its charts were drawn (axes with time and size ticks) and returns the rendered DOM.</summary>
        public static string AssertChartsDrawn(string htmlPath, int minimumCharts, ITestOutputHelper output)
        {
            var chromium = Chromium;
            var profile = Directory.CreateTempSubdirectory("leakcheck-chromium-").FullName;
            var info = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic", "--user-data-dir=" + profile, "--virtual-time-budget=3000", "--dump-dom",
                new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            var dom = process.StandardOutput.ReadToEnd();
            process.WaitForExit(60_000);
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
            }

            var charts = Regex.Match(dom, "data-charts=\"(\\d+)\"");
            output.WriteLine($"chromium rendered {charts.Groups[1].Value} chart(s)");
            Assert.True(charts.Success, "the page's script did not run:\n" + dom[..Math.Min(dom.Length, 2000)]);
            Assert.True(int.Parse(charts.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= minimumCharts);
            Assert.Matches("<polyline class=\"samples\"[^>]*points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+", dom);
            Assert.Contains("<line class=\"trend\"", dom);
            Assert.Matches("<text class=\"xtick\"[^>]*>[0-9.]+ s</text>", dom);
            Assert.Matches("<text class=\"ytick\"[^>]*>[0-9.]+ (B|KB|MB|GB)</text>", dom);
            Assert.Contains("exit code", dom);
            return dom;
        }
    }
}
