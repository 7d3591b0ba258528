using System;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>Options shared by <c>watch</c> and <c>run</c>.</summary>
    public sealed class WatchSettings
    {
        public WatchSettings(string? findings, TimeSpan duration, TimeSpan interval, double? limitBytes, string? report, double maxPause = 0.05, bool verbose = false)
        {
            Findings = findings;
            Duration = duration;
            Interval = interval;
            LimitBytes = limitBytes;
            Report = report;
            MaxPause = maxPause;
            Verbose = verbose;
        }

        public string? Findings { get; }

        public TimeSpan Duration { get; }

        public TimeSpan Interval { get; }

        public double? LimitBytes { get; }

        public string? Report { get; }

        /// <summary>The share of wall time leakcheck may pause the target for by inducing collections (default 0.05).</summary>
        public double MaxPause { get; }

        /// <summary>Print a line per sample (its time, value and the pause it caused).</summary>
        public bool Verbose { get; }
    }
}
