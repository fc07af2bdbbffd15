using System.Diagnostics;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// Committed changes reach every controller's subscription through the outbox relay and the real
/// emulator. One test per class: each class has its own database and Pub/Sub project, so the outbox
/// holds exactly what the test caused.
/// </summary>
public sealed class EventDeliveryTests(ApiServer api) : IClassFixture<ApiServer>
{
    [Fact]
    public async Task Every_committed_change_reaches_every_controller_subscription_and_rejected_requests_none()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        // The relay creates the topic and the controllers' subscriptions before its first publish.
        var first = await client.CreateClusterAsync("events-a");
        await EventCollector.WaitUntilRelayedAsync(api);
        await using var collector = EventCollector.Start(api);

        var pool = await client.CreateNodePoolAsync(first["id"].Text());
        using (await client.PatchAsync(first["href"].Text(), Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["channelGroup"] = "fast" } } }, "application/merge-patch+json"))) { }
        using (await client.PatchAsync(pool["href"].Text(), Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 5 } }, "application/merge-patch+json"))) { }
        using (var rejected = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster("X")))) { Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode); }
        using (var clash = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster("events-a")))) { Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode); }
        using (await client.DeleteAsync(first["href"].Text())) { }

        await EventCollector.WaitUntilRelayedAsync(api);
        var committed = await EventCollector.OutboxAsync(api);
        await collector.WaitForAsync(committed.Select(e => e.Id));

        Assert.Equal(
            ["cluster.created", "nodepool.created", "cluster.updated", "nodepool.updated", "cluster.deleted", "nodepool.deleted"],
            committed.Select(e => e.Type));
        foreach (var controller in ControllerNames.All)
        {
            var messages = collector.Received[controller].ToList();
            // Exactly the committed events: nothing for the rejected requests, nothing twice.
            Assert.Equal(committed.Select(e => e.Id).Order(), messages.Select(m => ClusterEvent.TryParse(m.Data.Span, m.Attributes)!.Id).Order());
            foreach (var message in messages)
            {
                var received = ClusterEvent.TryParse(message.Data.Span, message.Attributes)!;
                var stored = committed.Single(e => e.Id == received.Id);
                Assert.Equal((stored.Type, stored.ClusterId, stored.NodePoolId, stored.Generation),
                    (received.Type, received.ClusterId, received.NodePoolId, received.Generation));
                Assert.Equal(stored.Type, message.Attributes[EventAttributes.Type]);
                Assert.Equal(stored.TraceParent, message.Attributes[EventAttributes.TraceParent]);
            }
        }
    }
}

/// <summary>The W3C trace context of the request that made a change travels with its event.</summary>
public sealed class EventTraceTests(ApiServer api) : IClassFixture<ApiServer>
{
    [Fact]
    public async Task Traceparent_of_the_request_arrives_with_the_event()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        // The caller's trace: HttpClient propagates the current activity as the traceparent header,
        // the way any instrumented client of the API would.
        using var callerSpan = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        var traceId = callerSpan.TraceId;
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.Clusters) { Content = Bodies.Json(Bodies.Cluster("traced")) };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var clusterId = Guid.Parse((await response.ReadObjectAsync())["id"].Text());

        await EventCollector.WaitUntilRelayedAsync(api);
        await using var collector = EventCollector.Start(api);
        var stored = (await EventCollector.OutboxAsync(api)).Single(e => e.ClusterId == clusterId);
        await collector.WaitForAsync([stored.Id]);

        var message = collector.Received[ControllerNames.Placement].First(m => ClusterEvent.TryParse(m.Data.Span, m.Attributes)!.Id == stored.Id);
        Assert.True(ActivityContext.TryParse(message.Attributes[EventAttributes.TraceParent], null, out var context));
        Assert.Equal(traceId, context.TraceId);
    }
}
