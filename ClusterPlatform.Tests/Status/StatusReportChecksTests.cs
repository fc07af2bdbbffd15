using System.Text;
using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>docs/api.md "Status reports": who may report, the generation checks, and body validation.</summary>
public sealed class StatusReportChecksTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"), "alice");
    private readonly HttpClient placement = api.As("controller", null, ControllerNames.Placement);

    [Fact]
    public async Task Stale_report_returns_409_and_changes_nothing()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("stale"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());
        await user.BumpGenerationAsync(href);
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True").WithData(new JsonObject { ["seq"] = 2 }));
        var reportsBefore = (await user.StatusesAsync(href)).ToJsonString();
        var statusBefore = (await user.GetObjectAsync(href))["status"]!.ToJsonString();
        var auditBefore = await AuditCountAsync(id);
        var outboxBefore = await OutboxCountAsync(id);

        using var stale = await placement.PutStatusAsync(href, Report(ControllerNames.Placement, 1, "Available=False").WithData(new JsonObject { ["seq"] = 1 }));

        await stale.AssertProblemAsync(HttpStatusCode.Conflict, "stale-report");
        Assert.Equal(reportsBefore, (await user.StatusesAsync(href)).ToJsonString());
        Assert.Equal(statusBefore, (await user.GetObjectAsync(href))["status"]!.ToJsonString());
        Assert.Equal(auditBefore, await AuditCountAsync(id));
        Assert.Equal(outboxBefore, await OutboxCountAsync(id));

        // The same generation again is not stale.
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True"));
        // Staleness is per controller: another controller may still report generation 1.
        var dns = api.As("controller", null, ControllerNames.DnsManagement);
        await dns.ReportAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=True"));
    }

    [Fact]
    public async Task Report_ahead_of_the_resource_generation_returns_422_and_stores_nothing()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("future"));
        var href = cluster["href"].Text();
        var pool = await user.CreateNodePoolAsync(cluster["id"].Text());

        using (var future = await placement.PutStatusAsync(href, Report(ControllerNames.Placement, 2, "Available=True")))
        {
            await future.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "future-generation");
        }

        using (var poolFuture = await placement.PutStatusAsync(pool["href"].Text(), Report(ControllerNames.Placement, 2, "Available=True")))
        {
            await poolFuture.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "future-generation");
        }

        Assert.Empty(await user.StatusesAsync(href));
        Assert.Empty(await user.StatusesAsync(pool["href"].Text()));
        Assert.Equal(0L, await AuditCountAsync(Guid.Parse(cluster["id"].Text()), "status-report"));
    }

    [Fact]
    public async Task Unknown_controller_name_returns_400_for_an_admin_and_for_a_controller_token_of_that_name()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("unknown")))["href"].Text();

        using (var admin = await api.As("admin", "ops").PutStatusAsync(href, Report("rogue-controller", 1, "Available=True")))
        {
            await admin.AssertProblemAsync(HttpStatusCode.BadRequest, "unknown-controller");
        }

        using (var rogue = await api.As("controller", null, "rogue-controller").PutStatusAsync(href, Report("rogue-controller", 1, "Available=True")))
        {
            await rogue.AssertProblemAsync(HttpStatusCode.BadRequest, "unknown-controller");
        }

        // Unknown on a resource that does not exist either: the name is checked first.
        using (var nowhere = await api.As("admin", "ops").PutStatusAsync($"{ApiCalls.Clusters}/{Guid.CreateVersion7()}", Report("rogue-controller", 1, "Available=True")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, nowhere.StatusCode);
        }

        Assert.Empty(await user.StatusesAsync(href));
    }

    [Fact]
    public async Task Controller_reporting_under_another_name_gets_403_controller_mismatch()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("mismatch")))["href"].Text();

        using (var other = await placement.PutStatusAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=True")))
        {
            await other.AssertProblemAsync(HttpStatusCode.Forbidden, "controller-mismatch");
        }

        using (var unknown = await placement.PutStatusAsync(href, Report("rogue-controller", 1, "Available=True")))
        {
            await unknown.AssertProblemAsync(HttpStatusCode.Forbidden, "controller-mismatch");
        }

        using (var rogue = await api.As("controller", null, "rogue-controller").PutStatusAsync(href, Report(ControllerNames.Placement, 1, "Available=True")))
        {
            await rogue.AssertProblemAsync(HttpStatusCode.Forbidden, "controller-mismatch");
        }

        Assert.Empty(await user.StatusesAsync(href));
    }

    [Fact]
    public async Task Admin_may_report_as_any_controller()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("admin")))["href"].Text();
        var admin = api.As("admin", "ops");

        var status = await admin.ReportAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=True"));

        Assert.Equal(ControllerNames.DnsManagement, status["controllers"]!.AsArray().Single()!["name"].Text());
        Assert.Equal(ControllerNames.DnsManagement, (await user.StatusesAsync(href)).Single()!["name"].Text());
    }

    [Fact]
    public async Task Users_viewers_and_anonymous_callers_cannot_report()
    {
        var org = ApiCalls.Unique("org");
        var owner = api.As("user", org);
        var cluster = await owner.CreateClusterAsync(ApiCalls.Unique("roles"));
        var pool = await owner.CreateNodePoolAsync(cluster["id"].Text());
        var body = Report(ControllerNames.Placement, 1, "Available=True");

        foreach (var href in new[] { cluster["href"].Text(), pool["href"].Text() })
        {
            using (var asUser = await owner.PutStatusAsync(href, body)) { Assert.Equal(HttpStatusCode.Forbidden, asUser.StatusCode); }
            using (var asViewer = await api.As("viewer", org).PutStatusAsync(href, body)) { Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode); }
            using (var asNobody = await api.Anonymous().PutStatusAsync(href, body)) { Assert.Equal(HttpStatusCode.Unauthorized, asNobody.StatusCode); }
            Assert.Empty(await owner.StatusesAsync(href));
        }
    }

    [Fact]
    public async Task Report_on_a_missing_or_hard_deleted_resource_returns_404()
    {
        using (var cluster = await placement.PutStatusAsync($"{ApiCalls.Clusters}/{Guid.CreateVersion7()}", Report(ControllerNames.Placement, 1, "Available=True")))
        {
            await cluster.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        }

        using (var pool = await placement.PutStatusAsync($"{ApiCalls.NodePools}/{Guid.CreateVersion7()}", Report(ControllerNames.Placement, 1, "Available=True")))
        {
            await pool.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        }

        var gone = await user.CreateClusterAsync(ApiCalls.Unique("gone"));
        using (var force = await api.As("admin", "ops").DeleteAsync($"{gone["href"].Text()}?force=true&reason=test"))
        {
            Assert.Equal(HttpStatusCode.NoContent, force.StatusCode);
        }

        using var afterDelete = await placement.PutStatusAsync(gone["href"].Text(), Report(ControllerNames.Placement, 1, "Available=True"));
        await afterDelete.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Controllers_report_on_any_organizations_resources()
    {
        var other = api.As("user", ApiCalls.Unique("elsewhere"));
        var cluster = await other.CreateClusterAsync(ApiCalls.Unique("foreign"));
        var pool = await other.CreateNodePoolAsync(cluster["id"].Text());
        var op = api.As("controller", null, ControllerNames.OperatorClient);

        await op.ReportAsync(cluster["href"].Text(), Report(ControllerNames.OperatorClient, 1, "Available=True"));
        var poolStatus = await op.ReportAsync(pool["href"].Text(), Report(ControllerNames.OperatorClient, 1, "Available=True"));

        Assert.Equal("Ready", poolStatus.Phase());
    }

    public static TheoryData<string, string[]> InvalidBodies => new()
    {
        { """{"observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.controller"] },
        { """{"controller":7,"observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.controller"] },
        { """{"controller":"placement-controller","conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.observedGeneration"] },
        { """{"controller":"placement-controller","observedGeneration":0,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.observedGeneration"] },
        { """{"controller":"placement-controller","observedGeneration":-3,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.observedGeneration"] },
        { """{"controller":"placement-controller","observedGeneration":1.5,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.observedGeneration"] },
        { """{"controller":"placement-controller","observedGeneration":"1","conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.observedGeneration"] },
        { """{"controller":"placement-controller","observedGeneration":1}""", ["$.conditions"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":{}}""", ["$.conditions"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[]}""", ["$.conditions"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Progressing","status":"True","reason":"Ok"}]}""", ["$.conditions"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"},{"type":"Ready","status":"True","reason":"Ok"}]}""", ["$.conditions[1].type"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"},{"type":"Available","status":"False","reason":"Ok"}]}""", ["$.conditions[1].type"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"true","reason":"Ok"}]}""", ["$.conditions[0].status"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","reason":"Ok"}]}""", ["$.conditions[0].status"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True"}]}""", ["$.conditions[0].reason"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"two words"}]}""", ["$.conditions[0].reason"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"lowerCamel"}]}""", ["$.conditions[0].reason"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Dash-Ed"}]}""", ["$.conditions[0].reason"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Placed\n"}]}""", ["$.conditions[0].reason"] },
        { $$"""{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"{{"R" + new string('a', 64)}}"}]}""", ["$.conditions[0].reason"] },
        { $$"""{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok","message":"{{new string('m', 1025)}}"}]}""", ["$.conditions[0].message"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok","message":3}]}""", ["$.conditions[0].message"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":["Available"]}""", ["$.conditions", "$.conditions[0]"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok","lastTransitionTime":"2030-01-01T00:00:00Z"}]}""", ["$.conditions[0].lastTransitionTime"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"}],"data":[1]}""", ["$.data"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"}],"data":"x"}""", ["$.data"] },
        { $$$"""{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"}],"data":{"x":"{{{new string('d', (16 * 1024) - 7)}}}"}}""", ["$.data"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"}],"extra":1}""", ["$.extra"] },
        { """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Ok"}],"status":{}}""", ["$.status"] },
        // version: optional, an integer of at least 0 that fits a bigint; anything else is a 400, never a 500.
        { """{"controller":"placement-controller","observedGeneration":1,"version":-1,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.version"] },
        { """{"controller":"placement-controller","observedGeneration":1,"version":1.5,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.version"] },
        { """{"controller":"placement-controller","observedGeneration":1,"version":1e2,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.version"] },
        { """{"controller":"placement-controller","observedGeneration":1,"version":"1","conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.version"] },
        { """{"controller":"placement-controller","observedGeneration":1,"version":true,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.version"] },
        { """{"controller":"placement-controller","observedGeneration":1,"version":{},"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.version"] },
        { """{"controller":"placement-controller","observedGeneration":1,"version":9223372036854775808,"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.version"] },
        { $$"""{"controller":"placement-controller","observedGeneration":1,"version":{{new string('9', 4000)}},"conditions":[{"type":"Available","status":"True","reason":"Ok"}]}""", ["$.version"] },
        { """[]""", ["$"] },
        // Every violation at once.
        { """{"controller":"placement-controller","observedGeneration":0,"conditions":[{"type":"Ready","status":"Maybe","reason":"no","message":"x"}],"data":[]}""",
            ["$.observedGeneration", "$.conditions", "$.conditions[0].type", "$.conditions[0].status", "$.conditions[0].reason", "$.data"] },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_report_returns_400_with_the_failing_paths_and_stores_nothing(string body, string[] paths)
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("invalid")))["href"].Text();

        using var response = await placement.PutAsync($"{href}/status", new StringContent(body, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation-failed");
        Assert.Equal(paths.Order(StringComparer.Ordinal), (await response.ErrorPathsAsync()).Order(StringComparer.Ordinal));
        Assert.Empty(await user.StatusesAsync(href));
    }

    [Fact]
    public async Task Limits_are_inclusive_and_every_condition_type_is_accepted()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("limits")))["href"].Text();
        var reason = "R" + new string('a', 63);
        var message = new string('m', 1024);
        var body = new JsonObject
        {
            ["controller"] = ControllerNames.Placement,
            ["observedGeneration"] = 1,
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "Available", ["status"] = "Unknown", ["reason"] = reason, ["message"] = message },
                new JsonObject { ["type"] = "Progressing", ["status"] = "True", ["reason"] = "A" },
                new JsonObject { ["type"] = "Degraded", ["status"] = "False", ["reason"] = "Fine9" },
                new JsonObject { ["type"] = "Finalized", ["status"] = "False", ["reason"] = "NotDeleting" }),
            // Exactly 16 KiB of data: {"x":"…"} is 8 bytes around the value.
            ["data"] = new JsonObject { ["x"] = new string('d', (16 * 1024) - 8) },
        };

        await placement.ReportAsync(href, body);

        var stored = (await user.StatusesAsync(href)).ReportOf(ControllerNames.Placement);
        Assert.Equal(["Available", "Progressing", "Degraded", "Finalized"], stored["conditions"]!.AsArray().Select(c => c!["type"].Text()));
        Assert.Equal(reason, stored.ConditionOf("Available")["reason"].Text());
        Assert.Equal(message, stored.ConditionOf("Available")["message"].Text());
        Assert.Equal("", stored.ConditionOf("Progressing")["message"].Text()); // an absent message is stored empty
        Assert.Equal((16 * 1024) - 8, stored["data"]!["x"].Text().Length);
    }

    [Fact]
    public async Task Stale_report_on_a_node_pool_returns_409_and_changes_nothing()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("poolstale"));
        var pool = (await user.CreateNodePoolAsync(cluster["id"].Text()))["href"].Text();
        using (var patch = await user.PatchAsync(pool, Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 5 } }, "application/merge-patch+json")))
        {
            Assert.Equal(2, (long)(await patch.ReadObjectAsync())["generation"]!);
        }

        var op = api.As("controller", null, ControllerNames.OperatorClient);
        await op.ReportAsync(pool, Report(ControllerNames.OperatorClient, 2, "Available=True"));
        var before = (await user.StatusesAsync(pool)).ToJsonString();

        using var stale = await op.PutStatusAsync(pool, Report(ControllerNames.OperatorClient, 1, "Available=False"));

        await stale.AssertProblemAsync(HttpStatusCode.Conflict, "stale-report");
        Assert.Equal(before, (await user.StatusesAsync(pool)).ToJsonString());
        Assert.Equal("Ready", (await user.GetObjectAsync(pool))["status"]!.Phase());
    }

    [Fact]
    public async Task Report_body_over_64_KiB_returns_413()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("huge")))["href"].Text();

        using var response = await placement.PutStatusAsync(href,
            Report(ControllerNames.Placement, 1, "Available=True").WithData(new JsonObject { ["x"] = new string('d', 70 * 1024) }));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await user.StatusesAsync(href));
    }

    [Fact]
    public async Task Report_needs_an_application_json_body()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("media")))["href"].Text();

        using var response = await placement.PutAsync($"{href}/status",
            Bodies.Json(Report(ControllerNames.Placement, 1, "Available=True"), "application/merge-patch+json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Empty(await user.StatusesAsync(href));
    }

    private Task<long> AuditCountAsync(Guid clusterId, string? action = null) => api.ScalarAsync<long>(
        "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND (@action = '' OR action = @action)", ("id", clusterId), ("action", action ?? ""));

    private Task<long> OutboxCountAsync(Guid clusterId) =>
        api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id", ("id", clusterId));
}
