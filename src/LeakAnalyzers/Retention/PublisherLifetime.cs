using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Retention
{
    /// <summary>How long the object behind an event (or a delegate store) lives compared with the code that subscribes.</summary>
    internal enum PublisherKind
    {
        /// <summary>Not known: a call result, another object's member... The rules stay quiet.</summary>
        Unknown,

        /// <summary><c>this.E</c>, <c>base.E</c>: the subscriber and the publisher die together.</summary>
        Self,

        /// <summary>A field the subscriber filled with an object it created itself (a child).</summary>
        Owned,

        /// <summary>A local: dies with the method unless it escapes, which is another rule's business.</summary>
        Local,

        /// <summary>A static event, or an event reached through a static member (<c>App.Current.X</c>, <c>Settings.Default.Changed</c>).</summary>
        Static,

        /// <summary>AppDomain, TaskScheduler, Console, SystemEvents...: process-lifetime BCL events.</summary>
        ProcessLifetime,

        /// <summary>An object handed in (constructor or method parameter stored in a field, primary-constructor parameter).</summary>
        Injected,
    }

    /// <summary>
    /// The well-known types behind long-lived publishers and delegate stores, resolved once per compilation, and the
    /// classification of a publisher expression. Shared by LEAK003 (events) and LEAK004 (stored delegates).
    /// </summary>
    internal sealed class PublisherLifetime
    {
        private readonly HashSet<INamedTypeSymbol> _processLifetimeTypes = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        private readonly HashSet<INamedTypeSymbol> _uiTimerTypes = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        private readonly INamedTypeSymbol? _collectionChanged;
        private readonly INamedTypeSymbol? _propertyChanged;

        private PublisherLifetime(Compilation compilation, KnownTypes known)
        {
            foreach (var name in new[]
            {
                "System.AppDomain",
                "System.Threading.Tasks.TaskScheduler",
                "System.Console",
                "Microsoft.Win32.SystemEvents",
                "System.Runtime.Loader.AssemblyLoadContext",
                "System.Net.NetworkInformation.NetworkChange",
                "System.Windows.Forms.Application",
                "System.Windows.Application",
            })
            {
                if (MetadataTypes.Get(compilation, name) is { } type)
                {
                    _processLifetimeTypes.Add(type);
                }
            }

            foreach (var name in new[]
            {
                "System.Windows.Threading.DispatcherTimer",
                "Avalonia.Threading.DispatcherTimer",
                "System.Windows.Forms.Timer",
                "Microsoft.UI.Xaml.DispatcherTimer",
                "Windows.UI.Xaml.DispatcherTimer",
            })
            {
                if (MetadataTypes.Get(compilation, name) is { } type)
                {
                    _uiTimerTypes.Add(type);
                }
            }

            ThreadingTimer = MetadataTypes.Get(compilation, "System.Threading.Timer");
            TimersTimer = MetadataTypes.Get(compilation, "System.Timers.Timer");
            CancellationToken = MetadataTypes.Get(compilation, "System.Threading.CancellationToken");
            ThreadPool = MetadataTypes.Get(compilation, "System.Threading.ThreadPool");
            Task = MetadataTypes.Get(compilation, "System.Threading.Tasks.Task");
            TaskFactory = MetadataTypes.Get(compilation, "System.Threading.Tasks.TaskFactory");
            Thread = MetadataTypes.Get(compilation, "System.Threading.Thread");
            CancellationTokenSource = MetadataTypes.Get(compilation, "System.Threading.CancellationTokenSource");
            Disposable = compilation.GetSpecialType(SpecialType.System_IDisposable);
            AsyncDisposable = MetadataTypes.Get(compilation, "System.IAsyncDisposable");
            Delegate = compilation.GetSpecialType(SpecialType.System_Delegate);
            Observable = MetadataTypes.Get(compilation, "System.IObservable`1");
            _collectionChanged = MetadataTypes.Get(compilation, "System.Collections.Specialized.INotifyCollectionChanged");
            _propertyChanged = MetadataTypes.Get(compilation, "System.ComponentModel.INotifyPropertyChanged");
            Known = known;
        }

        public INamedTypeSymbol? ThreadingTimer { get; }

        public INamedTypeSymbol? TimersTimer { get; }

        public INamedTypeSymbol? CancellationToken { get; }

        public INamedTypeSymbol? ThreadPool { get; }

        /// <summary><c>Task</c> (<c>Task.Run</c>), <c>TaskFactory</c> (<c>StartNew</c>), <c>Thread</c>: what starts background work.</summary>
        public INamedTypeSymbol? Task { get; }

        public INamedTypeSymbol? TaskFactory { get; }

        public INamedTypeSymbol? Thread { get; }

        public INamedTypeSymbol? CancellationTokenSource { get; }

        public INamedTypeSymbol? Disposable { get; }

        public INamedTypeSymbol? AsyncDisposable { get; }

        public INamedTypeSymbol? Delegate { get; }

        /// <summary><c>System.IObservable&lt;T&gt;</c>.</summary>
        public INamedTypeSymbol? Observable { get; }

        public KnownTypes Known { get; }

        /// <summary><c>INotifyCollectionChanged</c> or <c>INotifyPropertyChanged</c> is in the compilation.</summary>
        public bool HasChangeNotifiers => _collectionChanged != null || _propertyChanged != null;

        /// <summary>The type is, or implements, <c>INotifyCollectionChanged</c> or <c>INotifyPropertyChanged</c>.</summary>
        public bool NotifiesChanges(ITypeSymbol? type) => IsOrImplements(type, _collectionChanged, _propertyChanged);

        public static PublisherLifetime Create(Compilation compilation, KnownTypes known) => new PublisherLifetime(compilation, known);

        /// <summary>WPF, Avalonia, WinUI dispatcher timers and the WinForms timer: while enabled, the UI thread's dispatcher (or a native window) keeps them.</summary>
        public bool IsUiTimer(ITypeSymbol? type)
        {
            for (var t = type as INamedTypeSymbol; t != null && _uiTimerTypes.Count > 0; t = t.BaseType)
            {
                if (_uiTimerTypes.Contains(t.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        public bool IsProcessLifetimeType(ITypeSymbol? type)
            => type is INamedTypeSymbol named && _processLifetimeTypes.Contains(named.OriginalDefinition);

        public bool IsDisposable(ITypeSymbol? type)
        {
            if (type is null || type.SpecialType == SpecialType.System_String || type.TypeKind == TypeKind.Interface && !Is(type, Disposable))
            {
                return false;
            }

            return IsOrImplements(type, Disposable, AsyncDisposable);
        }

        /// <summary>The type is one of the known ones (by original definition) or implements one of them.</summary>
        public static bool IsOrImplements(ITypeSymbol? type, INamedTypeSymbol? known, INamedTypeSymbol? other = null)
        {
            if (type is null || known is null && other is null)
            {
                return false;
            }

            if (Is(type, known) || Is(type, other))
            {
                return true;
            }

            foreach (var implemented in type.AllInterfaces)
            {
                if (Is(implemented, known) || Is(implemented, other))
                {
                    return true;
                }
            }

            return false;
        }

        public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known)
            => known != null && type != null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

        /// <summary>
        /// The lifetime of <paramref name="instance"/>, the receiver of an event or delegate store (null for a static
        /// member). <paramref name="origins"/> says where the subscriber's own fields get their values.
        /// </summary>
        public PublisherKind Classify(IOperation? instance, ISymbol member, MemberOrigins origins)
        {
            if (member.IsStatic || instance is null)
            {
                return member.IsStatic
                    ? (IsProcessLifetimeType(member.ContainingType) ? PublisherKind.ProcessLifetime : PublisherKind.Static)
                    : PublisherKind.Unknown;
            }

            return ClassifyReceiver(instance, origins, depth: 0);
        }

        /// <summary>
        /// The member or parameter a local was declared from, through casts and type patterns
        /// (<c>var incc = _items as INotifyCollectionChanged</c>, <c>_items is INotifyCollectionChanged incc</c>); null
        /// for any other local (<see cref="LocalAliases.DeclaredValue"/>).
        /// </summary>
        internal static IOperation? AliasedValue(ILocalReferenceOperation local)
            => LocalAliases.DeclaredValue(local) is { } value && DelegateCaptures.Unwrap(value) is IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } or IParameterReferenceOperation
                ? DelegateCaptures.Unwrap(value)
                : null;

        private PublisherKind ClassifyReceiver(IOperation? operation, MemberOrigins origins, int depth)
        {
            operation = DelegateCaptures.Unwrap(operation);
            if (depth > 8)
            {
                return PublisherKind.Unknown;
            }

            if (operation is ILocalReferenceOperation or IParameterReferenceOperation && IsProcessLifetimeType(operation.Type)
                && operation.Type is { Name: "AppDomain" or "Application" })
            {
                // An AppDomain (or the WPF Application) handed in is the process's own: one instance, and its events keep
                // their handlers to the end. (A load context or a task scheduler handed in may be one of many.)
                return PublisherKind.ProcessLifetime;
            }

            switch (operation)
            {
                case IInstanceReferenceOperation:
                    return PublisherKind.Self;
                case ILocalReferenceOperation local:
                    // An alias of a member or a parameter (var x = _items as INotifyCollectionChanged; _items is T x) is as
                    // long-lived as what it names; any other local dies with the method.
                    if (AliasedValue(local) is { } aliased)
                    {
                        var kind = ClassifyReceiver(aliased, origins, depth + 1);
                        if (kind is PublisherKind.Static or PublisherKind.ProcessLifetime or PublisherKind.Injected)
                        {
                            return kind;
                        }
                    }

                    return PublisherKind.Local;
                case IParameterReferenceOperation parameter:
                    if (DelegateCaptures.IsPrimaryConstructorParameter(parameter.Parameter) || origins.IsStoredParameter(parameter.Parameter))
                    {
                        return PublisherKind.Injected;
                    }

                    return PublisherKind.Unknown;
                case IMemberReferenceOperation member when member.Member is IFieldSymbol or IPropertySymbol:
                    if (member.Member.IsStatic)
                    {
                        return IsProcessLifetimeType(member.Member.ContainingType) ? PublisherKind.ProcessLifetime : PublisherKind.Static;
                    }

                    if (member.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
                    {
                        return origins.KindOf(member.Member);
                    }

                    // A member of something else: as long-lived as that something when it is static or injected.
                    var receiver = ClassifyReceiver(member.Instance, origins, depth + 1);
                    return receiver is PublisherKind.Static or PublisherKind.ProcessLifetime or PublisherKind.Injected ? receiver : PublisherKind.Unknown;
                default:
                    return PublisherKind.Unknown;
            }
        }
    }

    /// <summary>
    /// Where the fields and auto-properties of one type get their values: from a parameter (injected), from an object the
    /// type creates (owned), or from elsewhere. Filled by operation actions, read at the end of the type. Thread-safe.
    /// </summary>
    internal sealed class MemberOrigins
    {
        private readonly Dictionary<ISymbol, Origin> _origins = new Dictionary<ISymbol, Origin>(SymbolEqualityComparer.Default);
        private readonly Dictionary<IParameterSymbol, ISymbol> _storedParameters = new Dictionary<IParameterSymbol, ISymbol>(SymbolEqualityComparer.Default);
        private readonly object _gate = new object();

        [System.Flags]
        private enum Origin
        {
            None = 0,
            Parameter = 1,
            Creation = 2,
            Other = 4,
            CapturingDelegate = 8,
        }

        /// <summary>Records <c>member = value</c> (assignment or initializer) for a field or property of <paramref name="type"/>.</summary>
        public void Record(ISymbol member, IOperation? value, INamedTypeSymbol type, IOperation? root)
        {
            if (member is IPropertySymbol { IsStatic: false } property && !IsAutoProperty(property))
            {
                return;
            }

            var unwrapped = Unwrap(value);
            var origin = unwrapped switch
            {
                IParameterReferenceOperation => Origin.Parameter,
                IObjectCreationOperation or IAnonymousObjectCreationOperation or IArrayCreationOperation => Origin.Creation,
                IInstanceReferenceOperation => Origin.Creation,
                _ => Origin.Other,
            };

            var captures = value != null && member.GetMemberType() is { TypeKind: TypeKind.Delegate }
                && DelegateCaptures.Of(value, root) is { CapturesThis: true };
            lock (_gate)
            {
                _origins.TryGetValue(member, out var existing);
                _origins[member] = existing | origin | (captures ? Origin.CapturingDelegate : Origin.None);
                if (unwrapped is IParameterReferenceOperation parameter)
                {
                    _storedParameters[parameter.Parameter] = member;
                }
            }
        }

        public bool IsStoredParameter(IParameterSymbol parameter)
        {
            lock (_gate)
            {
                return _storedParameters.ContainsKey(parameter.OriginalDefinition) || _storedParameters.ContainsKey(parameter);
            }
        }

        /// <summary>The field a parameter is stored in (for the fix: unsubscribe through the field).</summary>
        public ISymbol? StoredIn(IParameterSymbol parameter)
        {
            lock (_gate)
            {
                return _storedParameters.TryGetValue(parameter, out var member) ? member : null;
            }
        }

        /// <summary>Injected when any assignment comes from a parameter; owned when every assignment creates the object.</summary>
        public PublisherKind KindOf(ISymbol member)
        {
            Origin origin;
            lock (_gate)
            {
                if (!_origins.TryGetValue(member, out origin))
                {
                    return PublisherKind.Unknown;
                }
            }

            if ((origin & Origin.Parameter) != 0)
            {
                return PublisherKind.Injected;
            }

            return (origin & (Origin.Creation | Origin.Other)) == Origin.Creation ? PublisherKind.Owned : PublisherKind.Unknown;
        }

        /// <summary>A delegate field or property some assignment fills with a delegate that holds <c>this</c>.</summary>
        public bool HoldsCapturingDelegate(ISymbol member)
        {
            lock (_gate)
            {
                return _origins.TryGetValue(member, out var origin) && (origin & Origin.CapturingDelegate) != 0;
            }
        }

        private static IOperation? Unwrap(IOperation? value)
        {
            for (var i = 0; i < 8 && value != null; i++)
            {
                switch (value)
                {
                    case IConversionOperation conversion:
                        value = conversion.Operand;
                        continue;
                    case ICoalesceOperation coalesce:
                        value = coalesce.Value;
                        continue;
                    default:
                        return value;
                }
            }

            return value;
        }

        private static bool IsAutoProperty(IPropertySymbol property)
        {
            foreach (var member in property.ContainingType.GetMembers())
            {
                if (member is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property))
                {
                    return true;
                }
            }

            return false;
        }
    }

    internal static class MemberTypeExtensions
    {
        public static ITypeSymbol? GetMemberType(this ISymbol member) => member switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            IEventSymbol @event => @event.Type,
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            _ => null,
        };
    }
}
