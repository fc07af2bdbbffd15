using System.Text;

namespace ClusterPlatform.Tests.Api;

/// <summary>The transport rules of docs/api.md: 413 over 64 KiB, 415 for a wrong content type, problem details everywhere.</summary>
public sealed class HttpRulesTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));

    [Fact]
    public async Task Body_over_64_KiB_returns_413_and_writes_nothing()
    {
        var name = ApiCalls.Unique("big");
        var body = Bodies.Cluster(name).With("labels", new JsonObject { ["pad"] = new string('a', 64 * 1024) });
        var eventsBefore = await api.ScalarAsync<long>("SELECT count(*) FROM outbox");

        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("payload-too-large", (await response.ReadObjectAsync())["code"].Text());
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM clusters WHERE name = @name", ("name", name)));
        Assert.Equal(eventsBefore, await api.ScalarAsync<long>("SELECT count(*) FROM outbox"));
    }

    [Fact]
    public async Task Chunked_body_over_64_KiB_without_content_length_returns_413()
    {
        var json = Bodies.Cluster(ApiCalls.Unique("chunk")).With("labels", new JsonObject { ["pad"] = new string('a', 70 * 1024) }).ToJsonString();
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.Clusters) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Body_just_under_64_KiB_is_read()
    {
        // Large but valid JSON that fails validation on its label value, proving the body was read and parsed.
        var body = Bodies.Cluster(ApiCalls.Unique("under")).With("labels", new JsonObject { ["pad"] = new string('a', 60 * 1024) });

        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.labels.pad", await response.ErrorPathsAsync());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/merge-patch+json")]
    public async Task Post_with_wrong_content_type_returns_415(string mediaType)
    {
        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("ct")), mediaType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported-media-type", (await response.ReadObjectAsync())["code"].Text());
    }

    [Fact]
    public async Task Post_with_charset_parameter_is_accepted()
    {
        using var content = new StringContent(Bodies.Cluster(ApiCalls.Unique("cs")).ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

        using var response = await client.PostAsync(ApiCalls.Clusters, content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Errors_are_problem_details_with_code_and_trace_id()
    {
        using var response = await client.GetAsync($"{ApiCalls.Clusters}/{Guid.CreateVersion7()}");

        var problem = await response.ReadObjectAsync();
        foreach (var field in new[] { "type", "title", "status", "detail", "code", "traceId" })
        {
            Assert.NotNull(problem[field]);
        }

        Assert.Equal(404, (int)problem["status"]!);
    }

    [Fact]
    public async Task Invalid_idempotency_key_returns_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.Clusters) { Content = Bodies.Json(Bodies.Cluster(ApiCalls.Unique("ik"))) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 256));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid-idempotency-key", (await response.ReadObjectAsync())["code"].Text());
    }
}
