using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace LeakAnalyzers.Package.Tests
{
    /// <summary>The leakcheck tool as a user gets it: installed from the feed by its package id, run by its command name.</summary>
    public partial class PackageTests
    {
        [Fact]
        public void ToolPackageIsLeakcheckWithTheSameMetadataAndSymbols()
        {
            using var zip = ZipFile.OpenRead(fixture.ToolPackage);
            var names = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("tools/net10.0/any/leakcheck.dll", names);
            using var settings = new StreamReader(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
            Assert.Contains("<Command Name=\"leakcheck\" EntryPoint=\"leakcheck.dll\"", settings.ReadToEnd());
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", System.StringComparison.Ordinal)).Open());
            var text = nuspec.ReadToEnd();
            Assert.Contains("<id>leakcheck</id>", text);
            AssertMetadata(zip, names, text);
            AssertSymbols(Path.ChangeExtension(fixture.ToolPackage, ".snupkg"), "tools/net10.0/any/leakcheck.pdb");
        }

        [Fact]
        public void InstalledToolRunsAsLeakcheck()
        {
            var help = ConsumerFixture.Run(fixture.WorkDir, fixture.Leakcheck, "--help");
            Assert.True(help.ExitCode == 0, help.Output);
            Assert.Contains("Usage:\n  leakcheck [command] [options]", help.Output.Replace("\r\n", "\n"));
            Assert.DoesNotContain("LeakAnalyzers.Tool", help.Output);
            foreach (var command in new[] { "scan <path>", "rules", "watch", "run <command>" })
            {
                Assert.Contains(command, help.Output);
            }

            var version = ConsumerFixture.Run(fixture.WorkDir, fixture.Leakcheck, "--version");
            Assert.Contains(fixture.Version, version.Output);
        }

        [Fact]
        public void ScanOfAnUnrestoredProjectRestoresItAndWithNoRestoreIsAnErrorNeverNoLeaks()
        {
            var dir = fixture.NewConsumer("unrestored", restore: false);
            Assert.False(Directory.Exists(Path.Combine(dir, "obj")));

            var noRestore = ConsumerFixture.Run(dir, fixture.Leakcheck, "scan . --no-restore");
            Assert.True(noRestore.ExitCode == 2, noRestore.Output);
            Assert.Contains("run dotnet restore first", noRestore.Output);
            Assert.Contains("unresolved references", noRestore.Output);
            Assert.DoesNotContain("No leaks found", noRestore.Output);

            var sarif = Path.Combine(dir, "scan.sarif");
            var scan = ConsumerFixture.Run(dir, fixture.Leakcheck, $"scan . --sarif \"{sarif}\"");
            Assert.True(scan.ExitCode == 1, scan.Output);
            Assert.Contains("Leaky.cs:5: Static collection 'RequestLog.History'", scan.Output);
            Assert.True(File.Exists(Path.Combine(dir, "obj", "project.assets.json")), "scan restored the project");

            // SARIF names the tool and its version; piped output has plain rule headers, no 240-column rules.
            var text = File.ReadAllText(sarif);
            Assert.Contains("\"name\": \"leakcheck\"", text);
            Assert.Contains($"\"version\": \"{fixture.Version}\"", text);
            Assert.Matches(@"(?m)^LEAK001 Static collection only grows\r?$", scan.Output);
            Assert.DoesNotContain("────────────────────────────────────────", scan.Output);
        }

        [Fact]
        public void RulesListsTheDefaultsAndWhatAPresetMakesOfThem()
        {
            var defaults = ConsumerFixture.Run(fixture.WorkDir, fixture.Leakcheck, "rules");
            Assert.True(defaults.ExitCode == 0, defaults.Output);
            Assert.Matches(@"LEAK011 .*String accumulated in a loop.* suggestion .* suggestion", defaults.Output);
            Assert.Contains("leak_analyzers.LEAK005.exception_paths", defaults.Output);

            var dir = PresetConsumer();
            var rules = ConsumerFixture.Run(dir, fixture.Leakcheck, "rules Consumer.csproj --no-restore");
            Assert.True(rules.ExitCode == 0, rules.Output);
            Assert.Contains("preset All", rules.Output);
            Assert.Matches(@"LEAK011 .*String accumulated in a loop.* warning .* suggestion", rules.Output);
            Assert.Matches(@"LEAK010 .*Whole file loaded.* warning .* suggestion", rules.Output);
            Assert.Matches(@"leak_analyzers\.LEAK005\.exception_paths .* true", rules.Output);

            // The build agrees: All raises the efficiency rules to warnings.
            var build = ConsumerFixture.Run(dir, "dotnet", "build --no-restore --no-incremental");
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.Contains("warning LEAK011", build.Output);
            Assert.Contains("warning LEAK001", build.Output);
        }

        /// <summary>One consumer for the preset tests: LEAK001, LEAK010 and LEAK011 instances, All in the project, LEAK010 raised by .editorconfig.</summary>
        private string PresetConsumer() => fixture.Once("presets", () => fixture.NewConsumer("presets",
            editorConfig: "root = true\n\n[*.cs]\ndotnet_diagnostic.LEAK010.severity = warning\n",
            properties: "<LeakAnalyzersMode>All</LeakAnalyzersMode>",
            files: RuleInstances.All.Where(i => i.Rule is "LEAK010" or "LEAK011").Select(i => (i.File, i.Source)),
            targetFrameworks: "net10.0"));

        [Fact]
        public void NonePresetSilencesEveryRuleAndEditorConfigStillWins()
        {
            // The switch given on the command line overrides the project's All; .editorconfig still raises LEAK010.
            var dir = PresetConsumer();
            var build = ConsumerFixture.Run(dir, "dotnet", "build --no-restore --no-incremental -p:LeakAnalyzersMode=None");
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.DoesNotContain("LEAK001", build.Output);
            Assert.DoesNotContain("LEAK011", build.Output);
            Assert.Contains("warning LEAK010", build.Output);
        }
    }
}
