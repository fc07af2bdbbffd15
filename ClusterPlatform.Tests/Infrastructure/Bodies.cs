using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>Valid request bodies from docs/api.md's examples, to mutate one field at a time, and JSON helpers.</summary>
public static class Bodies
{
    public static JsonObject Cluster(string name = "prod-east") => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["env"] = "prod" },
        ["spec"] = new JsonObject
        {
            ["gcp"] = new JsonObject { ["projectId"] = "acme-prod-123", ["region"] = "us-central1", ["network"] = "default" },
            ["release"] = new JsonObject { ["version"] = "4.22.3" },
            ["networking"] = new JsonObject { ["machineCidr"] = "10.0.0.0/16", ["podCidr"] = "10.128.0.0/14", ["serviceCidr"] = "172.30.0.0/16" },
            ["dns"] = new JsonObject { ["baseDomain"] = "acme.example.com" },
        },
    };

    public static JsonObject NodePool(string clusterId, string name = "workers") => new()
    {
        ["clusterId"] = clusterId,
        ["name"] = name,
        ["labels"] = new JsonObject { ["pool"] = "general" },
        ["spec"] = new JsonObject { ["replicas"] = 3, ["machineType"] = "n2-standard-4", ["diskSizeGb"] = 128, ["version"] = "4.22.3" },
    };

    /// <summary>Sets a value at a dotted path such as <c>spec.gcp.region</c>; a null value removes the field.</summary>
    public static JsonObject With(this JsonObject body, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = body;
        foreach (var part in parts[..^1])
        {
            node = (JsonObject)node[part]!;
        }

        if (value is null)
        {
            node.Remove(parts[^1]);
        }
        else
        {
            node[parts[^1]] = value;
        }

        return body;
    }

    public static StringContent Json(JsonNode body, string mediaType = "application/json") =>
        new(body.ToJsonString(), Encoding.UTF8, mediaType);

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>The problem body's <c>errors</c> keys: the JSON paths that failed validation.</summary>
    public static async Task<IReadOnlyCollection<string>> ErrorPathsAsync(this HttpResponseMessage response)
    {
        var problem = await response.ReadObjectAsync();
        return problem["errors"]?.AsObject().Select(e => e.Key).ToList() ?? [];
    }

    public static string Text(this JsonNode? node) => node!.GetValue<string>();

    public static JsonSerializerOptions Options { get; } = JsonSerializerOptions.Web;
}
