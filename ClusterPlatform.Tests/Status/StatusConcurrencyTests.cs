using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>Concurrent reports on one resource are serialized by its row lock: none is lost, and the last one of each controller wins.</summary>
public sealed class StatusConcurrencyTests(ApiServer api) : IClassFixture<ApiServer>
{
    private const int ReportsPerController = 50;

    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"));
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Controllers.Clients(api);

    [Fact]
    public async Task Four_controllers_each_sending_50_reports_concurrently_lose_none_and_each_keeps_its_last()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("busy"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());
        // Raise the generation to 50 so every report can carry a newer observedGeneration than the last.
        for (var generation = 2; generation <= ReportsPerController; generation++)
        {
            await user.BumpGenerationAsync(href);
        }

        // Each controller reports generations 1..50 in order; the four streams run at the same time.
        // Available alternates in a pattern per controller, so the transitions (and their events) are known.
        static string Available(int controller, int seq) => (seq + controller) % 7 == 0 ? "False" : "True";
        await Task.WhenAll(ControllerNames.All.Select((name, index) => Task.Run(async () =>
        {
            for (var seq = 1; seq <= ReportsPerController; seq++)
            {
                var available = seq == ReportsPerController ? "True" : Available(index, seq);
                await controllers[name].ReportAsync(href,
                    Report(name, seq, $"Available={available}", $"Progressing={(seq == ReportsPerController ? "False" : "True")}")
                        .WithData(new JsonObject { ["seq"] = seq }));
            }
        })));

        var reports = await user.StatusesAsync(href);
        Assert.Equal(4, reports.Count);
        Assert.All(reports, r =>
        {
            Assert.Equal(ReportsPerController, (long)r!["observedGeneration"]!);
            Assert.Equal(ReportsPerController, (int)r["data"]!["seq"]!);
            Assert.Equal("True", r.StatusOf("Available"));
        });

        var status = (await user.GetObjectAsync(href))["status"]!;
        Assert.Equal("Ready", status.Phase());
        Assert.Equal(ReportsPerController, status.ObservedGeneration());
        Assert.Equal(4 * ReportsPerController, await api.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND action = 'status-report'", ("id", id)));
        foreach (var name in ControllerNames.All)
        {
            Assert.Equal(ReportsPerController, await api.ScalarAsync<long>(
                "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND action = 'status-report' AND actor = @name", ("id", id), ("name", name)));
        }

        // One reconcile each time Available becomes True or stops being True (absent counts as not True).
        var transitions = ControllerNames.All.Select((_, index) =>
        {
            var previouslyTrue = false;
            var count = 0;
            for (var seq = 1; seq <= ReportsPerController; seq++)
            {
                var isTrue = (seq == ReportsPerController ? "True" : Available(index, seq)) == "True";
                count += isTrue == previouslyTrue ? 0 : 1;
                previouslyTrue = isTrue;
            }

            return count;
        }).Sum();
        Assert.Equal(transitions, await api.ScalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE cluster_id = @id AND type = 'cluster.reconcile'", ("id", id)));
    }

    [Fact]
    public async Task Two_hundred_reports_sent_all_at_once_are_all_stored_and_audited()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("burst"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());

        var responses = await Task.WhenAll(ControllerNames.All.SelectMany(name => Enumerable.Range(1, ReportsPerController).Select(seq => Task.Run(async () =>
        {
            using var response = await controllers[name].PutStatusAsync(href,
                Report(name, 1, "Available=True").WithData(new JsonObject { ["seq"] = seq }));
            return response.StatusCode;
        }))));

        Assert.All(responses, code => Assert.Equal(HttpStatusCode.OK, code));
        Assert.Equal(4 * ReportsPerController, await api.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND action = 'status-report'", ("id", id)));
        var reports = await user.StatusesAsync(href);
        Assert.Equal([.. ControllerNames.All.Order(StringComparer.Ordinal)], reports.Select(r => r!["name"].Text()));
        Assert.All(reports, r => Assert.InRange((int)r!["data"]!["seq"]!, 1, ReportsPerController));
        Assert.Equal("Ready", (await user.GetObjectAsync(href))["status"]!.Phase());
        // Only each controller's first report changed its Available status.
        Assert.Equal(4L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE cluster_id = @id AND type = 'cluster.reconcile'", ("id", id)));
        await AssertTimesFollowTheOrderReportsWereAppliedInAsync(id);
    }

    [Fact]
    public async Task Report_times_follow_the_order_concurrent_reports_are_applied_in()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("clock"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());

        // Available flips on every report, so each one moves its controller's lastTransitionTime.
        await Task.WhenAll(ControllerNames.All.SelectMany(name => Enumerable.Range(1, 25).Select(seq => Task.Run(() =>
            controllers[name].ReportAsync(href, Report(name, 1, seq % 2 == 0 ? "Available=True" : "Available=False"))))));

        await AssertTimesFollowTheOrderReportsWereAppliedInAsync(id);
        // A controller's Available lastTransitionTime is the time of the report that last changed it, never
        // later than its lastReportTime.
        Assert.All(await user.StatusesAsync(href), r => Assert.True(
            DateTime.Parse(r!.ConditionOf("Available")["lastTransitionTime"].Text(), System.Globalization.CultureInfo.InvariantCulture)
            <= DateTime.Parse(r!["lastReportTime"].Text(), System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Reports on one cluster are applied one at a time under its row lock; their times (audit <c>at</c>,
    /// <c>lastReportTime</c>) must rise in that order, whatever order their requests began in.
    /// </summary>
    private async Task AssertTimesFollowTheOrderReportsWereAppliedInAsync(Guid clusterId)
    {
        Assert.Equal(0L, await api.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT at, lag(at) OVER (ORDER BY id) AS previous FROM audit_log WHERE cluster_id = @id) entries
            WHERE at < previous
            """, ("id", clusterId)));
        Assert.Equal(0L, await api.ScalarAsync<long>("""
            SELECT count(*) FROM resource_statuses s
            WHERE s.resource_id = @id AND s.last_report_time <> (
                SELECT a.at FROM audit_log a
                WHERE a.cluster_id = @id AND a.action = 'status-report' AND a.actor = s.controller ORDER BY a.id DESC LIMIT 1)
            """, ("id", clusterId)));
    }

    [Fact]
    public async Task Concurrent_reports_from_all_four_controllers_on_many_clusters_make_each_Ready()
    {
        var hrefs = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            hrefs.Add((await user.CreateClusterAsync(ApiCalls.Unique("fleet")))["href"].Text());
        }

        await Task.WhenAll(hrefs.SelectMany(href => ControllerNames.All.Select(name => Task.Run(() =>
            controllers[name].ReportAsync(href, Report(name, 1, "Available=True"))))));

        foreach (var href in hrefs)
        {
            var status = (await user.GetObjectAsync(href))["status"]!;
            Assert.Equal("Ready", status.Phase());
            Assert.Equal(4, status["controllers"]!.AsArray().Count);
        }
    }
}
