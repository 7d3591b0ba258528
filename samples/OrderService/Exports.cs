using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace OrderService
{
    /// <summary>Nightly export jobs: the shapes LEAK010 and LEAK011 point at.</summary>
    public static class Exports
    {
        /// <summary>LEAK010: the whole order log is loaded only to count the failed lines.</summary>
        public static int CountFailures(string orderLogPath)
            => File.ReadAllLines(orderLogPath).Count(line => line.Contains("FAILED", StringComparison.Ordinal));

        /// <summary>LEAK011: the CSV is built by concatenation, one copy of everything so far per order.</summary>
        public static string ToCsv(IEnumerable<Order> orders)
        {
            var csv = "id,customer,total\n";
            foreach (var order in orders)
            {
                csv += order.Id + "," + order.Customer + "," + order.Total.ToString(CultureInfo.InvariantCulture) + "\n";
            }

            return csv;
        }
    }

    /// <summary>LEAK006: the exporter opens its output file and never closes it (and is not IDisposable itself).</summary>
    public sealed class NightlyExporter
    {
        private readonly FileStream output = new FileStream(Path.Combine(Path.GetTempPath(), "orders-export.csv"), FileMode.Append);

        public void Write(string line)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(line);
            output.Write(bytes, 0, bytes.Length);
        }
    }
}
