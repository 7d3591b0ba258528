using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace OrderService
{
    public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);

    public sealed record Order(string Id, string Customer, IReadOnlyList<OrderLine> Lines, string Note)
    {
        public decimal Total => Lines.Sum(l => l.Quantity * l.UnitPrice);
    }

    public interface IOrderPipeline
    {
        string Handle(Order order);
    }

    /// <summary>Makes reproducible orders with a note of about 1 KB, like a real request body.</summary>
    public sealed class OrderGenerator
    {
        private static readonly string[] Skus = { "A-100", "B-200", "C-300", "D-400", "E-500" };
        private readonly Random random;
        private long next;

        public OrderGenerator(int seed)
        {
            random = new Random(seed);
        }

        public Order Next()
        {
            var id = "ord-" + (++next).ToString(CultureInfo.InvariantCulture);
            var lines = new List<OrderLine>();
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                lines.Add(new OrderLine(Skus[random.Next(Skus.Length)], random.Next(1, 5), random.Next(100, 10_000) / 100m));
            }

            var note = new StringBuilder(1024);
            while (note.Length < 1000)
            {
                note.Append("deliver to the back door please; ");
            }

            return new Order(id, "customer-" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture), lines, note.ToString());
        }
    }

    /// <summary>The pipeline as first written: it keeps a history of every request it served.</summary>
    public sealed class LeakyPipeline : IOrderPipeline
    {
        public string Handle(Order order)
        {
            var receipt = Receipts.Format(order) + " for " + CustomerLabels.Label(order.Customer);
            RequestHistory.Record(order.Id + " " + order.Customer + " " + order.Note);
            return receipt;
        }
    }

    /// <summary>The same pipeline after the LEAK001 finding was fixed: the history keeps the last entries only.</summary>
    public sealed class FixedPipeline : IOrderPipeline
    {
        public string Handle(Order order)
        {
            var receipt = Receipts.Format(order) + " for " + BoundedCustomerLabels.Label(order.Customer);
            RecentRequests.Record(order.Id + " " + order.Customer + " " + order.Note);
            return receipt;
        }
    }

    public static class Receipts
    {
        public static string Format(Order order)
            => string.Create(CultureInfo.InvariantCulture, $"{order.Id}: {order.Lines.Count} line(s), {order.Total:F2}");
    }

    /// <summary>LEAK001: a static history that every request adds to and nothing ever trims.</summary>
    public static class RequestHistory
    {
        private static readonly List<string> History = new();

        public static void Record(string entry) => History.Add(entry);

        public static int Count => History.Count;
    }

    /// <summary>The fixed history: bounded, the oldest entries leave.</summary>
    public static class RecentRequests
    {
        private const int MaxEntries = 256;
        private static readonly Queue<string> Entries = new();
        private static readonly object Gate = new();

        public static void Record(string entry)
        {
            lock (Gate)
            {
                Entries.Enqueue(entry);
                while (Entries.Count > MaxEntries)
                {
                    Entries.Dequeue();
                }
            }
        }

        public static int Count
        {
            get
            {
                lock (Gate)
                {
                    return Entries.Count;
                }
            }
        }
    }
}

namespace OrderService
{
    /// <summary>LEAK002: a memo cache keyed by customer id — request data — that nothing ever evicts.</summary>
    public static class CustomerLabels
    {
        private static readonly ConcurrentDictionary<string, string> Labels = new();

        public static string Label(string customer)
            => Labels.GetOrAdd(customer, c => c.ToUpperInvariant().Replace("-", " #", StringComparison.Ordinal) + new string('.', 200));
    }

    /// <summary>The fixed cache: cleared when it reaches its bound.</summary>
    public static class BoundedCustomerLabels
    {
        private const int MaxEntries = 256;
        private static readonly ConcurrentDictionary<string, string> Labels = new();

        public static string Label(string customer)
        {
            if (Labels.Count >= MaxEntries)
            {
                Labels.Clear();
            }

            return Labels.GetOrAdd(customer, c => c.ToUpperInvariant().Replace("-", " #", StringComparison.Ordinal) + new string('.', 200));
        }
    }
}
