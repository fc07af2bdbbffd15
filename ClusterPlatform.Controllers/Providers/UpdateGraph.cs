using System.Text.Json.Nodes;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The part of one channel's Cincinnati JSON the platform uses: each node's payload by version.
/// The shape is the graph API's (openshift/cincinnati@49c914f8, docs/design/cincinnati.md "Response"
/// and policy-engine/src/openapiv3.json "Graph"): <c>nodes[]</c> of <c>{version, payload, metadata}</c>,
/// versions unique; <c>edges[]</c> as <c>[from, to]</c> node indexes; <c>conditionalEdges[]</c> of
/// <c>{edges: [{from, to}], risks}</c>. Edges are checked only so that a truncated or foreign body is
/// refused rather than cached; upgrade paths are not chosen here, so conditional edges are not read.
/// </summary>
internal sealed class UpdateGraph
{
    private readonly Dictionary<string, string> payloads;

    private UpdateGraph(Dictionary<string, string> payloads) => this.payloads = payloads;

    public int NodeCount => payloads.Count;

    /// <summary>The node's payload, as served (by digest or not: the caller decides what it accepts).</summary>
    public string? PayloadOf(string version) => payloads.GetValueOrDefault(version);

    /// <summary>Null with <paramref name="error"/> when the body is not Cincinnati JSON.</summary>
    public static UpdateGraph? Parse(JsonNode? body, out string error)
    {
        if (body?["nodes"] is not JsonArray nodes || body["edges"] is not JsonArray edges)
        {
            error = "no nodes and edges arrays";
            return null;
        }

        var payloads = new Dictionary<string, string>(nodes.Count, StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node?["version"]?.GetValueKind() != System.Text.Json.JsonValueKind.String
                || node["payload"]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                error = $"node {payloads.Count} has no version and payload strings";
                return null;
            }

            if (!payloads.TryAdd((string)node["version"]!, (string)node["payload"]!))
            {
                error = $"version {(string)node["version"]!} appears twice";
                return null;
            }
        }

        foreach (var edge in edges)
        {
            if (edge is not JsonArray { Count: 2 } pair || !IsIndex(pair[0], nodes.Count) || !IsIndex(pair[1], nodes.Count))
            {
                error = $"edge {edge?.ToJsonString()} is not a pair of node indexes";
                return null;
            }
        }

        error = "";
        return new UpdateGraph(payloads);
    }

    private static bool IsIndex(JsonNode? value, int count) =>
        value?.GetValueKind() == System.Text.Json.JsonValueKind.Number && value.AsValue().TryGetValue(out int index) && index >= 0 && index < count;
}
