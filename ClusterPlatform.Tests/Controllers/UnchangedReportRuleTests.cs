extern alias controllers;

using System.Text.Json;
using ClusterPlatform.Contracts;
using controllers::ClusterPlatform.Controllers.Controllers;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>
/// The controllers' reading of the Api's "a report that changes nothing" rule (report_unchanged in
/// ClusterPlatform.Api/Data/Functions/13_report_status.sql): only a true repeat is held back; anything
/// the Api would store is sent.
/// </summary>
public sealed class UnchangedReportRuleTests
{
    private const long Generation = 2;

    private static readonly StatusReportRequest Report = ReconcileResult.PreconditionsNotMet("Waiting for placement-controller.")
        .ToReport(ControllerNames.DnsManagement, Generation, 4) with { Data = Json("""{"zone":"a","names":["x","y"]}""") };

    [Fact]
    public void The_same_generation_conditions_and_data_are_a_repeat_whatever_the_datas_key_order_and_the_times()
    {
        Assert.True(UnchangedReport.Repeats(Entry(Report, data: Json("""{ "names": ["x", "y"], "zone": "a" }""")), Report, Generation, deleting: false));
    }

    [Fact]
    public void A_condition_that_says_anything_else_is_not_a_repeat()
    {
        var entry = Entry(Report);
        foreach (var changed in new Func<ConditionReport, ConditionReport>[]
                 {
                     c => c with { Status = c.Status == "True" ? "False" : "True" },
                     c => c with { Reason = c.Reason + "x" },
                     c => c with { Message = c.Message + "." },
                     c => c with { Type = c.Type + "x" },
                 })
        {
            var report = Report with { Conditions = [changed(Report.Conditions[0]), .. Report.Conditions.Skip(1)] };
            Assert.False(UnchangedReport.Repeats(entry, report, Generation, deleting: false));
        }

        Assert.False(UnchangedReport.Repeats(entry, Report with { Conditions = [.. Report.Conditions.Reverse()] }, Generation, deleting: false));
        Assert.False(UnchangedReport.Repeats(entry, Report with { Conditions = [.. Report.Conditions.SkipLast(1)] }, Generation, deleting: false));
    }

    [Fact]
    public void Other_data_or_data_where_there_was_none_is_not_a_repeat()
    {
        Assert.False(UnchangedReport.Repeats(Entry(Report, data: Json("""{"zone":"b","names":["x","y"]}""")), Report, Generation, deleting: false));
        Assert.False(UnchangedReport.Repeats(Entry(Report, noData: true), Report, Generation, deleting: false));
        Assert.False(UnchangedReport.Repeats(Entry(Report), Report with { Data = null }, Generation, deleting: false));
        Assert.True(UnchangedReport.Repeats(Entry(Report with { Data = null }, data: Json("null")), Report with { Data = null }, Generation, deleting: false));
    }

    [Fact]
    public void No_entry_an_older_generation_or_a_deleting_resource_always_reports()
    {
        Assert.False(UnchangedReport.Repeats(null, Report, Generation, deleting: false));
        Assert.False(UnchangedReport.Repeats(Entry(Report, observedGeneration: Generation - 1), Report, Generation, deleting: false));
        Assert.False(UnchangedReport.Repeats(Entry(Report), Report, Generation + 1, deleting: false));
        Assert.False(UnchangedReport.Repeats(Entry(Report), Report, Generation, deleting: true));
    }

    [Fact]
    public void A_message_the_api_stores_as_empty_matches_one_reported_empty()
    {
        var done = new ReconcileResult(true, "Available", "ok").ToReport(ControllerNames.DnsManagement, Generation, 1);
        var entry = Entry(done) with { Conditions = [.. Entry(done).Conditions.Select(c => c.Message == "" ? c with { Message = null! } : c)] };

        Assert.True(UnchangedReport.Repeats(entry, done, Generation, deleting: false));
    }

    /// <summary>The entry the Api would show after storing <paramref name="report"/>: its own times and version stamped.</summary>
    private static ControllerStatus Entry(StatusReportRequest report, long? observedGeneration = null, JsonElement? data = null, bool noData = false) =>
        new(report.Controller, observedGeneration ?? report.ObservedGeneration, 7, DateTime.UtcNow,
            [.. report.Conditions.Select(c => new Condition(c.Type, c.Status, c.Reason, c.Message, DateTime.UtcNow.AddMinutes(-3), observedGeneration ?? report.ObservedGeneration))],
            noData ? null : data ?? report.Data);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
