using System.Diagnostics;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace ClusterPlatform.Tests.Deployment;

/// <summary>
/// Runs the AppHost's publish step once, as an operator would (<c>--publisher manifest</c>), with
/// one parameter configured and canary secrets in its environment, then renders the base and the
/// example overlay with <c>kubectl kustomize</c> and parses the overlay's objects into
/// KubernetesClient's typed models.
/// </summary>
public sealed partial class GkeManifestsFixture : IAsyncLifetime
{
    public const string ConfiguredHost = "clusters.acme.test";
    public const string Canary = "canary-5f1d0c2e-never-written";

    private readonly string root = Path.Combine(Path.GetTempPath(), $"clusterplatform-gke-{Guid.NewGuid():N}");

    public string ManifestPath => Path.Combine(root, "aspire-manifest.json");

    public string GkeDirectory => Path.Combine(root, "gke");

    public string PublishOutput { get; private set; } = "";

    public JsonObject AspireResources { get; private set; } = null!;

    /// <summary>Every generated file, by path relative to the output directory.</summary>
    public IReadOnlyDictionary<string, string> Files { get; private set; } = null!;

    public KustomizeResult RenderedBase { get; private set; } = null!;

    public KustomizeResult RenderedOverlay { get; private set; } = null!;

    /// <summary>The example overlay's objects, typed.</summary>
    public IReadOnlyList<object> Objects { get; private set; } = [];

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public V1Deployment Deployment(string name) => All<V1Deployment>().Single(d => d.Metadata.Name == name);

    public V1ConfigMap ConfigMap(string name) =>
        All<V1ConfigMap>().Single(c => c.Metadata.Name.StartsWith($"{name}-", StringComparison.Ordinal) || c.Metadata.Name == name);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(root);
        var dll = Path.Combine(AppContext.BaseDirectory, "ClusterPlatform.AppHost.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "--publisher", "manifest", "--output-path", ManifestPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        start.Environment[$"Parameters__api-host"] = ConfiguredHost;
        // Secrets an operator's shell or the AppHost's configuration might hold: none may reach a file.
        start.Environment["ConnectionStrings__clusterdb"] = $"Host=db;Username=postgres;Password={Canary}";
        start.Environment["Authentication__Schemes__Bearer__SigningKeys__0__Value"] = Canary;
        start.Environment["Parameters__clusterdb-password"] = Canary;
        var (exitCode, output) = await RunAsync(start, TimeSpan.FromMinutes(2));
        PublishOutput = output;
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"The AppHost's publish step failed ({exitCode}):\n{output}");
        }

        AspireResources = JsonNode.Parse(await File.ReadAllTextAsync(ManifestPath))!["resources"]!.AsObject();
        Files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllText);
        RenderedBase = await KustomizeAsync(Path.Combine(GkeDirectory, "base"));
        RenderedOverlay = await KustomizeAsync(Path.Combine(GkeDirectory, "overlays", "example"));
        if (RenderedOverlay.ExitCode == 0)
        {
            // Strict: a field the typed models do not know (a misspelling) fails the parse.
            Objects = KubernetesYaml.LoadAllFromString(RenderedOverlay.Output, CustomResourceTypes, strict: true);
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(root, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A container's environment as the kubelet builds it: envFrom ConfigMaps first, then env in
    /// order, values from ConfigMap keys, and $(VAR) expanded from what is defined before it.
    /// A Secret's value is shown as <c>&lt;secret:name/key&gt;</c>, since none is generated.
    /// </summary>
    public Dictionary<string, string> EnvironmentOf(V1Container container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            foreach (var (key, value) in ConfigMapByRenderedName(source.ConfigMapRef.Name).Data)
            {
                environment[key] = value;
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable.ValueFrom switch
            {
                null => Reference().Replace(variable.Value ?? "", m => environment.GetValueOrDefault(m.Groups[1].Value, m.Value)),
                { ConfigMapKeyRef: { } key } => ConfigMapByRenderedName(key.Name).Data[key.Key],
                { SecretKeyRef: { } key } => $"<secret:{key.Name}/{key.Key}>",
                _ => throw new InvalidOperationException($"Unexpected source of {variable.Name}."),
            };
        }

        return environment;
    }

    private V1ConfigMap ConfigMapByRenderedName(string name) => All<V1ConfigMap>().Single(c => c.Metadata.Name == name);

    private static readonly Dictionary<string, Type> CustomResourceTypes = new()
    {
        ["cloud.google.com/v1/BackendConfig"] = typeof(CustomResource),
        ["networking.gke.io/v1beta1/FrontendConfig"] = typeof(CustomResource),
        ["networking.gke.io/v1/ManagedCertificate"] = typeof(CustomResource),
    };

    private static async Task<KustomizeResult> KustomizeAsync(string directory)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", directory]) { RedirectStandardOutput = true, RedirectStandardError = true };
        try
        {
            var (exitCode, output) = await RunAsync(start, TimeSpan.FromMinutes(1), separateError: true);
            return new(exitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("kubectl is not installed; the GKE manifest tests render with `kubectl kustomize` (see README, Deployment).");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo start, TimeSpan timeout, bool separateError = false)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}.");
        }

        return (process.ExitCode, separateError && process.ExitCode == 0 ? await stdout : await stdout + await stderr);
    }

    [GeneratedRegex(@"(?<!\$)\$\(([^)]+)\)")]
    private static partial Regex Reference();

    public sealed record KustomizeResult(int ExitCode, string Output);

    /// <summary>GKE's custom resources, which KubernetesClient has no model for.</summary>
    public sealed class CustomResource : IKubernetesObject<V1ObjectMeta>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = "";

        [JsonPropertyName("metadata")]
        public V1ObjectMeta Metadata { get; set; } = new();

        [JsonPropertyName("spec")]
        public Dictionary<string, object> Spec { get; set; } = [];
    }
}
