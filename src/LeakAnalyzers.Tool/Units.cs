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
