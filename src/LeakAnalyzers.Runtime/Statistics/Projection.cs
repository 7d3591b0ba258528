using System;

namespace LeakAnalyzers.Runtime.Statistics
{
    /// <summary>Turns a growth rate into what it means for a running service.</summary>
    public static class Projection
    {
        /// <summary>Bytes gained in <paramref name="period"/> at the given growth per iteration and iteration rate.</summary>
        public static double GrowthOver(TimeSpan period, double bytesPerIteration, double iterationsPerSecond)
            => bytesPerIteration * iterationsPerSecond * period.TotalSeconds;

        /// <summary>How long until memory reaches the limit; null when it does not grow.</summary>
        public static TimeSpan? TimeToExhaustion(double bytesPerIteration, double iterationsPerSecond, double currentBytes, double limitBytes)
        {
            var perSecond = bytesPerIteration * iterationsPerSecond;
            if (perSecond <= 0 || double.IsNaN(perSecond))
            {
                return null;
            }

            var seconds = Math.Max(0, limitBytes - currentBytes) / perSecond;
            return seconds > TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
        }

        /// <summary>"9.8 KB", "3.4 GB": binary units, one decimal.</summary>
        public static string FormatBytes(double bytes)
        {
            string[] units = { "B", "KB", "MB", "GB", "TB", "PB" };
            var value = Math.Abs(bytes);
            var unit = 0;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }

            return (bytes < 0 ? "-" : string.Empty) + value.ToString(unit == 0 ? "0" : "0.0", System.Globalization.CultureInfo.InvariantCulture) + " " + units[unit];
        }

        /// <summary>"57 hours", "3.2 days".</summary>
        public static string FormatDuration(TimeSpan duration)
        {
            var c = System.Globalization.CultureInfo.InvariantCulture;
            if (duration.TotalMinutes < 2)
            {
                return duration.TotalSeconds.ToString("0", c) + " seconds";
            }

            if (duration.TotalHours < 2)
            {
                return duration.TotalMinutes.ToString("0", c) + " minutes";
            }

            if (duration.TotalDays < 3)
            {
                return duration.TotalHours.ToString("0", c) + " hours";
            }

            return duration.TotalDays.ToString("0.#", c) + " days";
        }
    }
}
