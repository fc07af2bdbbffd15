using System.Text.Json;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// The operator client's <c>data.version</c> for a cluster or a node pool, which the Api turns into the
/// resource's <c>status.version</c>: the version running (the newest Completed entry's), the version
/// wanted, and the rollout history, newest first as HyperShift orders it. Serialized camelCase with
/// RFC 3339 UTC times; <c>completedAt</c> is null while an entry is Partial.
/// </summary>
internal sealed partial record VersionReport(string? Current, string Desired, IReadOnlyList<VersionReportEntry> History)
{
    /// <summary>
    /// Kept in the report, newest first; older entries are dropped. A status report holds at most 16 KiB
    /// of data (the Api's limit), and each entry is about 120 bytes.
    /// </summary>
    internal const int MaxHistory = 20;

    /// <summary>
    /// From the HostedCluster's <c>status.version</c>. HyperShift writes a new Partial entry with only
    /// its image before it has read the version from the release (hostedcluster_controller.go
    /// computeClusterVersionStatus), so an entry without a version takes the version of its image from
    /// <paramref name="versionsByImage"/> (the images this reconcile resolved); one still unknown is
    /// left out, since the contract's entries always name a version. <c>desired</c> falls back the same
    /// way, then to the spec's version.
    /// </summary>
    public static VersionReport ForHostedCluster(ReleaseVersionStatus? status, string specVersion, IReadOnlyDictionary<string, string> versionsByImage)
    {
        if (status is null)
        {
            return new VersionReport(null, specVersion, []);
        }

        var history = status.History
            .Select(entry => (entry, version: Wellformed(entry.Version) ?? versionsByImage.GetValueOrDefault(entry.Image)))
            .Where(e => e.version is not null)
            .Select(e => new VersionReportEntry(e.version!, e.entry.State, Utc(e.entry.StartedTime) ?? DateTime.UnixEpoch,
                e.entry.State == ReleaseHistoryEntry.Partial ? null : Utc(e.entry.CompletionTime)))
            .Take(MaxHistory)
            .ToList();
        var desired = Wellformed(status.DesiredVersion) ?? versionsByImage.GetValueOrDefault(status.DesiredImage) ?? specVersion;
        return new VersionReport(CurrentOf(history), desired, history);
    }

    /// <summary>
    /// A NodePool has only <c>status.version</c>, the version last applied to all its nodes (the NodePool
    /// CRD, status.version), and no history. So the operator client keeps the pool's history itself,
    /// from its previous report of that pool: a new Partial entry when the pool's wanted version
    /// changes (the entry it supersedes gets its completion time, as OpenShift's history does for
    /// every entry that is not the current update), and Completed once <c>status.version</c> reaches it.
    /// </summary>
    public static VersionReport ForNodePool(VersionReport? previous, string desired, string? running, DateTime now)
    {
        var history = previous?.History.ToList() ?? [];
        if (history.Count == 0 || history[0].Version != desired)
        {
            if (history.Count > 0 && history[0].CompletedAt is null)
            {
                history[0] = history[0] with { CompletedAt = now };
            }

            history.Insert(0, new VersionReportEntry(desired, ReleaseHistoryEntry.Partial, now, null));
        }

        if (history[0] is { State: ReleaseHistoryEntry.Partial } rolling && running == desired)
        {
            history[0] = rolling with { State = ReleaseHistoryEntry.Completed, CompletedAt = now };
        }

        var kept = history.Take(MaxHistory).ToList();
        return new VersionReport(CurrentOf(kept), desired, kept);
    }

    /// <summary>This controller's last <c>data.version</c> of a resource, or null (before the first, or unreadable).</summary>
    public static VersionReport? FromData(JsonElement? data)
    {
        if (data is not { ValueKind: JsonValueKind.Object } d || !d.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return version.Deserialize<VersionReport>(JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The newest entry is Partial while a version that ran before is being replaced: an upgrade, not the first install.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Upgrading => History is [{ State: ReleaseHistoryEntry.Partial }, ..] && Current is not null;

    /// <summary>
    /// A version as the Api takes one in a report (MAJOR.MINOR.PATCH with an optional pre-release, the Api's
    /// Validation/VersionReports.cs VersionPattern), else null: one odd string from a management cluster
    /// would otherwise have every report of the cluster refused.
    /// </summary>
    private static string? Wellformed(string version) => VersionShape().IsMatch(version) ? version : null;

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?\\z")]
    private static partial System.Text.RegularExpressions.Regex VersionShape();

    private static string? CurrentOf(IReadOnlyList<VersionReportEntry> history) =>
        history.FirstOrDefault(e => e.State == ReleaseHistoryEntry.Completed)?.Version;

    private static DateTime? Utc(DateTime? time) => time is { } t ? t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime() : null;
}

/// <param name="State">HyperShift's Partial or Completed.</param>
internal sealed record VersionReportEntry(string Version, string State, DateTime StartedAt, DateTime? CompletedAt);
