using ClusterPlatform.Contracts;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace ClusterPlatform.AppHost.Deployment;

/// <summary>
/// Turns the Aspire manifest into a kustomize layout for GKE: a base with every object, a component
/// that puts the parameters where they belong (images, service-account annotations, host names),
/// and an example overlay that gives the parameters values. Each workload's environment is the
/// Aspire manifest's, translated: parameters come from the parameters ConfigMap, endpoints become
/// Service names. Settings an operator tunes without a rebuild go to a settings ConfigMap per workload.
/// </summary>
internal static partial class GkeManifests
{
    public const string Namespace = "clusterplatform";
    public const string ParametersConfigMap = "clusterplatform-parameters";
    public const string SecretsName = "clusterplatform-secrets";
    public const string PullSecretName = "hypershift-pull-secret";
    public const string PullSecretDirectory = "/var/run/secrets/clusterplatform/pull-secret";
    public const string ApiSettings = "api-settings";
    public const string ControllerSettings = "controllers-settings";
    public const string ConsoleSettings = "console-settings";
    public const string ConsoleComponent = "console";
    public const string ApiComponent = "api";
    public const string ControllerComponent = "controller";

    private static readonly ResourceBudget ApiBudget = new("250m", "2", "512Mi");
    private static readonly ResourceBudget ControllerBudget = new("100m", "1", "256Mi");
    // Each signed-in person holds a Blazor circuit in memory on the pod serving them.
    private static readonly ResourceBudget ConsoleBudget = new("100m", "1", "384Mi");

    /// <summary>Console replicas: two, as every workload (a pod's circuits reconnect to the other when it goes).</summary>
    public const int ConsoleReplicas = 2;

    /// <summary>The files of the layout, by path relative to its root.</summary>
    public static IReadOnlyDictionary<string, string> Generate(AspireManifest manifest, Func<string, string?> configuredParameter)
    {
        var unknown = manifest.Workloads.Select(w => w.Name).Except([ResourceNames.Api, ResourceNames.Controllers, ResourceNames.Console]).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"The GKE generator knows the Api, the Controllers and the console, not {string.Join(", ", unknown)}: teach it the new workload.");
        }

        var api = manifest.Workloads.Single(w => w.Name == ResourceNames.Api);
        var controllers = manifest.Workloads.Single(w => w.Name == ResourceNames.Controllers);
        var console = manifest.Workloads.Single(w => w.Name == ResourceNames.Console);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var baseResources = new List<string>();
        void AddBase(string file, params IEnumerable<object> objects)
        {
            files[$"{KustomizeLayout.Base}/{file}"] = Yaml(objects);
            baseResources.Add(file);
        }

        AddBase("namespace.yaml", Namespaced());
        AddBase("api.yaml", ApiObjects(manifest, api));
        AddBase("api-edge.yaml",
            GkeEdge.Service(api.Name),
            GkeEdge.BackendConfig(api.Name),
            GkeEdge.Ingress(api.Name, GkeWorkloads.Placeholder(DeploymentParameters.ApiHost), GkeWorkloads.Placeholder(DeploymentParameters.ApiAddressName)),
            GkeEdge.ManagedCertificate(api.Name, GkeWorkloads.Placeholder(DeploymentParameters.ApiHost)),
            GkeEdge.FrontendConfig(api.Name),
            GkeEdge.Autoscaler(api.Name),
            GkeWorkloads.DisruptionBudget(api.Name, ApiComponent));
        foreach (var controller in ControllerNames.All)
        {
            AddBase($"{controller}.yaml", ControllerObjects(manifest, controllers, controller));
        }

        AddBase("console.yaml", ConsoleObjects(manifest, console));
        AddBase("console-edge.yaml",
            GkeEdge.Service(console.Name, ConsoleComponent),
            // A person's Blazor circuit lives on one pod: the load balancer keeps them there.
            GkeEdge.BackendConfig(console.Name, ConsoleComponent, new Dictionary<string, object>
            {
                ["sessionAffinity"] = new Dictionary<string, object> { ["affinityType"] = "GENERATED_COOKIE", ["affinityCookieTtlSec"] = 28800 },
            }),
            GkeEdge.Ingress(console.Name, GkeWorkloads.Placeholder(DeploymentParameters.ConsoleHost), GkeWorkloads.Placeholder(DeploymentParameters.ConsoleAddressName), ConsoleComponent),
            GkeEdge.ManagedCertificate(console.Name, GkeWorkloads.Placeholder(DeploymentParameters.ConsoleHost), ConsoleComponent),
            GkeEdge.FrontendConfig(console.Name, ConsoleComponent),
            GkeWorkloads.DisruptionBudget(console.Name, ConsoleComponent));

        files[$"{KustomizeLayout.Base}/{ApiSettings}.env"] = EnvFile(
            "Settings of the Api an operator may change without a new image. Platform:* is the Api's appsettings.json, so offerings stay in one place.",
            [.. Flatten(ReadSettings(api.ProjectDirectory)["Platform"], "Platform"), .. ApiProductionSettings]);
        files[$"{KustomizeLayout.Base}/{ControllerSettings}.env"] = EnvFile(
            "Settings of every controller an operator may change without a new image.", ControllerProductionSettings);
        files[$"{KustomizeLayout.Base}/{ConsoleSettings}.env"] = EnvFile(
            "Settings of the console an operator may change without a new image. Its regions are the Api's (Platform:SupportedRegions), so the two agree.",
            [.. Flatten(ReadSettings(api.ProjectDirectory)["Platform"]?["SupportedRegions"], "Platform__SupportedRegions"), .. ConsoleProductionSettings]);
        files[$"{KustomizeLayout.Base}/{KustomizeLayout.ParametersFile}"] = EnvFile(
            "Placeholders: an overlay sets every parameter (see overlays/example), and the parameters component puts them in place.",
            manifest.Parameters.Where(p => !p.Secret).Select(p => new KeyValuePair<string, string>(p.Name, GkeWorkloads.Placeholder(p.Name))));
        files[$"{KustomizeLayout.Base}/kustomization.yaml"] = KustomizeLayout.BaseKustomization(Namespace, baseResources,
            [(ParametersConfigMap, KustomizeLayout.ParametersFile), (ApiSettings, $"{ApiSettings}.env"), (ControllerSettings, $"{ControllerSettings}.env"),
             (ConsoleSettings, $"{ConsoleSettings}.env")]);
        files[$"{KustomizeLayout.ParametersComponent}/kustomization.yaml"] = KustomizeLayout.ParametersComponentKustomization(ParameterTargets());
        files[$"{KustomizeLayout.ExampleOverlay}/kustomization.yaml"] = KustomizeLayout.OverlayKustomization(ParametersConfigMap);
        files[$"{KustomizeLayout.ExampleOverlay}/{KustomizeLayout.ParametersFile}"] = ParameterValues(manifest, configuredParameter);
        return files;
    }

    /// <summary>Production choices for the Api's tunables (the code's defaults are a local run's).</summary>
    private static readonly KeyValuePair<string, string>[] ApiProductionSettings =
    [
        new("Reconcile__NotReadyAfter", "00:00:30"),
        new("Reconcile__ReadyAfter", "00:30:00"),
        new("Http__Timeouts__Default", "00:00:30"),
        new("Http__RateLimits__Enabled", "true"),
        new("Http__RateLimits__ReadsPerSecond", "200"),
        new("Http__RateLimits__WritesPerSecond", "50"),
        // One JSON object per line: Cloud Logging reads its severity and fields.
        new("Logging__Console__FormatterName", "json"),
    ];

    private static readonly KeyValuePair<string, string>[] ControllerProductionSettings =
    [
        new("Controllers__ShutdownGracePeriod", GkeWorkloads.ControllerShutdownGrace.ToString("c", CultureInfo.InvariantCulture)),
        new("Logging__Console__FormatterName", "json"),
    ];

    private static readonly KeyValuePair<string, string>[] ConsoleProductionSettings =
    [
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED comes with the Aspire manifest: behind the load balancer the
        // OIDC redirect URI names https and the public host, as the browser sees them.
        new("Logging__Console__FormatterName", "json"),
    ];

    private static IEnumerable<object> ConsoleObjects(AspireManifest manifest, AspireManifest.Workload console)
    {
        var container = GkeWorkloads.AppContainer(console.Name, DeploymentParameters.ConsoleImage, Environment(manifest, console), ConsoleSettings, ConsoleBudget, [], drainOnStop: true);
        // Its own database (the Data Protection key ring the replicas share), reached as the Api reaches its own:
        // the proxy logs in as the console's service account, so no password exists.
        var proxy = CloudSqlProxy.Sidecar(ParameterSource(DeploymentParameters.CloudSqlInstance, secret: false));
        yield return GkeWorkloads.ServiceAccount(console.Name);
        yield return GkeWorkloads.Deployment(console.Name, ConsoleComponent, ConsoleReplicas, container, [proxy], [], TimeSpan.FromSeconds(30));
    }

    private static V1Namespace Namespaced() => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = Namespace,
            // Every pod here meets the restricted Pod Security Standard; the namespace enforces it.
            Labels = new Dictionary<string, string>
            {
                ["pod-security.kubernetes.io/enforce"] = "restricted",
                ["app.kubernetes.io/part-of"] = "clusterplatform",
            },
        },
    };

    private static IEnumerable<object> ApiObjects(AspireManifest manifest, AspireManifest.Workload api)
    {
        var environment = Environment(manifest, api);
        var container = GkeWorkloads.AppContainer(api.Name, DeploymentParameters.ApiImage, environment, ApiSettings, ApiBudget, [], drainOnStop: true);
        var proxy = CloudSqlProxy.Sidecar(ParameterSource(DeploymentParameters.CloudSqlInstance, secret: false));
        yield return GkeWorkloads.ServiceAccount(api.Name);
        yield return GkeWorkloads.Deployment(api.Name, ApiComponent, GkeEdge.MinApiReplicas, container, [proxy], [],
            TimeSpan.FromSeconds(45));
    }

    private static IEnumerable<object> ControllerObjects(AspireManifest manifest, AspireManifest.Workload controllers, string controller)
    {
        var environment = Environment(manifest, controllers);
        environment.Add(new V1EnvVar { Name = "Controllers__Enabled__0", Value = controller });
        var mounts = new List<V1VolumeMount>();
        var volumes = new List<V1Volume>();
        if (controller == ControllerNames.OperatorClient)
        {
            // HyperShift needs the pull secret in every hosted cluster's namespace; the operator client copies it from here.
            environment.Add(new V1EnvVar { Name = "Providers__ManagementClusters__PullSecretPath", Value = $"{PullSecretDirectory}/.dockerconfigjson" });
            volumes.Add(new V1Volume { Name = "pull-secret", Secret = new V1SecretVolumeSource { SecretName = PullSecretName } });
            mounts.Add(new V1VolumeMount { Name = "pull-secret", MountPath = PullSecretDirectory, ReadOnlyProperty = true });
        }

        var container = GkeWorkloads.AppContainer(ControllerComponent, DeploymentParameters.ControllersImage, environment, ControllerSettings, ControllerBudget, mounts, drainOnStop: false);
        yield return GkeWorkloads.ServiceAccount(controller);
        yield return GkeWorkloads.Deployment(controller, ControllerComponent, GkeWorkloads.ControllerReplicas, container, [], volumes, GkeWorkloads.ControllerTerminationGrace);
        yield return GkeWorkloads.DisruptionBudget(controller, ControllerComponent);
    }

    /// <summary>
    /// The workload's environment from the Aspire manifest. A value that is one parameter reads the
    /// parameters ConfigMap (or the secrets Secret); a value built from parameters reads them into
    /// helper variables first and refers to them as $(VAR), which Kubernetes expands.
    /// </summary>
    private static List<V1EnvVar> Environment(AspireManifest manifest, AspireManifest.Workload workload)
    {
        var secret = manifest.Parameters.Where(p => p.Secret).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var helpers = new SortedDictionary<string, V1EnvVar>(StringComparer.Ordinal);
        var variables = new List<V1EnvVar>();
        foreach (var (name, expression) in workload.Environment)
        {
            if (expression.Contains("$(", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{workload.Name}'s {name} contains '$(', which Kubernetes would expand.");
            }

            if (SingleParameter().Match(expression) is { Success: true } single)
            {
                variables.Add(ParameterVariable(name, single.Groups["name"].Value, secret.Contains(single.Groups["name"].Value)));
                continue;
            }

            var value = manifest.Translate(expression,
                parameter =>
                {
                    var helper = ParameterVariable(HelperName(parameter), parameter, secret.Contains(parameter));
                    helpers[helper.Name] = helper;
                    return $"$({helper.Name})";
                },
                Endpoint);
            variables.Add(new V1EnvVar { Name = name, Value = value });
        }

        return [.. helpers.Values, .. variables];
    }

    private static V1EnvVar ParameterVariable(string name, string parameter, bool secret) => new() { Name = name, ValueFrom = ParameterSource(parameter, secret) };

    private static V1EnvVarSource ParameterSource(string parameter, bool secret) => secret
        ? new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = SecretsName, Key = parameter } }
        : new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = ParametersConfigMap, Key = parameter } };

    private static string HelperName(string parameter) => "PARAMETER_" + parameter.ToUpperInvariant().Replace('-', '_');

    /// <summary>An endpoint of a workload, as the other pods reach it: the Api's Service, or a container's own port.</summary>
    private static string Endpoint(string resource, string binding, string property)
    {
        if (binding != "http")
        {
            throw new InvalidDataException($"Only http endpoints are served inside the cluster; the manifest refers to {resource}'s {binding}.");
        }

        return property switch
        {
            "targetPort" => GkeWorkloads.HttpPort.ToString(CultureInfo.InvariantCulture),
            _ when resource != ResourceNames.Api => throw new InvalidDataException($"{resource} has no Service; only the Api's endpoint can be referred to."),
            "url" => $"http://{resource}",
            "host" => resource,
            "port" => GkeEdge.ServicePort.ToString(CultureInfo.InvariantCulture),
            "scheme" => "http",
            _ => throw new InvalidDataException($"Unknown endpoint property {property} of {resource}."),
        };
    }

    /// <summary>Where each parameter goes besides the environment.</summary>
    private static IEnumerable<KustomizeLayout.ParameterTarget> ParameterTargets()
    {
        yield return new(DeploymentParameters.ApiImage, "Deployment", ResourceNames.Api, $"spec.template.spec.containers.[name={ResourceNames.Api}].image");
        foreach (var controller in ControllerNames.All)
        {
            yield return new(DeploymentParameters.ControllersImage, "Deployment", controller, $"spec.template.spec.containers.[name={ControllerComponent}].image");
        }

        yield return new(DeploymentParameters.ConsoleImage, "Deployment", ResourceNames.Console, $"spec.template.spec.containers.[name={ResourceNames.Console}].image");
        foreach (var workload in ControllerNames.All.Prepend(ResourceNames.Api).Append(ResourceNames.Console))
        {
            yield return new(DeploymentParameters.ServiceAccount(workload), "ServiceAccount", workload, $"metadata.annotations.[{GkeWorkloads.WorkloadIdentityAnnotation}]");
        }

        yield return new(DeploymentParameters.ApiHost, "Ingress", ResourceNames.Api, "spec.rules.0.host");
        yield return new(DeploymentParameters.ApiHost, "ManagedCertificate", ResourceNames.Api, "spec.domains.0");
        yield return new(DeploymentParameters.ApiAddressName, "Ingress", ResourceNames.Api, "metadata.annotations.[kubernetes.io/ingress.global-static-ip-name]");
        yield return new(DeploymentParameters.ConsoleHost, "Ingress", ResourceNames.Console, "spec.rules.0.host");
        yield return new(DeploymentParameters.ConsoleHost, "ManagedCertificate", ResourceNames.Console, "spec.domains.0");
        yield return new(DeploymentParameters.ConsoleAddressName, "Ingress", ResourceNames.Console, "metadata.annotations.[kubernetes.io/ingress.global-static-ip-name]");
    }

    /// <summary>The example overlay's values: configured parameters (Parameters:&lt;name&gt;), else the examples. Secret parameters never appear.</summary>
    private static string ParameterValues(AspireManifest manifest, Func<string, string?> configuredParameter)
    {
        var known = DeploymentParameters.All.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var text = new StringBuilder("# The deployment's parameters (the Aspire manifest's), one per line. Replace the examples with your own.\n");
        foreach (var parameter in manifest.Parameters.Where(p => !p.Secret))
        {
            if (!known.TryGetValue(parameter.Name, out var definition))
            {
                throw new InvalidDataException($"Parameter {parameter.Name} is not a deployment parameter: add it to {nameof(DeploymentParameters)} with a description and an example.");
            }

            var value = configuredParameter(parameter.Name) is { Length: > 0 } configured ? configured : definition.Example;
            if (value.Contains('\n', StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Parameter {parameter.Name} spans lines; a ConfigMap value from an env file cannot.");
            }

            text.Append(CultureInfo.InvariantCulture, $"# {definition.Description}\n{parameter.Name}={value}\n");
        }

        return text.ToString();
    }

    private static JsonObject ReadSettings(string projectDirectory) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(projectDirectory, "appsettings.json")))!.AsObject();

    /// <summary>A settings section as environment variables (<c>A__B__0</c>), as .NET configuration reads them.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Flatten(JsonNode? node, string prefix) => node switch
    {
        JsonObject o => o.SelectMany(p => Flatten(p.Value, $"{prefix}__{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => Flatten(item, $"{prefix}__{i.ToString(CultureInfo.InvariantCulture)}")),
        null => [],
        _ => [new(prefix, node.ToString())],
    };

    private static string EnvFile(string comment, IEnumerable<KeyValuePair<string, string>> entries) =>
        $"# {comment}\n" + string.Concat(entries.Select(e => $"{e.Key}={e.Value}\n"));

    private static string Yaml(IEnumerable<object> objects) =>
        string.Join("---\n", objects.Select(o => KubernetesYaml.Serialize(o).TrimEnd() + "\n"));

    [GeneratedRegex(@"^\{(?<name>[a-z0-9-]+)\.value\}$")]
    private static partial Regex SingleParameter();
}
