using System;

namespace LeakAnalyzers.Tool.Watch
{
    /// <summary>Options shared by <c>watch</c> and <c>run</c>.</summary>
    public sealed class WatchSettings
    {
        public WatchSettings(string? findings, TimeSpan duration, TimeSpan interval, double? limitBytes, string? report)
        {
            Findings = findings;
            Duration = duration;
            Interval = interval;
            LimitBytes = limitBytes;
            Report = report;
        }

        public string? Findings { get; }

        public TimeSpan Duration { get; }

        public TimeSpan Interval { get; }

        public double? LimitBytes { get; }

        public string? Report { get; }
    }
}
