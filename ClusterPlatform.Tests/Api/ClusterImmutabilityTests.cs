namespace ClusterPlatform.Tests.Api;

/// <summary>
/// The spec fields HyperShift's HostedCluster CRD makes immutable (project, region, the three
/// networks, the base domain) cannot change after create: accepting a change would only get the
/// next apply refused and the cluster stuck Degraded. Labels and the release stay changeable.
/// </summary>
public sealed class ClusterImmutabilityTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));

    public static TheoryData<string, string> Fields => new()
    {
        { "spec.gcp.projectId", "other-project-1" },
        { "spec.gcp.region", "europe-west4" },
        { "spec.networking.machineCidr", "10.1.0.0/16" },
        { "spec.networking.podCidr", "10.132.0.0/14" },
        { "spec.networking.serviceCidr", "172.31.0.0/16" },
        { "spec.dns.baseDomain", "other.example.com" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task A_put_or_merge_patch_that_changes_it_is_refused_and_changes_nothing(string field, string value)
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("fixed"));
        var href = cluster["href"].Text();

        using var put = await client.PutAsync(href, Bodies.Json(Replacement(cluster).With(field, value)));
        await AssertImmutableAsync(put, field);
        var patchBody = new JsonObject();
        Nested(patchBody, field, value);
        using var patch = await client.PatchAsync(href, Bodies.Json(patchBody, "application/merge-patch+json"));
        await AssertImmutableAsync(patch, field);

        var stored = await client.GetObjectAsync(href);
        Assert.Equal(1L, (long)stored["generation"]!);
        Assert.Equal(cluster["spec"]!.ToJsonString(), stored["spec"]!.ToJsonString());
    }

    [Fact]
    public async Task Networking_left_out_of_a_put_keeps_the_networks_and_the_release_still_changes()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("kept"), b => b.With("spec.networking.machineCidr", "10.2.0.0/16"));

        var body = Replacement(cluster).With("spec.release.channelGroup", "fast");
        ((JsonObject)body["spec"]!).Remove("networking");
        using var put = await client.PutAsync(cluster["href"].Text(), Bodies.Json(body));
        var updated = await put.ReadObjectAsync();

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("10.2.0.0/16", updated["spec"]!["networking"]!["machineCidr"].Text());
        Assert.Equal("fast", updated["spec"]!["release"]!["channelGroup"].Text());
        Assert.Equal(2L, (long)updated["generation"]!);
    }

    private static JsonObject Replacement(JsonObject cluster) => new()
    {
        ["labels"] = cluster["labels"]!.DeepClone(),
        ["spec"] = cluster["spec"]!.DeepClone(),
    };

    private static void Nested(JsonObject root, string path, string value)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = (JsonObject)(node[part] ??= new JsonObject());
        }

        node[parts[^1]] = value;
    }

    private static async Task AssertImmutableAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}: {(int)response.StatusCode} {body}");
        Assert.Contains("is immutable", JsonNode.Parse(body)!["errors"]![$"$.{field}"]!.AsArray().Select(m => m.Text()));
    }
}
