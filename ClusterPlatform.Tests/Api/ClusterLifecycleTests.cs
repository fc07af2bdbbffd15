using System.Net.Http.Headers;

namespace ClusterPlatform.Tests.Api;

/// <summary>Create, read, replace, merge-patch and delete of clusters, with ETags, idempotency and the 409 rules.</summary>
public sealed class ClusterLifecycleTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"), "alice");

    [Fact]
    public async Task Post_returns_201_with_location_etag_and_the_stored_resource()
    {
        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster("prod-east")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var cluster = await response.ReadObjectAsync();
        var id = cluster["id"].Text();
        Assert.Equal(7, Guid.Parse(id).Version); // UUIDv7
        Assert.Equal($"/api/v1/clusters/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal($"/api/v1/clusters/{id}", cluster["href"].Text());
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("Cluster", cluster["kind"].Text());
        Assert.Equal(1, (long)cluster["generation"]!);
        Assert.Equal("alice", cluster["createdBy"].Text());
        Assert.Null(cluster["deletionTimestamp"]);
        Assert.Equal("Pending", cluster["status"]!["phase"].Text());
        Assert.EndsWith("Z", cluster["createdAt"].Text());

        var read = await client.GetObjectAsync(cluster["href"].Text());
        Assert.Equal(cluster.ToJsonString(), read.ToJsonString());
    }

    [Fact]
    public async Task Name_clash_returns_409_and_name_is_reusable_after_delete()
    {
        var first = await client.CreateClusterAsync("reused-name");

        using (var clash = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster("reused-name"))))
        {
            Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
            Assert.Equal("name-conflict", (await clash.ReadObjectAsync())["code"].Text());
        }

        using (var delete = await client.DeleteAsync(first["href"].Text()))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        var second = await client.CreateClusterAsync("reused-name");
        Assert.NotEqual(first["id"].Text(), second["id"].Text());
    }

    [Fact]
    public async Task Same_name_in_another_organization_is_allowed()
    {
        await client.CreateClusterAsync("shared-name");
        await api.As("user", ApiCalls.Unique("other")).CreateClusterAsync("shared-name");
    }

    [Fact]
    public async Task Get_with_current_etag_returns_304_and_with_stale_etag_returns_200()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("etag"));
        using var first = await client.GetAsync(cluster["href"].Text());
        var etag = first.Headers.ETag!;

        using var notModified = await Send(HttpMethod.Get, cluster["href"].Text(), null, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);

        using var modified = await Send(HttpMethod.Get, cluster["href"].Text(), null, r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"999\"")));
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
    }

    [Fact]
    public async Task Put_with_stale_etag_returns_412_and_changes_nothing()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("stale"));
        var href = cluster["href"].Text();
        using var firstPut = await client.PutAsync(href, Bodies.Json(Update(cluster, "spec.release.channelGroup", "fast")));
        Assert.Equal(HttpStatusCode.OK, firstPut.StatusCode);

        using var stale = await Send(HttpMethod.Put, href, Update(cluster, "spec.release.channelGroup", "candidate"),
            r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\"")));

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("precondition-failed", (await stale.ReadObjectAsync())["code"].Text());
        Assert.Equal("fast", (await client.GetObjectAsync(href))["spec"]!["release"]!["channelGroup"].Text());
    }

    [Fact]
    public async Task Put_with_current_etag_succeeds_and_returns_a_new_etag()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("current"));
        var href = cluster["href"].Text();
        using var get = await client.GetAsync(href);

        using var put = await Send(HttpMethod.Put, href, Update(cluster, "labels", new JsonObject { ["env"] = "dev" }),
            r => r.Headers.IfMatch.Add(get.Headers.ETag!));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.NotEqual(get.Headers.ETag, put.Headers.ETag);
    }

    [Fact]
    public async Task Put_raises_generation_only_when_spec_changes()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("gen"));
        var href = cluster["href"].Text();

        using var labelsOnly = await client.PutAsync(href, Bodies.Json(Update(cluster, "labels", new JsonObject { ["env"] = "qa" })));
        var afterLabels = await labelsOnly.ReadObjectAsync();
        Assert.Equal(1, (long)afterLabels["generation"]!);
        Assert.Equal("qa", afterLabels["labels"]!["env"].Text());

        using var specChange = await client.PutAsync(href, Bodies.Json(Update(afterLabels, "spec.release.channelGroup", "fast")));
        var afterSpec = await specChange.ReadObjectAsync();
        Assert.Equal(2, (long)afterSpec["generation"]!);

        // Replacing with the same document is a no-op: same generation and ETag.
        using var same = await client.PutAsync(href, Bodies.Json(Update(afterSpec, "labels", afterSpec["labels"]!.DeepClone())));
        Assert.Equal(2, (long)(await same.ReadObjectAsync())["generation"]!);
        Assert.Equal(specChange.Headers.ETag, same.Headers.ETag);
    }

    [Fact]
    public async Task Put_is_a_full_replace_and_name_is_immutable()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("replace"));
        var href = cluster["href"].Text();

        var withoutLabels = Update(cluster, "labels", null);
        using var replaced = await client.PutAsync(href, Bodies.Json(withoutLabels));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Empty((await replaced.ReadObjectAsync())["labels"]!.AsObject());

        var renamed = Update(cluster, "name", "renamed");
        using var rename = await client.PutAsync(href, Bodies.Json(renamed));
        Assert.Equal(HttpStatusCode.BadRequest, rename.StatusCode);
        Assert.Contains("$.name", await rename.ErrorPathsAsync());

        var sameName = Update(cluster, "name", cluster["name"]!.DeepClone());
        using var keep = await client.PutAsync(href, Bodies.Json(sameName));
        Assert.Equal(HttpStatusCode.OK, keep.StatusCode);
    }

    [Fact]
    public async Task Merge_patch_changes_only_what_it_names_and_null_removes()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("patch"), b => b["labels"] = new JsonObject { ["env"] = "prod", ["team"] = "a" });
        var href = cluster["href"].Text();
        var patch = new JsonObject
        {
            ["labels"] = new JsonObject { ["team"] = null, ["tier"] = "gold" },
            ["spec"] = new JsonObject { ["release"] = new JsonObject { ["channelGroup"] = "candidate" } },
        };

        using var response = await client.PatchAsync(href, Bodies.Json(patch, "application/merge-patch+json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = await response.ReadObjectAsync();
        Assert.Equal("""{"env":"prod","tier":"gold"}""", patched["labels"]!.ToJsonString());
        Assert.Equal("candidate", patched["spec"]!["release"]!["channelGroup"].Text());
        Assert.Equal("4.22.3", patched["spec"]!["release"]!["version"].Text());
        Assert.Equal("us-central1", patched["spec"]!["gcp"]!["region"].Text());
        Assert.Equal(2, (long)patched["generation"]!);
    }

    [Fact]
    public async Task Merge_patch_result_is_validated_and_status_is_rejected()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("patchbad"));
        var href = cluster["href"].Text();

        using var invalid = await client.PatchAsync(href, Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["gcp"] = new JsonObject { ["region"] = "moon" } } }, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("$.spec.gcp.region", await invalid.ErrorPathsAsync());

        using var status = await client.PatchAsync(href, Bodies.Json(new JsonObject { ["status"] = new JsonObject { ["phase"] = "Ready" } }, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.BadRequest, status.StatusCode);
        Assert.Contains("$.status", await status.ErrorPathsAsync());

        using var removeRequired = await client.PatchAsync(href, Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["dns"] = null } }, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.BadRequest, removeRequired.StatusCode);

        Assert.Equal(1, (long)(await client.GetObjectAsync(href))["generation"]!);
    }

    [Fact]
    public async Task Patch_requires_the_merge_patch_media_type()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("mt"));

        using var response = await client.PatchAsync(cluster["href"].Text(), Bodies.Json(new JsonObject { ["labels"] = new JsonObject() }));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Put_and_post_with_status_in_body_are_rejected()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("st"));

        using var put = await client.PutAsync(cluster["href"].Text(), Bodies.Json(Update(cluster, "status", new JsonObject { ["phase"] = "Ready" })));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("$.status", await put.ErrorPathsAsync());
    }

    [Fact]
    public async Task Delete_is_soft_repeatable_and_blocks_updates_with_409()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("del"));
        var href = cluster["href"].Text();

        using var delete = await client.DeleteAsync(href);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        var deleted = await delete.ReadObjectAsync();
        Assert.NotNull(deleted["deletionTimestamp"]);
        Assert.Equal(2, (long)deleted["generation"]!);
        Assert.Equal("Deleting", deleted["status"]!["phase"].Text());

        using var again = await client.DeleteAsync(href);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(2, (long)(await again.ReadObjectAsync())["generation"]!);

        var read = await client.GetObjectAsync(href);
        Assert.Equal("Deleting", read["status"]!["phase"].Text());

        using var put = await client.PutAsync(href, Bodies.Json(Update(cluster, "labels", new JsonObject())));
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal("resource-deleting", (await put.ReadObjectAsync())["code"].Text());

        using var patch = await client.PatchAsync(href, Bodies.Json(new JsonObject { ["labels"] = new JsonObject() }, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.Conflict, patch.StatusCode);
    }

    [Fact]
    public async Task Delete_with_stale_etag_returns_412()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("delstale"));

        using var response = await Send(HttpMethod.Delete, cluster["href"].Text(), null, r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"42\"")));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Null((await client.GetObjectAsync(cluster["href"].Text()))["deletionTimestamp"]);
    }

    [Fact]
    public async Task Unknown_cluster_returns_404_problem()
    {
        using var response = await client.GetAsync($"{ApiCalls.Clusters}/{Guid.CreateVersion7()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("not-found", (await response.ReadObjectAsync())["code"].Text());
    }

    [Fact]
    public async Task Idempotent_post_returns_the_first_response_and_creates_once()
    {
        var name = ApiCalls.Unique("idem");
        var key = Guid.NewGuid().ToString();

        using var first = await Send(HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster(name), r => r.Headers.Add("Idempotency-Key", key));
        using var second = await Send(HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster(name), r => r.Headers.Add("Idempotency-Key", key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal((await first.ReadObjectAsync()).ToJsonString(), (await second.ReadObjectAsync()).ToJsonString());
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM clusters WHERE name = @name", ("name", name)));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM outbox o JOIN clusters c ON c.id = o.cluster_id WHERE c.name = @name AND o.type = 'cluster.created'", ("name", name)));
    }

    [Fact]
    public async Task Idempotency_key_reused_with_another_body_returns_422()
    {
        var key = Guid.NewGuid().ToString();
        using var first = await Send(HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster(ApiCalls.Unique("k1")), r => r.Headers.Add("Idempotency-Key", key));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var second = await Send(HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster(ApiCalls.Unique("k2")), r => r.Headers.Add("Idempotency-Key", key));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal("idempotency-key-reused", (await second.ReadObjectAsync())["code"].Text());
    }

    [Fact]
    public async Task Idempotency_key_is_scoped_to_the_caller()
    {
        var key = Guid.NewGuid().ToString();
        using var mine = await Send(HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("scoped"), r => r.Headers.Add("Idempotency-Key", key));
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.Clusters) { Content = Bodies.Json(Bodies.Cluster("scoped")) };
        request.Headers.Add("Idempotency-Key", key);
        using var theirs = await api.As("user", ApiCalls.Unique("other")).SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.NotEqual(mine.Headers.Location, theirs.Headers.Location);
    }

    [Fact]
    public async Task Concurrent_identical_idempotent_posts_create_one_cluster()
    {
        var name = ApiCalls.Unique("race");
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Send(HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster(name), r => r.Headers.Add("Idempotency-Key", key))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location).Distinct());
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM clusters WHERE name = @name", ("name", name)));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static JsonObject Update(JsonObject cluster, string path, JsonNode? value) =>
        new JsonObject { ["labels"] = cluster["labels"]!.DeepClone(), ["spec"] = cluster["spec"]!.DeepClone() }.With(path, value);

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, JsonObject? body, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Bodies.Json(body) };
        configure(request);
        return await client.SendAsync(request);
    }
}
