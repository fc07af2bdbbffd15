using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClusterPlatform.Providers;

/// <summary>One release of a channel's graph: its payload as served (by digest or not: the caller decides what it accepts) and the versions it may update to without risks.</summary>
internal sealed record UpdateGraphNode(string Version, string Payload, IReadOnlyList<string> Upgrades);

/// <summary>
/// One channel's Cincinnati JSON as the platform uses it. The shape is the graph API's
/// (openshift/cincinnati@49c914f8, docs/design/cincinnati.md "Response" and
/// docs/design/policy-engine-openapi.yaml "Graph"): <c>nodes[]</c> of <c>{version, payload, metadata}</c>,
/// versions unique; <c>edges[]</c> as <c>[from, to]</c> node indexes; <c>conditionalEdges[]</c> of
/// <c>{edges: [{from, to}], risks}</c> with versions, not indexes.
/// <para>
/// Conditional edges are never offered as upgrades. The design says an edge is "a valid transition
/// to a release payload without risks" and a conditional edge one "with risks", whose matching
/// rules (PromQL over the cluster's own metrics, or <c>Always</c>) decide which clusters have it
/// recommended; "if no condition can be successfully evaluated, the update should not be
/// recommended" (policy-engine-openapi.yaml, ConditionalEdges.risks.matchingRules). The platform
/// evaluates no such rule, so such an edge is not recommended. The policy engine draws conditional
/// edges from edges the graph already has (cincinnati/src/plugins/internal/edge_add_remove.rs,
/// add_conditional_edges: the <c>from</c>s are <c>previous_releases(to)</c>) and leaves them in
/// <c>edges</c>, so a pair in both is taken out of <see cref="UpdateGraphNode.Upgrades"/>.
/// </para>
/// A body that breaks this shape is refused as a whole (null from <see cref="Parse"/>), so a truncated
/// or foreign answer is never cached or written to the catalog.
/// </summary>
internal sealed class UpdateGraph
{
    private readonly Dictionary<string, UpdateGraphNode> byVersion;

    private UpdateGraph(IReadOnlyList<UpdateGraphNode> nodes)
    {
        Nodes = nodes;
        byVersion = nodes.ToDictionary(node => node.Version, StringComparer.Ordinal);
    }

    /// <summary>The nodes in the order served.</summary>
    public IReadOnlyList<UpdateGraphNode> Nodes { get; }

    public int NodeCount => Nodes.Count;

    /// <summary>The node's payload, as served.</summary>
    public string? PayloadOf(string version) => byVersion.GetValueOrDefault(version)?.Payload;

    /// <summary>Null with <paramref name="error"/> when the body is not Cincinnati JSON.</summary>
    public static UpdateGraph? Parse(JsonNode? body, out string error)
    {
        if (body?["nodes"] is not JsonArray nodes || body["edges"] is not JsonArray edges)
        {
            error = "no nodes and edges arrays";
            return null;
        }

        var versions = new List<(string Version, string Payload)>(nodes.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!IsString(node?["version"]) || !IsString(node!["payload"]))
            {
                error = $"node {versions.Count} has no version and payload strings";
                return null;
            }

            var version = (string)node["version"]!;
            if (!seen.Add(version))
            {
                error = $"version {version} appears twice";
                return null;
            }

            versions.Add((version, (string)node["payload"]!));
        }

        if (ConditionalPairs(body["conditionalEdges"], out error) is not { } conditional)
        {
            return null;
        }

        var upgrades = versions.Select(_ => new List<string>()).ToList();
        foreach (var edge in edges)
        {
            if (edge is not JsonArray { Count: 2 } pair || !IsIndex(pair[0], nodes.Count) || !IsIndex(pair[1], nodes.Count))
            {
                error = $"edge {edge?.ToJsonString()} is not a pair of node indexes";
                return null;
            }

            var (from, to) = ((int)pair[0]!, (int)pair[1]!);
            if (!conditional.Contains((versions[from].Version, versions[to].Version)) && !upgrades[from].Contains(versions[to].Version))
            {
                upgrades[from].Add(versions[to].Version);
            }
        }

        error = "";
        return new UpdateGraph([.. versions.Select((node, i) => new UpdateGraphNode(node.Version, node.Payload, upgrades[i]))]);
    }

    /// <summary>
    /// The <c>(from, to)</c> pairs of every conditional edge. The field is absent from graphs older
    /// than conditional updates (cincinnati/src/lib.rs serializes it only when set), so absent is none.
    /// </summary>
    private static HashSet<(string From, string To)>? ConditionalPairs(JsonNode? conditionalEdges, out string error)
    {
        var pairs = new HashSet<(string, string)>();
        error = "";
        if (conditionalEdges is null)
        {
            return pairs;
        }

        if (conditionalEdges is not JsonArray groups)
        {
            error = "conditionalEdges is not an array";
            return null;
        }

        foreach (var group in groups)
        {
            if (group?["edges"] is not JsonArray members || group["risks"] is not JsonArray)
            {
                error = $"conditional edge {group?.ToJsonString()} has no edges and risks arrays";
                return null;
            }

            foreach (var member in members)
            {
                if (!IsString(member?["from"]) || !IsString(member!["to"]))
                {
                    error = $"conditional edge {member?.ToJsonString()} has no from and to versions";
                    return null;
                }

                pairs.Add(((string)member["from"]!, (string)member["to"]!));
            }
        }

        return pairs;
    }

    private static bool IsString(JsonNode? value) => value?.GetValueKind() == JsonValueKind.String;

    private static bool IsIndex(JsonNode? value, int count) =>
        value?.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue(out int index) && index >= 0 && index < count;
}
