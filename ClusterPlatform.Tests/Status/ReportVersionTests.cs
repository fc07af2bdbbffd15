using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>
/// docs/api-decisions.md "Report versions": each controller's entry counts its stored reports, and
/// a report names the version it was made from (optimistic concurrency, as Kubernetes' resourceVersion).
/// </summary>
public sealed class ReportVersionTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"));
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Controllers.Clients(api);

    [Fact]
    public async Task An_entry_starts_at_version_1_and_each_stored_report_of_its_controller_adds_one()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("count"));
        var href = cluster["href"].Text();
        var pool = (await user.CreateNodePoolAsync(cluster["id"].Text()))["href"].Text();
        var placement = controllers[ControllerNames.Placement];
        var operatorClient = controllers[ControllerNames.OperatorClient];

        for (var i = 0; i < 3; i++)
        {
            await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        }

        await operatorClient.ReportAsync(href, Report(ControllerNames.OperatorClient, 1, "Available=False"));
        // A refused report stores nothing, so it counts for nothing.
        using (var future = await placement.PutStatusAsync(href, Report(ControllerNames.Placement, 9, "Available=True")))
        {
            await future.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "future-generation");
        }

        var status = (await user.GetObjectAsync(href))["status"]!;
        Assert.Equal(3L, VersionOf(status, ControllerNames.Placement));
        Assert.Equal(1L, VersionOf(status, ControllerNames.OperatorClient));
        // The raw reports say the same.
        var reports = await user.StatusesAsync(href);
        Assert.Equal(3L, (long)reports.ReportOf(ControllerNames.Placement)["version"]!);
        Assert.Equal(1L, (long)reports.ReportOf(ControllerNames.OperatorClient)["version"]!);

        // A node pool's entries count on their own.
        await operatorClient.ReportAsync(pool, Report(ControllerNames.OperatorClient, 1, "Available=True"));
        Assert.Equal(1L, VersionOf((await user.GetObjectAsync(pool))["status"]!, ControllerNames.OperatorClient));
        // A spec change (a new generation) does not restart the count.
        await user.BumpGenerationAsync(href);
        Assert.Equal(3L, VersionOf((await user.GetObjectAsync(href))["status"]!, ControllerNames.Placement));
        var next = await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True"));
        Assert.Equal(4L, VersionOf(next, ControllerNames.Placement));
    }

    [Theory]
    [InlineData("cluster")]
    [InlineData("nodepool")]
    public async Task A_report_made_from_another_version_is_409_report_conflict_and_stores_nothing(string kind)
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("conflict"));
        var id = Guid.Parse(cluster["id"].Text());
        var href = kind == "cluster" ? cluster["href"].Text() : (await user.CreateNodePoolAsync(cluster["id"].Text()))["href"].Text();
        var dns = controllers[ControllerNames.DnsManagement];

        // 0: the controller read no entry of its own, which is so.
        await dns.ReportAsync(href, Versioned(Report(ControllerNames.DnsManagement, 1, "Available=False"), 0));
        var before = await SnapshotAsync(id, href);

        foreach (var read in new long[] { 0, 2, long.MaxValue })
        {
            using var conflict = await dns.PutStatusAsync(href, Versioned(Report(ControllerNames.DnsManagement, 1, "Available=True"), read));
            await conflict.AssertProblemAsync(HttpStatusCode.Conflict, "report-conflict");
        }

        Assert.Equal(before, await SnapshotAsync(id, href));
        var stored = await dns.ReportAsync(href, Versioned(Report(ControllerNames.DnsManagement, 1, "Available=True"), 1));
        Assert.Equal(2L, VersionOf(stored, ControllerNames.DnsManagement));
        Assert.Equal("True", stored["controllers"]!.AsArray().Single(c => c!["name"].Text() == ControllerNames.DnsManagement)!.StatusOf("Available"));
    }

    [Fact]
    public async Task A_report_without_a_version_or_with_an_explicit_null_is_unconditional()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("tool")))["href"].Text();
        var placement = controllers[ControllerNames.Placement];
        await placement.ReportAsync(href, Versioned(Report(ControllerNames.Placement, 1, "Available=True"), 0));

        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        var status = await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True").With("version", null));

        Assert.Equal(3L, VersionOf(status, ControllerNames.Placement));
    }

    [Fact]
    public async Task Report_conflict_wins_over_stale_report_and_a_matching_version_still_meets_the_stale_rule()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("both")))["href"].Text();
        await user.BumpGenerationAsync(href);
        var placement = controllers[ControllerNames.Placement];
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True")); // version 1 at generation 2

        // Generation 1 is stale and version 0 overtaken: the conflict is what is answered (read again).
        using (var both = await placement.PutStatusAsync(href, Versioned(Report(ControllerNames.Placement, 1, "Available=False"), 0)))
        {
            await both.AssertProblemAsync(HttpStatusCode.Conflict, "report-conflict");
        }

        // The version matches but the generation is lower than the stored one (an admin's repair made
        // from an old reading): still stale. A controller that read version 1 read generation 2 or later.
        using (var stale = await placement.PutStatusAsync(href, Versioned(Report(ControllerNames.Placement, 1, "Available=False"), 1)))
        {
            await stale.AssertProblemAsync(HttpStatusCode.Conflict, "stale-report");
        }

        Assert.Equal(1L, VersionOf((await user.GetObjectAsync(href))["status"]!, ControllerNames.Placement));
    }

    [Fact]
    public async Task Of_twenty_reports_made_from_one_reading_and_sent_at_once_exactly_one_is_stored()
    {
        const int Replicas = 20;
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("herd"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());
        var placement = controllers[ControllerNames.Placement];
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=False"));
        var auditBefore = await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE cluster_id = @id", ("id", id));

        using var start = new SemaphoreSlim(0);
        var sends = Enumerable.Range(0, Replicas).Select(replica => Task.Run(async () =>
        {
            await start.WaitAsync();
            using var response = await placement.PutStatusAsync(href,
                Versioned(Report(ControllerNames.Placement, 1, "Available=True").WithData(new JsonObject { ["replica"] = replica }), 1));
            return (response.StatusCode, Code: response.IsSuccessStatusCode ? "" : await response.CodeAsync(), Replica: replica);
        })).ToList();
        start.Release(Replicas);
        var answers = await Task.WhenAll(sends);

        var winner = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a != winner), a => Assert.Equal((HttpStatusCode.Conflict, "report-conflict"), (a.StatusCode, a.Code)));
        var entry = (await user.StatusesAsync(href)).ReportOf(ControllerNames.Placement);
        Assert.Equal(2L, (long)entry["version"]!);
        Assert.Equal(winner.Replica, (int)entry["data"]!["replica"]!);
        Assert.Equal(auditBefore + 1, await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE cluster_id = @id", ("id", id)));
    }

    private static JsonObject Versioned(JsonObject report, long version) => report.With("version", version);

    private static long VersionOf(JsonNode status, string controller) =>
        (long)status["controllers"]!.AsArray().Single(c => c!["name"].Text() == controller)!["version"]!;

    /// <summary>Everything a refused report must leave as it was: reports, status, audit trail and outbox.</summary>
    private async Task<string> SnapshotAsync(Guid clusterId, string href) => string.Join("\n",
        (await user.StatusesAsync(href)).ToJsonString(),
        (await user.GetObjectAsync(href))["status"]!.ToJsonString(),
        await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE cluster_id = @id", ("id", clusterId)),
        await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id", ("id", clusterId)));
}
