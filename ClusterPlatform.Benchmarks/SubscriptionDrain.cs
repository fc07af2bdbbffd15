using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// Acks whatever earlier suites left in the controllers' subscriptions (tens of thousands of events
/// of seeded and load-test clusters), so the Controllers start on empty subscriptions, as after a
/// deploy, and create-to-Ready times the chain rather than that backlog.
/// </summary>
internal static class SubscriptionDrain
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    public static Task<long> DrainAsync(BenchmarkEnvironment environment) => DrainAsync(environment, ControllerNames.All);

    /// <summary>Acks and counts what is in <paramref name="subscriptions"/> until none has had a message for 2 s.</summary>
    public static async Task<long> DrainAsync(BenchmarkEnvironment environment, IEnumerable<string> subscriptions)
    {
        using var connection = environment.PubSub();
        using var stop = new CancellationTokenSource();
        long drained = 0;
        var lastMessage = DateTime.UtcNow.Ticks; // written by the handlers' threads
        var subscribers = subscriptions.Select(subscription => new PubSubSubscriber(connection).RunAsync(subscription, (_, _) =>
        {
            Interlocked.Increment(ref drained);
            Volatile.Write(ref lastMessage, DateTime.UtcNow.Ticks);
            return Task.CompletedTask;
        }, new SubscriberSettings { MaxConcurrentHandlers = 1000 }, stop.Token)).ToList();

        while (DateTime.UtcNow - new DateTime(Volatile.Read(ref lastMessage), DateTimeKind.Utc) < Quiet)
        {
            await Task.Delay(200);
        }

        await stop.CancelAsync();
        await Task.WhenAll(subscribers);
        return Interlocked.Read(ref drained);
    }
}
