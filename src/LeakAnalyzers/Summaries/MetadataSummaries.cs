using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Summaries
{
    /// <summary>
    /// Summaries of library methods, whose code the compilation does not have: a curated table built from what real code
    /// uses, plus the conventions of the BCL.
    /// <list type="bullet">
    /// <item>Copies and views never take ownership: BCL methods (System.*) only read their arguments, unless they put them
    /// in a collection, a task, a tuple, a composite or a registry, or keep a callback, its state or a wait handle.</item>
    /// <item>Wrappers do: a BCL constructor of a disposable type owns the disposable it is given (a reader over a stream,
    /// a compression or crypto stream, an HttpClient over a handler), honouring <c>leaveOpen</c>/<c>ownsX</c>/<c>disposeX</c>
    /// flags and the few types that own nothing by default (<c>NetworkStream(socket)</c>).</item>
    /// <item>Methods that return a new disposable whatever their name (HTTP responses, readers, accepted sockets,
    /// identities, pool owners, processes, keys), and <c>Create*</c>/<c>Open*</c> factories, hand the caller a new
    /// object; <c>IHttpClientFactory.CreateClient</c> does not.</item>
    /// <item>JetBrains' <c>[MustDisposeResource]</c> and <c>[HandlesResourceDisposal]</c> are read by name.</item>
    /// </list>
    /// Methods of other libraries are unknown: the rules stay quiet about what they do.
    /// </summary>
    internal static class MetadataSummaries
    {
        private static readonly ConditionalWeakTable<IMethodSymbol, MethodSummary> Cache = new ConditionalWeakTable<IMethodSymbol, MethodSummary>();

        /// <summary>Type (or base type) → methods whose result the caller owns, whatever their name.</summary>
        private static readonly Dictionary<string, string[]> NewResults = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["System.Net.Http.HttpClient"] = new[] { "GetAsync", "PostAsync", "PutAsync", "PatchAsync", "DeleteAsync", "SendAsync", "Send" },
            ["System.Net.Http.HttpMessageInvoker"] = new[] { "Send", "SendAsync" },
            ["System.Net.WebRequest"] = new[] { "GetResponse", "GetResponseAsync", "EndGetResponse", "GetRequestStream", "GetRequestStreamAsync" },
            ["System.Text.Json.JsonDocument"] = new[] { "Parse", "ParseAsync", "ParseValue" },
            ["System.Diagnostics.Process"] = new[] { "Start", "GetProcessById" },
            ["System.Data.Common.DbCommand"] = new[] { "ExecuteReader", "ExecuteReaderAsync" },
            ["System.Data.IDbCommand"] = new[] { "ExecuteReader" },
            ["System.Data.Common.DbConnection"] = new[] { "BeginTransaction", "BeginTransactionAsync", "BeginDbTransaction" },
            ["System.Data.IDbConnection"] = new[] { "BeginTransaction" },
            ["System.Net.Sockets.Socket"] = new[] { "Accept", "AcceptAsync", "EndAccept" },
            ["System.Net.Sockets.TcpListener"] = new[] { "AcceptTcpClient", "AcceptTcpClientAsync", "AcceptSocket", "AcceptSocketAsync", "EndAcceptTcpClient", "EndAcceptSocket" },
            ["System.Security.Principal.WindowsIdentity"] = new[] { "GetCurrent", "Impersonate", "RunImpersonated" },
            ["System.Buffers.MemoryPool`1"] = new[] { "Rent" },
            ["System.IO.File"] = new[] { "AppendText" },
            ["System.IO.FileInfo"] = new[] { "AppendText" },
            ["System.Security.Cryptography.X509Certificates.RSACertificateExtensions"] = new[] { "GetRSAPrivateKey", "GetRSAPublicKey", "CopyWithPrivateKey" },
            ["System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions"] = new[] { "GetECDsaPrivateKey", "GetECDsaPublicKey", "CopyWithPrivateKey" },
            ["System.Security.Cryptography.X509Certificates.DSACertificateExtensions"] = new[] { "GetDSAPrivateKey", "GetDSAPublicKey", "CopyWithPrivateKey" },
            ["System.Security.Cryptography.X509Certificates.X509Certificate2"] = new[] { "CopyWithPrivateKey", "GetRSAPrivateKey", "GetRSAPublicKey", "GetECDsaPrivateKey", "GetECDsaPublicKey" },
            ["System.Drawing.Image"] = new[] { "FromFile", "FromStream", "FromHbitmap", "GetThumbnailImage", "Clone" },
            ["System.Drawing.Graphics"] = new[] { "FromImage", "FromHwnd", "FromHdc" },
            ["Microsoft.Win32.RegistryKey"] = new[] { "OpenSubKey", "CreateSubKey", "OpenBaseKey", "OpenRemoteBaseKey" },
        };

        /// <summary><c>Create*</c>/<c>Open*</c> methods whose result the caller must not (or need not) dispose.</summary>
        private static readonly Dictionary<string, string[]> NotOwnedFactories = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["System.Net.Http.IHttpClientFactory"] = new[] { "CreateClient" },
            ["System.Net.Http.HttpClientFactoryExtensions"] = new[] { "CreateClient" },
        };

        /// <summary>Wrappers that own nothing by default (an ownsX parameter opts in).</summary>
        private static readonly HashSet<string> NonOwningWrappers = new HashSet<string>(StringComparer.Ordinal)
        {
            "System.Net.Sockets.NetworkStream",
            "System.Drawing.Bitmap",
            "System.Drawing.Icon",
            "System.IO.UnmanagedMemoryStream",
        };

        public static MethodSummary Get(IMethodSymbol method)
            => Cache.GetValue(method.OriginalDefinition, m => Compute(m));

        /// <summary>
        /// The call site's own word on ownership: <c>leaveOpen: true</c> (and friends) → the wrapper does not own its inner
        /// object (false); <c>ownsSocket: true</c>, <c>disposeHandler: true</c> → it does (true); otherwise null.
        /// </summary>
        public static bool? OwnershipFlag(IObjectCreationOperation creation)
        {
            bool? result = null;
            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter is not { Type.SpecialType: SpecialType.System_Boolean } parameter)
                {
                    continue;
                }

                var name = parameter.Name;
                var isLeaveOpen = name.StartsWith("leave", StringComparison.OrdinalIgnoreCase) && name.EndsWith("Open", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("keepOpen", StringComparison.OrdinalIgnoreCase);
                var isOwns = name.StartsWith("owns", StringComparison.OrdinalIgnoreCase) || name.StartsWith("dispose", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("close", StringComparison.OrdinalIgnoreCase);
                if (!isLeaveOpen && !isOwns)
                {
                    continue;
                }

                var constant = argument.Value.ConstantValue;
                if (!constant.HasValue || constant.Value is not bool value)
                {
                    // Decided at run time: follow the wrapper (disposing it releases the inner object when it owns it).
                    return true;
                }

                if (isLeaveOpen ? value : !value)
                {
                    return false;
                }

                if (isOwns && value)
                {
                    result = true;
                }
            }

            if (result is null && creation.Type is INamedTypeSymbol type && NonOwningWrappers.Contains(FullName(type)) && creation.Constructor is { } constructor && ValueFlow.IsLibrary(constructor))
            {
                return false;
            }

            return result;
        }

        private static MethodSummary Compute(IMethodSymbol method)
        {
            var type = method.ContainingType;
            var system = IsFrameworkNamespace(type?.ContainingNamespace) && IsFrameworkAssembly(method.ContainingAssembly);
            var parameters = ImmutableArray.CreateBuilder<ValueEffects>(method.Parameters.Length);
            foreach (var parameter in method.Parameters)
            {
                parameters.Add(ParameterEffect(method, parameter, system));
            }

            var receiver = HasAttribute(method.GetAttributes(), "HandlesResourceDisposalAttribute") ? ValueEffects.Released : ValueEffects.None;
            var (returns, returned) = Returns(method, system);
            return new MethodSummary(receiver, parameters.MoveToImmutable(), returns, returned, ImmutableArray<StoreSite>.Empty);
        }

        private static ValueEffects ParameterEffect(IMethodSymbol method, IParameterSymbol parameter, bool system)
        {
            if (HasAttribute(parameter.GetAttributes(), "HandlesResourceDisposalAttribute"))
            {
                return ValueEffects.StoredElsewhere;
            }

            var type = method.ContainingType;
            if (method.MethodKind == MethodKind.Constructor)
            {
                return ConstructorParameterEffect(type, parameter, system);
            }

            if (method.MethodKind is MethodKind.DelegateInvoke || method.ContainingType?.TypeKind == TypeKind.Delegate)
            {
                // Calling a delegate runs code we cannot see.
                return ValueEffects.Unknown;
            }

            if (parameter.Type.TypeKind == TypeKind.Delegate)
            {
                // A callback: run right away by LINQ, collection and string methods and Parallel; kept and run later by
                // registrations, timers, tasks and continuations (with what it captures).
                return !system ? ValueEffects.Unknown : RunsCallbackRightAway(method) ? ValueEffects.None : ValueEffects.StoredElsewhere;
            }

            if (system && IsWaitHandle(parameter.Type))
            {
                // Timer.Dispose(waitHandle), RegisterWaitForSingleObject: kept and signalled later; disposing it early breaks that.
                return ValueEffects.StoredElsewhere;
            }

            var name = method.Name;
            if (type is not null && IsCollection(type) && !method.IsStatic)
            {
                if (!MentionsTypeParameterOf(parameter.Type, type))
                {
                    return ValueEffects.None;
                }

                if (name.StartsWith("Remove", StringComparison.Ordinal) || name.StartsWith("TryRemove", StringComparison.Ordinal) || name.StartsWith("Dequeue", StringComparison.Ordinal))
                {
                    return ValueEffects.Removed;
                }

                if (name.StartsWith("Contains", StringComparison.Ordinal) || name.StartsWith("IndexOf", StringComparison.Ordinal) || name.StartsWith("LastIndexOf", StringComparison.Ordinal)
                    || name.StartsWith("TryGet", StringComparison.Ordinal) || name.StartsWith("Get", StringComparison.Ordinal) || name.StartsWith("Find", StringComparison.Ordinal)
                    || name is "Exists" or "BinarySearch" or "CopyTo" or "Equals" or "IsSubsetOf" or "IsSupersetOf" or "Overlaps" or "SetEquals" or "Peek" or "TryPeek")
                {
                    return ValueEffects.None;
                }

                // Add, Insert, Push, Enqueue, TryAdd, GetOrAdd, AddOrUpdate, Set...; immutable collections return a new one that holds it.
                return FullName(type).StartsWith("System.Collections.Immutable.", StringComparison.Ordinal) ? ValueEffects.StoredInResult : ValueEffects.StoredInInstance;
            }

            if (type is not null)
            {
                switch (FullName(type))
                {
                    case "System.Threading.Tasks.Task" when name == "FromResult":
                    case "System.Threading.Tasks.ValueTask" when name == "FromResult":
                    case "System.Tuple" when name == "Create":
                    case "System.ValueTuple" when name == "Create":
                    case "System.Collections.Generic.KeyValuePair" when name == "Create":
                        return ValueEffects.StoredInResult;
                    case "System.Threading.Interlocked" when name is "Exchange" or "CompareExchange":
                    case "System.Threading.Volatile" when name == "Write":
                        return parameter.Ordinal == 1 ? ValueEffects.StoredElsewhere : ValueEffects.None;
                    case "System.Collections.Immutable.ImmutableInterlocked":
                        return parameter.Ordinal >= 1 ? ValueEffects.StoredElsewhere : ValueEffects.None;
                    case "System.Runtime.CompilerServices.ConditionalWeakTable`2":
                        return ValueEffects.StoredInInstance;
                    case "System.Threading.Channels.ChannelWriter`1" when name.StartsWith("TryWrite", StringComparison.Ordinal) || name.StartsWith("Write", StringComparison.Ordinal):
                        return ValueEffects.StoredInInstance;
                    case "System.Net.Sockets.Socket" when name.EndsWith("Async", StringComparison.Ordinal) && parameter.Type.Name.EndsWith("SocketAsyncEventArgs", StringComparison.Ordinal):
                        // A pending operation keeps its event args and hands them to their Completed handlers.
                        return ValueEffects.Completion;
                    case "System.Runtime.InteropServices.GCHandle" when name == "Alloc":
                        return ValueEffects.StoredElsewhere;
                    case "System.Runtime.InteropServices.GCHandle" when name == "ToIntPtr":
                    case "System.Runtime.InteropServices.Marshal" when name.StartsWith("ReAlloc", StringComparison.Ordinal):
                    case "System.Runtime.InteropServices.NativeMemory" when name is "Realloc" or "AlignedRealloc":
                        // The result is the resource now (a handle kept as a pointer, a moved block).
                        return parameter.Ordinal == 0 ? ValueEffects.StoredInResult : ValueEffects.None;
                }
            }

            if (method.IsExtensionMethod && IsRegistrationName(name))
            {
                // x.DisposeWith(composite), services.AddSingleton(instance), x.AddTo(bag), x.RegisterForDispose(): hand-overs.
                return parameter.Type.IsReferenceType || parameter.Type.TypeKind == TypeKind.TypeParameter ? ValueEffects.StoredElsewhere : ValueEffects.None;
            }

            if (parameter.Type.SpecialType == SpecialType.System_IDisposable || parameter.Type is { Name: "IAsyncDisposable", ContainingNamespace.Name: "System" })
            {
                // A method that asks for an IDisposable takes care of it (RegisterForDispose, a composite's Add).
                return ValueEffects.StoredElsewhere;
            }

            return system ? ValueEffects.None : ValueEffects.Unknown;
        }

        private static bool RunsCallbackRightAway(IMethodSymbol method)
        {
            var type = method.ContainingType;
            if (type is null)
            {
                return false;
            }

            var ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            if (ns.StartsWith("System.Linq", StringComparison.Ordinal) || type.SpecialType == SpecialType.System_String || type.SpecialType == SpecialType.System_Array)
            {
                return true;
            }

            switch (FullName(type))
            {
                case "System.Threading.Tasks.Parallel":
                case "System.Threading.LazyInitializer":
                case "System.Collections.Immutable.ImmutableInterlocked":
                case "System.Collections.Concurrent.ConcurrentDictionary`2":
                case "System.MemoryExtensions":
                case "System.Array":
                    return true;
            }

            // List<T>.ForEach/Find/Sort/RemoveAll..., Dictionary, HashSet...: collections call their callbacks at once.
            return IsCollection(type);
        }

        private static bool IsWaitHandle(ITypeSymbol type)
        {
            for (var t = type as INamedTypeSymbol; t != null; t = t.BaseType)
            {
                if (t.Name == "WaitHandle" && t.ContainingNamespace?.ToDisplayString() == "System.Threading")
                {
                    return true;
                }
            }

            return false;
        }

        private static ValueEffects ConstructorParameterEffect(INamedTypeSymbol? type, IParameterSymbol parameter, bool system)
        {
            if (type is null)
            {
                return ValueEffects.Unknown;
            }

            if (IsDisposable(type))
            {
                if (IsDisposable(parameter.Type))
                {
                    return NonOwningWrappers.Contains(FullName(type)) ? ValueEffects.None : ValueEffects.StoredInInstance;
                }

                return system ? ValueEffects.None : ValueEffects.Unknown;
            }

            var name = FullName(type);
            if (name.StartsWith("System.Tuple`", StringComparison.Ordinal) || name.StartsWith("System.ValueTuple`", StringComparison.Ordinal)
                || name is "System.Collections.Generic.KeyValuePair`2" or "System.Lazy`1" or "System.WeakReference`1" or "System.Threading.Tasks.ValueTask`1")
            {
                return ValueEffects.StoredInResult;
            }

            if (IsCollection(type))
            {
                // A collection built from another one holds its elements.
                return MentionsTypeParameterOf(parameter.Type, type) ? ValueEffects.StoredInResult : ValueEffects.None;
            }

            return system ? ValueEffects.None : ValueEffects.Unknown;
        }

        private static (ReturnKind, int) Returns(IMethodSymbol method, bool system)
        {
            if (method.ReturnsVoid || method.MethodKind == MethodKind.Constructor)
            {
                return (ReturnKind.Nothing, -1);
            }

            if (MustDisposeResource(method.GetAttributes()) is { } must)
            {
                return (must ? ReturnKind.New : ReturnKind.Kept, -1);
            }

            var type = method.ContainingType;
            if (type is null)
            {
                return (ReturnKind.Unknown, -1);
            }

            var typeName = FullName(type);
            var name = method.Name;
            if (typeName is "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask" && name == "FromResult")
            {
                return (ReturnKind.Parameter, 0);
            }

            if (method.MethodKind is MethodKind.PropertyGet)
            {
                return (ReturnKind.Kept, -1);
            }

            var result = AwaitedOrSelf(method.ReturnType);
            if (result is INamedTypeSymbol resultType && MustDisposeResource(resultType.GetAttributes()) == true)
            {
                return (ReturnKind.New, -1);
            }

            for (var t = type; t != null; t = t.BaseType)
            {
                var key = FullName(t);
                if (NotOwnedFactories.TryGetValue(key, out var notOwned) && Array.IndexOf(notOwned, name) >= 0)
                {
                    return (ReturnKind.Kept, -1);
                }

                if (NewResults.TryGetValue(key, out var names) && Array.IndexOf(names, name) >= 0 && IsDisposable(result))
                {
                    return (ReturnKind.New, -1);
                }
            }

            foreach (var i in type.AllInterfaces)
            {
                var key = FullName(i);
                if (NotOwnedFactories.TryGetValue(key, out var notOwned) && Array.IndexOf(notOwned, name) >= 0)
                {
                    return (ReturnKind.Kept, -1);
                }

                if (NewResults.TryGetValue(key, out var names) && Array.IndexOf(names, name) >= 0 && IsDisposable(result))
                {
                    return (ReturnKind.New, -1);
                }
            }

            if ((name.StartsWith("Create", StringComparison.Ordinal) || name.StartsWith("Open", StringComparison.Ordinal)) && IsDisposable(result))
            {
                return (ReturnKind.New, -1);
            }

            return (ReturnKind.Unknown, -1);
        }

        private static ITypeSymbol? AwaitedOrSelf(ITypeSymbol type)
        {
            if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
                && named.Name is "Task" or "ValueTask" && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
            {
                return named.TypeArguments[0];
            }

            return type;
        }

        private static bool IsRegistrationName(string name)
            => name.Contains("Dispose") || name.StartsWith("Add", StringComparison.Ordinal) || name.Contains("Register") || name.Contains("Track")
               || name.Contains("With") || name.StartsWith("Attach", StringComparison.Ordinal) || name.StartsWith("Keep", StringComparison.Ordinal)
               || name.StartsWith("TryAdd", StringComparison.Ordinal);

        public static bool IsDisposable(ITypeSymbol? type)
        {
            if (type is null)
            {
                return false;
            }

            if (type.SpecialType == SpecialType.System_IDisposable || IsAsyncDisposableInterface(type))
            {
                return true;
            }

            foreach (var i in type.AllInterfaces)
            {
                if (i.SpecialType == SpecialType.System_IDisposable || IsAsyncDisposableInterface(i))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsAsyncDisposableInterface(ITypeSymbol type)
            => type is { Name: "IAsyncDisposable", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

        /// <summary>Generic collections and the non-generic ones (ArrayList, Hashtable...).</summary>
        public static bool IsCollection(INamedTypeSymbol type)
        {
            foreach (var i in type.OriginalDefinition.AllInterfaces.Add(type.OriginalDefinition))
            {
                switch (FullName(i))
                {
                    case "System.Collections.Generic.ICollection`1":
                    case "System.Collections.ICollection":
                    case "System.Collections.Generic.IProducerConsumerCollection`1":
                    case "System.Collections.Concurrent.IProducerConsumerCollection`1":
                    case "System.Collections.Immutable.IImmutableList`1":
                    case "System.Collections.Immutable.IImmutableSet`1":
                    case "System.Collections.Immutable.IImmutableDictionary`2":
                    case "System.Collections.Immutable.IImmutableQueue`1":
                    case "System.Collections.Immutable.IImmutableStack`1":
                    case "System.Collections.IDictionary":
                    case "System.Collections.IList":
                        return true;
                }
            }

            return false;
        }

        /// <summary>The parameter's type is (or is built from) a type parameter of the collection: an element, a key, a value.</summary>
        private static bool MentionsTypeParameterOf(ITypeSymbol parameterType, INamedTypeSymbol collection)
        {
            if (collection.OriginalDefinition.TypeParameters.IsEmpty)
            {
                // ArrayList, Hashtable: object elements.
                return parameterType.SpecialType == SpecialType.System_Object;
            }

            switch (parameterType)
            {
                case ITypeParameterSymbol:
                    return true;
                case INamedTypeSymbol { IsGenericType: true } generic:
                    foreach (var argument in generic.TypeArguments)
                    {
                        if (MentionsTypeParameterOf(argument, collection))
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    return false;
            }
        }

        private static bool? MustDisposeResource(ImmutableArray<AttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                if (attribute.AttributeClass?.Name == "MustDisposeResourceAttribute")
                {
                    return attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is bool value ? value : true;
                }
            }

            return null;
        }

        public static bool? MustDisposeResource(ISymbol symbol) => MustDisposeResource(symbol.GetAttributes());

        public static bool HasAttribute(ImmutableArray<AttributeData> attributes, string name)
        {
            foreach (var attribute in attributes)
            {
                if (attribute.AttributeClass?.Name == name)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The base class library (System.*), whose methods only read what they are given unless the table says otherwise.
        /// Microsoft.* (ASP.NET Core, the Extensions) is not: a FileStreamResult, a DI container or a response that
        /// disposes what it is given is the rule there, so its methods are unknown unless listed.
        /// </summary>
        private static bool IsFrameworkNamespace(INamespaceSymbol? ns)
        {
            for (var n = ns; n != null && !n.IsGlobalNamespace; n = n.ContainingNamespace)
            {
                if (n.ContainingNamespace is { IsGlobalNamespace: true })
                {
                    return n.Name == "System";
                }
            }

            return false;
        }

        /// <summary>Signed with one of the keys the .NET runtime and its System.* packages use (Rx's System.Reactive is not).</summary>
        private static bool IsFrameworkAssembly(IAssemblySymbol? assembly)
        {
            if (assembly is null)
            {
                return false;
            }

            var token = assembly.Identity.PublicKeyToken;
            if (token.Length != 8)
            {
                return false;
            }

            var hex = new System.Text.StringBuilder(16);
            foreach (var b in token)
            {
                hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return hex.ToString() is "b03f5f7f11d50a3a" or "cc7b13ffcd2ddd51" or "7cec85d7bea7798e" or "b77a5c561934e089";
        }

        private static string FullName(INamedTypeSymbol type) => SymbolNames.GetMetadataName(type.OriginalDefinition);
    }
}
