using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>
    /// Well-known types found in metadata are remembered across the compilations (the IDE's forks) that share the
    /// references; a type the source declares under a name is always looked up in that compilation.
    /// </summary>
    public class MetadataTypesTests
    {
        [Fact]
        public void ForksShareTheMetadataTypeAndSeeTheirOwnSource()
        {
            var plain = TestCompilation.Create(new[] { ("A.cs", "class A { }") });
            var timer = MetadataTypes.Get(plain, "System.Threading.Timer");
            Assert.NotNull(timer);
            Assert.Equal(TypeKind.Class, timer!.TypeKind);
            Assert.Empty(timer.DeclaringSyntaxReferences);

            // A fork with another tree, the same references: the same symbol.
            var fork = plain.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class B { }", TestCompilation.ParseOptions, "B.cs"));
            Assert.Same(timer, MetadataTypes.Get(fork, "System.Threading.Timer"));

            // A fork whose new tree declares a type of that full name: the source's own answer (here the source type wins).
            var shadow = plain.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace System.Threading { public sealed class Timer { } }", TestCompilation.ParseOptions, "Timer.cs"));
            var own = MetadataTypes.Get(shadow, "System.Threading.Timer");
            Assert.NotNull(own);
            Assert.NotEmpty(own!.DeclaringSyntaxReferences);
            Assert.Equal(own, shadow.GetTypeByMetadataName("System.Threading.Timer"), SymbolEqualityComparer.Default);

            // A generic name, and a source type of the same simple name in another namespace (looked up, same answer).
            var other = plain.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Mine { class Task<T> { } class Timer { } }", TestCompilation.ParseOptions, "Mine.cs"));
            Assert.Equal(other.GetTypeByMetadataName("System.Threading.Tasks.Task`1"), MetadataTypes.Get(other, "System.Threading.Tasks.Task`1"), SymbolEqualityComparer.Default);
            Assert.Equal(other.GetTypeByMetadataName("System.Threading.Timer"), MetadataTypes.Get(other, "System.Threading.Timer"), SymbolEqualityComparer.Default);

            // A name nothing declares.
            Assert.Null(MetadataTypes.Get(fork, "No.Such.Type"));
        }

        [Fact]
        public void DifferentReferencesDoNotShareTypes()
        {
            var plain = TestCompilation.Create(new[] { ("A.cs", "class A { }") });
            var timer = MetadataTypes.Get(plain, "System.Threading.Timer");
            var fewer = plain.RemoveReferences(plain.References.Where(r => r.Display?.EndsWith("System.Threading.Timer.dll", System.StringComparison.OrdinalIgnoreCase) == true));
            var again = MetadataTypes.Get(fewer, "System.Threading.Timer");
            Assert.Equal(fewer.GetTypeByMetadataName("System.Threading.Timer"), again, SymbolEqualityComparer.Default);
            Assert.NotNull(timer);
        }
    }
}
