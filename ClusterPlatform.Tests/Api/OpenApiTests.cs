namespace ClusterPlatform.Tests.Api;

/// <summary>The OpenAPI document describes docs/api.md's endpoints, their bodies and their problem responses.</summary>
public sealed class OpenApiTests(ApiServer api) : IClassFixture<ApiServer>
{
    [Fact]
    public async Task Document_lists_every_cluster_and_node_pool_operation()
    {
        var document = await api.Anonymous().GetObjectAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject();

        Assert.Equal(["get", "post"], Operations(paths, "/api/v1/clusters"));
        Assert.Equal(["delete", "get", "patch", "put"], Operations(paths, "/api/v1/clusters/{id}"));
        Assert.Equal(["get"], Operations(paths, "/api/v1/clusters/{id}/nodepools"));
        Assert.NotNull(paths["/api/v1/clusters/{id}/jwks"]!["get"]!["responses"]!["200"]!["content"]!["application/jwk-set+json"]);
        Assert.Equal(["get", "post"], Operations(paths, "/api/v1/nodepools"));
        Assert.Equal(["delete", "get", "patch", "put"], Operations(paths, "/api/v1/nodepools/{id}"));
    }

    [Fact]
    public async Task Operations_declare_bodies_results_and_problem_responses()
    {
        var document = await api.Anonymous().GetObjectAsync("/openapi/v1.json");
        var post = document["paths"]!["/api/v1/clusters"]!["post"]!;
        var patch = document["paths"]!["/api/v1/clusters/{id}"]!["patch"]!;

        Assert.NotNull(post["requestBody"]!["content"]!["application/json"]);
        Assert.NotNull(patch["requestBody"]!["content"]!["application/merge-patch+json"]);
        var responses = post["responses"]!.AsObject().Select(r => r.Key).ToList();
        foreach (var status in new[] { "201", "400", "401", "403", "409", "413", "415", "422" })
        {
            Assert.Contains(status, responses);
        }

        Assert.NotNull(post["responses"]!["400"]!["content"]!["application/problem+json"]);
        Assert.NotNull(document["components"]!["securitySchemes"]!["Bearer"]);
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.Contains("Cluster", schemas.Select(s => s.Key));
        Assert.Contains("NodePool", schemas.Select(s => s.Key));
    }

    [Fact]
    public async Task The_gcp_spec_documents_infra_id_network_and_subnet()
    {
        var document = await api.Anonymous().GetObjectAsync("/openapi/v1.json");
        var gcp = document["components"]!["schemas"]!["GcpSpec"]!;

        foreach (var field in new[] { "infraId", "network", "subnet" })
        {
            var description = gcp["properties"]![field]!["description"].Text();
            Assert.Contains("Immutable", description, StringComparison.Ordinal);
        }

        Assert.Contains("hypershift create iam gcp", gcp["properties"]!["infraId"]!["description"].Text(), StringComparison.Ordinal);
        // A create may leave them out (requests and responses share the schema; responses always carry them).
        Assert.Equal(["projectId", "region"], gcp["required"]!.AsArray().Select(r => r.Text()).Order());
        Assert.DoesNotContain("networking", document["components"]!["schemas"]!["ClusterSpec"]!["required"]!.AsArray().Select(r => r.Text()));
    }

    [Fact]
    public async Task Integers_are_integers_report_data_is_an_object_or_null_and_a_patch_body_requires_nothing()
    {
        var document = await api.Anonymous().GetObjectAsync("/openapi/v1.json");
        var text = document.ToJsonString();
        var schemas = document["components"]!["schemas"]!;

        // The generator's ["integer", "string"] came from reading numbers from strings, which the Api never does.
        Assert.DoesNotContain("\"string\",\"integer\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"integer\",\"string\"", text, StringComparison.Ordinal);
        Assert.Null(schemas["JsonElement"]);
        foreach (var owner in new[] { "ControllerStatus", "StatusReportRequest" })
        {
            Assert.Equal(["null", "object"], schemas[owner]!["properties"]!["data"]!["type"]!.AsArray().Select(t => t.Text()).Order());
        }

        var patch = document["paths"]!["/api/v1/nodepools/{id}"]!["patch"]!["requestBody"]!["content"]!["application/merge-patch+json"]!["schema"]!["$ref"].Text();
        var patchSchema = schemas[patch.Split('/')[^1]]!;
        Assert.Null(patchSchema["required"]);
        Assert.Equal(["machineType"], schemas["NodePoolSpec"]!["required"]!.AsArray().Select(r => r.Text()).Order());
    }

    [Fact]
    public async Task Limits_come_from_the_validation_rules()
    {
        var document = await api.Anonymous().GetObjectAsync("/openapi/v1.json");
        var schemas = document["components"]!["schemas"]!;
        var limit = document["paths"]!["/api/v1/clusters"]!["get"]!["parameters"]!.AsArray().Single(p => p!["name"]?.GetValue<string>() == "limit")!["schema"]!;

        Assert.Equal((1, 500), (limit["minimum"]!.GetValue<int>(), limit["maximum"]!.GetValue<int>()));
        var spec = schemas["NodePoolSpec"]!["properties"]!;
        Assert.Equal((0, 500), (spec["replicas"]!["minimum"]!.GetValue<int>(), spec["replicas"]!["maximum"]!.GetValue<int>()));
        Assert.Equal((20, 2000), (spec["diskSizeGb"]!["minimum"]!.GetValue<int>(), spec["diskSizeGb"]!["maximum"]!.GetValue<int>()));
        var management = schemas["NodePoolManagement"]!["properties"]!;
        Assert.Equal(["InPlace", "Replace"], management["upgradeType"]!["enum"]!.AsArray().Where(v => v is not null).Select(v => v.Text()).Order());
        foreach (var field in new[] { "maxSurge", "maxUnavailable" })
        {
            Assert.Equal((4, "^(0|[1-9][0-9]{0,2})%?$"), (management[field]!["maxLength"]!.GetValue<int>(), management[field]!["pattern"].Text()));
        }
        var labels = schemas["ClusterCreateRequest"]!["properties"]!["labels"]!;
        Assert.Equal(64, labels["maxProperties"]!.GetValue<int>());
        Assert.Equal(63, labels["additionalProperties"]!["maxLength"]!.GetValue<int>());
        var name = schemas["Cluster"]!["properties"]!["name"]!;
        Assert.Equal((3, 40, "^[a-z]([-a-z0-9]*[a-z0-9])?$"), (name["minLength"]!.GetValue<int>(), name["maxLength"]!.GetValue<int>(), name["pattern"].Text()));
        Assert.Equal(30, schemas["NodePool"]!["properties"]!["name"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(4, schemas["StatusReportRequest"]!["properties"]!["conditions"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(["code", "detail", "status", "title", "traceId", "type"], schemas["ProblemDetails"]!["required"]!.AsArray().Select(r => r.Text()).Order());
    }

    private static List<string> Operations(JsonObject paths, string path) =>
        paths[path]!.AsObject().Select(o => o.Key).Where(k => k is "get" or "post" or "put" or "patch" or "delete").Order().ToList();
}
