// Event subscriptions and stored delegates that look like LEAK003/LEAK004 but are released, owned, static or short-lived.
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ValidCode.Events
{
    public interface IClock
    {
        event EventHandler? Ticked;
    }

    public static class Theme
    {
        public static event EventHandler? Changed;

        public static void Raise() => Changed?.Invoke(null, EventArgs.Empty);
    }

    /// <summary>Unsubscribes in Dispose, through the field the constructor parameter is stored in.</summary>
    public sealed class ClockView : IDisposable
    {
        private readonly IClock _clock;
        private int _ticks;

        public ClockView(IClock clock)
        {
            _clock = clock;
            clock.Ticked += OnTicked;
            Theme.Changed += OnThemeChanged;
        }

        public void Dispose()
        {
            _clock.Ticked -= OnTicked;
            Theme.Changed -= OnThemeChanged;
        }

        private void OnTicked(object? sender, EventArgs e) => _ticks++;

        private void OnThemeChanged(object? sender, EventArgs e) => _ticks = 0;
    }

    /// <summary>Unsubscribes in DisposeAsync with a stored delegate.</summary>
    public sealed class ThemeListener : IAsyncDisposable
    {
        private readonly EventHandler _handler;
        private int _changes;

        public ThemeListener()
        {
            _handler = (s, e) => _changes++;
            Theme.Changed += _handler;
        }

        public ValueTask DisposeAsync()
        {
            Theme.Changed -= _handler;
            return default;
        }
    }

    /// <summary>Owns its publisher, subscribes to itself, waits once, uses static handlers.</summary>
    public sealed class Downloader
    {
        private readonly System.Timers.Timer _retry = new System.Timers.Timer(1000);
        private int _attempts;

        public Downloader()
        {
            _retry.Elapsed += (s, e) => _attempts++;
            Completed += OnCompleted;
            Theme.Changed += OnThemeChangedStatic;
            Theme.Changed += static (s, e) => Console.WriteLine("theme");
        }

        public event EventHandler? Completed;

        public void Stop()
        {
            _retry.Stop();
            Completed?.Invoke(this, EventArgs.Empty);
        }

        public void WaitForNextTheme()
        {
            EventHandler? once = null;
            once = (s, e) =>
            {
                Theme.Changed -= once;
                _attempts = 0;
            };
            Theme.Changed += once;
        }

        private static void OnThemeChangedStatic(object? sender, EventArgs e)
        {
        }

        private void OnCompleted(object? sender, EventArgs e) => _attempts = 0;
    }

    /// <summary>Lives as long as the process itself.</summary>
    public sealed class ShutdownLog
    {
        public static ShutdownLog Instance { get; } = new ShutdownLog();

        private int _exits;

        private ShutdownLog() => AppDomain.CurrentDomain.ProcessExit += (s, e) => _exits++;
    }

    /// <summary>Stored delegates that capture nothing heavy or are released.</summary>
    public sealed class Scheduler : IDisposable
    {
        private static readonly List<Func<int>> Probes = new List<Func<int>>();
        private readonly Timer _timer;
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();
        private int _runs;

        public Scheduler()
        {
            _timer = new Timer(_ => _runs++, null, 1000, 1000);
            _cts.Token.Register(() => _runs = 0);
        }

        public static void AddProbe(string name)
        {
            var length = name.Length;
            Probes.Add(() => length);
            Probes.Add(static () => 0);
        }

        public static void ClearProbes() => Probes.Clear();

        public async Task RunAsync(CancellationToken token)
        {
            using var registration = token.Register(() => _runs = -1);
            await Task.Delay(1, token);
        }

        public void Dispose()
        {
            _timer.Dispose();
            _cts.Dispose();
        }
    }
}
