using ClusterPlatform.PubSub.V1;
using Google.Apis.Auth.OAuth2;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterPlatform.PubSub;

/// <summary>
/// One gRPC channel to Cloud Pub/Sub or its emulator, the generated clients on it and the project's
/// resource names. Share one per process: a channel pools its HTTP/2 connections.
/// </summary>
public sealed class PubSubConnection : IDisposable
{
    /// <summary>The narrowest OAuth scope that covers every call this library makes.</summary>
    public const string Scope = "https://www.googleapis.com/auth/pubsub";

    // A StreamingPull response carries up to the server's batch of messages, each up to 10 MB;
    // gRPC's default of 4 MB would fail a stream on one large message. Google's clients allow 20 MiB.
    private const int MaxReceiveMessageBytes = 20 * 1024 * 1024;

    private readonly GrpcChannel channel;

    public PubSubConnection(PubSubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ProjectId, nameof(options.ProjectId));
        ProjectId = options.ProjectId;
        channel = string.IsNullOrWhiteSpace(options.EmulatorHost)
            ? CreateChannel(options.Endpoint, ChannelCredentials.Create(ChannelCredentials.SecureSsl, ApplicationDefaultCredentials()))
            : CreateChannel(EmulatorAddress(options.EmulatorHost), ChannelCredentials.Insecure);
        PublisherClient = new Publisher.PublisherClient(channel);
        SubscriberClient = new Subscriber.SubscriberClient(channel);
    }

    public string ProjectId { get; }

    /// <summary>The generated client of Google's Publisher service, for calls the wrappers do not make.</summary>
    public Publisher.PublisherClient PublisherClient { get; }

    /// <summary>The generated client of Google's Subscriber service, for calls the wrappers do not make.</summary>
    public Subscriber.SubscriberClient SubscriberClient { get; }

    /// <summary><c>projects/{project}/topics/{topicId}</c>.</summary>
    public string TopicName(string topicId) => $"projects/{ProjectId}/topics/{topicId}";

    /// <summary><c>projects/{project}/subscriptions/{subscriptionId}</c>.</summary>
    public string SubscriptionName(string subscriptionId) => $"projects/{ProjectId}/subscriptions/{subscriptionId}";

    public void Dispose() => channel.Dispose();

    private static GrpcChannel CreateChannel(string address, ChannelCredentials credentials) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            Credentials = credentials,
            MaxReceiveMessageSize = MaxReceiveMessageBytes,
            // Callers see OperationCanceledException for their own cancellation, as everywhere else in .NET,
            // instead of an RpcException(Cancelled) they would have to tell apart from a server's.
            ThrowOperationCanceledOnCancellation = true,
            HttpHandler = new SocketsHttpHandler
            {
                // Each StreamingPull holds an HTTP/2 stream for as long as it runs, and a server caps the
                // streams of one connection (100 at Google's front end); more connections lift the cap.
                EnableMultipleHttp2Connections = true,
                // Pings notice a connection that died silently (a NAT or load balancer dropping it), which
                // would otherwise leave a StreamingPull waiting forever for messages that never come. But a
                // server takes pings more often than it allows as abuse: a grpc-java server (the emulator is
                // one) by default allows one every 5 minutes while calls are open (NettyServerBuilder's
                // permitKeepAliveTimeInNanos, grpc/grpc-java@036727cb netty/src/main/java/io/grpc/netty/
                // NettyServerBuilder.java) and none without calls for 2 hours; the third early ping (its
                // KeepAliveEnforcer's MAX_PING_STRIKES = 2, grpc/grpc-java@14618d1d core/src/main/java/io/
                // grpc/internal/KeepAliveEnforcer.java) gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings" and
                // the connection is closed with every stream on it. Pinging every 30 s did that after about
                // 100 idle seconds. Google's own Pub/Sub clients ping every 5 minutes
                // (googleapis/java-pubsub@01d41b72 Subscriber.java setKeepAliveTime(Duration.ofMinutes(5)),
                // googleapis/google-cloud-go@00cf7a13 pubsub/pubsub.go keepalive.ClientParameters{Time:
                // 5 * time.Minute}), which Cloud Pub/Sub therefore accepts. SocketsHttpHandler pings only
                // after this long without receiving a frame, so its pings are never closer than 5 minutes.
                KeepAlivePingDelay = TimeSpan.FromMinutes(5),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
                // Only connections with calls open: grpc-java counts a ping on a connection without calls
                // as a strike unless the server opted in (permitKeepAliveWithoutCalls), and a connection
                // without calls has nothing to wait for; the next call on a dead one fails and is retried.
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
        });

    private static string EmulatorAddress(string emulatorHost) =>
        emulatorHost.Contains("://", StringComparison.Ordinal) ? emulatorHost : $"http://{emulatorHost}";

    /// <summary>
    /// Application-default credentials (a key file named by GOOGLE_APPLICATION_CREDENTIALS, gcloud's
    /// user credentials, or the metadata server, which is how GKE workload identity appears), looked up
    /// on the first call rather than at startup so a process without credentials can still start and
    /// report its health. A failed lookup is not remembered: the next call tries again.
    /// </summary>
    private static CallCredentials ApplicationDefaultCredentials()
    {
        var gate = new SemaphoreSlim(1, 1);
        ITokenAccess? credential = null;
        return CallCredentials.FromInterceptor(async (context, metadata) =>
        {
            if (credential is null)
            {
                await gate.WaitAsync(context.CancellationToken);
                try
                {
                    credential ??= (await GoogleCredential.GetApplicationDefaultAsync(context.CancellationToken)).CreateScoped(Scope);
                }
                finally
                {
                    gate.Release();
                }
            }

            // GoogleCredential caches the token and refreshes it shortly before it expires.
            var token = await credential.GetAccessTokenForRequestAsync(cancellationToken: context.CancellationToken);
            metadata.Add("authorization", $"Bearer {token}");
        });
    }
}
