using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// LEAK007: <c>Marshal.AllocHGlobal</c>/<c>AllocCoTaskMem</c>/<c>StringTo*</c>, <c>NativeMemory.Alloc*</c> and
    /// <c>GCHandle.Alloc</c> held in a local that is not freed on every path, exceptions included (nothing else ever frees
    /// it: no finalizer, no GC); and kept in an instance field that the type never frees (in Dispose, Close or a
    /// finalizer), or replaces or clears without freeing (<see cref="OwnedFields"/>). Returned or stored values are handed over.
    /// </summary>
    public sealed class NativeMemoryNotFreedAnalyzer : DiagnosticAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor(
            RuleIdentifiers.NativeMemoryNotFreed,
            title: "Native memory or GC handle not freed",
            messageFormat: "The {0} allocated here is {1}",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Native memory and GC handles are never freed by the garbage collector. Free them in a finally block (or hand them to an owner that frees them), so that an exception between allocation and free does not leak them for the life of the process.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.NativeMemoryNotFreed));

        public static readonly DiagnosticDescriptor FieldRule = new DiagnosticDescriptor(
            RuleIdentifiers.NativeMemoryNotFreed,
            title: "Native memory or GC handle not freed",
            messageFormat: "Field '{0}' holds {1} this type allocates, but {2}",
            category: RuleIdentifiers.MemoryCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Native memory and GC handles kept in a field live until the type frees them: free them in Dispose (and implement IDisposable, or a finalizer), and free the previous block before replacing or clearing the field.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.NativeMemoryNotFreed));

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, FieldRule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // The type tables are made at first use (a request that meets no call or field pays nothing for them).
                var model = CompilationModel.For(start.Compilation);
                start.RegisterOperationAction(c => { if (HasNativeApis(model.Disposables)) Analyze(c, model); }, OperationKind.Invocation);
                OwnedFields.Register(start, model, field => HasNativeApis(model.Disposables) ? FieldResourceOf(field, model.Disposables) : null, DescribeField);
            });
        }

        private static bool HasNativeApis(DisposableTypes types) => types.Marshal is not null || types.NativeMemory is not null || types.GCHandle is not null;

        /// <summary>Fields that can hold native memory (pointers, IntPtr/nint) or a GC handle.</summary>
        private static FieldResource? FieldResourceOf(IFieldSymbol field, DisposableTypes types)
        {
            var type = field.Type;
            if (type.TypeKind == TypeKind.Pointer || type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr)
            {
                return FieldResource.NativeMemory;
            }

            return SymbolEqualityComparer.Default.Equals(type, types.GCHandle) ? FieldResource.GCHandle : null;
        }

        private static Diagnostic DescribeField(FieldFinding finding)
        {
            var field = finding.Field;
            var handle = field.Type.Name == "GCHandle";
            var what = handle ? "a GC handle" : "native memory";
            var why = finding.Leak switch
            {
                FieldLeak.NeverReleased => "nothing in the type frees it",
                FieldLeak.OwnerNotDisposable => "'" + field.ContainingType.Name + "' does not implement IDisposable, so nobody can free it",
                FieldLeak.Replaced => "it is replaced here without freeing the previous " + (handle ? "handle" : "block"),
                _ => "it is cleared here without being freed",
            };
            return ResourceDiagnostics.FieldDiagnostic(FieldRule, finding, field.Name, what, why);
        }

        /// <summary>The call that frees what <paramref name="allocator"/> returns, or null when it is not an allocator.</summary>
        internal static string? ReleaseCallFor(IMethodSymbol allocator, DisposableTypes types)
        {
            var type = allocator.ContainingType;
            var name = allocator.Name;
            if (SymbolEqualityComparer.Default.Equals(type, types.Marshal))
            {
                switch (name)
                {
                    case "AllocHGlobal":
                    case "StringToHGlobalAnsi":
                    case "StringToHGlobalUni":
                    case "StringToHGlobalAuto":
                        return "System.Runtime.InteropServices.Marshal.FreeHGlobal";
                    case "AllocCoTaskMem":
                    case "StringToCoTaskMemAnsi":
                    case "StringToCoTaskMemUni":
                    case "StringToCoTaskMemAuto":
                    case "StringToCoTaskMemUTF8":
                        return "System.Runtime.InteropServices.Marshal.FreeCoTaskMem";
                }

                return null;
            }

            if (SymbolEqualityComparer.Default.Equals(type, types.NativeMemory))
            {
                return name switch
                {
                    "Alloc" or "AllocZeroed" => "System.Runtime.InteropServices.NativeMemory.Free",
                    "AlignedAlloc" => "System.Runtime.InteropServices.NativeMemory.AlignedFree",
                    _ => null,
                };
            }

            if (SymbolEqualityComparer.Default.Equals(type, types.GCHandle) && name == "Alloc")
            {
                return ".Free";
            }

            return null;
        }

        private static void Analyze(OperationAnalysisContext context, CompilationModel model)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (!invocation.TargetMethod.IsStatic || ReleaseCallFor(invocation.TargetMethod, model.Disposables) is not { } release)
            {
                return;
            }

            var result = ResourceCheck.Run(context, invocation, throughAwait: false, NativeMemoryKind.Instance, model);
            if (result.Shape == LeakShape.None)
            {
                return;
            }

            var what = invocation.TargetMethod.ContainingType.Name == "GCHandle" ? "GC handle" : "native memory";
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                invocation.Syntax.GetLocation(),
                ResourceDiagnostics.Properties(result, awaited: false, release),
                what,
                result.Describe("freed")));
        }
    }
}
