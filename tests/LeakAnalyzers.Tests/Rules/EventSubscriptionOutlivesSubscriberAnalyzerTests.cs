using System.Threading.Tasks;
using LeakAnalyzers.Retention;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using V = LeakAnalyzers.Tests.Infrastructure.Verify<LeakAnalyzers.Retention.EventSubscriptionOutlivesSubscriberAnalyzer>;

namespace LeakAnalyzers.Tests.Rules
{
    public class EventSubscriptionOutlivesSubscriberAnalyzerTests
    {
        private const string Settings = """
            using System;

            public sealed class Settings
            {
                public static Settings Default { get; } = new Settings();
                public static event EventHandler? Reloaded;
                public event EventHandler? Changed;
                public event EventHandler<string>? Renamed;
                public static void Reload() => Reloaded?.Invoke(null, EventArgs.Empty);
                public void Raise() { Changed?.Invoke(this, EventArgs.Empty); Renamed?.Invoke(this, "x"); }
            }

            public interface IBus
            {
                event EventHandler? Published;
            }
            """;

        private static DiagnosticResult Static(int location, string subscriber, string @event)
            => V.Diagnostic().WithLocation(location).WithArguments(subscriber, @event);

        private static DiagnosticResult Injected(int location, string subscriber, string @event)
            => new DiagnosticResult(EventSubscriptionOutlivesSubscriberAnalyzer.InjectedRule).WithLocation(location).WithArguments(subscriber, @event);

        // ---- Positive ----

        [Fact]
        public Task StaticEventWithInstanceMethodInAnotherFile()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class OrderViewModel
                {
                    public OrderViewModel() { {|#0:Settings.Reloaded += OnReloaded|}; }
                    private void OnReloaded(object? sender, EventArgs e) { }
                }
                """,
            }, Static(0, "OrderViewModel", "Settings.Reloaded"));
        }

        [Fact]
        public Task EventReachedThroughStaticPropertyWithGenericHandler()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                public class Page
                {
                    private string _name = "";
                    public void Load() { {|#0:Settings.Default.Renamed += (s, name) => _name = name|}; }
                }
                """,
            }, Static(0, "Page", "Settings.Default.Renamed"));
        }

        [Fact]
        public Task ProcessLifetimeBclEventWithLambdaCapturingThis()
        {
            return V.AnalyzerAsync("""
                using System;

                public class RequestHandler
                {
                    private int _count;
                    public void Handle() { {|#0:AppDomain.CurrentDomain.ProcessExit += (s, e) => _count++|}; }
                }
                """, Static(0, "RequestHandler", "AppDomain.CurrentDomain.ProcessExit"));
        }

        [Fact]
        public Task InjectedInterfaceStoredInFieldMayOutlive()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Widget
                {
                    private readonly IBus _bus;
                    public Widget(IBus bus)
                    {
                        _bus = bus;
                        {|#0:_bus.Published += OnPublished|};
                    }
                    private void OnPublished(object? sender, EventArgs e) { }
                }
                """,
            }, Injected(0, "Widget", "_bus.Published"));
        }

        [Fact]
        public Task InjectedParameterUsedDirectlyAfterBeingStored()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Widget
                {
                    private readonly IBus _bus;
                    public Widget(IBus bus)
                    {
                        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
                        {|#0:bus.Published += OnPublished|};
                    }
                    private void OnPublished(object? sender, EventArgs e) { }
                }
                """,
            }, Injected(0, "Widget", "bus.Published"));
        }

        [Fact]
        public Task PrimaryConstructorParameterCapturedByHandler()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Listener(IBus bus, string name)
                {
                    public void Start() { {|#0:bus.Published += (s, e) => Console.WriteLine(name)|}; }
                }
                """,
            }, Injected(0, "Listener", "bus.Published"));
        }

        [Fact]
        public Task CustomDelegateAndAddRemoveAccessorsOnStaticEvent()
        {
            return V.AnalyzerAsync("""
                using System;

                public delegate void PriceChanged(decimal price);

                public static class Market
                {
                    private static PriceChanged? _handlers;
                    public static event PriceChanged Changed
                    {
                        add { _handlers += value; }
                        remove { _handlers -= value; }
                    }
                }

                public class Ticker
                {
                    private decimal _last;
                    public Ticker() { {|#0:Market.Changed += OnChanged|}; }
                    private void OnChanged(decimal price) => _last = price;
                }
                """, Static(0, "Ticker", "Market.Changed"));
        }

        [Fact]
        public Task NestedSubscriptionInsideLambda()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class View
                {
                    public event EventHandler? Loaded;
                    public View()
                    {
                        Loaded += (s, e) => { {|#0:Settings.Reloaded += OnReloaded|}; };
                    }
                    private void OnReloaded(object? sender, EventArgs e) { }
                }
                """,
            }, Static(0, "View", "Settings.Reloaded"));
        }

        [Fact]
        public Task RecordSubscribesInAsyncMethod()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;
                using System.Threading.Tasks;

                public record Session(string User)
                {
                    public async Task StartAsync()
                    {
                        await Task.Yield();
                        {|#0:Settings.Reloaded += OnReloaded|};
                    }
                    private void OnReloaded(object? sender, EventArgs e) => Console.WriteLine(User);
                }
                """,
            }, Static(0, "Session", "Settings.Reloaded"));
        }

        [Fact]
        public Task GenericSubscriberWithExpressionBodiedConstructorAndCollectionExpression()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;
                using System.Collections.Generic;

                public class ListViewModel<T>
                {
                    private List<T> _items = [];
                    public ListViewModel() => {|#0:Settings.Reloaded += (s, e) => _items = []|};
                }
                """,
            }, Static(0, "ListViewModel", "Settings.Reloaded"));
        }

        [Fact]
        public Task NestedTypeSubscriber()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Outer
                {
                    public class Inner
                    {
                        public void Hook() { {|#0:Settings.Reloaded += Handle|}; }
                        private void Handle(object? s, EventArgs e) { }
                    }
                }
                """,
            }, Static(0, "Inner", "Settings.Reloaded"));
        }

        [Fact]
        public Task LocalFunctionHandlerUsingInstanceState()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Counter
                {
                    private int _n;
                    public void Hook()
                    {
                        {|#0:Settings.Reloaded += Handle|};
                        void Handle(object? s, EventArgs e) => _n++;
                    }
                }
                """,
            }, Static(0, "Counter", "Settings.Reloaded"));
        }

        [Fact]
        public Task UnsubscribingWithNewLambdaRemovesNothing()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Form : IDisposable
                {
                    private int _n;
                    public Form() { {|#0:Settings.Reloaded += (s, e) => _n++|}; }
                    public void Dispose() { {|#1:Settings.Reloaded -= (s, e) => _n++|}; }
                }
                """,
            },
            Static(0, "Form", "Settings.Reloaded"),
            new DiagnosticResult(EventSubscriptionOutlivesSubscriberAnalyzer.RemoveLambdaRule).WithLocation(1).WithArguments("Settings.Reloaded"));
        }

        [Fact]
        public Task UnsubscribingWithNewDelegateOfLambdaRemovesNothing()
        {
            return V.AnalyzerAsync("""
                using System;

                public class Form
                {
                    public event EventHandler? Clicked;
                    public void Detach() { {|#0:Clicked -= new EventHandler((s, e) => { })|}; }
                }
                """,
                new DiagnosticResult(EventSubscriptionOutlivesSubscriberAnalyzer.RemoveLambdaRule).WithLocation(0).WithArguments("Clicked"));
        }

        [Fact]
        public async Task StaticEventFindingCarriesMemberPropertiesAndFixData()
        {
            var compilation = LeakAnalyzers.Tests.Suites.TestCompilation.Create(new[]
            {
                ("Settings.cs", Settings),
                ("Cart.cs", """
                    using System;

                    namespace Shop
                    {
                        public class Cart
                        {
                            public Cart() { Settings.Reloaded += OnReloaded; }
                            private void OnReloaded(object? sender, EventArgs e) { }
                        }
                    }
                    """),
            });
            var result = await LeakAnalyzers.Tests.Suites.TestCompilation.AnalyzeAsync(compilation, [new EventSubscriptionOutlivesSubscriberAnalyzer()]);
            var diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "LEAK003");
            Assert.Equal("Settings", diagnostic.Properties[DiagnosticPropertyNames.TypeMetadataName]);
            Assert.Equal("Reloaded", diagnostic.Properties[DiagnosticPropertyNames.MemberName]);
            Assert.Equal("Event", diagnostic.Properties[DiagnosticPropertyNames.MemberKind]);
            Assert.Equal("Method", diagnostic.Properties[EventSubscriptionOutlivesSubscriberAnalyzer.HandlerKindProperty]);
            Assert.Equal("Settings.Reloaded", diagnostic.Properties[EventSubscriptionOutlivesSubscriberAnalyzer.UnsubscribeTargetProperty]);
        }

        [Fact]
        public async Task OptionStaticOnlySilencesInjected()
        {
            var test = new V.AnalyzerTest();
            test.TestState.Sources.Add(Settings);
            test.TestState.Sources.Add("""
                using System;

                public class Widget
                {
                    private readonly IBus _bus;
                    public Widget(IBus bus) { _bus = bus; _bus.Published += OnPublished; {|#0:Settings.Reloaded += OnPublished|}; }
                    private void OnPublished(object? sender, EventArgs e) { }
                }
                """);
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\nleak_analyzers.LEAK003.publishers = static\n"));
            test.ExpectedDiagnostics.Add(Static(0, "Widget", "Settings.Reloaded"));
            await V.AnalyzerAsync(test);
        }

        [Fact]
        public async Task OptionInjectedOnlySilencesStatic()
        {
            var test = new V.AnalyzerTest();
            test.TestState.Sources.Add(Settings);
            test.TestState.Sources.Add("""
                using System;

                public class Widget
                {
                    private readonly IBus _bus;
                    public Widget(IBus bus) { _bus = bus; {|#0:_bus.Published += OnPublished|}; Settings.Reloaded += OnPublished; }
                    private void OnPublished(object? sender, EventArgs e) { }
                }
                """);
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\nleak_analyzers.LEAK003.publishers = injected\n"));
            test.ExpectedDiagnostics.Add(Injected(0, "Widget", "_bus.Published"));
            await V.AnalyzerAsync(test);
        }

        // ---- Negative: the look-alikes ----

        [Fact]
        public async Task SubscriberNamedLongLivedInEditorConfig()
        {
            var test = new V.AnalyzerTest();
            test.TestState.Sources.Add(Settings);
            test.TestState.Sources.Add("""
                using System;

                namespace App
                {
                    public interface IShellContext { }

                    public sealed class ShellContext : IShellContext
                    {
                        public ShellContext() { Settings.Reloaded += OnReloaded; }
                        private void OnReloaded(object? sender, EventArgs e) { }
                    }
                }
                """);
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\nleak_analyzers.long_lived_types = App.IShellContext\n"));
            await V.AnalyzerAsync(test);
        }

        [Fact]
        public Task UnsubscribedInDispose()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Page : IDisposable
                {
                    public Page() { Settings.Reloaded += OnReloaded; }
                    public void Dispose() => Settings.Reloaded -= new EventHandler(OnReloaded);
                    private void OnReloaded(object? sender, EventArgs e) { }
                }
                """,
            });
        }

        [Fact]
        public Task UnsubscribedInDisposeAsync()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;
                using System.Threading.Tasks;

                public class Page : IAsyncDisposable
                {
                    public Page() { Settings.Default.Changed += OnChanged; }
                    public ValueTask DisposeAsync() { Settings.Default.Changed -= OnChanged; return default; }
                    private void OnChanged(object? sender, EventArgs e) { }
                }
                """,
            });
        }

        [Fact]
        public Task UnsubscribedInAnotherPartialPart()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public partial class Page
                {
                    public Page() { Settings.Reloaded += OnReloaded; }
                    private void OnReloaded(object? sender, EventArgs e) { }
                }
                """,
                """
                using System;

                public partial class Page : IDisposable
                {
                    public void Dispose() { Settings.Reloaded -= OnReloaded; }
                }
                """,
            });
        }

        [Fact]
        public Task StoredDelegateFieldUnsubscribedInUnloadedHandler()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Page
                {
                    public event EventHandler? Unloaded;
                    private readonly EventHandler _onReloaded;
                    private int _n;
                    public Page()
                    {
                        _onReloaded = (s, e) => _n++;
                        Settings.Reloaded += _onReloaded;
                        Unloaded += (s, e) => Settings.Reloaded -= _onReloaded;
                    }
                }
                """,
            });
        }

        [Fact]
        public Task OneShotHandlerUnsubscribesItself()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Page
                {
                    private int _n;
                    public void WaitOnce()
                    {
                        EventHandler? handler = null;
                        handler = (s, e) => { Settings.Reloaded -= handler; _n++; };
                        Settings.Reloaded += handler;
                    }
                }
                """,
            });
        }

        [Fact]
        public Task SelfSubscriptionAndOwnedChild()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Child { public event EventHandler? Done; }

                public class Parent
                {
                    public event EventHandler? Changed;
                    private readonly Child _child = new Child();
                    private readonly Settings _own;
                    public Parent()
                    {
                        Changed += OnChanged;
                        this.Changed += OnChanged;
                        _child.Done += OnChanged;
                        _own = new Settings();
                        _own.Changed += OnChanged;
                    }
                    private void OnChanged(object? sender, EventArgs e) { }
                }
                """,
            });
        }

        [Fact]
        public Task StaticHandlersAndNonCapturingLambdas()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Page
                {
                    public Page(string name)
                    {
                        Settings.Reloaded += OnReloaded;
                        Settings.Reloaded += (s, e) => Console.WriteLine("reloaded");
                        Settings.Reloaded += static (s, e) => Console.WriteLine("static");
                        Settings.Reloaded += (s, e) => Console.WriteLine(name);
                    }
                    private static void OnReloaded(object? sender, EventArgs e) { }
                }
                """,
            });
        }

        [Fact]
        public Task LocalPublisherDiesWithTheMethod()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Page
                {
                    private int _n;
                    public void Run()
                    {
                        var settings = new Settings();
                        settings.Changed += (s, e) => _n++;
                        settings.Raise();
                    }
                }
                """,
            });
        }

        [Fact]
        public Task StaticSubscriberSingletonAndStaticMethod()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public static class Startup
                {
                    public static void Init() => Settings.Reloaded += OnReloaded;
                    private static void OnReloaded(object? sender, EventArgs e) { }
                }

                public sealed class Telemetry
                {
                    public static Telemetry Instance { get; } = new Telemetry();
                    private int _n;
                    private Telemetry() { AppDomain.CurrentDomain.ProcessExit += (s, e) => _n++; }
                }
                """,
            });
        }

        [Fact]
        public Task AppDomainHandedInIsTheProcesses()
        {
            // A wrapper created around AppDomain.CurrentDomain on every access subscribes to the process's own events.
            return V.AnalyzerAsync("""
                using System;

                public sealed class DomainWrapper
                {
                    private int _exits;

                    public DomainWrapper(AppDomain domain)
                    {
                        FriendlyName = domain.FriendlyName;
                        {|#0:domain.ProcessExit += OnProcessExit|};
                    }

                    public static DomainWrapper Current => new DomainWrapper(AppDomain.CurrentDomain);

                    public string FriendlyName { get; }

                    private void OnProcessExit(object? sender, EventArgs e) => _exits++;
                }

                public sealed class Probe
                {
                    private int _n;

                    public void Watch(System.Runtime.Loader.AssemblyLoadContext context)
                    {
                        // A load context handed in may be a collectible plug-in context that dies with its plug-in.
                        context.Unloading += _ => _n++;
                    }
                }
                """, Static(0, "DomainWrapper", "domain.ProcessExit"));
        }

        [Fact]
        public Task StaticInstanceOfATypeTheCodeAlsoCreatesPerUseIsNoSingleton()
        {
            // The static Default is one instance; Open() makes a new one per call, and each stays subscribed.
            return V.AnalyzerAsync("""
                using System;

                public static class Clock { public static event EventHandler? Changed; }

                public sealed class Session
                {
                    public static readonly Session Default = new Session();
                    private int _ticks;

                    public Session() { {|#0:Clock.Changed += OnChanged|}; }

                    public static Session Open() => new Session();

                    private void OnChanged(object? sender, EventArgs e) => _ticks++;
                }

                public sealed class Monitor
                {
                    public static Monitor Instance { get; } = new Monitor();
                    private int _ticks;

                    private Monitor() { Clock.Changed += OnChanged; }

                    private void OnChanged(object? sender, EventArgs e) => _ticks++;
                }
                """, Static(0, "Session", "Clock.Changed"));
        }

        [Fact]
        public Task ApplicationClassLivesAsLongAsTheProcess()
        {
            return V.AnalyzerAsync("""
                using System;

                namespace System.Windows
                {
                    public class Application { }
                }

                public class App : System.Windows.Application
                {
                    private int _crashes;
                    public App() { AppDomain.CurrentDomain.UnhandledException += (s, e) => _crashes++; }
                }
                """);
        }

        [Fact]
        public Task WrapperOverThePublisherAloneIsQuiet()
        {
            // A command that mirrors the command it wraps (an adapter: one field, an interface over it) keeps nothing of its
            // own; a listener with state of its own is reported, and so is a bare listener (see InjectedInterfaceStoredInFieldMayOutlive).
            return V.AnalyzerAsync("""
                using System;
                using System.ComponentModel;

                public interface IAsyncCommand : INotifyPropertyChanged
                {
                    bool CanBeCanceled { get; }
                    void Cancel();
                }

                public interface ICommandLike
                {
                    event EventHandler? CanExecuteChanged;
                    bool CanExecute();
                    void Execute();
                }

                internal sealed class CancelCommand : ICommandLike
                {
                    private readonly IAsyncCommand _command;

                    public CancelCommand(IAsyncCommand command)
                    {
                        _command = command;
                        _command.PropertyChanged += OnPropertyChanged;
                    }

                    public event EventHandler? CanExecuteChanged;
                    public bool CanExecute() => _command.CanBeCanceled;
                    public void Execute() => _command.Cancel();
                    private void OnPropertyChanged(object? sender, PropertyChangedEventArgs e) => CanExecuteChanged?.Invoke(this, EventArgs.Empty);
                }

                internal sealed class Progress
                {
                    private readonly IAsyncCommand _command;
                    private readonly byte[] _history = new byte[4096];
                    private int _changes;

                    public Progress(IAsyncCommand command)
                    {
                        _command = command;
                        {|#0:_command.PropertyChanged += OnPropertyChanged|};
                    }

                    private void OnPropertyChanged(object? sender, PropertyChangedEventArgs e) => _history[_changes++ % _history.Length] = 1;
                }
                """, Injected(0, "Progress", "_command.PropertyChanged"));
        }

        [Fact]
        public Task ContainerSingletonsLiveAsLongAsWhatTheyAreGiven()
        {
            // The composition root registers Library as a container singleton: its subscription to the injected
            // configuration lasts as long as both. A transient registered the same way is reported.
            return V.AnalyzerAsync("""
                using System;

                namespace Microsoft.Extensions.DependencyInjection
                {
                    public interface IServiceCollection { }

                    public static class ServiceCollectionServiceExtensions
                    {
                        public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TImplementation : TService => services;
                        public static IServiceCollection AddSingleton(this IServiceCollection services, Type service, Type implementation) => services;
                        public static IServiceCollection AddTransient<TService, TImplementation>(this IServiceCollection services) where TImplementation : TService => services;
                    }
                }

                namespace App
                {
                    using Microsoft.Extensions.DependencyInjection;

                    public interface IConfig { event EventHandler? Updated; }
                    public interface ILibrary { }
                    public interface IScanner { }
                    public interface IReport { }

                    public sealed class Library : ILibrary
                    {
                        private int _reloads;
                        public Library(IConfig config) { config.Updated += OnUpdated; Config = config; }
                        public IConfig Config { get; }
                        private void OnUpdated(object? sender, EventArgs e) => _reloads++;
                    }

                    public sealed class Scanner : IScanner
                    {
                        private int _reloads;
                        private readonly IConfig _config;
                        public Scanner(IConfig config) { _config = config; _config.Updated += OnUpdated; }
                        private void OnUpdated(object? sender, EventArgs e) => _reloads++;
                    }

                    public sealed class Report : IReport
                    {
                        private int _reloads;
                        private readonly IConfig _config;
                        public Report(IConfig config) { _config = config; {|#0:_config.Updated += OnUpdated|}; }
                        private void OnUpdated(object? sender, EventArgs e) => _reloads++;
                    }

                    public static class Startup
                    {
                        public static void Configure(IServiceCollection services)
                        {
                            services.AddSingleton<ILibrary, Library>();
                            services.AddSingleton(typeof(IScanner), typeof(Scanner));
                            services.AddTransient<IReport, Report>();
                        }
                    }
                }
                """, Injected(0, "Report", "_config.Updated"));
        }

        [Fact]
        public Task PartialTypeWhoseHandlerUsesANestedTypeOfAnotherPartIsReportedPerDocument()
        {
            // A request for Control.cs alone (the IDE's) must report it too: a type-wide end action would wait for the
            // nested States, declared in the other part, and never run for this document.
            return V.AnalyzerAsync(new[]
            {
                """
                using System;

                namespace Forms
                {
                    public static class Theme { public static event EventHandler? Changed; }

                    public partial class Control : IDisposable
                    {
                        public Control() { {|#0:Theme.Changed += (o, e) => SetState(States.Dirty, true)|}; }
                        private protected void SetState(States state, bool value) { }
                        public void Dispose() { }
                    }
                }
                """,
                """
                using System;

                namespace Forms;

                public partial class Control
                {
                    [Flags]
                    private protected enum States { Created = 1, Dirty = 2 }
                }
                """,
            }, Static(0, "Control", "Theme.Changed"));
        }

        [Fact]
        public Task RemovalFromAnotherPublisherDoesNotUndoTheSubscription()
        {
            // Dispose unsubscribes OnChanged from the local document's Changed, not from the static Theme.Changed.
            return V.AnalyzerAsync("""
                using System;

                public static class Theme { public static event EventHandler? Changed; }

                public sealed class Document { public event EventHandler? Changed; }

                public interface IBus { event EventHandler? Changed; }

                public sealed class Editor : IDisposable
                {
                    private readonly Document _document = new Document();
                    private readonly IBus _bus;
                    private int _changes;

                    public Editor(IBus bus)
                    {
                        _bus = bus;
                        {|#0:Theme.Changed += OnChanged|};
                        _document.Changed += OnChanged;
                        bus.Changed += OnChanged;
                    }

                    private void OnChanged(object? sender, EventArgs e) => _changes++;

                    public void Dispose()
                    {
                        _document.Changed -= OnChanged;
                        _bus.Changed -= OnChanged;
                    }
                }
                """, Static(0, "Editor", "Theme.Changed"));
        }

        [Fact]
        public Task ConcreteParentHandedInIsNotReported()
        {
            return V.AnalyzerAsync("""
                using System;

                public class Canvas { public event EventHandler? Draw; }

                public class Animation
                {
                    private readonly Canvas _canvas;
                    public Animation(Canvas canvas) { _canvas = canvas; _canvas.Draw += OnDraw; }
                    private void OnDraw(object? sender, EventArgs e) { }
                }
                """);
        }

        [Fact]
        public Task ConcreteObjectHandedToADisposableSubscriberIsReported()
        {
            // A disposable subscriber ends before what it was handed: Dispose leaves the handler on the control, which keeps
            // every disposed animation instance. Removing it in Dispose is quiet.
            return V.AnalyzerAsync("""
                using System;

                public class Control { public event EventHandler? PropertyChanged; }

                public sealed class AnimationInstance : IDisposable
                {
                    private readonly Control _target;
                    public AnimationInstance(Control control) { _target = control; {|#0:control.PropertyChanged += OnPropertyChanged|}; }
                    private void OnPropertyChanged(object? sender, EventArgs e) { }
                    public void Dispose() { }
                }

                public sealed class CleanAnimationInstance : IDisposable
                {
                    private readonly Control _target;
                    public CleanAnimationInstance(Control control) { _target = control; _target.PropertyChanged += OnPropertyChanged; }
                    private void OnPropertyChanged(object? sender, EventArgs e) { }
                    public void Dispose() => _target.PropertyChanged -= OnPropertyChanged;
                }
                """,
                V.Diagnostic(EventSubscriptionOutlivesSubscriberAnalyzer.InjectedRule).WithLocation(0).WithArguments("AnimationInstance", "control.PropertyChanged"));
        }

        [Fact]
        public Task InterfaceEventUnsubscribedThroughConcreteType()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Bus : IBus { public event EventHandler? Published; }

                public class Widget : IDisposable
                {
                    private readonly IBus _bus;
                    public Widget(IBus bus) { _bus = bus; _bus.Published += OnPublished; }
                    public void Dispose() { ((Bus)_bus).Published -= OnPublished; }
                    private void OnPublished(object? sender, EventArgs e) { }
                }
                """,
            });
        }

        [Fact]
        public Task MethodParameterNotStoredIsNotInjected()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;

                public class Widget
                {
                    public void Attach(IBus bus) { bus.Published += OnPublished; }
                    private void OnPublished(object? sender, EventArgs e) { }
                }
                """,
            });
        }
    
        private const string Replacement = """
            using System;

            public abstract class Layout
            {
                public event EventHandler? Invalidated;
                public void Invalidate() => Invalidated?.Invoke(this, EventArgs.Empty);
            }

            public sealed class FixedLayout
            {
                public event EventHandler? Invalidated;
            }

            public sealed class ValueChangedArgs
            {
                public ValueChangedArgs(object sender, object? oldValue, object? newValue) { Sender = sender; OldValue = oldValue; NewValue = newValue; }
                public object Sender { get; }
                public object? OldValue { get; }
                public object? NewValue { get; }
            }
            """;

        private static DiagnosticResult Replaced(int location, string subscriber, string eventReference, string publisherType)
            => V.Diagnostic(EventSubscriptionOutlivesSubscriberAnalyzer.ReplacedOnlyRule).WithLocation(location).WithArguments(subscriber, eventReference, publisherType);

        [Fact]
        public Task HandlerMovedFromTheOldValueToTheNewOneOnlyIsReported()
        {
            return V.AnalyzerAsync(new[]
            {
                Replacement,
                """
                using System;
                using System.Windows.Input;

                public class Repeater
                {
                    private int _invalidations;

                    // Moved from the old layout to the new one, and never removed when the repeater goes away: a layout
                    // shared by many repeaters keeps every one of them.
                    protected void OnLayoutChanged(Layout? oldValue, Layout? newValue)
                    {
                        if (oldValue != null)
                        {
                            oldValue.Invalidated -= OnInvalidated;
                        }

                        if (newValue != null)
                        {
                            {|#0:newValue.Invalidated += OnInvalidated|};
                        }
                    }

                    private void OnInvalidated(object? sender, EventArgs e) => _invalidations++;
                }

                public class CommandButton
                {
                    private bool _enabled;

                    // A static property-changed callback: the handler is the button's own method.
                    private static void CommandChanged(ValueChangedArgs e)
                    {
                        if (e.Sender is CommandButton button)
                        {
                            var oldCommand = e.OldValue as ICommand;
                            if (oldCommand != null)
                            {
                                oldCommand.CanExecuteChanged -= button.OnCanExecuteChanged;
                            }

                            if (e.NewValue is ICommand newCommand)
                            {
                                {|#1:newCommand.CanExecuteChanged += button.OnCanExecuteChanged|};
                            }
                        }
                    }

                    private void OnCanExecuteChanged(object? sender, EventArgs e) => _enabled = !_enabled;
                }
                """,
            },
            Replaced(0, "Repeater", "newValue.Invalidated", "Layout"),
            Replaced(1, "CommandButton", "newCommand.CanExecuteChanged", "ICommand"));
        }

        [Fact]
        public Task RemovalThatOnlyMakesRoomForTheNextSubscriptionDoesNotEndIt()
        {
            // The other removals of the handler are followed by a new '+=' (directly, or in a method they call): they
            // re-subscribe, and nothing removes the handler when the repeater goes away.
            return V.AnalyzerAsync(new[]
            {
                Replacement,
                """
                using System;

                public class Repeater
                {
                    private Layout? _layout;
                    private int _invalidations;

                    protected void OnLayoutChanged(Layout? oldValue, Layout? newValue)
                    {
                        if (oldValue != null) oldValue.Invalidated -= OnInvalidated;
                        if (newValue != null) {|#0:newValue.Invalidated += OnInvalidated|};
                        _layout = newValue;
                    }

                    // Re-subscribes, so the handler is never added twice.
                    public void Refresh()
                    {
                        if (_layout == null) return;
                        _layout.Invalidated -= OnInvalidated;
                        Subscribe();
                    }

                    private void Subscribe() => _layout!.Invalidated += OnInvalidated;

                    private void OnInvalidated(object? sender, EventArgs e) => _invalidations++;
                }
                """,
            },
            Replaced(0, "Repeater", "newValue.Invalidated", "Layout"));
        }

        [Fact]
        public Task ReplacementOfValuesMadeByACallIsQuiet()
        {
            // The parts are looked up through the scopes the method is handed: often the subscriber's own template parts.
            return V.AnalyzerAsync(new[]
            {
                Replacement,
                """
                using System;

                public class Templated
                {
                    private int _invalidations;

                    protected void OnTemplateChanged(Func<string, Layout?> oldScope, Func<string, Layout?> newScope)
                    {
                        var oldPart = oldScope("PART_Layout");
                        var newPart = newScope("PART_Layout");
                        if (oldPart != null) oldPart.Invalidated -= OnInvalidated;
                        if (newPart != null) newPart.Invalidated += OnInvalidated;
                    }

                    private void OnInvalidated(object? sender, EventArgs e) => _invalidations++;
                }
                """,
            });
        }

        [Fact]
        public Task ReplacementWithARemovalWhenTheSubscriberGoesAwayOrOnAConcreteValueIsQuiet()
        {
            return V.AnalyzerAsync(new[]
            {
                Replacement,
                """
                using System;

                public class DetachingRepeater
                {
                    private Layout? _layout;
                    private int _invalidations;

                    protected void OnLayoutChanged(Layout? oldValue, Layout? newValue)
                    {
                        if (oldValue != null) oldValue.Invalidated -= OnInvalidated;
                        if (newValue != null) newValue.Invalidated += OnInvalidated;
                        _layout = newValue;
                    }

                    // Also removed when the repeater leaves the tree.
                    protected void OnDetached()
                    {
                        if (_layout != null) _layout.Invalidated -= OnInvalidated;
                    }

                    private void OnInvalidated(object? sender, EventArgs e) => _invalidations++;
                }

                public class ConcreteRepeater
                {
                    private int _invalidations;

                    // A concrete, sealed value: most often the subscriber's own part, not a shared service.
                    protected void OnLayoutChanged(FixedLayout? oldValue, FixedLayout? newValue)
                    {
                        if (oldValue != null) oldValue.Invalidated -= OnInvalidated;
                        if (newValue != null) newValue.Invalidated += OnInvalidated;
                    }

                    private void OnInvalidated(object? sender, EventArgs e) => _invalidations++;
                }

                public class CommandBar
                {
                    private System.Collections.IList? _items;
                    private int _changes;

                    // Its own collection by default, made per instance: the value dies with the bar.
                    public CommandBar() => Items = new System.Collections.ObjectModel.ObservableCollection<string>();

                    public System.Collections.IList? Items
                    {
                        get => _items;
                        set
                        {
                            var old = _items;
                            _items = value;
                            OnItemsChanged(old as System.Collections.Specialized.INotifyCollectionChanged, value as System.Collections.Specialized.INotifyCollectionChanged);
                        }
                    }

                    private void OnItemsChanged(System.Collections.Specialized.INotifyCollectionChanged? oldValue, System.Collections.Specialized.INotifyCollectionChanged? newValue)
                    {
                        if (oldValue != null) oldValue.CollectionChanged -= OnCollectionChanged;
                        if (newValue != null) newValue.CollectionChanged += OnCollectionChanged;
                    }

                    private void OnCollectionChanged(object? sender, System.Collections.Specialized.NotifyCollectionChangedEventArgs e) => _changes++;
                }

                public class StaticHandler
                {
                    // A static handler holds no subscriber.
                    protected void OnLayoutChanged(Layout? oldValue, Layout? newValue)
                    {
                        if (oldValue != null) oldValue.Invalidated -= OnAny;
                        if (newValue != null) newValue.Invalidated += OnAny;
                    }

                    private static void OnAny(object? sender, EventArgs e) { }
                }
                """,
            });
        }

        [Fact]
        public Task LocalAliasOfAnInjectedMemberIsThatMember()
        {
            // A cast or type-pattern local that names a member handed in from outside is that member: subscribed twice (a
            // typo: the "unsubscribe" adds again) and never removed, the collection it was handed keeps the model.
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections;
                using System.Collections.Specialized;

                public class SelectionModel
                {
                    private IList? _selectedItems;
                    private int _changes;

                    public IList? SelectedItems
                    {
                        get => _selectedItems;
                        set
                        {
                            Unsubscribe();
                            _selectedItems = value;
                            Subscribe();
                        }
                    }

                    private void Subscribe()
                    {
                        if (_selectedItems is INotifyCollectionChanged incc)
                        {
                            {|#0:incc.CollectionChanged += OnChanged|};
                        }
                    }

                    private void Unsubscribe()
                    {
                        var incc = _selectedItems as INotifyCollectionChanged;
                        if (incc != null)
                        {
                            {|#1:incc.CollectionChanged += OnChanged|};
                        }
                    }

                    private void OnChanged(object? sender, NotifyCollectionChangedEventArgs e) => _changes++;
                }
                """,
            },
            V.Diagnostic(EventSubscriptionOutlivesSubscriberAnalyzer.InjectedRule).WithLocation(0).WithArguments("SelectionModel", "incc.CollectionChanged"),
            V.Diagnostic(EventSubscriptionOutlivesSubscriberAnalyzer.InjectedRule).WithLocation(1).WithArguments("SelectionModel", "incc.CollectionChanged"));
        }

        [Fact]
        public Task LocalAliasUnsubscribedOrOfAnOwnedMemberIsQuiet()
        {
            return V.AnalyzerAsync(new[]
            {
                """
                using System.Collections;
                using System.Collections.ObjectModel;
                using System.Collections.Specialized;

                public class FixedSelectionModel
                {
                    private IList? _selectedItems;
                    private int _changes;

                    public IList? SelectedItems
                    {
                        get => _selectedItems;
                        set
                        {
                            if (_selectedItems is INotifyCollectionChanged old) old.CollectionChanged -= OnChanged;
                            _selectedItems = value;
                            if (_selectedItems is INotifyCollectionChanged incc) incc.CollectionChanged += OnChanged;
                        }
                    }

                    private void OnChanged(object? sender, NotifyCollectionChangedEventArgs e) => _changes++;
                }

                public class Host
                {
                    public ObservableCollection<int> Children { get; } = new();
                }

                // A peer made for one host: the host's children, through an alias, are the host's own (a concrete class
                // handed in is the owner).
                public class Peer
                {
                    private readonly Host _host;
                    private int _changes;

                    public Peer(Host host)
                    {
                        _host = host;
                        var children = _host.Children as INotifyCollectionChanged;
                        children.CollectionChanged += OnChanged;
                    }

                    private void OnChanged(object? sender, NotifyCollectionChangedEventArgs e) => _changes++;
                }

                public class OwnItems
                {
                    private readonly IList _items = new ObservableCollection<int>();
                    private int _changes;

                    public OwnItems()
                    {
                        var incc = _items as INotifyCollectionChanged;
                        if (incc != null) incc.CollectionChanged += OnChanged;
                    }

                    private void OnChanged(object? sender, NotifyCollectionChangedEventArgs e) => _changes++;
                }
                """,
            });
        }

        [Fact]
        public Task RemoveAccessorThatAddsIsReported()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public class Grid
                {
                    private readonly Dictionary<string, Delegate?> _handlers = new();
                    private EventHandler? _sorting;
                    private EventHandler? _loaded;

                    private void AddHandler(string name, Delegate handler) => _handlers[name] = Delegate.Combine(_handlers.GetValueOrDefault(name), handler);
                    private void RemoveHandler(string name, Delegate handler) => _handlers[name] = Delegate.Remove(_handlers.GetValueOrDefault(name), handler);

                    // The remove accessor was copied from add and never changed.
                    public event EventHandler SelectionChanged
                    {
                        add { AddHandler("SelectionChanged", value); }
                        {|#0:remove|} { AddHandler("SelectionChanged", value); }
                    }

                    public event EventHandler? Sorting
                    {
                        add => _sorting += value;
                        {|#1:remove|} => _sorting += value;
                    }

                    public event EventHandler? Loaded
                    {
                        add { _loaded = (EventHandler?)Delegate.Combine(_loaded, value); }
                        {|#2:remove|} { _loaded = (EventHandler?)Delegate.Combine(_loaded, value); }
                    }
                }
                """,
                V.Diagnostic(EventSubscriptionOutlivesSubscriberAnalyzer.RemoveAddsRule).WithLocation(0).WithArguments("SelectionChanged"),
                V.Diagnostic(EventSubscriptionOutlivesSubscriberAnalyzer.RemoveAddsRule).WithLocation(1).WithArguments("Sorting"),
                V.Diagnostic(EventSubscriptionOutlivesSubscriberAnalyzer.RemoveAddsRule).WithLocation(2).WithArguments("Loaded"));
        }

        [Fact]
        public Task RemoveAccessorsThatRemoveOrDoNothingAreQuiet()
        {
            return V.AnalyzerAsync("""
                using System;
                using System.Collections.Generic;

                public interface INotify { event EventHandler? Changed; event EventHandler? Other; }

                public class Grid : INotify
                {
                    private readonly Dictionary<string, Delegate?> _handlers = new();
                    private EventHandler? _sorting;
                    private EventHandler? _inner;

                    private void AddHandler(string name, Delegate handler) => _handlers[name] = Delegate.Combine(_handlers.GetValueOrDefault(name), handler);
                    private void RemoveHandler(string name, Delegate handler) => _handlers[name] = Delegate.Remove(_handlers.GetValueOrDefault(name), handler);

                    public event EventHandler SelectionChanged
                    {
                        add { AddHandler("SelectionChanged", value); }
                        remove { RemoveHandler("SelectionChanged", value); }
                    }

                    public event EventHandler? Sorting
                    {
                        add => _sorting += value;
                        remove => _sorting -= value;
                    }

                    // Never raised: both accessors do nothing, or refuse alike.
                    event EventHandler? INotify.Changed { add { } remove { } }
                    event EventHandler? INotify.Other { add => throw new NotSupportedException(); remove => throw new NotSupportedException(); }

                    // Forwarded: the remove of the inner event removes.
                    public event EventHandler? Forwarded
                    {
                        add { _inner += value; }
                        remove { _inner -= value; }
                    }
                }
                """);
        }

        // ---- A handler that removes itself on some paths only ----

        private const string Steps = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public sealed class StepArgs : EventArgs
            {
                public Exception? Error { get; init; }
                public bool WasCancelled { get; init; }
                public int Status { get; init; }
            }

            public interface IStep
            {
                event EventHandler<StepArgs>? Completed;
                void Execute();
            }

            public sealed class Step : IStep
            {
                public event EventHandler<StepArgs>? Completed;
                public void Execute() => Completed?.Invoke(this, new StepArgs());
            }
            """;

        private static DiagnosticResult Skipped(int subscription, int exit, string subscriber, string eventReference, string handler, string where)
            => V.Diagnostic(EventSubscriptionOutlivesSubscriberAnalyzer.RemovalSkippedRule).WithLocation(subscription).WithLocation(exit)
                .WithArguments(subscriber, eventReference, handler, where);

        [Fact]
        public Task HandlerThatReturnsOnErrorBeforeRemovingItselfIsReported()
        {
            // A sequence of steps handed in: each step's Completed handler moves to the next step, but the error and cancel
            // path finishes the sequence and returns before the removal, so a reused step keeps the whole sequence.
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;
                using System.Collections.Generic;

                public sealed class Sequence
                {
                    private readonly IEnumerator<IStep> _steps;
                    private readonly List<string> _log = new();

                    public Sequence(IEnumerator<IStep> steps) { _steps = steps; }

                    public event EventHandler? Finished;

                    public void Start() => OnStepCompleted(null, new StepArgs());

                    private void OnStepCompleted(object? sender, StepArgs e)
                    {
                        if (e.Error != null || e.WasCancelled)
                        {
                            Finish(e.Error);
                            {|#1:return;|}
                        }

                        var previous = sender as IStep;
                        if (previous != null)
                            previous.Completed -= OnStepCompleted;

                        if (_steps.MoveNext())
                        {
                            var next = _steps.Current;
                            {|#0:next.Completed += OnStepCompleted|};
                            next.Execute();
                        }
                        else
                        {
                            Finish(null);
                        }
                    }

                    private void Finish(Exception? error)
                    {
                        _log.Add(error?.Message ?? "done");
                        Finished?.Invoke(this, EventArgs.Empty);
                    }
                }
                """,
            }, Skipped(0, 1, "Sequence", "next.Completed", "OnStepCompleted", "the return at line 20"));
        }

        [Fact]
        public Task HandlerThatRemovesItselfFirstIsQuiet()
        {
            // The same sequence with the removal moved before the early return (the fix), and with a type test as the guard.
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;
                using System.Collections.Generic;

                public sealed class Sequence
                {
                    private readonly IEnumerator<IStep> _steps;
                    private readonly List<string> _log = new();

                    public Sequence(IEnumerator<IStep> steps) { _steps = steps; }

                    private void OnStepCompleted(object? sender, StepArgs e)
                    {
                        var previous = sender as IStep;
                        if (previous != null)
                        {
                            previous.Completed -= OnStepCompleted;
                        }

                        if (e.Error != null || e.WasCancelled)
                        {
                            _log.Add("failed");
                            return;
                        }

                        if (_steps.MoveNext())
                        {
                            var next = _steps.Current;
                            next.Completed += OnStepCompleted;
                            next.Execute();
                        }
                    }

                    private void OnOtherCompleted(object? sender, StepArgs e)
                    {
                        if (sender is not IStep step)
                        {
                            return;
                        }

                        step.Completed -= OnOtherCompleted;
                        if (e.WasCancelled)
                        {
                            _log.Add("cancelled");
                            return;
                        }

                        if (_steps.MoveNext())
                        {
                            _steps.Current.Completed += OnOtherCompleted;
                        }
                    }
                }
                """,
            });
        }

        [Fact]
        public Task LambdaInALocalThatReturnsBeforeRemovingItselfIsReported()
        {
            return V.AnalyzerAsync(new[]
            {
                Settings,
                """
                using System;
                using System.Collections.Generic;

                public class Page
                {
                    private readonly List<string> _log = new();
                    private bool _closed;

                    public void ReloadOnce()
                    {
                        EventHandler? handler = null;
                        handler = (s, e) =>
                        {
                            if (_closed)
                            {
                                _log.Add("closed");
                                {|#1:return;|}
                            }

                            Settings.Reloaded -= handler;
                            _log.Add("reloaded");
                        };
                        {|#0:Settings.Reloaded += handler|};
                    }

                    private EventHandler? _onRenamed;

                    public Page()
                    {
                        _onRenamed = (s, e) =>
                        {
                            try
                            {
                                _log.Add("renamed");
                            }
                            catch (InvalidOperationException)
                            {
                                _closed = true;
                                {|#3:return;|}
                            }

                            Settings.Default.Changed -= _onRenamed;
                        };
                        {|#2:Settings.Default.Changed += _onRenamed|};
                    }
                }
                """,
            },
            Skipped(0, 1, "Page", "Settings.Reloaded", "handler", "the return at line 17"),
            Skipped(2, 3, "Page", "Settings.Default.Changed", "_onRenamed", "the return at line 39"));
        }

        [Fact]
        public Task AsyncVoidHandlerThatThrowsBeforeRemovingItselfIsReported()
        {
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;
                using System.Threading.Tasks;

                public class Uploader
                {
                    private readonly IStep _step;
                    private int _uploaded;

                    public Uploader(IStep step)
                    {
                        _step = step;
                        {|#0:_step.Completed += OnCompleted|};
                    }

                    private async void OnCompleted(object? sender, StepArgs e)
                    {
                        if (e.Error != null)
                        {
                            {|#1:throw new InvalidOperationException("upload failed", e.Error);|}
                        }

                        _step.Completed -= OnCompleted;
                        await Task.Delay(10);
                        _uploaded++;
                    }
                }
                """,
            }, Skipped(0, 1, "Uploader", "_step.Completed", "OnCompleted", "the throw at line 19"));
        }

        [Fact]
        public Task SwitchCaseThatReturnsBeforeTheRemovalIsReported()
        {
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;
                using System.Collections.Generic;

                public partial class Monitor
                {
                    private readonly IStep _step;
                    private readonly List<int> _failures = new();

                    public Monitor(IStep step)
                    {
                        _step = step;
                        {|#0:_step.Completed += OnStatus|};
                    }
                }

                public partial class Monitor
                {
                    private void OnStatus(object? sender, StepArgs e)
                    {
                        switch (e.Status)
                        {
                            case 1:
                                _failures.Add(e.Status);
                                {|#1:return;|}
                            case 2:
                                break;
                            default:
                                break;
                        }

                        _step.Completed -= OnStatus;
                    }
                }
                """,
            }, Skipped(0, 1, "Monitor", "_step.Completed", "OnStatus", "the return at line 24"));
        }

        [Fact]
        public Task CatchThatReturnsBeforeTheRemovalIsReported()
        {
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;
                using System.Collections.Generic;

                public class Importer
                {
                    private readonly IStep _step;
                    private readonly List<Exception> _errors = new();

                    public Importer(IStep step)
                    {
                        _step = step;
                    }

                    public void Run()
                    {
                        void OnDone(object? sender, StepArgs e)
                        {
                            try
                            {
                                Import(e);
                            }
                            catch (InvalidOperationException ex)
                            {
                                _errors.Add(ex);
                                {|#1:return;|}
                            }

                            _step.Completed -= OnDone;
                        }

                        {|#0:_step.Completed += OnDone|};
                        _step.Execute();
                    }

                    private void Import(StepArgs e) { if (e.WasCancelled) throw new InvalidOperationException(); }
                }
                """,
            }, Skipped(0, 1, "Importer", "_step.Completed", "OnDone", "the return at line 25"));
        }

        [Fact]
        public Task RemovalInAHelperCalledOnlyOnTheNormalPathIsReported()
        {
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;

                public class Loader
                {
                    private readonly IStep _step;
                    private int _failed;

                    public Loader(IStep step)
                    {
                        _step = step;
                        {|#0:_step.Completed += OnCompleted|};
                    }

                    private void OnCompleted(object? sender, StepArgs e)
                    {
                        if (e.WasCancelled)
                        {
                            _failed++;
                            {|#1:return;|}
                        }

                        Detach();
                    }

                    private void Detach() => _step.Completed -= OnCompleted;
                }
                """,
            }, Skipped(0, 1, "Loader", "_step.Completed", "OnCompleted", "the return at line 19"));
        }

        [Fact]
        public Task RemovalOnEveryPathIsQuiet()
        {
            // In a finally, on both branches, through a private helper on the early path too, or handed to a method.
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;
                using System.Collections.Generic;

                public class Worker
                {
                    private readonly IStep _a;
                    private readonly IStep _b;
                    private readonly IStep _c;
                    private readonly IStep _d;
                    private readonly List<string> _log = new();

                    public Worker(IStep a, IStep b, IStep c, IStep d)
                    {
                        _a = a; _b = b; _c = c; _d = d;
                        _a.Completed += OnA;
                        _b.Completed += OnB;
                        _c.Completed += OnC;
                        _d.Completed += OnD;
                    }

                    private void OnA(object? sender, StepArgs e)
                    {
                        try
                        {
                            if (e.Error != null)
                            {
                                _log.Add("a failed");
                                return;
                            }

                            _log.Add("a");
                        }
                        finally
                        {
                            _a.Completed -= OnA;
                        }
                    }

                    private void OnB(object? sender, StepArgs e)
                    {
                        if (e.Error != null)
                        {
                            _b.Completed -= OnB;
                            _log.Add("b failed");
                            return;
                        }

                        _b.Completed -= OnB;
                        _log.Add("b");
                    }

                    private void OnC(object? sender, StepArgs e)
                    {
                        if (e.WasCancelled)
                        {
                            DetachC();
                            _log.Add("c cancelled");
                            return;
                        }

                        DetachC();
                        _log.Add("c");
                    }

                    private void DetachC()
                    {
                        if (_c == null)
                        {
                            return;
                        }

                        _c.Completed -= OnC;
                    }

                    private void OnD(object? sender, StepArgs e)
                    {
                        if (e.WasCancelled)
                        {
                            Unsubscribe(_d, OnD);
                            _log.Add("d cancelled");
                            return;
                        }

                        _d.Completed -= OnD;
                    }

                    private static void Unsubscribe(IStep step, EventHandler<StepArgs> handler) => step.Completed -= handler;
                }
                """,
            });
        }

        [Fact]
        public Task ExceptionsFromCalledCodeAndWaitingHandlersAreQuiet()
        {
            // An exception passed on (throw;) is the callee's, not a path of the handler; a bare early return waits for a
            // later raise, and a removal under a condition that is not met keeps listening: both are how handlers wait.
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;
                using System.Collections.Generic;

                public class Watcher
                {
                    private readonly IStep _a;
                    private readonly IStep _b;
                    private readonly IStep _c;
                    private readonly List<string> _log = new();
                    private bool _ready;

                    public Watcher(IStep a, IStep b, IStep c)
                    {
                        _a = a; _b = b; _c = c;
                        _a.Completed += OnA;
                        _b.Completed += OnB;
                        _c.Completed += OnC;
                    }

                    private void OnA(object? sender, StepArgs e)
                    {
                        try
                        {
                            Handle(e);
                        }
                        catch (Exception ex)
                        {
                            _log.Add(ex.Message);
                            throw;
                        }

                        _a.Completed -= OnA;
                    }

                    private void OnB(object? sender, StepArgs e)
                    {
                        if (!_ready)
                            return;

                        _b.Completed -= OnB;
                        _log.Add("b");
                    }

                    private void OnC(object? sender, StepArgs e)
                    {
                        _log.Add("progress");
                        if (e.Status == 3)
                        {
                            _c.Completed -= OnC;
                            _log.Add("c done");
                        }
                    }

                    private void Handle(StepArgs e) { }

                    // A goto to a label: paths the walk does not follow count as removing.
                    private void OnD(object? sender, StepArgs e)
                    {
                        if (e.Error != null)
                        {
                            _log.Add("d failed");
                            goto done;
                        }

                        _log.Add("d");
                    done:
                        _a.Completed -= OnD;
                    }

                    public void Watch() => _a.Completed += OnD;
                }
                """,
            });
        }

        [Fact]
        public Task SkippedRemovalOnAnOwnedPublisherOrRemovedElsewhereIsQuiet()
        {
            // The subscriber's own step dies with it; a handler also removed in Dispose, or removed in a callback it posts,
            // is not one that only removes itself.
            return V.AnalyzerAsync(new[]
            {
                Steps,
                """
                using System;
                using System.Collections.Generic;

                public sealed class Runner : IDisposable
                {
                    private readonly IStep _own = new Step();
                    private readonly IStep _shared;
                    private readonly IStep _posted;
                    private readonly List<Action> _queue = new();
                    private int _errors;

                    public Runner(IStep shared, IStep posted)
                    {
                        _shared = shared;
                        _posted = posted;
                        _own.Completed += OnOwn;
                        _shared.Completed += OnShared;
                        _posted.Completed += OnPosted;
                        var local = new Step();
                        local.Completed += OnLocal;
                    }

                    private void OnOwn(object? sender, StepArgs e)
                    {
                        if (e.Error != null) { _errors++; return; }
                        _own.Completed -= OnOwn;
                    }

                    private void OnLocal(object? sender, StepArgs e)
                    {
                        if (e.Error != null) { _errors++; return; }
                        ((IStep)sender!).Completed -= OnLocal;
                    }

                    private void OnShared(object? sender, StepArgs e)
                    {
                        if (e.Error != null) { _errors++; return; }
                        _shared.Completed -= OnShared;
                    }

                    private void OnPosted(object? sender, StepArgs e)
                    {
                        if (e.Error != null) { _errors++; return; }
                        _queue.Add(() => _posted.Completed -= OnPosted);
                    }

                    public void Dispose() => _shared.Completed -= OnShared;
                }
                """,
            });
        }
    }
}
