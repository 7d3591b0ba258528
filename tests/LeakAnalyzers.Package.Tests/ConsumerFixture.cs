using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace LeakAnalyzers.Package.Tests
{
    [AttributeUsage(AttributeTargets.Assembly)]
    public sealed class RepositoryRootAttribute(string path) : Attribute
    {
        public string Path { get; } = path;
    }

    /// <summary>
    /// Packs src/LeakAnalyzers.Package and the leakcheck tool once with a version unique to this run (so no stale copy in the
    /// NuGet cache is used), installs the tool from that local folder feed on first use, and makes consumer projects that
    /// reference the package from it.
    /// </summary>
    public sealed class ConsumerFixture : IDisposable
    {
        public const string LeakyLine = "    private static readonly List<string> History = new();";

        public ConsumerFixture()
        {
            Root = typeof(ConsumerFixture).Assembly.GetCustomAttribute<RepositoryRootAttribute>()!.Path;
            WorkDir = Directory.CreateTempSubdirectory("leakanalyzers-e2e-").FullName;
            Feed = Directory.CreateDirectory(System.IO.Path.Combine(WorkDir, "feed")).FullName;
            Version = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
            var pack = Run(Root, "dotnet", $"pack src/LeakAnalyzers.Package -c Release -o \"{Feed}\" -p:Version={Version}");
            Assert.True(pack.ExitCode == 0, pack.Output);
            Package = System.IO.Path.Combine(Feed, $"LeakAnalyzers.{Version}.nupkg");
            Assert.True(File.Exists(Package), pack.Output);

            // The tool, packed after the analyzers: it reuses their Release build of this version.
            var packTool = Run(Root, "dotnet", $"pack src/LeakAnalyzers.Tool -c Release -o \"{Feed}\" -p:Version={Version}");
            Assert.True(packTool.ExitCode == 0, packTool.Output);
            ToolPackage = System.IO.Path.Combine(Feed, $"leakcheck.{Version}.nupkg");
            Assert.True(File.Exists(ToolPackage), packTool.Output);
            _leakcheck = new Lazy<string>(InstallTool);
        }

        private readonly Lazy<string> _leakcheck;

        public string ToolPackage { get; }

        private readonly Dictionary<string, object> _once = new(StringComparer.Ordinal);

        /// <summary>A result computed once for every test of the run that asks for it (a consumer fixed once, checked per rule).</summary>
        public T Once<T>(string key, Func<T> compute)
            where T : notnull
        {
            lock (_once)
            {
                if (!_once.TryGetValue(key, out var value))
                {
                    value = compute();
                    _once[key] = value;
                }

                return (T)value;
            }
        }

        /// <summary>The installed leakcheck command (dotnet tool install --tool-path, from the local feed only).</summary>
        public string Leakcheck => _leakcheck.Value;

        private string InstallTool()
        {
            var tools = Directory.CreateDirectory(System.IO.Path.Combine(WorkDir, "tools")).FullName;
            var config = System.IO.Path.Combine(tools, "NuGet.config");
            File.WriteAllText(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);
            var install = Run(tools, "dotnet", $"tool install leakcheck --version {Version} --tool-path \"{System.IO.Path.Combine(tools, "bin")}\" --configfile \"{config}\"");
            Assert.True(install.ExitCode == 0, install.Output);
            var command = System.IO.Path.Combine(tools, "bin", OperatingSystem.IsWindows() ? "leakcheck.exe" : "leakcheck");
            Assert.True(File.Exists(command), install.Output);
            return command;
        }

        public string Root { get; }

        public string WorkDir { get; }

        public string Feed { get; }

        public string Version { get; }

        public string Package { get; }

        /// <summary>A fresh consumer project (net8.0 and net10.0) with one LEAK001 at Leaky.cs line 5, restored.</summary>
        /// <param name="properties">More MSBuild properties (XML) for the project's PropertyGroup.</param>
        /// <param name="files">More source files (name, text); <paramref name="leaky"/> false leaves Leaky.cs out.</param>
        public string NewConsumer(string name, string? editorConfig = null, string properties = "", IEnumerable<(string Name, string Text)>? files = null,
            bool restore = true, string targetFrameworks = "net8.0;net10.0", bool leaky = true)
        {
            var dir = Directory.CreateDirectory(System.IO.Path.Combine(WorkDir, name)).FullName;
            File.WriteAllText(System.IO.Path.Combine(dir, "NuGet.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(System.IO.Path.Combine(dir, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFrameworks>{targetFrameworks}</TargetFrameworks>
                    <Nullable>enable</Nullable>
                    <NuGetAudit>false</NuGetAudit>
                    {properties}
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="LeakAnalyzers" Version="{Version}" />
                  </ItemGroup>
                </Project>
                """);
            foreach (var (fileName, text) in files ?? Array.Empty<(string, string)>())
            {
                File.WriteAllText(System.IO.Path.Combine(dir, fileName), text);
            }

            if (leaky)
            {
                File.WriteAllText(System.IO.Path.Combine(dir, "Leaky.cs"), string.Join("\n",
                "using System.Collections.Generic;",
                "",
                "public static class RequestLog",
                "{",
                LeakyLine,
                "",
                "    public static void Record(string path) => History.Add(path);",
                "}",
                ""));
            }

            if (editorConfig is not null)
            {
                File.WriteAllText(System.IO.Path.Combine(dir, ".editorconfig"), editorConfig);
            }

            if (restore)
            {
                var restored = Run(dir, "dotnet", "restore");
                Assert.True(restored.ExitCode == 0, restored.Output);
            }

            return dir;
        }

        public static (int ExitCode, string Output) Run(string workingDirectory, string file, string arguments)
        {
            var info = new ProcessStartInfo(file, arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            info.Environment["DOTNET_NOLOGO"] = "1";
            info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            using var process = Process.Start(info)!;
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // A guard against a hung build, not a speed limit: a loaded CI machine took over 5 minutes for pack and restore.
            if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, output + "\n(timed out)");
            }

            process.WaitForExit();
            return (process.ExitCode, output.ToString());
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(WorkDir, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }
}
