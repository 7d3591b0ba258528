using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// Serve:  WebTarget --urls http://127.0.0.1:5081            (GET /leak keeps 10 KB per request, GET /ok keeps nothing)
// Load:   WebTarget load http://127.0.0.1:5081/leak <requests per second> <seconds>   (bounded in rate and time, loopback only)
if (args.Length == 4 && args[0] == "load")
{
    var uri = new Uri(args[1]);
    if (!uri.IsLoopback)
    {
        Console.Error.WriteLine("load: loopback addresses only");
        return 2;
    }

    var rate = int.Parse(args[2], CultureInfo.InvariantCulture);
    var seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
    using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    var clock = Stopwatch.StartNew();
    long sent = 0, failed = 0;
    var inFlight = new List<Task>();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        var due = (long)(clock.Elapsed.TotalSeconds * rate);
        for (; sent < due; sent++)
        {
            inFlight.Add(client.GetAsync(uri).ContinueWith(t =>
            {
                if (t.IsFaulted || !t.Result.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failed);
                }

                t.Result?.Dispose();
            }, TaskScheduler.Default));
        }

        inFlight.RemoveAll(t => t.IsCompleted);
        await Task.Delay(5);
    }

    await Task.WhenAll(inFlight);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: {sent} requests in {clock.Elapsed.TotalSeconds:0.0} s, {failed} failed"));
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/leak", () =>
{
    Store.History.Add(new byte[10 * 1024]);
    return Results.Text(Store.Render(), "text/plain");
});
app.MapGet("/ok", () =>
{
    var scratch = new byte[10 * 1024];
    scratch[0] = 1;
    return Results.Text(Store.Render(), "text/plain");
});
app.MapGet("/", () => "ready");
await app.RunAsync();
return 0;

internal static class Store
{
    public static readonly List<byte[]> History = new();

    // Some per-request garbage, as a handler makes.
    public static string Render() => string.Join(",", Enumerable.Range(0, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)));
}
