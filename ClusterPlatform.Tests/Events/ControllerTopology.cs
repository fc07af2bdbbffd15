extern alias controllers;

using System.Diagnostics.Metrics;
using ClusterPlatform.PubSub;
using controllers::ClusterPlatform.Controllers.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// The placement controller's Pub/Sub topology in a project of the test's own, ensured as the Api
/// ensures it (the events topic, the dead-letter topic and the controller's subscription with the
/// production delivery policy), and the subscription worker wired on it as the Controllers host wires it.
/// </summary>
internal sealed class ControllerTopology
{
    public const string EventsTopic = "cluster-events";
    public const string Controller = ControllerNames.Placement;

    private ControllerTopology(PubSubConnection connection, ControllerOptions options)
    {
        Connection = connection;
        WorkerOptions = options;
        PubSub = new PubSubOptions { ProjectId = connection.ProjectId, Topic = EventsTopic };
        Admin = new PubSubAdmin(connection);
    }

    public PubSubConnection Connection { get; }

    public ControllerOptions WorkerOptions { get; }

    public PubSubOptions PubSub { get; }

    public PubSubAdmin Admin { get; }

    /// <summary>Ensures the topology before anything is published: Pub/Sub delivers only to subscriptions that exist then.</summary>
    public static async Task<ControllerTopology> EnsureAsync(PubSubConnection connection, ControllerOptions options)
    {
        var topology = new ControllerTopology(connection, options);
        await topology.Admin.EnsureTopologyAsync(EventsTopic, topology.PubSub.DeadLetterTopic, [Controller], EventTopics.MaxDeliveryAttempts,
            EventTopics.MinRetryBackoff, EventTopics.MaxRetryBackoff, options.AckDeadline, Cancellation);
        return topology;
    }

    /// <summary>A worker (not started) that hands the subscription's events to <paramref name="handler"/> and dead-letters through <paramref name="publisher"/>.</summary>
    public SubscriptionWorker Worker(IClusterEventHandler handler, PubSubPublisher publisher, IMeterFactory meters, ILoggerFactory loggers) =>
        new(handler, Admin, new PubSubSubscriber(Connection),
            new DeadLetters(publisher, Options.Create(PubSub), loggers.CreateLogger<DeadLetters>()),
            Options.Create(WorkerOptions), Options.Create(PubSub),
            new ControllerMetrics(meters), loggers.CreateLogger<SubscriptionWorker>());
}
