using System.Globalization;

namespace ClusterPlatform.Api.Validation;

/// <summary>
/// The operator client's <c>data.version</c>: HyperShift's <c>status.version</c> as the aggregation
/// reads it into <c>status.version</c> (Data/Functions/05_version_status.sql). Only the fields read are
/// checked, so a report may carry more; what is read must be well formed, or one bad report would
/// make every read of the resource fail.
/// </summary>
internal static class VersionReports
{
    /// <summary>
    /// The most history entries a report may carry. HyperShift keeps "only a limited amount of update
    /// history" (HostedCluster CRD, status.version.history, openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf,
    /// hostedclusters-Hypershift-Default.crd.yaml) without a schema bound; a report's 16 KiB data admits about this many.
    /// </summary>
    public const int MaxHistory = 100;

    /// <summary>HyperShift's history states (the same CRD's <c>state</c>).</summary>
    public static readonly IReadOnlyList<string> States = ["Partial", "Completed"];

    /// <summary>An OpenShift version as HyperShift and the update graph write it: <c>4.22.3</c>, <c>4.23.0-rc.1</c>.</summary>
    public const string VersionPattern = "^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?\\z";

    public static void Check(JsonElement data, ValidationErrors errors)
    {
        const string path = "$.data.version";
        if (!data.TryGetProperty("version", out var version))
        {
            return;
        }

        if (version.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be an object");
            return;
        }

        if (version.TryGetProperty("current", out var current) && current.ValueKind != JsonValueKind.Null)
        {
            VersionString(current, $"{path}.current", errors);
        }

        if (version.TryGetProperty("history", out var history))
        {
            if (history.ValueKind != JsonValueKind.Array || history.GetArrayLength() > MaxHistory)
            {
                errors.Add($"{path}.history", $"must be an array of at most {MaxHistory} entries");
                return;
            }

            var index = 0;
            foreach (var entry in history.EnumerateArray())
            {
                Entry(entry, $"{path}.history[{index++}]", errors);
            }
        }
    }

    private static void Entry(JsonElement entry, string path, ValidationErrors errors)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be an object");
            return;
        }

        VersionString(entry.TryGetProperty("version", out var version) ? version : default, $"{path}.version", errors);
        if (!entry.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.String || !States.Contains(state.GetString()))
        {
            errors.Add($"{path}.state", $"must be one of {string.Join(", ", States)}");
        }

        Time(entry.TryGetProperty("startedAt", out var started) ? started : default, $"{path}.startedAt", errors);
        if (entry.TryGetProperty("completedAt", out var completed) && completed.ValueKind != JsonValueKind.Null)
        {
            Time(completed, $"{path}.completedAt", errors);
        }
    }

    private static void VersionString(JsonElement value, string path, ValidationErrors errors)
    {
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: <= Versions.VersionCatalogStore.MaxVersionLength } text
            || !System.Text.RegularExpressions.Regex.IsMatch(text, VersionPattern))
        {
            errors.Add(path, $"must be a version such as 4.22.3 of at most {Versions.VersionCatalogStore.MaxVersionLength} characters");
        }
    }

    /// <summary>RFC 3339 with its offset (Kubernetes' metav1.Time is written as <c>2026-12-02T15:04:05Z</c>).</summary>
    private static void Time(JsonElement value, string path, ValidationErrors errors)
    {
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } text
            || !System.Text.RegularExpressions.Regex.IsMatch(text, "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})\\z")
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add(path, "must be an RFC 3339 time with an offset, e.g. 2026-12-02T15:04:05Z");
        }
    }
}
