using k8s.Models;
using Microsoft.Extensions.Hosting;

namespace ClusterPlatform.AppHost.Deployment;

/// <summary>
/// The pods: one Deployment for the Api and one per controller, each with its own service account,
/// the hardening every pod shares, and the Api's Cloud SQL Auth Proxy sidecar.
/// </summary>
internal static class GkeWorkloads
{
    public const int HttpPort = 8080;

    /// <summary>
    /// How long a controller may finish its running events on shutdown (<c>Controllers:ShutdownGracePeriod</c>).
    /// The pod's termination grace covers it, the subscriber's half-close of its stream (2 s at most)
    /// and the host's own stop, so Kubernetes never kills a controller mid-report.
    /// </summary>
    public static readonly TimeSpan ControllerShutdownGrace = TimeSpan.FromSeconds(20);

    public static readonly TimeSpan ControllerTerminationGrace = ControllerShutdownGrace + TimeSpan.FromSeconds(25);

    /// <summary>The .NET images' non-root <c>app</c> user.</summary>
    private const long AppUser = 1654;

    private const string TempVolume = "tmp";

    public static V1ServiceAccount ServiceAccount(string name) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        // The Google service account is a parameter, filled in by the parameters component.
        Metadata = Metadata(name, name, new Dictionary<string, string> { [WorkloadIdentityAnnotation] = Placeholder(DeploymentParameters.ServiceAccount(name)) }),
    };

    public const string WorkloadIdentityAnnotation = "iam.gke.io/gcp-service-account";

    /// <summary>What a base holds where a parameter goes; the parameters component replaces it.</summary>
    public static string Placeholder(string parameter) => $"set-by-parameter-{parameter}";

    /// <summary>
    /// Replicas of each controller: correct at any number (each report names the version of the
    /// status entry it was made from, docs/controllers.md), and two keep one handling events while
    /// the other is rolled or its node drained.
    /// </summary>
    public const int ControllerReplicas = 2;

    /// <summary>
    /// Every workload runs 2+ replicas and rolls one new pod in before an old one goes
    /// (<c>maxUnavailable: 0</c>), so a deploy is never an outage of a workload.
    /// </summary>
    public static V1Deployment Deployment(
        string name, string component, int replicas, V1Container container, IList<V1Container> sidecars,
        IList<V1Volume> volumes, TimeSpan terminationGrace) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Metadata(name, component),
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = SelectorLabels(name) },
            Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = "0", MaxSurge = "1" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = Labels(name, component) },
                Spec = new V1PodSpec
                {
                    ServiceAccountName = name,
                    TerminationGracePeriodSeconds = (long)terminationGrace.TotalSeconds,
                    SecurityContext = new V1PodSecurityContext
                    {
                        RunAsNonRoot = true,
                        RunAsUser = AppUser,
                        RunAsGroup = AppUser,
                        FsGroup = AppUser,
                        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                    },
                    // Native sidecars: init containers that keep running, started before and stopped after the app.
                    InitContainers = sidecars.Count > 0 ? sidecars : null,
                    Containers = [container],
                    Volumes = [new V1Volume { Name = TempVolume, EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("64Mi") } }, .. volumes],
                    TopologySpreadConstraints =
                    [
                        // Across zones first, so a zone outage leaves replicas serving; then across nodes.
                        Spread("topology.kubernetes.io/zone", name),
                        Spread("kubernetes.io/hostname", name),
                    ],
                    Affinity = ApartFromEachOther(name),
                },
            },
        },
    };

    /// <summary>An app container: its image placeholder, port, probes, hardening, environment and mounts.</summary>
    public static V1Container AppContainer(
        string name, string imageParameter, IList<V1EnvVar> environment, string settingsConfigMap, ResourceBudget budget,
        IList<V1VolumeMount> mounts, bool drainOnStop) => new()
    {
        Name = name,
        Image = Placeholder(imageParameter),
        Ports = [new V1ContainerPort { Name = "http", ContainerPort = HttpPort, Protocol = "TCP" }],
        EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = settingsConfigMap } }],
        Env = environment,
        // /health: ready to take traffic (database and Pub/Sub reachable); /alive: the process answers.
        // The startup probe lets the first start run the migrations before liveness counts.
        StartupProbe = Probe(ServiceDefaultsExtensions.AlivePath, "http", periodSeconds: 2, failureThreshold: 60),
        ReadinessProbe = Probe(ServiceDefaultsExtensions.HealthPath, "http", periodSeconds: 5, failureThreshold: 3),
        LivenessProbe = Probe(ServiceDefaultsExtensions.AlivePath, "http", periodSeconds: 10, failureThreshold: 3),
        Resources = budget.Requirements(),
        SecurityContext = Hardened(),
        VolumeMounts = [new V1VolumeMount { Name = TempVolume, MountPath = "/tmp" }, .. mounts],
        // A load balancer keeps sending for a few seconds after the pod is marked terminating; the
        // Api answers them before it stops accepting.
        Lifecycle = drainOnStop ? new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } } } : null,
    };

    /// <summary>The container-level hardening every container here gets.</summary>
    public static V1SecurityContext Hardened() => new()
    {
        RunAsNonRoot = true,
        ReadOnlyRootFilesystem = true,
        AllowPrivilegeEscalation = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    public static V1ObjectMeta Metadata(string name, string component, IDictionary<string, string>? annotations = null) =>
        new() { Name = name, Labels = Labels(name, component), Annotations = annotations };

    public static Dictionary<string, string> SelectorLabels(string name) => new()
    {
        ["app.kubernetes.io/name"] = name,
        ["app.kubernetes.io/part-of"] = "clusterplatform",
    };

    private static Dictionary<string, string> Labels(string name, string component) =>
        new(SelectorLabels(name)) { ["app.kubernetes.io/component"] = component };

    /// <summary>An HTTP probe on a named container port.</summary>
    public static V1Probe Probe(string path, string port, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = port },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 3,
    };

    /// <summary>
    /// Voluntary disruptions (node upgrades, drains) leave at least one replica of the workload running:
    /// https://kubernetes.io/docs/tasks/run-application/configure-pdb/.
    /// </summary>
    public static V1PodDisruptionBudget DisruptionBudget(string name, string component) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Metadata(name, component),
        Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = SelectorLabels(name) } },
    };

    /// <summary>
    /// Replicas of one workload prefer different nodes, so losing a node takes at most one of them.
    /// Preferred, not required: with maxSurge 1, a required rule would leave the surge pod pending on
    /// a pool of two nodes and stall every rollout
    /// (https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity).
    /// </summary>
    private static V1Affinity ApartFromEachOther(string name) => new()
    {
        PodAntiAffinity = new V1PodAntiAffinity
        {
            PreferredDuringSchedulingIgnoredDuringExecution =
            [
                new V1WeightedPodAffinityTerm
                {
                    Weight = 100,
                    PodAffinityTerm = new V1PodAffinityTerm
                    {
                        TopologyKey = "kubernetes.io/hostname",
                        LabelSelector = new V1LabelSelector { MatchLabels = SelectorLabels(name) },
                    },
                },
            ],
        },
    };

    private static V1TopologySpreadConstraint Spread(string topologyKey, string name) => new()
    {
        MaxSkew = 1,
        TopologyKey = topologyKey,
        // Schedule anyway: a zone without capacity must not keep a replacement pod pending.
        WhenUnsatisfiable = "ScheduleAnyway",
        LabelSelector = new V1LabelSelector { MatchLabels = SelectorLabels(name) },
    };
}

/// <summary>Requests and limits of one container. Memory is limited to what is requested, so a leak restarts one pod rather than squeezing a node.</summary>
internal sealed record ResourceBudget(string CpuRequest, string CpuLimit, string Memory)
{
    public V1ResourceRequirements Requirements() => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(CpuRequest), ["memory"] = new(Memory) },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(CpuLimit), ["memory"] = new(Memory) },
    };
}
