using System.Text.Json;

namespace ClusterPlatform.Contracts;

/// <summary>
/// Body of <c>PUT /api/v1/clusters/{id}/status</c> and <c>PUT /api/v1/nodepools/{id}/status</c>.
/// <paramref name="Version"/> is the <see cref="ControllerStatus.Version"/> of the entry the controller
/// read (0: it read none); a report made from another version is refused with 409 <c>report-conflict</c>.
/// Null means unconditional.
/// </summary>
public sealed record StatusReportRequest(string Controller, long ObservedGeneration, IReadOnlyList<ConditionReport> Conditions, JsonElement? Data,
    long? Version = null);

/// <summary>A condition as a controller reports it; the API adds lastTransitionTime and observedGeneration.</summary>
public sealed record ConditionReport(string Type, string Status, string Reason, string Message)
{
    /// <summary>The longest message the API stores; controllers cut provider messages to it.</summary>
    public const int MaxMessageLength = 1024;
}

/// <summary>The raw per-controller reports of one resource.</summary>
public sealed record StatusReportList(string Kind, IReadOnlyList<ControllerStatus> Items);

/// <summary>One entry of the audit trail.</summary>
public sealed record AuditEntry(long Id, Guid ClusterId, Guid? NodePoolId, string Action, string Actor, long Generation, string? Reason, DateTime At);

/// <summary>A page of the audit trail, oldest first.</summary>
public sealed record AuditList(string Kind, IReadOnlyList<AuditEntry> Items, [property: System.Text.Json.Serialization.JsonPropertyName("continue")] string? Continue);
