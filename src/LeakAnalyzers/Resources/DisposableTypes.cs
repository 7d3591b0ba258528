using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Resources
{
    /// <summary>
    /// The resource types the LEAK005–LEAK009 rules ask about, resolved once per compilation: IDisposable and friends,
    /// the types whose Dispose frees only GC memory (exempt, extendable with
    /// <c>leak_analyzers.LEAK005.exempt_types</c>), the factories that return a new instance, timers, token sources,
    /// native allocators and pools. A type the compilation does not reference is simply null.
    /// </summary>
    internal sealed class DisposableTypes
    {
        public const string ExemptTypesOption = "leak_analyzers.LEAK005.exempt_types";

        private readonly Compilation _compilation;
        private HashSet<INamedTypeSymbol>? _exempt;
        private readonly ConcurrentDictionary<ITypeSymbol, bool> _disposeFreesNothing = new ConcurrentDictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly IMethodSymbol? _disposeMethod;

        private DisposableTypes(Compilation compilation)
        {
            _compilation = compilation;
            IDisposable = compilation.GetSpecialType(SpecialType.System_IDisposable);
            IAsyncDisposable = MetadataTypes.Get(compilation, "System.IAsyncDisposable");
            _disposeMethod = IDisposable.GetMembers("Dispose").OfType<IMethodSymbol>().FirstOrDefault();
            Task = MetadataTypes.Get(compilation, "System.Threading.Tasks.Task");
            TaskOfT = MetadataTypes.Get(compilation, "System.Threading.Tasks.Task`1");
            ValueTaskOfT = MetadataTypes.Get(compilation, "System.Threading.Tasks.ValueTask`1");
            ThreadingTimer = MetadataTypes.Get(compilation, "System.Threading.Timer");
            TimersTimer = MetadataTypes.Get(compilation, "System.Timers.Timer");
            CancellationToken = MetadataTypes.Get(compilation, "System.Threading.CancellationToken");
            CancellationTokenSource = MetadataTypes.Get(compilation, "System.Threading.CancellationTokenSource");
            CancellationTokenRegistration = MetadataTypes.Get(compilation, "System.Threading.CancellationTokenRegistration");
            Marshal = MetadataTypes.Get(compilation, "System.Runtime.InteropServices.Marshal");
            NativeMemory = MetadataTypes.Get(compilation, "System.Runtime.InteropServices.NativeMemory");
            GCHandle = MetadataTypes.Get(compilation, "System.Runtime.InteropServices.GCHandle");
            ArrayPool = MetadataTypes.Get(compilation, "System.Buffers.ArrayPool`1");
            ObjectPool = MetadataTypes.Get(compilation, "Microsoft.Extensions.ObjectPool.ObjectPool`1");
            File = MetadataTypes.Get(compilation, "System.IO.File");
            FileInfo = MetadataTypes.Get(compilation, "System.IO.FileInfo");
            HttpMessageInvoker = MetadataTypes.Get(compilation, "System.Net.Http.HttpMessageInvoker");
            JsonDocument = MetadataTypes.Get(compilation, "System.Text.Json.JsonDocument");
            Process = MetadataTypes.Get(compilation, "System.Diagnostics.Process");
            WebRequest = MetadataTypes.Get(compilation, "System.Net.WebRequest");
            DbCommand = MetadataTypes.Get(compilation, "System.Data.Common.DbCommand");
            IDbCommand = MetadataTypes.Get(compilation, "System.Data.IDbCommand");

        }

        public INamedTypeSymbol IDisposable { get; }

        /// <summary>The well-known exempt types, resolved the first time one is asked about.</summary>
        private HashSet<INamedTypeSymbol> Exempt => System.Threading.LazyInitializer.EnsureInitialized(ref _exempt, () => Set(_compilation,
                "System.Threading.Tasks.Task",
                "System.IO.MemoryStream",
                "System.IO.UnmanagedMemoryStream",
                "System.IO.StringReader",
                "System.IO.StringWriter",
                "System.Threading.CancellationTokenSource",
                "System.Threading.CancellationTokenRegistration",
                "System.Threading.SemaphoreSlim",
                "System.Threading.ManualResetEventSlim",
                "System.Threading.ReaderWriterLockSlim",
                "System.Threading.Timer",
                "System.Timers.Timer",
                "System.Collections.IEnumerator",
                "System.Collections.Generic.IEnumerator`1",
                "System.Net.Http.StringContent",
                "System.Net.Http.ByteArrayContent",
                "System.Net.Http.ReadOnlyMemoryContent",
                "System.Net.Http.FormUrlEncodedContent",
                "System.Data.DataTable",
                "System.Data.DataSet",
                "System.Data.DataView",
                "System.ComponentModel.MarshalByValueComponent",
                "System.Reactive.Disposables.CompositeDisposable",
                "System.Reactive.Disposables.SerialDisposable",
                "System.Reactive.Disposables.CancellationDisposable",
                "System.Reactive.Subjects.Subject`1"))!;

        public INamedTypeSymbol? IAsyncDisposable { get; }

        public INamedTypeSymbol? Task { get; }

        public INamedTypeSymbol? TaskOfT { get; }

        public INamedTypeSymbol? ValueTaskOfT { get; }

        public INamedTypeSymbol? ThreadingTimer { get; }

        public INamedTypeSymbol? TimersTimer { get; }

        public INamedTypeSymbol? CancellationToken { get; }

        public INamedTypeSymbol? CancellationTokenSource { get; }

        public INamedTypeSymbol? CancellationTokenRegistration { get; }

        /// <summary>
        /// True for <c>System.Threading.CancellationTokenSource.CancelAfter</c> (either overload): it queues the same timer
        /// as <c>new CancellationTokenSource(delay)</c>.
        /// </summary>
        public bool IsCancelAfter(IMethodSymbol? method)
            => method is { IsStatic: false, Name: "CancelAfter" } && CancellationTokenSource is not null
                && SymbolEqualityComparer.Default.Equals(method.OriginalDefinition.ContainingType, CancellationTokenSource);

        public INamedTypeSymbol? Marshal { get; }

        public INamedTypeSymbol? NativeMemory { get; }

        public INamedTypeSymbol? GCHandle { get; }

        public INamedTypeSymbol? ArrayPool { get; }

        public INamedTypeSymbol? ObjectPool { get; }

        public INamedTypeSymbol? File { get; }

        public INamedTypeSymbol? FileInfo { get; }

        public INamedTypeSymbol? HttpMessageInvoker { get; }

        public INamedTypeSymbol? JsonDocument { get; }

        public INamedTypeSymbol? Process { get; }

        public INamedTypeSymbol? WebRequest { get; }

        public INamedTypeSymbol? DbCommand { get; }

        public INamedTypeSymbol? IDbCommand { get; }

        public static DisposableTypes Create(Compilation compilation) => new DisposableTypes(compilation);

        /// <summary>True when the type implements IDisposable or IAsyncDisposable, or is a ref struct with a public Dispose().</summary>
        public bool IsDisposable(ITypeSymbol? type)
        {
            if (type is null || type.TypeKind == TypeKind.Error)
            {
                return false;
            }

            if (SymbolEqualityComparer.Default.Equals(type, IDisposable) || SymbolEqualityComparer.Default.Equals(type, IAsyncDisposable))
            {
                return true;
            }

            foreach (var i in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(i, IDisposable) || SymbolEqualityComparer.Default.Equals(i, IAsyncDisposable))
                {
                    return true;
                }
            }

            if (type is ITypeParameterSymbol parameter)
            {
                foreach (var constraint in parameter.ConstraintTypes)
                {
                    if (IsDisposable(constraint))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (type.IsRefLikeType)
            {
                foreach (var member in type.GetMembers("Dispose"))
                {
                    if (member is IMethodSymbol { Parameters.Length: 0, DeclaredAccessibility: Accessibility.Public, IsStatic: false })
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public bool IsAsyncDisposable(ITypeSymbol? type)
        {
            if (type is null || IAsyncDisposable is null)
            {
                return false;
            }

            if (SymbolEqualityComparer.Default.Equals(type, IAsyncDisposable))
            {
                return true;
            }

            foreach (var i in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(i, IAsyncDisposable))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Types whose Dispose frees only GC memory (or that LEAK009 covers), plus the configured exempt types.</summary>
        public bool IsExempt(ITypeSymbol type, ImmutableHashSet<string> configured)
            => IsWellKnownExempt(type, configured) || DisposeFreesNothing(type);

        private bool IsWellKnownExempt(ITypeSymbol type, ImmutableHashSet<string> configured)
        {
            for (var t = type as INamedTypeSymbol; t != null; t = t.BaseType)
            {
                if (Exempt.Contains(t.OriginalDefinition))
                {
                    return true;
                }

                if (!configured.IsEmpty && (configured.Contains(t.Name) || configured.Contains(t.OriginalDefinition.ToDisplayString())))
                {
                    return true;
                }
            }

            // Enumerators (the foreach idiom) and interfaces derived from an exempt one.
            foreach (var i in type.AllInterfaces)
            {
                if (Exempt.Contains(i.OriginalDefinition) && (type.TypeKind == TypeKind.Interface || i.Name == "IEnumerator"))
                {
                    return true;
                }
            }

            // Task<T>: disposing does nothing useful.
            return IsTaskLike(type);
        }

        /// <summary>
        /// A type declared in this compilation whose Dispose() calls nothing (empty, or only resets fields): disposing it
        /// would free nothing but GC memory.
        /// </summary>
        public bool DisposeFreesNothing(ITypeSymbol type)
        {
            if (_disposeMethod is null || type is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } || type.Locations.Length == 0 || !type.Locations[0].IsInSource)
            {
                return false;
            }

            if (_disposeFreesNothing.TryGetValue(type, out var known))
            {
                return known;
            }

            var result = IsScope(type) || Compute(type);
            _disposeFreesNothing.TryAdd(type, result);
            return result;

            // A struct that only keeps what its constructors are given (NpgsqlConnector.UserAction): its Dispose ends a state
            // of another object; it owns nothing to release.
            static bool IsScope(ITypeSymbol t)
            {
                if (t.TypeKind != TypeKind.Struct)
                {
                    return false;
                }

                var keepsReference = false;
                foreach (var member in t.GetMembers())
                {
                    if (member is IFieldSymbol { IsStatic: false, IsConst: false } field && field.DeclaringSyntaxReferences.Length > 0
                        && field.DeclaringSyntaxReferences[0].GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer: not null })
                    {
                        return false;
                    }

                    if (member is IMethodSymbol { MethodKind: MethodKind.Constructor, IsImplicitlyDeclared: false } constructor)
                    {
                        foreach (var reference in constructor.DeclaringSyntaxReferences)
                        {
                            if (reference.GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.ConstructorDeclarationSyntax syntax || !AssignsOnlyParameters(syntax))
                            {
                                return false;
                            }
                        }

                        foreach (var parameter in constructor.Parameters)
                        {
                            keepsReference |= parameter.Type.IsReferenceType;
                        }
                    }
                }

                // Only a struct given another object to act on is a scope: one that is given nothing (or only numbers) and
                // releases something in Dispose releases what it stands for itself.
                return keepsReference;
            }

            static bool AssignsOnlyParameters(Microsoft.CodeAnalysis.CSharp.Syntax.ConstructorDeclarationSyntax constructor)
            {
                var parameters = new System.Collections.Generic.HashSet<string>();
                foreach (var parameter in constructor.ParameterList.Parameters)
                {
                    parameters.Add(parameter.Identifier.ValueText);
                }

                var statements = constructor.ExpressionBody is { } arrow
                    ? new Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax[] { arrow.Expression }
                    : (constructor.Body?.Statements ?? default).Select(statement => (statement as Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax)?.Expression).ToArray();
                foreach (var expression in statements)
                {
                    if (expression is not Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax { Right: Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax value }
                        || !parameters.Contains(value.Identifier.ValueText))
                    {
                        return false;
                    }
                }

                return true;
            }

            bool Compute(ITypeSymbol t)
            {
                if (t.FindImplementationForInterfaceMember(_disposeMethod) is not IMethodSymbol dispose)
                {
                    return false;
                }

                if (dispose.DeclaringSyntaxReferences.Length == 0)
                {
                    // Dispose() from a library base that calls Dispose(bool): look at this type's Dispose(bool) override.
                    return DisposeBoolFreesNothing((INamedTypeSymbol)t);
                }

                if (dispose.DeclaringSyntaxReferences.Length != 1 || dispose.IsAbstract || dispose.IsVirtual || dispose.IsOverride)
                {
                    return false;
                }

                var syntax = dispose.DeclaringSyntaxReferences[0].GetSyntax();
                foreach (var node in syntax.DescendantNodes())
                {
                    if (node is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax invocation && !DisposesGcOnlyMember(invocation, (INamedTypeSymbol)t))
                    {
                        return false;
                    }
                }

                return syntax is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax { Body: not null } or Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax { ExpressionBody: not null };
            }
        }

        /// <summary>
        /// The most derived Dispose(bool) is an override in source that calls nothing (but base.Dispose), of an abstract
        /// method or of a library base whose Dispose(bool) releases nothing itself (MemoryManager, Stream, TextReader/Writer).
        /// </summary>
        private bool DisposeBoolFreesNothing(INamedTypeSymbol type)
        {
            for (var t = type; t != null; t = t.BaseType)
            {
                if (t.DeclaringSyntaxReferences.Length == 0)
                {
                    // Reached the library base without an override in source: a Stream, reader or writer subclass that
                    // overrides nothing of its disposal releases nothing (PgWriterStream over Npgsql's writer).
                    return t.Name is "Stream" or "TextReader" or "TextWriter" or "MemoryManager"
                        && t.ContainingNamespace?.ToDisplayString() is "System.IO" or "System.Buffers";
                }

                foreach (var member in t.GetMembers())
                {
                    if (member is IMethodSymbol { IsOverride: true, Name: "Close" or "DisposeAsync" })
                    {
                        return false;
                    }
                }

                foreach (var member in t.GetMembers("Dispose"))
                {
                    if (member is not IMethodSymbol { Parameters.Length: 1, IsOverride: true } method || method.Parameters[0].Type.SpecialType != SpecialType.System_Boolean)
                    {
                        continue;
                    }

                    if (method.DeclaringSyntaxReferences.Length != 1)
                    {
                        return false;
                    }

                    foreach (var node in method.DeclaringSyntaxReferences[0].GetSyntax().DescendantNodes())
                    {
                        if (node is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax invocation
                            && !(invocation.Expression is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.BaseExpressionSyntax })
                            && !DisposesGcOnlyMember(invocation, t))
                        {
                            return false;
                        }
                    }

                    var overridden = method.OverriddenMethod;
                    return overridden is not null
                        && (overridden.IsAbstract
                            || (overridden.DeclaringSyntaxReferences.Length == 0 && overridden.ContainingType.Name is "MemoryManager" or "Stream" or "TextReader" or "TextWriter"));
                }
            }

            return false;
        }

        /// <summary><c>_stream.Dispose()</c> / <c>_stream?.Dispose()</c> on a member whose type frees only GC memory (a MemoryStream).</summary>
        private bool DisposesGcOnlyMember(Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax invocation, INamedTypeSymbol type)
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax? target = invocation.Expression switch
            {
                Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Dispose" } access => access.Expression,
                Microsoft.CodeAnalysis.CSharp.Syntax.MemberBindingExpressionSyntax { Name.Identifier.ValueText: "Dispose" }
                    when invocation.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.ConditionalAccessExpressionSyntax conditional => conditional.Expression,
                _ => null,
            };
            if (target is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.ThisExpressionSyntax } thisAccess)
            {
                target = thisAccess.Name;
            }

            if (target is not Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax name)
            {
                return false;
            }

            for (var t = type; t != null; t = t.BaseType)
            {
                foreach (var member in t.GetMembers(name.Identifier.ValueText))
                {
                    var memberType = member switch
                    {
                        IFieldSymbol field => field.Type,
                        IPropertySymbol property => property.Type,
                        _ => null,
                    };
                    if (memberType is not null)
                    {
                        return IsWellKnownExempt(memberType, ImmutableHashSet<string>.Empty) && !IsTimer(memberType);
                    }
                }
            }

            return false;
        }

        public bool IsTaskLike(ITypeSymbol type)
        {
            for (var t = type as INamedTypeSymbol; t != null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, Task) || SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, TaskOfT))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The disposable T of Task&lt;T&gt;/ValueTask&lt;T&gt;, for awaited factories.</summary>
        public ITypeSymbol? AwaitedType(ITypeSymbol? type)
        {
            if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
                && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, TaskOfT) || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ValueTaskOfT)))
            {
                return named.TypeArguments[0];
            }

            return null;
        }

        public bool IsTimer(ITypeSymbol? type)
            => type is not null && (Is(type, ThreadingTimer) || Is(type, TimersTimer));

        public static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected)
        {
            for (var t = type as INamedTypeSymbol; t != null && expected != null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, expected))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A method whose result is a new instance the caller owns: <c>File.Open*</c>/<c>Create*</c>, any <c>Create*</c>
        /// or <c>Open*</c> factory returning a disposable, <c>GetResponse</c>, <c>HttpClient.Send*</c>,
        /// <c>JsonDocument.Parse*</c>, <c>Process.Start</c>, <c>ExecuteReader*</c>.
        /// </summary>
        public bool IsFactory(IMethodSymbol method)
        {
            var name = method.Name;
            if (name.StartsWith("Create", StringComparison.Ordinal) || name.StartsWith("Open", StringComparison.Ordinal))
            {
                // CreateLinkedTokenSource is LEAK009's; CreateScope/CreateReader/Create... are new instances.
                return !(name == "CreateLinkedTokenSource");
            }

            var type = method.ContainingType;
            switch (name)
            {
                case "GetResponse":
                case "GetResponseAsync":
                    return Is(type, WebRequest);
                case "Send":
                case "SendAsync":
                    return Is(type, HttpMessageInvoker);
                case "Parse":
                case "ParseAsync":
                    return Is(type, JsonDocument);
                case "Start":
                    return method.IsStatic && Is(type, Process);
                case "ExecuteReader":
                case "ExecuteReaderAsync":
                    return Is(type, DbCommand) || Is(type, IDbCommand);
            }

            return false;
        }

        /// <summary>The exempt types configured for the tree in .editorconfig: simple or full names, comma separated.</summary>
        public static ImmutableHashSet<string> ConfiguredExemptTypes(AnalyzerOptions options, SyntaxTree tree)
        {
            if (!options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(ExemptTypesOption, out var value) || string.IsNullOrWhiteSpace(value))
            {
                return ImmutableHashSet<string>.Empty;
            }

            var builder = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
            foreach (var part in value.Split(','))
            {
                var name = part.Trim();
                if (name.Length > 0)
                {
                    builder.Add(name);
                }
            }

            return builder.ToImmutable();
        }

        private static HashSet<INamedTypeSymbol> Set(Compilation compilation, params string[] names)
        {
            var set = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach (var name in names)
            {
                if (MetadataTypes.Get(compilation, name) is { } t)
                {
                    set.Add(t);
                }
            }

            return set;
        }
    }
}
