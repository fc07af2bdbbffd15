namespace ClusterPlatform.Api.Validation;

/// <summary>
/// The operator client's <c>data.apiUrl</c> and <c>data.consoleUrl</c>, which the aggregation copies into a
/// cluster's <c>status.apiUrl</c> and <c>status.consoleUrl</c> (Data/Functions/06_aggregate_status.sql): each
/// absent, null, or an absolute https URL of at most <see cref="MaxLength"/> characters, so that no read of the
/// cluster ever hands its owner something that is not a place to connect to.
/// </summary>
internal static class ClusterUrlReports
{
    /// <summary>The longest URL kept: a scheme, a DNS name (at most 253 characters), a port and room to spare.</summary>
    public const int MaxLength = 2048;

    public static readonly IReadOnlyList<string> Fields = ["apiUrl", "consoleUrl"];

    public static void Check(System.Text.Json.JsonElement data, ValidationErrors errors)
    {
        foreach (var field in Fields)
        {
            if (data.TryGetProperty(field, out var value) && value.ValueKind != System.Text.Json.JsonValueKind.Null && !IsHttpsUrl(value))
            {
                errors.Add($"$.data.{field}", $"must be null or an absolute https URL of at most {MaxLength} characters");
            }
        }
    }

    private static bool IsHttpsUrl(System.Text.Json.JsonElement value) =>
        value.ValueKind == System.Text.Json.JsonValueKind.String && value.GetString() is { } text && IsHttpsUrl(text);

    /// <summary>The same rule for a URL given as text (a credential report's <c>apiUrl</c>).</summary>
    public static bool IsHttpsUrl(string text) =>
        text.Length is > 0 and <= MaxLength
        && Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0
        && string.IsNullOrEmpty(uri.UserInfo) && text.StartsWith("https://", StringComparison.Ordinal);
}
