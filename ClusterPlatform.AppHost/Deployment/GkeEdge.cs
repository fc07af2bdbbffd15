using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;

namespace ClusterPlatform.AppHost.Deployment;

/// <summary>
/// How traffic reaches the Api and how the Api scales: its Service, a GKE Ingress (an external
/// HTTPS load balancer) with a Google-managed certificate and HTTP-to-HTTPS redirect, the load
/// balancer's health check, the autoscaler and the disruption budget.
/// </summary>
internal static class GkeEdge
{
    public const int ServicePort = 80;
    public const int MinApiReplicas = 2;
    public const int MaxApiReplicas = 10;

    public static V1Service Service(string name, string component = "api") => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = GkeWorkloads.Metadata(name, component, new Dictionary<string, string>
        {
            // Container-native load balancing: the load balancer sends to pods, not through node ports.
            ["cloud.google.com/neg"] = """{"ingress": true}""",
            ["cloud.google.com/backend-config"] = $$"""{"default": "{{name}}"}""",
        }),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = GkeWorkloads.SelectorLabels(name),
            Ports = [new V1ServicePort { Name = "http", Port = ServicePort, TargetPort = "http", Protocol = "TCP" }],
        },
    };

    /// <summary>The load balancer's health check asks /health: a replica that cannot reach its database gets no traffic.</summary>
    public static CustomObject BackendConfig(string name, string component = "api", IDictionary<string, object>? more = null) => new("cloud.google.com/v1", "BackendConfig", GkeWorkloads.Metadata(name, component), new Dictionary<string, object>(more ?? new Dictionary<string, object>())
    {
        ["healthCheck"] = new Dictionary<string, object>
        {
            ["type"] = "HTTP",
            ["requestPath"] = ServiceDefaultsExtensions.HealthPath,
            ["port"] = GkeWorkloads.HttpPort,
        },
        // Long enough for a status-report burst, shorter than the Api's own request timeouts' sum.
        ["timeoutSec"] = 60,
        ["connectionDraining"] = new Dictionary<string, object> { ["drainingTimeoutSec"] = 30 },
    });

    public static V1Ingress Ingress(string name, string hostPlaceholder, string addressPlaceholder, string component = "api") => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = GkeWorkloads.Metadata(name, component, new Dictionary<string, string>
        {
            ["kubernetes.io/ingress.class"] = "gce",
            ["kubernetes.io/ingress.global-static-ip-name"] = addressPlaceholder,
            ["networking.gke.io/managed-certificates"] = name,
            ["networking.gke.io/v1beta1.FrontendConfig"] = name,
            // HTTPS only at the edge: plain HTTP is redirected by the FrontendConfig, never served.
            ["kubernetes.io/ingress.allow-http"] = "true",
        }),
        Spec = new V1IngressSpec
        {
            Rules =
            [
                new V1IngressRule
                {
                    Host = hostPlaceholder,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths =
                        [
                            new V1HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = name, Port = new V1ServiceBackendPort { Number = ServicePort } } },
                            },
                        ],
                    },
                },
            ],
        },
    };

    public static CustomObject ManagedCertificate(string name, string hostPlaceholder, string component = "api") =>
        new("networking.gke.io/v1", "ManagedCertificate", GkeWorkloads.Metadata(name, component), new Dictionary<string, object> { ["domains"] = new[] { hostPlaceholder } });

    public static CustomObject FrontendConfig(string name, string component = "api") => new("networking.gke.io/v1beta1", "FrontendConfig", GkeWorkloads.Metadata(name, component), new Dictionary<string, object>
    {
        ["redirectToHttps"] = new Dictionary<string, object> { ["enabled"] = true, ["responseCodeName"] = "PERMANENT_REDIRECT" },
    });

    public static V2HorizontalPodAutoscaler Autoscaler(string name) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = GkeWorkloads.Metadata(name, "api"),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
            MinReplicas = MinApiReplicas,
            MaxReplicas = MaxApiReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 70 } },
                },
            ],
        },
    };
}

/// <summary>A custom resource (GKE's BackendConfig, FrontendConfig, ManagedCertificate), which KubernetesClient has no model for.</summary>
internal sealed class CustomObject(string apiVersion, string kind, V1ObjectMeta metadata, IDictionary<string, object> spec) : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = apiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = metadata;

    [JsonPropertyName("spec")]
    public IDictionary<string, object> Spec { get; set; } = spec;
}
