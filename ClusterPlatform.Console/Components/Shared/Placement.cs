using System.Text.Json;
using ClusterPlatform.Contracts;

namespace ClusterPlatform.WebConsole.Components.Shared;

/// <summary>Where a cluster is placed: the placement controller reports it as <c>data.managementCluster</c>.</summary>
public static class Placement
{
    public static string? Of(Cluster cluster) =>
        cluster.Status.Controllers.FirstOrDefault(c => c.Name == ControllerNames.Placement)?.Data is { ValueKind: JsonValueKind.Object } data
        && data.TryGetProperty("managementCluster", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
}
