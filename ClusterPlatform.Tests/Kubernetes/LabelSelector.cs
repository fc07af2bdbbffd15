namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>
/// The equality-based label selector syntax of list requests (k8s.io/apimachinery/pkg/labels/selector.go):
/// comma-separated requirements "k=v", "k==v", "k!=v", "k" (exists) and "!k" (absent).
/// </summary>
internal static class LabelSelector
{
    public static bool Matches(string? selector, JsonObject? labels)
    {
        foreach (var requirement in (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string? Label(string key) => labels?[key.Trim()] is { } v ? (string?)v : null;
            var satisfied = requirement switch
            {
                _ when requirement.Contains("!=", StringComparison.Ordinal) => Label(requirement.Split("!=")[0]) != requirement.Split("!=")[1].Trim(),
                _ when requirement.Contains("==", StringComparison.Ordinal) => Label(requirement.Split("==")[0]) == requirement.Split("==")[1].Trim(),
                _ when requirement.Contains('=', StringComparison.Ordinal) => Label(requirement.Split('=')[0]) == requirement.Split('=')[1].Trim(),
                _ when requirement.StartsWith('!') => Label(requirement[1..]) is null,
                _ => Label(requirement) is not null,
            };
            if (!satisfied)
            {
                return false;
            }
        }

        return true;
    }
}
