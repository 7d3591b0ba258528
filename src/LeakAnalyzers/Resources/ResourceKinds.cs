using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Resources
{
    /// <summary>Objects released with Dispose/DisposeAsync/Close (LEAK005, LEAK009's timers, registrations and token sources).</summary>
    internal sealed class DisposableKind : ResourceKind
    {
        public static readonly DisposableKind WithExceptionPaths = new DisposableKind(true);
        public static readonly DisposableKind NormalPathsOnly = new DisposableKind(false);

        private DisposableKind(bool exceptionPaths)
        {
            ExceptionPaths = exceptionPaths;
        }

        public override bool ExceptionPaths { get; }

        public override UseKind ClassifyInvocation(IInvocationOperation invocation, IArgumentOperation? argument)
        {
            var method = invocation.TargetMethod;
            if (argument is null)
            {
                return method.Name is "Dispose" or "DisposeAsync" or "Close" or "Unregister" or "Stop" && method.Parameters.Length == 0
                    ? UseKind.Release
                    : UseKind.Neutral;
            }

            if (method.IsExtensionMethod && argument.Parameter?.Ordinal == 0)
            {
                // x.DisposeWith(composite), x.AddTo(bag), x.RegisterForDispose(): hand-overs; other extensions just use it.
                var name = method.Name;
                return name.Contains("Dispose") || name.Contains("Add") || name.Contains("Register") || name.Contains("Track") || name.Contains("With")
                    ? UseKind.Escape
                    : UseKind.Neutral;
            }

            // Handed to a method: it may keep it (a collection, a composite, an owner). Don't know.
            return UseKind.Escape;
        }

        public override UseKind ClassifyConstructorArgument(IObjectCreationOperation creation, IArgumentOperation argument)
        {
            foreach (var other in creation.Arguments)
            {
                if (other.Parameter?.Name == "leaveOpen" && other.Value.ConstantValue is { HasValue: true, Value: true })
                {
                    return UseKind.Neutral;
                }
            }

            return UseKind.Escape;
        }
    }

    /// <summary>Native memory and GC handles (LEAK007): freed by passing the pointer to Free*, or handle.Free().</summary>
    internal sealed class NativeMemoryKind : ResourceKind
    {
        public static readonly NativeMemoryKind Instance = new NativeMemoryKind();

        public override bool ExceptionPaths => true;

        public override UseKind UnknownUse => UseKind.Neutral;

        public override UseKind ClassifyInvocation(IInvocationOperation invocation, IArgumentOperation? argument)
        {
            var method = invocation.TargetMethod;
            var type = method.ContainingType?.Name;
            if (argument is null)
            {
                return type == "GCHandle" && method.Name == "Free" ? UseKind.Release : UseKind.Neutral;
            }

            switch (type)
            {
                case "Marshal":
                    if (method.Name.StartsWith("Free", System.StringComparison.Ordinal) || method.Name.StartsWith("ZeroFree", System.StringComparison.Ordinal))
                    {
                        return UseKind.Release;
                    }

                    // ReAlloc* hands back a new pointer; keeping track of that is beyond a per-local check.
                    return method.Name.StartsWith("ReAlloc", System.StringComparison.Ordinal) ? UseKind.Escape : UseKind.Neutral;
                case "NativeMemory":
                    if (method.Name is "Free" or "AlignedFree")
                    {
                        return UseKind.Release;
                    }

                    return method.Name is "Realloc" or "AlignedRealloc" ? UseKind.Escape : UseKind.Neutral;
                case "GCHandle":
                    // GCHandle.ToIntPtr: the handle is kept somewhere as a pointer and recovered later.
                    return method.Name == "ToIntPtr" ? UseKind.Escape : UseKind.Neutral;
            }

            return UseKind.Neutral;
        }
    }

    /// <summary>Arrays rented from an ArrayPool (and objects from an ObjectPool) (LEAK008): released by pool.Return(x).</summary>
    internal sealed class PooledKind : ResourceKind
    {
        public static readonly PooledKind Instance = new PooledKind();

        public override bool ExceptionPaths => false;

        public override bool ReportsDoubleRelease => true;

        public override UseKind UnknownUse => UseKind.Neutral;

        public override UseKind ClassifyInvocation(IInvocationOperation invocation, IArgumentOperation? argument)
        {
            if (argument is null)
            {
                return UseKind.Neutral;
            }

            return invocation.TargetMethod.Name == "Return" && argument.Parameter?.Ordinal == 0 && IsPool(invocation.TargetMethod.ContainingType)
                ? UseKind.Release
                : UseKind.Neutral;
        }

        public static bool IsPool(INamedTypeSymbol? type)
        {
            for (var t = type; t != null; t = t.BaseType)
            {
                if (t.Name is "ArrayPool" or "ObjectPool" && t.ContainingNamespace?.ToDisplayString() is "System.Buffers" or "Microsoft.Extensions.ObjectPool")
                {
                    return true;
                }
            }

            return false;
        }
    }
}
