namespace ClusterPlatform.Api.Validation;

/// <summary>The query of a force delete: the reason it stores in the audit trail.</summary>
internal static class DeleteRequests
{
    public const int MaxForceReasonLength = 1024;

    /// <summary>The reason of a force delete; it is stored as PostgreSQL text, which cannot hold U+0000.</summary>
    public static string ForceReason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) || reason.Length > MaxForceReasonLength || reason.Contains('\0', StringComparison.Ordinal)
            ? throw ApiException.BadRequest("invalid-reason", $"A force delete needs a reason of 1–{MaxForceReasonLength} characters, without U+0000.")
            : reason;
}
