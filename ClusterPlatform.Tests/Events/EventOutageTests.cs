using System.Diagnostics;
using ClusterPlatform.Api.Events;
using ClusterPlatform.PubSub;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// Pub/Sub goes down: writes go on, their events wait in the outbox, and every one is delivered once
/// the emulator is back, promptly, with the topic and every subscription it forgot created again, even
/// when someone else re-created the topic first. Runs alone, since it stops the emulator the whole
/// run shares.
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

        // The restarted emulator is empty; the relay recreates the topology and publishes the backlog,
        // noticing the emulator is back within a probe (Outbox:ProbeInterval, 1 s), not after its backoff.
        var back = Stopwatch.StartNew();
        await EventCollector.WaitUntilRelayedAsync(api, TimeSpan.FromSeconds(90));
        var relayed = back.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"the queued events were published {relayed.TotalMilliseconds:0} ms after the emulator was back");
        Assert.True(relayed < TimeSpan.FromSeconds(5), $"the queued events took {relayed.TotalMilliseconds:0} ms to be published after the emulator was back");
        await using var collector = EventCollector.Start(api);
        await collector.WaitForAsync(queued.Select(e => e.Id));
    }

    /// <summary>
    /// The emulator restarted, and a controller came back first and created the topic
    /// alone (as each does, with its own subscription), so a publish succeeded while the other
    /// subscriptions were missing and their events were lost. The relay must see the restart (the
    /// failed calls of the outage) and ensure the whole topology before it publishes again.
    /// </summary>
    [Fact]
    public async Task After_the_emulator_restarts_and_only_the_topic_is_recreated_every_subscription_receives_the_next_event()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        await client.CreateClusterAsync("before-restart");
        await EventCollector.WaitUntilRelayedAsync(api);
        var before = (await EventCollector.OutboxAsync(api)).Select(e => e.Id).ToHashSet();
        var pubSub = api.Services.GetRequiredService<IOptions<PubSubOptions>>().Value;

        await api.Emulator.StopAsync();
        await api.Emulator.StartAsync();
        var back = Stopwatch.StartNew();
        using var connection = api.Emulator.Connect(api.PubSubProjectId);
        var admin = new PubSubAdmin(connection);
        await admin.EnsureTopicAsync(pubSub.Topic, TestContext.Current.CancellationToken);

        await client.CreateClusterAsync("after-restart");
        var written = Stopwatch.StartNew();
        await EventCollector.WaitUntilRelayedAsync(api);
        var published = written.Elapsed;
        var after = (await EventCollector.OutboxAsync(api)).Where(e => !before.Contains(e.Id)).Select(e => e.Id).ToList();
        Assert.Single(after);

        await using var collector = EventCollector.Start(api);
        await collector.WaitForAsync(after);
        Assert.Empty(await admin.FindMissingAsync(pubSub.Topic, pubSub.DeadLetterTopic, ControllerNames.All, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"emulator back; the write {back.Elapsed - written.Elapsed:mm\\:ss\\.fff} later was published {published.TotalMilliseconds:0} ms after its 201");
        Assert.True(published < TimeSpan.FromSeconds(5), $"the event took {published.TotalMilliseconds:0} ms to be published after the emulator was back");
    }

    /// <summary>
    /// Slow is not lost. A paused emulator (SIGSTOP: its connections stay open, calls hang, it keeps
    /// its state, as a CPU-starved one) makes the topology watch's checks time out. That once
    /// invalidated the topology, cancelled the publish in flight and stopped the relay until a full
    /// ensure got through, over and over under load. Now the topology stays verified through the
    /// pause, and the events written during it arrive once it ends: each on every subscription,
    /// exactly once.
    /// </summary>
    [Fact]
    public async Task A_paused_emulator_does_not_cost_the_topology_and_the_events_written_meanwhile_arrive_once()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        await client.CreateClusterAsync("before-pause");
        await EventCollector.WaitUntilRelayedAsync(api);
        var topology = api.Services.GetRequiredService<EventTopology>();
        await Wait.UntilAsync(() => Task.FromResult(topology.IsVerified), TimeSpan.FromSeconds(30), "the topology to be verified");
        var epoch = topology.Epoch;
        var before = (await EventCollector.OutboxAsync(api)).Select(e => e.Id).ToHashSet();
        await using var collector = EventCollector.Start(api);

        await api.Emulator.PauseAsync();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await client.CreateClusterAsync($"during-pause-{i}");
            }

            // What the watch's check sees: a passed deadline, reported as DEADLINE_EXCEEDED (the
            // channel throws a cancellation for it, which would read as a server that went away).
            using (var probe = api.Emulator.Connect(api.PubSubProjectId))
            {
                var pubSub = api.Services.GetRequiredService<IOptions<PubSubOptions>>().Value;
                var slow = await Assert.ThrowsAsync<RpcException>(() => new PubSubAdmin(probe).FindMissingAsync(
                    pubSub.Topic, pubSub.DeadLetterTopic, ControllerNames.All, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));
                Assert.Equal(StatusCode.DeadlineExceeded, slow.StatusCode);
                Assert.True(PubSubErrors.IsSlow(slow));
            }

            // The length of the stall, not a wait for a condition: long enough for at least one
            // check (one every Outbox:ProbeInterval, 1 s) to reach its deadline, and shorter than
            // Outbox:PublishTimeout (15 s), so the publish in flight is not given up (which would
            // make a duplicate possible, and is allowed: at least once).
            await Task.Delay(EventTopology.CheckTimeout + TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            Assert.True(topology.IsVerified, "the topology was invalidated by a paused emulator");
            Assert.Equal(epoch, topology.Epoch);
        }
        finally
        {
            await api.Emulator.ResumeAsync();
        }

        await EventCollector.WaitUntilRelayedAsync(api, TimeSpan.FromSeconds(90));
        var written = (await EventCollector.OutboxAsync(api)).Where(e => !before.Contains(e.Id)).Select(e => e.Id).ToList();
        Assert.Equal(3, written.Count);
        await collector.WaitForAsync(written);
        Assert.Equal(epoch, topology.Epoch);
        foreach (var controller in ControllerNames.All)
        {
            var received = collector.Received[controller].Select(m => ClusterEvent.TryParse(m.Data.Span, m.Attributes)!.Id).ToList();
            Assert.All(written, id => Assert.Equal(1, received.Count(r => r == id)));
        }
    }
}
