namespace ClusterPlatform.Tests.Api;

/// <summary>Each cluster validation rule of docs/api.md, with valid and invalid cases, through real HTTP.</summary>
public sealed class ClusterValidationTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));

    public static TheoryData<string, string?> InvalidFields => new()
    {
        // path to set, JSON value (null removes the field); the error is expected at $.path
        { "name", "\"ab\"" },
        { "name", "\"a234567890123456789012345678901234567890x\"" },
        { "name", "\"Prod\"" },
        { "name", "\"prod-\"" },
        { "name", "\"1prod\"" },
        { "name", "\"prod-east\\n\"" }, // a trailing newline must not slip past the pattern
        { "name", null },
        { "spec.gcp.projectId", "\"Acme\"" },
        { "spec.gcp.projectId", "\"acme\"" },
        { "spec.gcp.projectId", "\"acme-prod-123-\"" },
        { "spec.gcp.region", "\"mars-north1\"" },
        { "spec.gcp.region", null },
        { "spec.gcp.network", "\"Bad_Net\"" },
        { "spec.gcp.infraId", "\"Acme\"" },
        { "spec.gcp.infraId", "\"1abc\"" },
        { "spec.gcp.infraId", "\"a\"" },
        { "spec.gcp.infraId", "\"abcdefghijklmn\"" }, // 14: "<id>-cloud-controller" would pass 30
        { "spec.gcp.infraId", "\"abc-\"" },
        { "spec.gcp.infraId", "\"gcp-prod\"" },
        { "spec.gcp.infraId", "\"ab--cd\"" },
        { "spec.gcp.infraId", "\"\"" },
        { "spec.gcp.infraId", "5" },
        { "spec.gcp.infraId", "\"abc\\n\"" },
        { "spec.gcp.subnet", "\"Bad_Subnet\"" },
        { "spec.gcp.subnet", "\"nodes-\"" },
        { "spec.gcp.subnet", "\"a234567890123456789012345678901234567890123456789012345678901234\"" }, // 64
        { "spec.release.version", "\"4.22\"" },
        { "spec.release.version", "\"4.99.1\"" },
        { "spec.release.version", "\"v4.22.3\"" },
        { "spec.release.version", "\"4.22.3\\n\"" },
        { "spec.networking.machineCidr", "\"10.0.0.0/7\"" },
        { "spec.networking.machineCidr", "\"10.0.0.0/25\"" },
        { "spec.networking.machineCidr", "\"10.0.0.1/16\"" },
        { "spec.networking.machineCidr", "\"300.0.0.0/16\"" },
        { "spec.networking.machineCidr", "\"fd00::/64\"" },
        { "spec.networking.podCidr", "\"10.128.0.0/21\"" },
        { "spec.networking.serviceCidr", "\"172.30.0.0/24\"" },
        { "spec.dns.baseDomain", "\"Not A Domain\"" },
        { "spec.dns", null },
        { "spec.gcp.extra", "1" },
        { "status", "{}" },
        { "generation", "2" },
        { "id", "\"01a2161a-26e9-797d-a49a-b9414da18a75\"" },
        { "createdAt", "\"2026-01-01T00:00:00Z\"" },
        { "deletionTimestamp", "null" },
        { "unknown", "true" },
        { "spec.replicas", "3" },
        { "labels", "[]" },
        { "labels.env", "5" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Post_with_invalid_field_returns_400_naming_its_path(string path, string? json)
    {
        var body = Bodies.Cluster(ApiCalls.Unique("c")).With(path, json is null ? null : JsonNode.Parse(json) ?? JsonValue.Create((string?)null));
        if (path == "deletionTimestamp")
        {
            body["deletionTimestamp"] = null; // present, even as null, is still a server-owned field
        }

        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadObjectAsync();
        Assert.Equal("validation-failed", problem["code"].Text());
        Assert.Contains($"$.{path}", problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.False(string.IsNullOrEmpty(problem["traceId"].Text()));
    }

    public static TheoryData<string, string?> ValidFields => new()
    {
        { "name", "\"abc\"" },
        { "name", "\"a23456789012345678901234567890123456789\"" }, // 40 characters
        { "name", "\"p-1\"" },
        { "spec.gcp.projectId", "\"a23456\"" },
        { "spec.gcp.network", null }, // defaults to "<infraId>-network"
        { "spec.gcp.infraId", "\"ab\"" },
        { "spec.gcp.infraId", "\"abcdefghijklm\"" }, // 13
        { "spec.gcp.infraId", "\"gcpx-1\"" },
        { "spec.gcp.subnet", "\"a\"" },
        { "spec.gcp.subnet", "\"nodes-1\"" },
        { "spec.networking", null }, // OpenShift defaults
        { "spec.networking.machineCidr", "\"192.168.0.0/24\"" },
        { "spec.networking.podCidr", "\"100.64.0.0/20\"" },
        { "spec.release.version", "\"4.23.0\"" },
        { "labels", null },
        { "labels", "{\"example.com/team\":\"a.b_c-d\",\"empty\":\"\"}" },
    };

    [Theory]
    [MemberData(nameof(ValidFields))]
    public async Task Post_with_valid_variant_is_created(string path, string? json)
    {
        var body = Bodies.Cluster(ApiCalls.Unique("c")).With(path, json is null ? null : JsonNode.Parse(json));
        if (path == "name")
        {
            // Names must be unique per organization; this client's organization is private to the test class.
            body["name"] = JsonNode.Parse(json!)!.GetValue<string>();
        }

        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Every_violation_is_reported_in_one_response()
    {
        var body = Bodies.Cluster("X")
            .With("spec.gcp.region", "nowhere")
            .With("spec.release.version", "1")
            .With("status", new JsonObject());

        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var paths = await response.ErrorPathsAsync();
        Assert.Equal(["$.name", "$.spec.gcp.region", "$.spec.release.version", "$.status"], paths.Order());
    }

    [Fact]
    public async Task Overlapping_cidrs_are_rejected()
    {
        var body = Bodies.Cluster(ApiCalls.Unique("c")).With("spec.networking.serviceCidr", "10.0.128.0/20");

        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.spec.networking.serviceCidr", await response.ErrorPathsAsync());
    }

    [Fact]
    public async Task More_than_64_labels_are_rejected_and_64_are_accepted()
    {
        var labels = new JsonObject();
        for (var i = 0; i < 64; i++)
        {
            labels[$"k{i}"] = "v";
        }

        using (var ok = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("c")).With("labels", labels.DeepClone()))))
        {
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        labels["k64"] = "v";
        using var tooMany = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("c")).With("labels", labels)));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("$.labels", await tooMany.ErrorPathsAsync());
    }

    [Theory]
    [InlineData("bad key", "v")]
    [InlineData("-starts-with-dash", "v")]
    [InlineData("UPPER.example.com/x", "v")]
    [InlineData("k", "value with spaces")]
    [InlineData("k", "a234567890123456789012345678901234567890123456789012345678901234")] // 64 characters
    public async Task Invalid_label_keys_and_values_are_rejected(string key, string value)
    {
        var body = Bodies.Cluster(ApiCalls.Unique("c")).With("labels", new JsonObject { [key] = value });

        using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"$.labels.{key}", await response.ErrorPathsAsync());
    }

    [Fact]
    public async Task Malformed_json_returns_400_problem()
    {
        using var response = await client.PostAsync(ApiCalls.Clusters, new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("malformed-json", (await response.ReadObjectAsync())["code"].Text());
    }
}
