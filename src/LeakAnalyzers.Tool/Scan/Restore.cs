using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace LeakAnalyzers.Tool.Scan
{
    /// <summary>
    /// <c>dotnet restore</c> of the solution or project before it is loaded, as <c>dotnet build</c> does: without it an
    /// unrestored project loads with no references (or only some) and a scan would see nothing to report.
    /// </summary>
    public static class Restore
    {
        /// <summary>The most error lines of MSBuild's output repeated on a failed restore.</summary>
        private const int MaxErrorLines = 20;

        /// <param name="msbuildPath">The SDK folder MSBuildLocator registered (…/sdk/&lt;version&gt;/), to find the dotnet host next to it.</param>
        public static async Task<bool> RunAsync(string? msbuildPath, string path, TextWriter error, CancellationToken cancellationToken)
        {
            var info = new ProcessStartInfo(DotnetHost(msbuildPath))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(path) ?? Directory.GetCurrentDirectory(),
            };
            foreach (var argument in new[] { "restore", path, "-nologo", "-v", "q" })
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            info.Environment["DOTNET_NOLOGO"] = "1";
            info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            Process process;
            try
            {
                process = Process.Start(info)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                await error.WriteLineAsync($"leakcheck: could not run '{info.FileName} restore' ({e.Message}); run dotnet restore first, then leakcheck scan --no-restore.").ConfigureAwait(false);
                return false;
            }

            using (process)
            {
                var output = new StringBuilder();
                process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
                process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                try
                {
                    await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw;
                }

                if (process.ExitCode == 0)
                {
                    return true;
                }

                string[] lines;
                lock (output)
                {
                    lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                }

                var errors = lines.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
                await error.WriteLineAsync($"leakcheck: dotnet restore of {path} failed (exit code {process.ExitCode}); run dotnet restore first and fix what it reports:").ConfigureAwait(false);
                foreach (var line in (errors.Count > 0 ? errors : lines.ToList()).Take(MaxErrorLines))
                {
                    await error.WriteLineAsync($"leakcheck: MSBuild: {line}").ConfigureAwait(false);
                }

                return false;
            }
        }

        private static string DotnetHost(string? msbuildPath)
        {
            var name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
            var fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
            {
                return fromEnvironment;
            }

            if (msbuildPath is not null)
            {
                // …/dotnet/sdk/10.0.100/ -> …/dotnet/dotnet
                var root = Path.GetFullPath(Path.Combine(msbuildPath, "..", ".."));
                var candidate = Path.Combine(root, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return name;
        }
    }
}
