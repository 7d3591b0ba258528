using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace LeakAnalyzers.Tool
{
    /// <summary>A wrong argument value: reported as a usage error (exit code 2), never with a stack trace.</summary>
    public sealed class UsageException : Exception
    {
        public UsageException(string message)
            : base(message)
        {
        }

        public UsageException()
        {
        }

        public UsageException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }

    /// <summary>"90s", "5m", "500ms", "1h"; "2GB", "512MB".</summary>
    public static class Units
    {
        public static TimeSpan ParseDuration(string text, string option)
        {
            var match = Regex.Match(text.Trim(), @"^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
            if (!match.Success)
            {
                throw new UsageException($"{option}: '{text}' is not a duration (examples: 500ms, 30s, 5m, 1h).");
            }

            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var result = match.Groups[2].Value.ToLowerInvariant() switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                _ => TimeSpan.FromSeconds(value),
            };
            if (result <= TimeSpan.Zero)
            {
                throw new UsageException($"{option}: must be more than zero.");
            }

            return result;
        }

        /// <summary>"5%", "0.05": a share between 0 and 1 (0 allowed: never induce a collection).</summary>
        public static double ParseShare(string text, string option)
        {
            var match = Regex.Match(text.Trim(), @"^(\d+(?:\.\d+)?)\s*(%)?$", RegexOptions.None, TimeSpan.FromSeconds(1));
            if (!match.Success)
            {
                throw new UsageException($"{option}: '{text}' is not a share of time (examples: 5%, 0.02).");
            }

            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / (match.Groups[2].Success ? 100 : 1);
            if (value > 1)
            {
                throw new UsageException($"{option}: '{text}' is more than all of the time (at most 100%).");
            }

            return value;
        }

        public static double ParseBytes(string text, string option)
        {
            var match = Regex.Match(text.Trim(), @"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?$", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
            if (!match.Success)
            {
                throw new UsageException($"{option}: '{text}' is not a size (examples: 512MB, 2GB).");
            }

            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return value * match.Groups[2].Value.ToUpperInvariant() switch
            {
                "KB" => 1024d,
                "MB" => 1024d * 1024,
                "GB" => 1024d * 1024 * 1024,
                "TB" => 1024d * 1024 * 1024 * 1024,
                _ => 1d,
            };
        }
    }
}
