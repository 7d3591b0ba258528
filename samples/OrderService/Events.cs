using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace OrderService
{
    /// <summary>Process-wide pricing settings that are reloaded from time to time.</summary>
    public static class PricingSettings
    {
        public static event EventHandler? Reloaded;

        public static decimal Discount { get; private set; }

        public static void Reload(decimal discount)
        {
            Discount = discount;
            Reloaded?.Invoke(null, EventArgs.Empty);
        }
    }

    /// <summary>
    /// One quote per request. It subscribes to the static Reloaded event and never unsubscribes (LEAK003): every quote,
    /// with its line list, stays reachable from the event for the life of the process.
    /// </summary>
    public sealed class OrderQuote
    {
        private readonly List<decimal> _lines = new List<decimal>();
        private decimal _discount;

        public OrderQuote(IEnumerable<decimal> lines)
        {
            _lines.AddRange(lines);
            _discount = PricingSettings.Discount;
            PricingSettings.Reloaded += OnPricingReloaded;
        }

        public decimal Total()
        {
            decimal sum = 0;
            foreach (var line in _lines)
            {
                sum += line;
            }

            return sum * (1 - _discount);
        }

        private void OnPricingReloaded(object? sender, EventArgs e) => _discount = PricingSettings.Discount;
    }

    /// <summary>
    /// Ships an order while the host runs. The registration on the host's stopping token captures 'this' and is never
    /// disposed (LEAK004): each shipment stays in the token's callback list until the host stops.
    /// </summary>
    public sealed class Shipment
    {
        private readonly string _orderId;
        private bool _aborted;

        public Shipment(string orderId) => _orderId = orderId;

        public async Task<string> ShipAsync(CancellationToken hostStopping)
        {
            hostStopping.Register(() => _aborted = true);
            await Task.Yield();
            return _aborted ? _orderId + ": aborted" : _orderId + ": shipped";
        }
    }
}
