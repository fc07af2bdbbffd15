using System.Security.Cryptography;
using System.Text;
using ClusterPlatform.Api.Data;
using ClusterPlatform.Api.Identity;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// What a repeated create with an Idempotency-Key answers: the first response, not the resource as it is
/// now, also for keys whose first response was stored as a rendered body.
/// </summary>
public sealed class IdempotencyReplayTests : IClassFixture<ApiServer>
{
    private const string Subject = "alice";
    private readonly ApiServer api;
    private readonly string organization = ApiCalls.Unique("org");
    private readonly HttpClient client;

    public IdempotencyReplayTests(ApiServer api)
    {
        this.api = api;
        client = api.As("user", organization, Subject);
    }

    [Fact]
    public async Task A_repeat_returns_the_first_response_after_the_resource_has_changed()
    {
        var key = Guid.NewGuid().ToString();
        var body = Bodies.Cluster(ApiCalls.Unique("idem"));
        using var first = await PostAsync(ApiCalls.Clusters, body, key);
        var created = await first.ReadObjectAsync();
        using var patch = await client.PatchAsync(created["href"].Text(),
            Bodies.Json(new JsonObject { ["labels"] = new JsonObject { ["team"] = "changed" } }, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        using var repeat = await PostAsync(ApiCalls.Clusters, body, key);

        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.NotEqual(first.Headers.ETag, patch.Headers.ETag);
        Assert.Equal(first.Headers.ETag, repeat.Headers.ETag);
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Equal(created.ToJsonString(), (await repeat.ReadObjectAsync()).ToJsonString());
    }

    [Fact]
    public async Task A_cluster_key_stored_with_a_rendered_body_still_replays_it()
    {
        var body = Bodies.Cluster(ApiCalls.Unique("first"));
        using var first = await PostAsync(ApiCalls.Clusters, body, key: null);

        await AssertReplaysRenderedBodyAsync(ResourceKind.Cluster, ApiCalls.Clusters, first, Bodies.Cluster(ApiCalls.Unique("repeat")));
    }

    [Fact]
    public async Task A_node_pool_key_stored_with_a_rendered_body_still_replays_it()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("parent"));
        using var first = await PostAsync(ApiCalls.NodePools, Bodies.NodePool(cluster["id"].Text(), "first"), key: null);

        await AssertReplaysRenderedBodyAsync(ResourceKind.NodePool, ApiCalls.NodePools, first, Bodies.NodePool(cluster["id"].Text(), "repeat"));
    }

    /// <summary>
    /// Stores <paramref name="first"/>'s body as keys were kept before they held the created row, bound to
    /// <paramref name="repeat"/>, and checks that posting <paramref name="repeat"/> answers it and creates nothing.
    /// </summary>
    private async Task AssertReplaysRenderedBodyAsync(ResourceKind kind, string collection, HttpResponseMessage first, JsonObject repeat)
    {
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var rendered = await first.Content.ReadAsStringAsync();
        var key = Guid.NewGuid().ToString();
        var scope = IdempotencyKey.ScopeOf(kind, new Caller(Subject, organization, new HashSet<string>()));
        await api.ScalarAsync<int>("""
            INSERT INTO idempotency_keys (scope, key, request_hash, created_at, response_status, response_etag, response_body)
            VALUES (@scope, @key, @hash, now(), 201, @etag, @body) RETURNING 1
            """,
            ("scope", scope), ("key", key), ("hash", SHA256.HashData(Encoding.UTF8.GetBytes(repeat.ToJsonString()))),
            ("etag", first.Headers.ETag!.Tag), ("body", rendered));

        using var replay = await PostAsync(collection, repeat, key);

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(first.Headers.ETag, replay.Headers.ETag);
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal(JsonNode.Parse(rendered)!.ToJsonString(), (await replay.ReadObjectAsync()).ToJsonString());
        Assert.Equal(0L, await api.ScalarAsync<long>($"SELECT count(*) FROM {kind.Table} WHERE name = @name", ("name", repeat["name"].Text())));
    }

    private async Task<HttpResponseMessage> PostAsync(string collection, JsonObject body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, collection) { Content = Bodies.Json(body) };
        if (key is not null)
        {
            request.Headers.Add(IdempotencyKey.Header, key);
        }

        return await client.SendAsync(request);
    }
}
