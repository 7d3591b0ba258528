using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace LeakAnalyzers.Package.Tests
{
    public partial class PackageTests : IClassFixture<ConsumerFixture>
    {
        private readonly ConsumerFixture fixture;

        public PackageTests(ConsumerFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public void PackageHasBothAnalyzerDllsNoLibAndIsADevelopmentDependency()
        {
            using var zip = ZipFile.OpenRead(fixture.Package);
            var names = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("analyzers/dotnet/cs/LeakAnalyzers.dll", names);
            Assert.Contains("analyzers/dotnet/cs/LeakAnalyzers.CodeFixes.dll", names);
            Assert.Contains("README.md", names);
            Assert.Contains("LICENSE", names);
            Assert.DoesNotContain(names, n => n.StartsWith("lib/", System.StringComparison.Ordinal));

            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", System.StringComparison.Ordinal)).Open());
            var text = nuspec.ReadToEnd();
            Assert.Contains("<developmentDependency>true</developmentDependency>", text);
            Assert.DoesNotContain("<dependency ", text);

            // Presets: the props under build/ and buildTransitive/, the global configs they select.
            foreach (var folder in new[] { "build", "buildTransitive" })
            {
                Assert.Contains($"{folder}/LeakAnalyzers.props", names);
                Assert.Contains($"{folder}/LeakAnalyzers.targets", names);
            }

            foreach (var mode in new[] { "recommended", "all", "none" })
            {
                Assert.Contains($"globalconfig/leakanalyzers.{mode}.globalconfig", names);
            }

            AssertMetadata(zip, names, text);
            AssertSymbols(Path.ChangeExtension(fixture.Package, ".snupkg"), "analyzers/dotnet/cs/LeakAnalyzers.pdb", "analyzers/dotnet/cs/LeakAnalyzers.CodeFixes.pdb");
        }

        /// <summary>Icon, project URL, the license as an expression (no deprecated licenseUrl placeholder), release notes from CHANGELOG.md.</summary>
        private void AssertMetadata(ZipArchive zip, string[] names, string nuspec)
        {
            Assert.Contains("icon.png", names);
            Assert.Contains("<icon>icon.png</icon>", nuspec);
            Assert.Contains("<projectUrl>https://github.com/leakanalyzers/leakanalyzers</projectUrl>", nuspec);
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.DoesNotContain("aka.ms/deprecateLicenseUrl", nuspec);
            var changelog = File.ReadAllText(Path.Combine(fixture.Root, "CHANGELOG.md"));
            var section = changelog.Split("\n## ").Single(s => s.StartsWith(fixture.Version.Split('-')[0], System.StringComparison.Ordinal));
            var firstLine = section.Split('\n').Skip(1).First(l => l.Trim().Length > 0).Trim();
            Assert.Contains("<releaseNotes>" + System.Security.SecurityElement.Escape(firstLine), nuspec);
            Assert.NotNull(zip.GetEntry("icon.png"));
        }

        private static void AssertSymbols(string snupkg, params string[] pdbs)
        {
            Assert.True(File.Exists(snupkg), snupkg);
            using var symbols = ZipFile.OpenRead(snupkg);
            foreach (var pdb in pdbs)
            {
                Assert.Contains(pdb, symbols.Entries.Select(e => e.FullName));
            }
        }

        [Fact]
        public void BuildReportsLeak001AtTheFieldForEachTargetFramework()
        {
            var dir = fixture.NewConsumer("plain");
            var build = ConsumerFixture.Run(dir, "dotnet", "build --no-restore --no-incremental");
            Assert.True(build.ExitCode == 0, build.Output);
            foreach (var tfm in new[] { "net8.0", "net10.0" })
            {
                Assert.Contains(build.Output.Split('\n'), line =>
                    line.Contains("Leaky.cs(5,42): warning LEAK001: Static collection 'RequestLog.History'", System.StringComparison.Ordinal)
                    && line.Contains(tfm, System.StringComparison.Ordinal));
            }
        }

        [Fact]
        public void WarnAsErrorFailsTheBuild()
        {
            var dir = fixture.NewConsumer("warnaserror");
            var build = ConsumerFixture.Run(dir, "dotnet", "build --no-restore --no-incremental -warnaserror");
            Assert.NotEqual(0, build.ExitCode);
            Assert.Contains("error LEAK001", build.Output);
        }

        [Fact]
        public void WarningsAsErrorsPropertyFailsTheBuild()
        {
            var dir = fixture.NewConsumer("warningsaserrors");
            var build = ConsumerFixture.Run(dir, "dotnet", "build --no-restore --no-incremental -p:WarningsAsErrors=LEAK001");
            Assert.NotEqual(0, build.ExitCode);
            Assert.Contains("error LEAK001", build.Output);
        }

        [Fact]
        public void EditorConfigSeverityNoneSilencesTheRule()
        {
            var dir = fixture.NewConsumer("editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.LEAK001.severity = none\n");
            var build = ConsumerFixture.Run(dir, "dotnet", "build --no-restore --no-incremental -warnaserror");
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.DoesNotContain("LEAK001", build.Output);
        }

        [Fact]
        public void ErrorLogWritesSarifWithTheMemberItNames()
        {
            var dir = fixture.NewConsumer("sarif");
            var sarif = Path.Combine(dir, "leaks.sarif");

            // What the README says: on a project already built and unchanged the compile is skipped, and so is the log.
            var first = ConsumerFixture.Run(dir, "dotnet", "build --no-restore -f net10.0");
            Assert.True(first.ExitCode == 0, first.Output);
            var upToDate = ConsumerFixture.Run(dir, "dotnet", $"build --no-restore -f net10.0 \"-p:ErrorLog={sarif}%2Cversion%3D2.1\"");
            Assert.True(upToDate.ExitCode == 0, upToDate.Output);
            Assert.False(File.Exists(sarif), "an up-to-date build wrote the error log");

            var build = ConsumerFixture.Run(dir, "dotnet", $"build --no-restore --no-incremental -f net10.0 \"-p:ErrorLog={sarif}%2Cversion%3D2.1\"");
            Assert.True(build.ExitCode == 0, build.Output);
            var text = File.ReadAllText(sarif);
            Assert.Contains("\"ruleId\": \"LEAK001\"", text);
            Assert.Contains("\"TypeMetadataName\": \"RequestLog\"", text);
            Assert.Contains("\"MemberName\": \"History\"", text);
            Assert.Contains("Leaky.cs", text);
        }

        [Fact]
        public void DotnetFormatAppliesTheFix()
        {
            var dir = fixture.NewConsumer("format");
            var format = ConsumerFixture.Run(dir, "dotnet", "format analyzers Consumer.csproj --no-restore --diagnostics LEAK001 --severity warn");
            Assert.True(format.ExitCode == 0, format.Output);
            var fixedText = File.ReadAllText(Path.Combine(dir, "Leaky.cs"));
            Assert.Contains("MaxHistoryCount", fixedText);

            var build = ConsumerFixture.Run(dir, "dotnet", "build --no-restore --no-incremental -warnaserror");
            Assert.True(build.ExitCode == 0, build.Output + "\n" + fixedText);
            Assert.DoesNotContain("LEAK001", build.Output);
        }
    }
}
