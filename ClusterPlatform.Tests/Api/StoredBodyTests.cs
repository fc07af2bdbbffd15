using System.Text.Json;
using ClusterPlatform.Api.Data;
using ClusterPlatform.Api.Endpoints;
using ClusterPlatform.Tests.Status;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// Resources are written from the stored rows, labels, spec and status copied through from jsonb: every body means the
/// same JSON the records serialized to before (the row mapped to <see cref="Cluster"/> or <see cref="NodePool"/>
/// and serialized with the response options), as compactly; and a conditional GET is answered from the
/// version alone, with the visibility of a full read.
/// </summary>
public sealed class StoredBodyTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly string organization = ApiCalls.Unique("org");

    [Fact]
    public async Task A_cluster_and_a_node_pool_with_reports_and_a_deletion_read_as_their_records_serialized()
    {
        var client = api.As("user", organization, "alice");
        var controllers = Status.Controllers.Clients(api);
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("body"), body => body["labels"] = new JsonObject { ["env"] = "prod", ["team"] = "a-1" });
        var pool = await client.CreateNodePoolAsync(cluster["id"].Text());
        var reporter = ControllerNames.All[0];
        await controllers[reporter].ReportAsync(cluster["href"].Text(),
            StatusCalls.Report(reporter, 1, "Available=True:all good", "Progressing=False").WithData(new JsonObject { ["zone"] = "b", ["n"] = 3 }));
        await controllers[reporter].ReportAsync(pool["href"].Text(), StatusCalls.Report(reporter, 1, "Available=False:waiting \"quoted\""));

        await AssertAsRecordsAsync(client, ResourceKind.Cluster, cluster["href"].Text(), ResourceMapper.ToCluster);
        await AssertAsRecordsAsync(client, ResourceKind.NodePool, pool["href"].Text(), ResourceMapper.ToNodePool);

        using var deleted = await client.DeleteAsync(cluster["href"].Text());
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        await AssertAsRecordsAsync(client, ResourceKind.Cluster, cluster["href"].Text(), ResourceMapper.ToCluster);
        await AssertAsRecordsAsync(client, ResourceKind.NodePool, pool["href"].Text(), ResourceMapper.ToNodePool);
    }

    [Fact]
    public async Task A_list_page_reads_as_its_records_serialized()
    {
        var client = api.As("user", organization, "alice");
        var created = new List<JsonObject>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(await client.CreateClusterAsync(ApiCalls.Unique("page")));
        }

        using var response = await client.GetAsync($"{ApiCalls.Clusters}?limit=2");
        var text = await response.Content.ReadAsStringAsync();
        var page = JsonNode.Parse(text)!.AsObject();
        var store = api.Services.GetRequiredService<ResourceStore>();
        var rows = new List<Cluster>();
        foreach (var item in page["items"]!.AsArray())
        {
            rows.Add(ResourceMapper.ToCluster((await store.FindAsync(ResourceKind.Cluster, Guid.Parse(item!["id"].Text()), null, Cancellation))!));
        }

        var before = JsonSerializer.SerializeToNode(new ResourceList<Cluster>("ClusterList", rows, page["continue"]?.GetValue<string>()), StoredJson.Options);
        Assert.True(JsonNode.DeepEquals(before, page), $"before: {before!.ToJsonString()}\nnow: {text}");
        AssertCompact(text);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task A_conditional_get_is_answered_from_the_version_and_sees_only_what_a_full_read_sees()
    {
        var client = api.As("user", organization, "alice");
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("cond"));
        var href = cluster["href"].Text();
        using var first = await client.GetAsync(href);
        var etag = first.Headers.ETag!;

        using (var weak = await GetAsync(client, href, $"\"0\", W/{etag.Tag}"))
        {
            Assert.Equal(HttpStatusCode.NotModified, weak.StatusCode);
            Assert.Equal(etag, weak.Headers.ETag);
            Assert.Empty(await weak.Content.ReadAsByteArrayAsync());
        }

        using (var patch = new HttpRequestMessage(HttpMethod.Patch, href) { Content = Bodies.Json(new JsonObject { ["labels"] = new JsonObject { ["v"] = "2" } }, "application/merge-patch+json") })
        using (var patched = await client.SendAsync(patch))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        using (var stale = await GetAsync(client, href, etag.Tag))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.NotEqual(etag, stale.Headers.ETag);
            Assert.Equal("2", (await stale.ReadObjectAsync())["labels"]!["v"].Text());
        }

        // Another organization's cluster is a 404 with or without If-None-Match, even with "*".
        var stranger = api.As("user", ApiCalls.Unique("other"), "mallory");
        using var hidden = await GetAsync(stranger, href, "*");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.False(hidden.Headers.Contains("ETag"));
        using var missing = await GetAsync(client, $"{ApiCalls.Clusters}/{Guid.NewGuid()}", "*");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>The response body now, against the stored row mapped to its record and serialized, as every response was before.</summary>
    private async Task AssertAsRecordsAsync<T>(HttpClient client, ResourceKind kind, string href, Func<ResourceRow, T> map)
    {
        using var response = await client.GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var now = JsonNode.Parse(text);
        var row = await api.Services.GetRequiredService<ResourceStore>().FindAsync(kind, Guid.Parse(now!["id"].Text()), null, Cancellation);
        var before = JsonSerializer.SerializeToNode(map(row!), StoredJson.Options);

        Assert.True(JsonNode.DeepEquals(before, now), $"before: {before!.ToJsonString()}\nnow: {text}");
        AssertCompact(text);
        Assert.Equal(row!.ETag, response.Headers.ETag?.Tag);
    }

    /// <summary>
    /// As compact as the serializer wrote it: no space after a name or between members. (Inside strings
    /// every quote is escaped, so these never match there.)
    /// </summary>
    private static void AssertCompact(string text)
    {
        Assert.DoesNotContain("\": ", text, StringComparison.Ordinal);
        Assert.DoesNotContain(", \"", text, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string href, string ifNoneMatch) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, href).WithHeader("If-None-Match", ifNoneMatch));
}
