using ClusterPlatform.Client;
using ClusterPlatform.Client.Models;

namespace ClusterPlatform.WebConsole.Components.Shared;

/// <summary>Where a cluster is placed: the placement controller reports it as <c>data.managementCluster</c>.</summary>
public static class Placement
{
    public static string? Of(Cluster cluster) =>
        cluster.Status?.Controllers?.FirstOrDefault(c => c.Name == ControllerStatus_name.PlacementController)?.Data?.AdditionalData
            .TryGetValue("managementCluster", out var name) == true && UntypedText.Of(name) is { Length: > 0 } text
            ? text
            : null;
}
