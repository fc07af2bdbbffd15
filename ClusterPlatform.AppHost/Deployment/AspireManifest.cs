using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClusterPlatform.AppHost.Deployment;

/// <summary>
/// The Aspire manifest as the GKE generator reads it: the workloads (project resources) with their
/// environment, and the parameters. Reading the written manifest, rather than the model, means the
/// GKE manifests cannot state a workload or a variable the Aspire manifest does not.
/// </summary>
internal sealed partial class AspireManifest
{
    private readonly Dictionary<string, JsonObject> resources;

    private AspireManifest(Dictionary<string, JsonObject> resources, string directory)
    {
        this.resources = resources;
        Workloads = [.. resources.Where(r => Type(r.Value) == "project.v0").Select(r => new Workload(
            r.Key,
            Path.GetDirectoryName(Path.GetFullPath(Path.Combine(directory, (string)r.Value["path"]!)))!,
            [.. (r.Value["env"]?.AsObject() ?? []).Select(e => new KeyValuePair<string, string>(e.Key, (string)e.Value!))]))];
        Parameters = [.. resources.Where(r => Type(r.Value) == "parameter.v0" && r.Value["connectionString"] is null).Select(r => new Parameter(
            r.Key,
            r.Value["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true))];
    }

    public IReadOnlyList<Workload> Workloads { get; }

    /// <summary>Parameters with a value of their own (a connection string built from others is not one).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    public static async Task<AspireManifest> ReadAsync(string path, CancellationToken cancellationToken) =>
        Parse(await File.ReadAllTextAsync(path, cancellationToken), Path.GetDirectoryName(Path.GetFullPath(path))!);

    /// <param name="directory">Where the manifest is: its project paths are relative to it.</param>
    public static AspireManifest Parse(string json, string directory)
    {
        var root = JsonNode.Parse(json)?["resources"]?.AsObject()
            ?? throw new InvalidDataException($"The manifest in {directory} is not an Aspire manifest: it has no resources.");
        return new(root.ToDictionary(r => r.Key, r => r.Value!.AsObject()), directory);
    }

    /// <summary>
    /// Rewrites a manifest expression such as <c>Host={api.bindings.http.host}</c> with the
    /// deployment's own values: a parameter through <paramref name="parameter"/>, an endpoint
    /// through <paramref name="endpoint"/>, and a connection string as the expression it stands for.
    /// An expression it does not know fails the generation rather than deploying a guess.
    /// </summary>
    public string Translate(string expression, Func<string, string> parameter, Func<string, string, string, string> endpoint) =>
        Placeholder().Replace(expression, match =>
        {
            var resource = match.Groups["resource"].Value;
            var path = match.Groups["path"].Value;
            if (!resources.TryGetValue(resource, out var definition))
            {
                throw new InvalidDataException($"The manifest refers to {match.Value}, but it has no resource {resource}.");
            }

            return (Type(definition), path.Split('.')) switch
            {
                ("parameter.v0", ["value"]) => parameter(resource),
                // A connection string built from other values (value.v0) or given as one parameter.
                ("value.v0" or "parameter.v0", ["connectionString"]) when definition["connectionString"] is JsonValue value =>
                    Translate((string)value!, parameter, endpoint),
                ("project.v0", ["bindings", var binding, var property]) => endpoint(resource, binding, property),
                _ => throw new InvalidDataException($"The GKE generator cannot translate {match.Value} (a {Type(definition)} resource)."),
            };
        });

    private static string? Type(JsonObject resource) => (string?)resource["type"];

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.(?<path>[A-Za-z0-9.]+)\}")]
    private static partial Regex Placeholder();

    /// <summary>A project resource: its name, its project directory and its environment as manifest expressions.</summary>
    public sealed record Workload(string Name, string ProjectDirectory, IReadOnlyList<KeyValuePair<string, string>> Environment);

    public sealed record Parameter(string Name, bool Secret);
}
