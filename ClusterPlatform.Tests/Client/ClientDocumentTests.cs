namespace ClusterPlatform.Tests.Client;

/// <summary>
/// The checked-in client was generated from exactly the document the running Api serves: any change of
/// an endpoint or schema fails here until the client is regenerated.
/// </summary>
public sealed class ClientDocumentTests(ApiServer api) : IClassFixture<ApiServer>
{
    [Fact]
    public async Task Checked_in_document_equals_the_running_Apis()
    {
        var served = await api.Anonymous().GetObjectAsync("/openapi/v1.json");
        // At run time ASP.NET Core names the address the request came in on as `servers`; the build-time
        // document has none (the Api runs at many addresses) and the client takes its base URL from the
        // caller. Every other member must be equal.
        served.Remove("servers");
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(CheckedInDocument(), Cancellation))!;

        // Semantic: property order and whitespace do not matter, every value does.
        Assert.True(JsonNode.DeepEquals(served, checkedIn),
            "ClusterPlatform.Client/openapi.json differs from the Api's /openapi/v1.json: run .ci/generate-client and commit "
            + "ClusterPlatform.Client/openapi.json and ClusterPlatform.Client/Generated/. First difference: " + FirstDifference(served, checkedIn, "$"));
    }

    private static string CheckedInDocument()
    {
        // The test runs from ClusterPlatform.Tests/bin/<configuration>/<tfm>/: walk up to the checkout.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "ClusterPlatform.Client", "openapi.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("ClusterPlatform.Client/openapi.json not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The JSON path of the first difference, so the failure says where, not just that.</summary>
    private static string FirstDifference(JsonNode? served, JsonNode? checkedIn, string path)
    {
        switch (served, checkedIn)
        {
            case (JsonObject s, JsonObject c):
                foreach (var key in s.Select(p => p.Key).Union(c.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    if (!s.ContainsKey(key) || !c.ContainsKey(key))
                    {
                        return $"{path}.{key} is {(s.ContainsKey(key) ? "only served" : "only checked in")}";
                    }

                    if (!JsonNode.DeepEquals(s[key], c[key]))
                    {
                        return FirstDifference(s[key], c[key], $"{path}.{key}");
                    }
                }

                return path;
            case (JsonArray s, JsonArray c) when s.Count == c.Count:
                for (var i = 0; i < s.Count; i++)
                {
                    if (!JsonNode.DeepEquals(s[i], c[i]))
                    {
                        return FirstDifference(s[i], c[i], $"{path}[{i}]");
                    }
                }

                return path;
            default:
                return $"{path}: served {served?.ToJsonString() ?? "null"}, checked in {checkedIn?.ToJsonString() ?? "null"}";
        }
    }
}
