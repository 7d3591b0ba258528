using System;
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
    /// Packs src/LeakAnalyzers.Package once with a version unique to this run (so no stale copy in the NuGet cache is used)
    /// and prepares a consumer project template that references it from a local folder feed.
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
        }

        public string Root { get; }

        public string WorkDir { get; }

        public string Feed { get; }

        public string Version { get; }

        public string Package { get; }

        /// <summary>A fresh consumer project (net8.0 and net10.0) with one LEAK001 at Leaky.cs line 5, restored.</summary>
        public string NewConsumer(string name, string? editorConfig = null)
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
                    <TargetFrameworks>net8.0;net10.0</TargetFrameworks>
                    <Nullable>enable</Nullable>
                    <NuGetAudit>false</NuGetAudit>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="LeakAnalyzers" Version="{Version}" />
                  </ItemGroup>
                </Project>
                """);
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
            if (editorConfig is not null)
            {
                File.WriteAllText(System.IO.Path.Combine(dir, ".editorconfig"), editorConfig);
            }

            var restore = Run(dir, "dotnet", "restore");
            Assert.True(restore.ExitCode == 0, restore.Output);
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
