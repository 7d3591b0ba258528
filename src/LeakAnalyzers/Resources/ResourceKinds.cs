using LeakAnalyzers.Summaries;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// One kind of resource (disposable, native memory, pooled array...): which calls release it, whether exception paths
    /// count, and what a use in library code the summaries know nothing about means.
    /// </summary>
    internal abstract class ResourceKind
    {
        /// <summary>Whether an exception between acquisition and release counts as a leak (it does when nothing else frees it).</summary>
        public abstract bool ExceptionPaths { get; }

        /// <summary>Whether releasing twice on one path is a finding (returning a pooled array twice).</summary>
        public virtual bool ReportsDoubleRelease => false;

        /// <summary>
        /// A library method the table does not know, or an operation the model does not follow (pointer indirection, fixed
        /// statements): a hand-over for objects (it may keep them: stay quiet), a plain use for pointers and arrays (passing
        /// a buffer somewhere reads or writes its contents).
        /// </summary>
        public virtual bool UnknownUsesAreNeutral => false;

        /// <summary><c>x.Dispose()</c>, <c>handle.Free()</c>: a call on the resource that releases it.</summary>
        public abstract bool ReleasesReceiver(IMethodSymbol method);

        /// <summary><c>Marshal.FreeHGlobal(p)</c>, <c>pool.Return(array)</c>: a call that releases its argument.</summary>
        public abstract bool ReleasesArgument(IInvocationOperation invocation, IArgumentOperation argument);
    }

    /// <summary>Objects released with Dispose/DisposeAsync/Close (LEAK005, LEAK006, LEAK009's timers, registrations and token sources).</summary>
    internal sealed class DisposableKind : ResourceKind
    {
        public static readonly DisposableKind WithExceptionPaths = new DisposableKind(true);
        public static readonly DisposableKind NormalPathsOnly = new DisposableKind(false);

        private DisposableKind(bool exceptionPaths)
        {
            ExceptionPaths = exceptionPaths;
        }

        public override bool ExceptionPaths { get; }

        public override bool ReleasesReceiver(IMethodSymbol method) => IsReleaseName(method);

        public override bool ReleasesArgument(IInvocationOperation invocation, IArgumentOperation argument) => false;

        public static bool IsReleaseName(IMethodSymbol method)
            => method.Name is "Dispose" or "DisposeAsync" or "Close" or "Unregister" or "Stop" && method.Parameters.Length == 0 && !method.IsStatic;
    }

    /// <summary>Native memory and GC handles (LEAK007): freed by passing the pointer to Free*, or handle.Free().</summary>
    internal sealed class NativeMemoryKind : ResourceKind
    {
        public static readonly NativeMemoryKind Instance = new NativeMemoryKind();

        public override bool ExceptionPaths => true;

        public override bool UnknownUsesAreNeutral => true;

        public override bool ReleasesReceiver(IMethodSymbol method) => IsHandleFree(method);

        public override bool ReleasesArgument(IInvocationOperation invocation, IArgumentOperation argument) => IsFreeCall(invocation.TargetMethod);

        public static bool IsHandleFree(IMethodSymbol method) => method.Name == "Free" && method.ContainingType?.Name == "GCHandle" && method.Parameters.Length == 0;

        public static bool IsFreeCall(IMethodSymbol method)
        {
            switch (method.ContainingType?.Name)
            {
                case "Marshal":
                    return method.Name.StartsWith("Free", System.StringComparison.Ordinal) || method.Name.StartsWith("ZeroFree", System.StringComparison.Ordinal);
                case "NativeMemory":
                    return method.Name is "Free" or "AlignedFree";
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// Arrays rented from an <c>ArrayPool&lt;T&gt;</c> and objects from any pool (LEAK008): released by giving them back
    /// (<c>pool.Return(x)</c>). Pools are recognised from their members (<see cref="Pools"/>), not only the BCL's.
    /// </summary>
    internal sealed class PooledKind : ResourceKind
    {
        public static readonly PooledKind Instance = new PooledKind();

        public override bool ExceptionPaths => false;

        public override bool ReportsDoubleRelease => true;

        public override bool UnknownUsesAreNeutral => true;

        public override bool ReleasesReceiver(IMethodSymbol method) => false;

        public override bool ReleasesArgument(IInvocationOperation invocation, IArgumentOperation argument)
            => argument.Parameter?.Ordinal == 0 && !invocation.TargetMethod.IsStatic && Pools.IsGiveBack(invocation.TargetMethod);
    }

    /// <summary>Every release the other kinds know, for the method summaries (a helper that frees whatever it is given).</summary>
    internal sealed class AnyResourceKind : ResourceKind
    {
        public static readonly AnyResourceKind Instance = new AnyResourceKind();

        public override bool ExceptionPaths => false;

        public override bool ReleasesReceiver(IMethodSymbol method) => DisposableKind.IsReleaseName(method) || NativeMemoryKind.IsHandleFree(method);

        public override bool ReleasesArgument(IInvocationOperation invocation, IArgumentOperation argument)
            => NativeMemoryKind.IsFreeCall(invocation.TargetMethod) || PooledKind.Instance.ReleasesArgument(invocation, argument);
    }
}
