extern alias controllers;

using System.Text.Json;
using controllers::ClusterPlatform.Controllers.Controllers;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>The operator client's <c>data.version</c>, in exactly the shape the issue-17 contract gives the Api.</summary>
public sealed class VersionReportTests
{
    private const string Old = "quay.io/openshift-release-dev/ocp-release@sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string New = "quay.io/openshift-release-dev/ocp-release@sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private static readonly DateTime Ten = new(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_hosted_cluster_rollout_is_reported_newest_first_with_the_version_of_an_entry_HyperShift_has_not_read_yet()
    {
        var status = new ReleaseVersionStatus(New, "", [
            new ReleaseHistoryEntry("", New, "Partial", Ten.AddHours(1), null),
            new ReleaseHistoryEntry("4.22.3", Old, "Completed", Ten, Ten.AddHours(1)),
        ]);

        var report = VersionReport.ForHostedCluster(status, "4.22.4", new Dictionary<string, string> { [New] = "4.22.4", [Old] = "4.22.3" });

        Assert.True(report.Upgrading);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"current":"4.22.3","desired":"4.22.4","history":[
              {"version":"4.22.4","state":"Partial","startedAt":"2026-12-02T11:00:00Z","completedAt":null},
              {"version":"4.22.3","state":"Completed","startedAt":"2026-12-02T10:00:00Z","completedAt":"2026-12-02T11:00:00Z"}]}
            """), JsonSerializer.SerializeToNode(report, JsonSerializerOptions.Web)), JsonSerializer.Serialize(report, JsonSerializerOptions.Web));
    }

    [Fact]
    public void A_version_the_Api_would_refuse_is_taken_from_the_image_or_left_out_so_the_report_is_still_taken()
    {
        var status = new ReleaseVersionStatus(New, "4.22.4 (candidate)", [
            new ReleaseHistoryEntry("not-a-version", New, "Partial", Ten.AddHours(1), null),
            new ReleaseHistoryEntry("garbage", "quay.io/unknown@sha256:0", "Completed", Ten, Ten.AddHours(1)),
        ]);

        var report = VersionReport.ForHostedCluster(status, "4.22.4", new Dictionary<string, string> { [New] = "4.22.4" });

        Assert.Equal("4.22.4", report.Desired);
        Assert.Equal([new VersionReportEntry("4.22.4", "Partial", Ten.AddHours(1), null)], report.History);
    }

    [Fact]
    public void A_first_install_is_not_an_upgrade_and_current_is_null_until_HyperShift_completes_one()
    {
        var installing = VersionReport.ForHostedCluster(new ReleaseVersionStatus(Old, "", [new ReleaseHistoryEntry("", Old, "Partial", Ten, null)]), "4.22.3",
            new Dictionary<string, string> { [Old] = "4.22.3" });
        var unreported = VersionReport.ForHostedCluster(null, "4.22.3", new Dictionary<string, string>());

        Assert.Equal((null, "4.22.3", false), (installing.Current, installing.Desired, installing.Upgrading));
        Assert.Equal((null, "4.22.3"), (unreported.Current, unreported.Desired));
        Assert.Empty(unreported.History);
    }

    [Fact]
    public void A_node_pools_history_is_kept_from_the_previous_report_Partial_while_its_nodes_roll_Completed_once_they_run_it()
    {
        var created = VersionReport.ForNodePool(null, "4.22.3", "4.22.3", Ten);
        var started = VersionReport.ForNodePool(RoundTrip(created), "4.22.4", "4.22.3", Ten.AddHours(1));
        var rolling = VersionReport.ForNodePool(RoundTrip(started), "4.22.4", "4.22.3", Ten.AddHours(1).AddMinutes(5));
        var done = VersionReport.ForNodePool(RoundTrip(rolling), "4.22.4", "4.22.4", Ten.AddHours(1).AddMinutes(9));

        Assert.Equal(new VersionReportEntry("4.22.3", "Completed", Ten, Ten), Assert.Single(created.History));
        Assert.Equal("4.22.3", created.Current);
        Assert.Equal(
            [new VersionReportEntry("4.22.4", "Partial", Ten.AddHours(1), null), new VersionReportEntry("4.22.3", "Completed", Ten, Ten)],
            rolling.History);
        Assert.Equal(("4.22.3", "4.22.4", true), (rolling.Current, rolling.Desired, rolling.Upgrading));
        Assert.Equal(new VersionReportEntry("4.22.4", "Completed", Ten.AddHours(1), Ten.AddHours(1).AddMinutes(9)), done.History[0]);
        Assert.Equal(("4.22.4", false), (done.Current, done.Upgrading));
    }

    [Fact]
    public void A_superseded_rollout_gets_its_completion_time_and_the_history_is_bounded()
    {
        var partial = VersionReport.ForNodePool(null, "4.22.3", null, Ten);
        var superseded = VersionReport.ForNodePool(partial, "4.22.4", null, Ten.AddMinutes(1));
        var report = superseded;
        for (var patch = 5; patch < 40; patch++)
        {
            report = VersionReport.ForNodePool(report, $"4.22.{patch}", $"4.22.{patch}", Ten.AddHours(patch));
        }

        Assert.Equal(new VersionReportEntry("4.22.3", "Partial", Ten, Ten.AddMinutes(1)), superseded.History[1]);
        Assert.Null(superseded.Current);
        Assert.Equal(VersionReport.MaxHistory, report.History.Count);
        Assert.Equal("4.22.39", report.History[0].Version);
    }

    [Fact]
    public void A_previous_report_without_a_version_or_with_an_unreadable_one_starts_a_new_history()
    {
        Assert.Null(VersionReport.FromData(null));
        Assert.Null(VersionReport.FromData(JsonSerializer.SerializeToElement(new { releaseImage = Old })));
        Assert.Null(VersionReport.FromData(JsonSerializer.SerializeToElement(new { version = new { history = "nonsense" } })));
    }

    [Theory]
    [InlineData("ClusterOperatorDegraded", "ClusterOperatorDegraded")]
    [InlineData("upgrade_failed:retry", "Upgradefailedretry")]
    [InlineData("", "HostedClusterDegraded")]
    [InlineData("_", "HostedClusterDegraded")]
    public void HyperShifts_reasons_become_reasons_the_Api_takes(string hyperShift, string reported)
    {
        Assert.Equal(reported, OperatorClientController.ConditionReason(hyperShift));
    }

    [Fact]
    public void An_upgrade_reports_Progressing_with_reason_Upgrading_and_a_failed_one_Degraded_with_HyperShifts_reason()
    {
        var upgrading = new ReconcileResult(true, "HostedClusterAvailable", "Upgrading from 4.22.3 to 4.22.4 since 2026-12-02T11:00:00Z: Working towards 4.22.4",
            Progressing: true, ProgressingReason: OperatorClientController.Upgrading).ToReport("operator-client-controller", 2, 5);
        var failed = new ReconcileResult(true, "HostedClusterAvailable", "ClusterVersionSucceeding: ClusterOperatorDegraded: kube-apiserver is degraded",
            Degraded: true, DegradedReason: "ClusterOperatorDegraded").ToReport("operator-client-controller", 2, 6);

        Assert.Equal(("True", "Upgrading", "Upgrading from 4.22.3 to 4.22.4 since 2026-12-02T11:00:00Z: Working towards 4.22.4"),
            Single(upgrading, "Progressing"));
        Assert.Equal("True", Single(upgrading, "Available").Status);
        Assert.Equal(("True", "ClusterOperatorDegraded"), (Single(failed, "Degraded").Status, Single(failed, "Degraded").Reason));
        Assert.Equal(("True", "HostedClusterAvailable"), (Single(failed, "Available").Status, Single(failed, "Available").Reason));
    }

    private static (string Status, string Reason, string Message) Single(StatusReportRequest report, string type) =>
        report.Conditions.Single(c => c.Type == type) is var c ? (c.Status, c.Reason, c.Message) : default;

    /// <summary>As the next reconcile reads it: the report's data through the Api's JSON.</summary>
    private static VersionReport RoundTrip(VersionReport report) =>
        VersionReport.FromData(JsonSerializer.SerializeToElement(new { version = report }, JsonSerializerOptions.Web))!;
}
