using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LeakAnalyzers.Tests.Infrastructure
{
    /// <summary>
    /// A library compiled in memory against the tests' reference assemblies, referenced as metadata: for the behaviours
    /// that depend on code the compilation does not have (an unsigned "System.*" package, ASP.NET Core, a third party).
    /// </summary>
    public static class Library
    {
        public static async Task<MetadataReference> CompileAsync(string source, string assemblyName)
        {
            var references = await TestReferences.Default.ResolveAsync(LanguageNames.CSharp, CancellationToken.None).ConfigureAwait(false);
            var compilation = CSharpCompilation.Create(
                assemblyName,
                new[] { CSharpSyntaxTree.ParseText(source) },
                references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            using var image = new MemoryStream();
            var result = compilation.Emit(image);
            if (!result.Success)
            {
                throw new System.InvalidOperationException("The test library does not compile: " + string.Join("; ", result.Diagnostics));
            }

            return MetadataReference.CreateFromImage(image.ToArray());
        }
    }
}
