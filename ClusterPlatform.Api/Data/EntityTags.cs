namespace ClusterPlatform.Api.Data;

/// <summary>If-Match / If-None-Match evaluation (RFC 9110 §13.1) against a resource's strong ETag.</summary>
internal static class EntityTags
{
    /// <summary>True when the header is absent, <c>*</c>, or lists <paramref name="etag"/>.</summary>
    public static bool Matches(string? header, string etag)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }

        foreach (var candidate in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate == "*" || candidate == etag)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>If-None-Match for GET: weak comparison, so <c>W/"3"</c> also matches <c>"3"</c>.</summary>
    public static bool NoneMatchHits(string? header, string etag) =>
        !string.IsNullOrWhiteSpace(header)
        && header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(c => c == "*" || c == etag || c == "W/" + etag);
}
