using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace LeakAnalyzers.Runtime.Tests
{
    public class FindingConfirmationTests
    {
        private const string Sarif = """
            {
              "$schema": "http://json.schemastore.org/sarif-2.1.0",
              "version": "2.1.0",
              "runs": [
                {
                  "results": [
                    {
                      "ruleId": "LEAK001",
                      "level": "warning",
                      "message": { "text": "Static collection 'StaticList.History' is added to in 1 place(s)" },
                      "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "file:///src/Scenarios.cs" }, "region": { "startLine": 14 } } } ],
                      "properties": { "warningLevel": 1, "customProperties": { "TypeMetadataName": "LeakAnalyzers.Runtime.Tests.Scenarios+StaticList", "MemberName": "History", "MemberKind": "Field", "AssemblyName": "LeakAnalyzers.Runtime.Tests" } }
                    },
                    {
                      "ruleId": "LEAK001",
                      "message": { "text": "never touched" },
                      "properties": { "customProperties": { "TypeMetadataName": "LeakAnalyzers.Runtime.Tests.Scenarios+Untouched", "MemberName": "Names" } }
                    },
                    {
                      "ruleId": "LEAK003",
                      "message": { "text": "event" },
                      "properties": { "customProperties": { "TypeMetadataName": "LeakAnalyzers.Runtime.Tests.Scenarios+Events", "MemberName": "Changed" } }
                    },
                    {
                      "ruleId": "LEAK010",
                      "message": { "text": "no member" },
                      "properties": { "customProperties": { "Shape": "Sync" } }
                    },
                    { "ruleId": "CS0168", "message": { "text": "compiler warning" } }
                  ]
                }
              ]
            }
            """;

        [Fact]
        public void CompilerSarifIsReadWithTheMembersFindingsName()
        {
            var findings = SarifFindings.Parse(Sarif);
            Assert.Equal(4, findings.Count);
            var first = findings[0];
            Assert.Equal("LEAK001", first.RuleId);
            Assert.Equal("/src/Scenarios.cs", first.File);
            Assert.Equal(14, first.Line);
            Assert.Equal("LeakAnalyzers.Runtime.Tests.Scenarios+StaticList", first.TypeMetadataName);
            Assert.Equal("History", first.MemberName);
            Assert.False(findings[3].NamesMember);
        }

        [Fact]
        public async Task FindingsAreConfirmedNotConfirmedOrNotExercised()
        {
            Scenarios.StaticList.Reset();
            Scenarios.Events.Reset();
            var path = Path.GetTempFileName();
            File.WriteAllText(path, Sarif);
            var results = await FindingConfirmation.ConfirmAsync(path, () =>
            {
                Scenarios.StaticList.Leak();
                Scenarios.Events.Fixed();
                return Task.CompletedTask;
            });
            File.Delete(path);
            Scenarios.StaticList.Reset();

            Assert.Equal(3, results.Count);
            Assert.Equal(ConfirmationStatus.Confirmed, results.Single(r => r.Finding.MemberName == "History").Status);
            Assert.Equal(ConfirmationStatus.NotExercised, results.Single(r => r.Finding.MemberName == "Names").Status);
            Assert.Equal(ConfirmationStatus.NotExercised, results.Single(r => r.Finding.MemberName == "Changed").Status);
        }

        [Fact]
        public void BoundedCollectionIsNotConfirmed()
        {
            Scenarios.StaticList.Reset();
            var i = 0;
            var results = FindingConfirmation.Confirm(
                new[] { new SarifFinding("LEAK001", "", null, 0, "LeakAnalyzers.Runtime.Tests.Scenarios+StaticList", "History", null) },
                () =>
                {
                    Scenarios.StaticList.Leak();
                    if (++i % 5 == 0)
                    {
                        Scenarios.StaticList.History.Clear();
                    }
                });
            Scenarios.StaticList.Reset();
            Assert.Equal(ConfirmationStatus.NotConfirmed, Assert.Single(results).Status);
        }

        [Theory]
        [InlineData("{ not json", "not valid JSON")]
        [InlineData("{ \"hello\": 1 }", "not a SARIF log")]
        [InlineData("[1, 2]", "not a SARIF log")]
        [InlineData("{ \"version\": \"1.0.0\", \"runs\": [] }", "version 1.0.0")]
        public void MalformedOrForeignSarifGivesAClearMessage(string text, string expected)
        {
            var error = Assert.Throws<SarifFormatException>(() => SarifFindings.Parse(text, "build.sarif"));
            Assert.Contains(expected, error.Message);
        }

        [Fact]
        public void MissingSarifFileGivesAClearMessage()
        {
            var error = Assert.Throws<SarifFormatException>(() => SarifFindings.Load("/no/such/file.sarif"));
            Assert.Contains("not found", error.Message);
        }
    }
}
