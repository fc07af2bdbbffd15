namespace ClusterPlatform;

/// <summary>
/// Names of the resources in the Aspire application model. The AppHost declares them, the services
/// resolve their connection strings by them, and the tests look them up by them.
/// </summary>
public static class ResourceNames
{
    public const string Api = "api";
    public const string Controllers = "controllers";
    public const string Console = "console";
    public const string PostgresServer = "postgres";
    public const string Database = "clusterdb";

    /// <summary>The console's own database (its Data Protection key ring); never the Api's, so the console holds no privilege over tenant data.</summary>
    public const string ConsoleDatabase = "consoledb";
    public const string PubSub = "pubsub";

    /// <summary>The Pub/Sub project id of a local run, on the emulator (which accepts any id).</summary>
    public const string LocalPubSubProject = "clusterplatform-local";
}
