using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>
/// A report that would change nothing (the same observedGeneration, conditions and data as the
/// controller's stored entry, at the resource's current generation) is answered without a write
/// (Data/Functions/13_report_status.sql): no row, audit entry, aggregation or event, and the answer a
/// GET would give. Anything new in it, a report from an older generation, or a deleting resource, is
/// stored as before, and the version check still comes first.
/// </summary>
public sealed class UnchangedReportTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"));
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Controllers.Clients(api);

    [Theory]
    [InlineData("cluster")]
    [InlineData("nodepool")]
    public async Task A_repeated_identical_report_writes_nothing_and_answers_what_a_GET_returns(string kind)
    {
        var (clusterId, href) = await ResourceAsync(kind);
        var operatorClient = controllers[ControllerNames.OperatorClient];
        var first = Report(ControllerNames.OperatorClient, 1, "Available=False:waiting for placement", "Progressing=True")
            .WithData(new JsonObject { ["a"] = 1, ["b"] = new JsonObject { ["c"] = "d" } });
        await operatorClient.ReportAsync(href, first.DeepClone().AsObject().With("version", 0));
        var before = await SnapshotAsync(clusterId, href);

        // The controllers' way (the version read), unconditional, and the same data with its keys in
        // another order (jsonb equality): all the same report.
        var repeats = new[]
        {
            first.DeepClone().AsObject().With("version", 1),
            first.DeepClone().AsObject(),
            Report(ControllerNames.OperatorClient, 1, "Available=False:waiting for placement", "Progressing=True")
                .WithData(new JsonObject { ["b"] = new JsonObject { ["c"] = "d" }, ["a"] = 1 }).With("version", 1),
        };
        foreach (var repeat in repeats)
        {
            var answer = await operatorClient.ReportAsync(href, repeat);
            Assert.Equal((await user.GetObjectAsync(href))["status"]!.ToJsonString(), answer.ToJsonString());
            Assert.Equal(before, await SnapshotAsync(clusterId, href));
        }
    }

    [Theory]
    [InlineData("Available=False:waiting for dns", "Progressing=True")] // a message
    [InlineData("Available=True", "Progressing=True")]                  // a status (a transition)
    [InlineData("Progressing=True", "Available=False:waiting for placement")] // the order
    [InlineData("Available=False:waiting for placement")]                 // a condition fewer
    public async Task A_report_with_anything_new_in_its_conditions_is_stored(params string[] conditions)
    {
        var (clusterId, href) = await ResourceAsync("cluster");
        var operatorClient = controllers[ControllerNames.OperatorClient];
        await operatorClient.ReportAsync(href, Report(ControllerNames.OperatorClient, 1, "Available=False:waiting for placement", "Progressing=True"));
        var audits = await AuditsAsync(clusterId);

        var answer = await operatorClient.ReportAsync(href, Report(ControllerNames.OperatorClient, 1, conditions).With("version", 1));

        Assert.Equal(2L, VersionOf(answer, ControllerNames.OperatorClient));
        Assert.Equal(audits + 1, await AuditsAsync(clusterId));
    }

    [Fact]
    public async Task A_report_with_new_data_is_stored()
    {
        var (clusterId, href) = await ResourceAsync("cluster");
        var placement = controllers[ControllerNames.Placement];
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True").WithData(new JsonObject { ["managementCluster"] = "mc-a" }));
        var audits = await AuditsAsync(clusterId);

        var moved = await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True").WithData(new JsonObject { ["managementCluster"] = "mc-b" }));
        var dropped = await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));

        Assert.Equal(2L, VersionOf(moved, ControllerNames.Placement));
        Assert.Equal(3L, VersionOf(dropped, ControllerNames.Placement));
        Assert.Equal(audits + 2, await AuditsAsync(clusterId));
    }

    /// <summary>
    /// A report identical to the stored entry but made at an older generation than the resource's is
    /// stored, so the version rises and a replica that read the same entry is refused: docs/controllers.md,
    /// "Running at N replicas" (the overtaken handling must redo its work).
    /// </summary>
    [Fact]
    public async Task An_identical_report_at_an_older_generation_than_the_resources_is_stored_and_overtakes_a_replica_that_read_the_same_entry()
    {
        var (_, href) = await ResourceAsync("cluster");
        var placement = controllers[ControllerNames.Placement];
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        await user.BumpGenerationAsync(href);

        var older = await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True").With("version", 1));
        Assert.Equal(2L, VersionOf(older, ControllerNames.Placement));
        using var overtaken = await placement.PutStatusAsync(href, Report(ControllerNames.Placement, 2, "Available=True").With("version", 1));
        await overtaken.AssertProblemAsync(HttpStatusCode.Conflict, "report-conflict");
    }

    [Fact]
    public async Task An_identical_report_with_another_version_is_still_409_report_conflict()
    {
        var (clusterId, href) = await ResourceAsync("cluster");
        var dns = controllers[ControllerNames.DnsManagement];
        await dns.ReportAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=True"));
        var before = await SnapshotAsync(clusterId, href);

        using var conflict = await dns.PutStatusAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=True").With("version", 0));

        await conflict.AssertProblemAsync(HttpStatusCode.Conflict, "report-conflict");
        Assert.Equal(before, await SnapshotAsync(clusterId, href));
    }

    [Fact]
    public async Task A_deleting_resources_identical_reports_are_stored()
    {
        var (clusterId, href) = await ResourceAsync("cluster");
        using (var delete = await user.DeleteAsync(href))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        var generation = (long)(await user.GetObjectAsync(href))["generation"]!;
        var placement = controllers[ControllerNames.Placement];
        await placement.ReportAsync(href, Report(ControllerNames.Placement, generation, "Available=False"));
        var audits = await AuditsAsync(clusterId);

        var again = await placement.ReportAsync(href, Report(ControllerNames.Placement, generation, "Available=False"));

        Assert.Equal(2L, VersionOf(again, ControllerNames.Placement));
        Assert.Equal(audits + 1, await AuditsAsync(clusterId));
    }

    private async Task<(Guid ClusterId, string Href)> ResourceAsync(string kind)
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("same"));
        var href = kind == "cluster" ? cluster["href"].Text() : (await user.CreateNodePoolAsync(cluster["id"].Text()))["href"].Text();
        return (Guid.Parse(cluster["id"].Text()), href);
    }

    private Task<long> AuditsAsync(Guid clusterId) =>
        api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE cluster_id = @id", ("id", clusterId));

    /// <summary>
    /// Everything a report that changes nothing must leave as it was: the entries and the resource row
    /// untouched (xmin, the transaction that last wrote a row, changes with any UPDATE), the entry's
    /// version and lastReportTime, the status, the resource's updated_at, the audit trail and the outbox.
    /// </summary>
    private async Task<string> SnapshotAsync(Guid clusterId, string href)
    {
        var resource = await user.GetObjectAsync(href);
        var id = Guid.Parse(resource["id"].Text());
        var table = resource["kind"].Text() == "Cluster" ? "clusters" : "node_pools";
        return string.Join("\n",
            await api.ScalarAsync<string>("SELECT string_agg(controller || ' ' || xmin::text || ' ' || version || ' ' || last_report_time, ', ' ORDER BY controller) FROM resource_statuses WHERE resource_id = @id", ("id", id)),
            await api.ScalarAsync<string>($"SELECT xmin::text || ' ' || updated_at FROM {table} WHERE id = @id", ("id", id)),
            resource["status"]!.ToJsonString(),
            resource["updatedAt"]?.ToJsonString(),
            await AuditsAsync(clusterId),
            await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id", ("id", clusterId)));
    }
}
