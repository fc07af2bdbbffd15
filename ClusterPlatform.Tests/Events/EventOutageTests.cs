using System.Net;
using System.Text.Json.Nodes;
using ClusterPlatform.Tests.Infrastructure;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// Pub/Sub goes down: writes go on, their events wait in the outbox, and every one is delivered once
/// the emulator is back, with the topic and subscriptions it forgot created again. Runs alone, since
/// it stops the emulator the whole run shares.
/// </summary>
[Collection(typeof(OutageCollection))]
public sealed class EventOutageTests(ApiServer api) : IClassFixture<ApiServer>
{
    [Fact]
    public async Task Writes_succeed_while_pubsub_is_down_and_every_queued_event_is_delivered_after_it_returns()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        var before = await client.CreateClusterAsync("before-outage");
        await EventCollector.WaitUntilRelayedAsync(api);

        await api.Emulator.StopAsync();
        List<StoredEvent> queued;
        try
        {
            var during = await client.CreateClusterAsync("during-outage");
            using (var patch = await client.PatchAsync(before["href"].Text(), Bodies.Json(new JsonObject { ["labels"] = new JsonObject { ["outage"] = "yes" } }, "application/merge-patch+json")))
            {
                Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
            }

            await client.CreateNodePoolAsync(during["id"].Text());
            queued = (await EventCollector.OutboxAsync(api)).Where(e => !e.Published).ToList();
            Assert.Equal(3, queued.Count);
        }
        finally
        {
            await api.Emulator.StartAsync();
        }

        // The restarted emulator is empty; the relay recreates the topology and publishes the backlog.
        await EventCollector.WaitUntilRelayedAsync(api, TimeSpan.FromSeconds(90));
        await using var collector = EventCollector.Start(api);
        await collector.WaitForAsync(queued.Select(e => e.Id));
    }
}
