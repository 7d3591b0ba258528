using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace OrderService
{
    /// <summary>
    /// Serves simulated order requests. Arguments: --mode leaky|fixed (default leaky), --requests N (default 2000),
    /// --delay-ms N between requests (default 0), --forever (until killed). Prints one progress line per 500 requests.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var options = Options.Parse(args);
            if (options is null)
            {
                Console.Error.WriteLine("usage: OrderService [--mode leaky|fixed] [--requests N] [--delay-ms N] [--forever]");
                return 2;
            }

            IOrderPipeline pipeline = options.Fixed ? new FixedPipeline() : new LeakyPipeline();
            var generator = new OrderGenerator(seed: 42);
            var clock = Stopwatch.StartNew();
            for (long i = 0; options.Forever || i < options.Requests; i++)
            {
                var order = generator.Next();
                var receipt = pipeline.Handle(order);
                if ((i + 1) % 500 == 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{i + 1} requests, {clock.Elapsed.TotalSeconds:F1}s, last receipt {receipt}, live heap {GC.GetTotalMemory(false) / 1024} KB"));
                }

                if (options.DelayMs > 0)
                {
                    Thread.Sleep(options.DelayMs);
                }
            }

            Console.WriteLine(options.Fixed ? "done (fixed mode)" : "done (leaky mode)");
            return 0;
        }

        private sealed class Options
        {
            public bool Fixed { get; private set; }

            public long Requests { get; private set; } = 2000;

            public int DelayMs { get; private set; }

            public bool Forever { get; private set; }

            public static Options? Parse(string[] args)
            {
                var options = new Options();
                for (var i = 0; i < args.Length; i++)
                {
                    switch (args[i])
                    {
                        case "--mode" when i + 1 < args.Length && args[i + 1] is "leaky" or "fixed":
                            options.Fixed = args[++i] == "fixed";
                            break;
                        case "--requests" when i + 1 < args.Length && long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n):
                            options.Requests = n;
                            i++;
                            break;
                        case "--delay-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var d):
                            options.DelayMs = d;
                            i++;
                            break;
                        case "--forever":
                            options.Forever = true;
                            break;
                        default:
                            return null;
                    }
                }

                return options;
            }
        }
    }
}
