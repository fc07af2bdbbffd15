using ClusterPlatform.Contracts;
namespace ClusterPlatform.AppHost.Deployment;

/// <summary>
/// What a deployment to GKE must be told, as Aspire parameters: they appear in the Aspire manifest,
/// and the GKE manifests take them from one ConfigMap that an overlay fills in. Every one has an
/// example value, which the generated example overlay uses unless <c>Parameters:&lt;name&gt;</c> is set.
/// None of them is a secret: the database uses IAM authentication and the services Workload
/// Identity, so no password or key is needed anywhere.
/// </summary>
internal static class DeploymentParameters
{
    public const string ApiImage = "api-image";
    public const string ControllersImage = "controllers-image";
    public const string ApiHost = "api-host";
    public const string ApiAddressName = "api-address-name";
    public const string CloudSqlInstance = "cloudsql-instance";
    public const string DatabaseName = "clusterdb-name";
    public const string DatabaseUser = "clusterdb-user";
    public const string ConsoleDatabaseName = "consoledb-name";
    public const string ConsoleDatabaseUser = "consoledb-user";
    public const string PubSubProject = "pubsub-project";
    public const string PubSubTopic = "pubsub-topic";
    public const string DnsProject = "dns-project";
    public const string OidcAuthority = "oidc-authority";
    public const string OidcAudience = "oidc-audience";
    public const string ConsoleOrigin = "console-origin";
    public const string ConsoleImage = "console-image";
    public const string ConsoleHost = "console-host";
    public const string ConsoleAddressName = "console-address-name";
    public const string ConsoleClientId = "console-oidc-client-id";

    /// <summary>The Google service account a workload (the Api, or one controller) runs as.</summary>
    public static string ServiceAccount(string workload) => $"{workload}-service-account";

    /// <summary>Name, description and the example value the example overlay uses.</summary>
    public static IReadOnlyList<(string Name, string Description, string Example)> All { get; } =
    [
        (ApiImage, "The Api's container image (repository:tag or @digest)", "us-docker.pkg.dev/example-project/clusterplatform/clusterplatform-api:1.0.0"),
        (ControllersImage, "The Controllers' container image", "us-docker.pkg.dev/example-project/clusterplatform/clusterplatform-controllers:1.0.0"),
        (ApiHost, "The Api's public DNS name: the managed certificate's domain and, as https://<host>, the audience of the controllers' ID tokens", "clusters.example.com"),
        (ApiAddressName, "The reserved global static IP address the load balancer uses (gcloud compute addresses create --global)", "clusterplatform-api"),
        (CloudSqlInstance, "The Cloud SQL for PostgreSQL instance connection name, project:region:instance", "example-project:us-central1:clusterplatform"),
        (DatabaseName, "The database on that instance", "clusterdb"),
        (DatabaseUser, "The Api's IAM database user: its service account's email without .gserviceaccount.com", "clusterplatform-api@example-project.iam"),
        (ConsoleDatabaseName, "The console's own database on that instance (its Data Protection key ring; no access to clusterdb)", "consoledb"),
        (ConsoleDatabaseUser, "The console's IAM database user: its service account's email without .gserviceaccount.com", "clusterplatform-console@example-project.iam"),
        (PubSubProject, "The project of the cluster events topic and its subscriptions", "example-project"),
        (PubSubTopic, "The cluster events topic; the dead-letter topic is <topic>-dead-letter", "cluster-events"),
        (DnsProject, "The project that owns the Cloud DNS zones of the clusters' base domains", "example-project"),
        (OidcAuthority, "The issuer URL of the OIDC provider users sign in with", "https://login.example.com/"),
        (OidcAudience, "The audience of users' tokens", "clusterplatform"),
        (ConsoleOrigin, "The browser origin of the console allowed by CORS", "https://console.example.com"),
        (ConsoleImage, "The console's container image", "us-docker.pkg.dev/example-project/clusterplatform/clusterplatform-console:1.0.0"),
        (ConsoleHost, "The console's public DNS name (the host of console-origin): its managed certificate's domain", "console.example.com"),
        (ConsoleAddressName, "The reserved global static IP address of the console's load balancer", "clusterplatform-console"),
        (ConsoleClientId, "The console's client id at the OIDC provider: a public client using the authorization code flow with PKCE, redirect URI https://<console-host>/signin-oidc", "clusterplatform-console"),
        (ServiceAccount(ResourceNames.Api), "The Api's Google service account", "clusterplatform-api@example-project.iam.gserviceaccount.com"),
        (ServiceAccount(ResourceNames.Console), "The console's Google service account (it logs in to its own database through the Cloud SQL Auth Proxy and calls nothing else of Google's)", "clusterplatform-console@example-project.iam.gserviceaccount.com"),
        .. ControllerNames.All.Select(controller => (ServiceAccount(controller), $"The Google service account of the {controller}",
            $"cp-{controller[..^"-controller".Length]}@example-project.iam.gserviceaccount.com")),
    ];

    /// <summary>Adds every parameter to the model (publish mode).</summary>
    public static DeploymentParameterSet AddTo(IDistributedApplicationBuilder builder) =>
        new(All.ToDictionary(p => p.Name, p => builder.AddParameter(p.Name).WithDescription(p.Description)));
}

/// <summary>The parameters of a publish-mode model, by name.</summary>
internal sealed class DeploymentParameterSet(IReadOnlyDictionary<string, IResourceBuilder<ParameterResource>> parameters)
{
    public IResourceBuilder<ParameterResource> this[string name] => parameters[name];
}
