using System;
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
        public static void AssertChartsDrawn(string htmlPath, int minimumCharts, ITestOutputHelper output)
        {
            var chromium = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "/usr/bin/chromium-browser";
            Assert.True(File.Exists(chromium), "Chromium is needed for the report test (apt-get install chromium; .ci/run does it).");
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
        }
    }
}
