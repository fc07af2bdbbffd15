using System.Diagnostics;
using ClusterPlatform.PubSub.V1;

namespace ClusterPlatform.PubSub;

/// <summary>Spans named and tagged after OpenTelemetry's messaging conventions, so any backend groups them.</summary>
internal static class PubSubTelemetry
{
    public static readonly ActivitySource Source = new(PubSubExtensions.ActivitySourceName);

    private const string System = "gcp_pubsub";

    /// <summary>One span per Publish request, retries included.</summary>
    public static Activity? StartPublish(string topicId, int messageCount)
    {
        var activity = Source.StartActivity($"publish {topicId}", ActivityKind.Producer);
        activity?.SetTag("messaging.system", System)
            .SetTag("messaging.operation.type", "send")
            .SetTag("messaging.destination.name", topicId)
            .SetTag("messaging.batch.message_count", messageCount);
        return activity;
    }

    /// <summary>
    /// One span per handled message. Its parent is the message's <c>traceparent</c> attribute, so one
    /// trace runs from the request that caused an event to the handler that acted on it.
    /// </summary>
    public static Activity? StartProcess(string subscriptionId, ReceivedMessage received)
    {
        var attributes = received.Message?.Attributes;
        ActivityContext parent = default;
        if (attributes is not null && attributes.TryGetValue("traceparent", out var traceParent))
        {
            attributes.TryGetValue("tracestate", out var traceState);
            ActivityContext.TryParse(traceParent, traceState, isRemote: true, out parent);
        }

        var activity = Source.StartActivity($"process {subscriptionId}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", System)
            .SetTag("messaging.operation.type", "process")
            .SetTag("messaging.destination.subscription.name", subscriptionId)
            .SetTag("messaging.message.id", received.Message?.MessageId)
            .SetTag("messaging.gcp_pubsub.message.delivery_attempt", received.DeliveryAttempt);
        return activity;
    }

    public static void Fail(this Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message)
            .SetTag("error.type", exception.GetType().FullName);
    }
}
