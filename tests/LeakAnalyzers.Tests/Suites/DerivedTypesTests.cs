using System.Linq;
using System.Threading;
using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LeakAnalyzers.Tests.Suites
{
    /// <summary>The source types deriving from a type, found through base-list names, and library methods the source implements.</summary>
    public class DerivedTypesTests
    {
        private const string Shapes = """
            using System;
            using Alias = Shapes.IShape;

            namespace Shapes
            {
                public interface IShape { double Area(); }
                public interface ISolid : IShape { }
                public abstract class Base : IShape { public abstract double Area(); }
                public partial class Square : Base { public override double Area() => 1; }
                public partial class Square { }
                public sealed class Cube : ISolid { public double Area() => 6; }
                public class ViaAlias : Alias { public double Area() => 2; }
                public class Generic<T> : Base { public override double Area() => 3; }
                public class Unrelated { public double Area() => 0; }
                public sealed class Stream2 : System.IO.MemoryStream { public override void Flush() { } }
            }
            """;

        [Fact]
        public void FindsDirectIndirectAliasedAndPartialDerivedTypesOnly()
        {
            var compilation = TestCompilation.Create(new[] { ("Shapes.cs", Shapes) });
            var derived = new DerivedTypes(compilation);
            var shape = compilation.GetTypeByMetadataName("Shapes.IShape")!;
            var names = derived.Of(shape, CancellationToken.None)!.Select(t => t.Name).OrderBy(n => n).ToArray();
            Assert.Equal(new[] { "Base", "Cube", "Generic", "ISolid", "Square", "ViaAlias" }, names);

            var baseType = compilation.GetTypeByMetadataName("Shapes.Base")!;
            Assert.Equal(new[] { "Generic", "Square" }, derived.Of(baseType, CancellationToken.None)!.Select(t => t.Name).OrderBy(n => n).ToArray());
            Assert.Empty(derived.Of(compilation.GetTypeByMetadataName("Shapes.Unrelated")!, CancellationToken.None)!);
        }

        [Fact]
        public void TellsWhetherTheSourceOverridesALibraryMethod()
        {
            var compilation = TestCompilation.Create(new[] { ("Shapes.cs", Shapes) });
            var derived = new DerivedTypes(compilation);
            var stream = compilation.GetTypeByMetadataName("System.IO.Stream")!;
            Assert.True(derived.ImplementedInSource(stream.GetMembers("Flush").OfType<IMethodSymbol>().First(), CancellationToken.None));
            Assert.False(derived.ImplementedInSource(stream.GetMembers("Close").OfType<IMethodSymbol>().First(), CancellationToken.None));
        }
    }
}
