using k8s.Models;

namespace ClusterPlatform.AppHost.Deployment;

/// <summary>
/// The Cloud SQL Auth Proxy as a native sidecar of the pods that use the database: it listens on
/// localhost, encrypts to the instance, and logs in as the pod's Google service account with IAM
/// database authentication, so no password exists. As a native sidecar it is ready before the app
/// starts and stops after it, so the app's last writes still reach the database.
/// </summary>
internal static class CloudSqlProxy
{
    /// <summary>Where the app reaches the database (the connection string's port).</summary>
    public const int Port = 5432;

    public const string Image = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.18.2";

    private const int AdminPort = 9090;
    private const string AdminPortName = "proxy-admin";
    private const string InstanceVariable = "CLOUD_SQL_INSTANCE";

    public static V1Container Sidecar(V1EnvVarSource instance) => new()
    {
        Name = "cloud-sql-proxy",
        Image = Image,
        RestartPolicy = "Always",
        Args =
        [
            "--auto-iam-authn",
            "--private-ip",
            "--structured-logs",
            $"--port={Port}",
            "--health-check",
            "--http-address=0.0.0.0",
            $"--http-port={AdminPort}",
            // Kubernetes expands $(VAR) in args from the container's environment.
            $"$({InstanceVariable})",
        ],
        Env = [new V1EnvVar { Name = InstanceVariable, ValueFrom = instance }],
        Ports = [new V1ContainerPort { Name = AdminPortName, ContainerPort = AdminPort, Protocol = "TCP" }],
        StartupProbe = GkeWorkloads.Probe("/startup", AdminPortName, periodSeconds: 2, failureThreshold: 30),
        LivenessProbe = GkeWorkloads.Probe("/liveness", AdminPortName, periodSeconds: 2, failureThreshold: 3),
        Resources = new ResourceBudget("50m", "500m", "128Mi").Requirements(),
        SecurityContext = GkeWorkloads.Hardened(),
    };
}
