using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;

namespace RetentionTargets
{
    /// <summary>list: a static list every request adds to.</summary>
    public static class AuditLog
    {
        private static readonly List<AuditEntry> Entries = new();

        public static void Record(int id) => Entries.Add(new AuditEntry(id));
    }

    public sealed class AuditEntry(int id)
    {
        public int Id { get; } = id;

        public Kilobyte Data;
    }

    /// <summary>cache: a static dictionary keyed by order id that nothing evicts.</summary>
    public static class OrderCache
    {
        private static readonly Dictionary<string, Order> s_orders = new();

        public static Order Get(int id)
        {
            var key = "order-" + id;
            if (!s_orders.TryGetValue(key, out var order))
            {
                order = new Order(id);
                s_orders[key] = order;
            }

            return order;
        }
    }

    public sealed class Order(int id)
    {
        public int Id { get; } = id;

        public Kilobyte Lines;
    }

    /// <summary>event: a static event every new view subscribes to and never leaves.</summary>
    public static class Theme
    {
        public static event EventHandler? Changed;

        public static void Raise() => Changed?.Invoke(null, EventArgs.Empty);
    }

    public sealed class View
    {
        public Kilobyte Pixels;

        public View() => Theme.Changed += OnThemeChanged;

        private void OnThemeChanged(object? sender, EventArgs e) => Pixels[0]++;
    }

    /// <summary>timer: a poller whose timer callback captures this and is never disposed.</summary>
    public sealed class Poller
    {
        private readonly Timer _timer;
        public Kilobyte State;

        public Poller() => _timer = new Timer(_ => Poll(), null, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

        private void Poll() => State[0]++;
    }

    /// <summary>gchandle: a strong GC handle allocated per request and never freed.</summary>
    public static class Interop
    {
        public static void Register(int id)
        {
            var callback = new NativeCallback(id);
            GCHandle.Alloc(callback);
        }
    }

    public sealed class NativeCallback(int id)
    {
        public int Id { get; } = id;

        public Kilobyte Buffer;
    }

    /// <summary>locator: a singleton store, found through a static service locator, whose instance list only grows.</summary>
    public static class ServiceLocator
    {
        private static readonly Dictionary<Type, object> s_services = new();

        public static void Register<T>(T service) where T : class => s_services[typeof(T)] = service;

        public static T Get<T>() where T : class => (T)s_services[typeof(T)];
    }

    public sealed class SessionStore
    {
        private readonly List<Session> _sessions = new();

        public void Open(int id) => _sessions.Add(new Session(id));
    }

    public sealed class Session(int id)
    {
        public int Id { get; } = id;

        public Kilobyte Data;
    }
}
