using System.Text.Json;

namespace ClusterPlatform.Contracts;

/// <summary>
/// The aggregated status of a cluster or node pool. It is computed by the database when written
/// (create, delete, status reports) and only read here.
/// </summary>
/// <param name="ApiUrl">A cluster's only (always null on a node pool): its API server, as the operator client read it from the HostedCluster; null until known.</param>
/// <param name="ConsoleUrl">A cluster's only (always null on a node pool): its console by HyperShift's rule, once the control plane is Available; null until then.</param>
public sealed record ResourceStatus(
    string Phase,
    long ObservedGeneration,
    IReadOnlyList<Condition> Conditions,
    IReadOnlyList<ControllerStatus> Controllers,
    VersionStatus? Version,
    string? ApiUrl = null,
    string? ConsoleUrl = null);

/// <summary>
/// The OpenShift version of a cluster (or node pool): <paramref name="Desired"/> is its spec's,
/// <paramref name="Current"/> and <paramref name="History"/> what the operator client last reported
/// from HyperShift (<c>data.version</c>). <paramref name="Current"/> is null until HyperShift has
/// completed a version; <paramref name="History"/> is newest first, as HyperShift orders it.
/// </summary>
public sealed record VersionStatus(string? Current, string Desired, IReadOnlyList<VersionHistoryEntry> History);

/// <summary>One rollout of a version. <paramref name="State"/> is HyperShift's <c>Partial</c> or <c>Completed</c>.</summary>
public sealed record VersionHistoryEntry(string Version, string State, DateTime StartedAt, DateTime? CompletedAt);

public sealed record Condition(
    string Type,
    string Status,
    string Reason,
    string Message,
    DateTime LastTransitionTime,
    long ObservedGeneration);

/// <summary>
/// One controller's latest report. <paramref name="Version"/> starts at 1 with its first stored report
/// and rises by one with each one after; a report names the version it was made from (optimistic
/// concurrency, as Kubernetes' resourceVersion), so replicas of a controller cannot overwrite each
/// other's newer reports.
/// </summary>
public sealed record ControllerStatus(
    string Name,
    long ObservedGeneration,
    long Version,
    DateTime LastReportTime,
    IReadOnlyList<Condition> Conditions,
    JsonElement? Data);

public static class Phases
{
    public const string Pending = "Pending";
    public const string Provisioning = "Provisioning";
    public const string Ready = "Ready";
    public const string Failed = "Failed";
    public const string Deleting = "Deleting";

    public static readonly IReadOnlyList<string> All = [Pending, Provisioning, Ready, Failed, Deleting];
}
