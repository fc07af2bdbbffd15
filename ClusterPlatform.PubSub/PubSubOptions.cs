namespace ClusterPlatform.PubSub;

/// <summary>
/// Where Pub/Sub is. With <see cref="EmulatorHost"/> set the client speaks plaintext HTTP/2 without
/// credentials, as Google's own libraries do for <c>PUBSUB_EMULATOR_HOST</c>; otherwise TLS to
/// <see cref="Endpoint"/> with Google application-default credentials.
/// </summary>
public sealed class PubSubOptions
{
    /// <summary>The configuration section <see cref="PubSubExtensions.AddPubSub"/> binds.</summary>
    public const string SectionName = "PubSub";

    /// <summary>The variable Google's tools and libraries use for the emulator's <c>host:port</c>.</summary>
    public const string EmulatorHostVariable = "PUBSUB_EMULATOR_HOST";

    /// <summary>The fallback for <see cref="ProjectId"/>, as Google's emulator documentation uses it.</summary>
    public const string ProjectIdVariable = "PUBSUB_PROJECT_ID";

    public const string ProductionEndpoint = "https://pubsub.googleapis.com";

    /// <summary>The Google Cloud project that owns the topics and subscriptions. The emulator keeps projects apart too.</summary>
    public string ProjectId { get; set; } = Environment.GetEnvironmentVariable(ProjectIdVariable) ?? "";

    /// <summary>The emulator's <c>host:port</c> (or a full <c>http://</c> address); empty means real Cloud Pub/Sub.</summary>
    public string? EmulatorHost { get; set; } = Environment.GetEnvironmentVariable(EmulatorHostVariable);

    /// <summary>
    /// The topic cluster events go to (docs/api.md "Events"); the dead-letter topic is named after it. A
    /// setting so that two deployments can share one project.
    /// </summary>
    public string Topic { get; set; } = "cluster-events";

    public string DeadLetterTopic => $"{Topic}-dead-letter";

    /// <summary>Cloud Pub/Sub's address, for a regional or private endpoint; ignored with an emulator.</summary>
    public string Endpoint { get; set; } = ProductionEndpoint;
}
