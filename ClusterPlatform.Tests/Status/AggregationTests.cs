using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>docs/api.md "Aggregation" through the API: Ready, Progressing, Degraded, phase and observedGeneration as reports arrive.</summary>
public sealed class AggregationTests(ApiServer api) : IClassFixture<ApiServer>
{
    private const string AllFour =
        "environment-validation-controller, placement-controller, dns-management-controller, operator-client-controller";

    private readonly string organization = ApiCalls.Unique("org");
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Controllers.Clients(api);

    private HttpClient User => api.As("user", organization, "alice");

    [Fact]
    public async Task New_cluster_is_Pending_with_Ready_False_waiting_for_all_four_controllers()
    {
        var cluster = await User.CreateClusterAsync(ApiCalls.Unique("new"));
        var status = cluster["status"]!;

        Assert.Equal("Pending", status.Phase());
        Assert.Equal(0, status.ObservedGeneration());
        Assert.Equal(["Ready", "Progressing", "Degraded"], status["conditions"]!.AsArray().Select(c => c!["type"].Text()));
        var ready = status.ConditionOf("Ready");
        Assert.Equal("False", ready["status"].Text());
        Assert.Equal("WaitingForControllers", ready["reason"].Text());
        Assert.Equal($"Waiting for {AllFour} to report Available at generation 1.", ready["message"].Text());
        Assert.Equal(1, (long)ready["observedGeneration"]!);
        Assert.Equal("True", status.StatusOf("Progressing"));
        Assert.Equal("WaitingForControllers", status.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal("False", status.StatusOf("Degraded"));
        Assert.Equal("AsExpected", status.ConditionOf("Degraded")["reason"].Text());
        Assert.Empty(status["controllers"]!.AsArray());
    }

    [Fact]
    public async Task Ready_only_when_all_four_controllers_report_available_at_the_current_generation()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("ready")))["href"].Text();

        var first = await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        Assert.Equal("Provisioning", first.Phase());
        Assert.Equal("False", first.StatusOf("Ready"));
        Assert.Equal(
            "Waiting for environment-validation-controller, dns-management-controller, operator-client-controller to report Available at generation 1.",
            first.ConditionOf("Ready")["message"].Text());
        Assert.Equal("True", first.StatusOf("Progressing"));
        Assert.Equal("WaitingForControllers", first.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal(0, first.ObservedGeneration());

        var three = await controllers.ReportAllAsync(href, 1, [ControllerNames.EnvironmentValidation, ControllerNames.DnsManagement], "Available=True");
        Assert.Equal("Provisioning", three.Phase());
        Assert.Equal("Waiting for operator-client-controller to report Available at generation 1.", three.ConditionOf("Ready")["message"].Text());
        Assert.Equal(0, three.ObservedGeneration());

        var all = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 1, "Available=True"));
        Assert.Equal("Ready", all.Phase());
        Assert.Equal(1, all.ObservedGeneration());
        var ready = all.ConditionOf("Ready");
        Assert.Equal("True", ready["status"].Text());
        Assert.Equal("AllControllersAvailable", ready["reason"].Text());
        Assert.Equal("False", all.StatusOf("Progressing"));
        Assert.Equal("Settled", all.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal("False", all.StatusOf("Degraded"));
        // The controllers' reports, ordered by name.
        Assert.Equal([.. ControllerNames.All.Order(StringComparer.Ordinal)], all["controllers"]!.AsArray().Select(c => c!["name"].Text()));
    }

    [Fact]
    public async Task A_controller_reporting_Available_False_keeps_Ready_False_and_is_named_in_the_message()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("unavail")))["href"].Text();
        await controllers.ReportAllAsync(href, 1, [ControllerNames.EnvironmentValidation, ControllerNames.DnsManagement, ControllerNames.OperatorClient], "Available=True");

        var status = await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=False"));

        Assert.Equal("Provisioning", status.Phase());
        Assert.Equal("False", status.StatusOf("Ready"));
        Assert.Equal("WaitingForControllers", status.ConditionOf("Ready")["reason"].Text());
        Assert.Equal("Waiting for placement-controller to report Available at generation 1.", status.ConditionOf("Ready")["message"].Text());
        // Everyone has reported at this generation and nobody is progressing.
        Assert.Equal("False", status.StatusOf("Progressing"));
        Assert.Equal("Settled", status.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal(1, status.ObservedGeneration());
    }

    [Fact]
    public async Task Progressing_is_True_while_a_required_controller_reports_Progressing_True()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("progress")))["href"].Text();
        await controllers.ReportAllAsync(href, 1, [ControllerNames.EnvironmentValidation, ControllerNames.Placement, ControllerNames.OperatorClient],
            "Available=True", "Progressing=False");

        var status = await controllers[ControllerNames.DnsManagement].ReportAsync(href,
            Report(ControllerNames.DnsManagement, 1, "Available=True", "Progressing=True:rotating records"));

        Assert.Equal("True", status.StatusOf("Progressing"));
        Assert.Equal("ControllersProgressing", status.ConditionOf("Progressing")["reason"].Text());
        Assert.Contains(ControllerNames.DnsManagement, status.ConditionOf("Progressing")["message"].Text(), StringComparison.Ordinal);
        // Progressing does not hold readiness back.
        Assert.Equal("Ready", status.Phase());
        Assert.Equal("True", status.StatusOf("Ready"));

        var settled = await controllers[ControllerNames.DnsManagement].ReportAsync(href,
            Report(ControllerNames.DnsManagement, 1, "Available=True", "Progressing=False"));
        Assert.Equal("False", settled.StatusOf("Progressing"));
        Assert.Equal("Settled", settled.ConditionOf("Progressing")["reason"].Text());
    }

    [Fact]
    public async Task Degraded_makes_the_phase_Failed_and_names_three_controllers_then_and_1_more()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("degraded")))["href"].Text();
        await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True");

        var one = await controllers[ControllerNames.Placement].ReportAsync(href,
            Report(ControllerNames.Placement, 1, "Available=True", "Degraded=True:quota exceeded"));
        Assert.Equal("Failed", one.Phase());
        Assert.Equal("True", one.StatusOf("Ready")); // Failed wins over Ready in the phase only
        var degraded = one.ConditionOf("Degraded");
        Assert.Equal("True", degraded["status"].Text());
        Assert.Equal("ControllersDegraded", degraded["reason"].Text());
        Assert.Equal("placement-controller: quota exceeded", degraded["message"].Text());

        foreach (var name in ControllerNames.All)
        {
            await controllers[name].ReportAsync(href, Report(name, 1, "Available=True", $"Degraded=True:{name[..3]} broken"));
        }

        var four = await User.GetObjectAsync(href);
        Assert.Equal("Failed", four["status"]!.Phase());
        Assert.Equal(
            "dns-management-controller: dns broken; environment-validation-controller: env broken; operator-client-controller: ope broken; and 1 more",
            four["status"]!.ConditionOf("Degraded")["message"].Text());

        var recovered = await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True", "Degraded=False");
        Assert.Equal("Ready", recovered.Phase());
        Assert.Equal("False", recovered.StatusOf("Degraded"));
        Assert.Equal("AsExpected", recovered.ConditionOf("Degraded")["reason"].Text());
    }

    [Fact]
    public async Task Observed_generation_is_the_lowest_among_required_controllers_and_0_until_each_has_reported()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("observed")))["href"].Text();
        var three = await controllers.ReportAllAsync(href, 1, [ControllerNames.EnvironmentValidation, ControllerNames.Placement, ControllerNames.DnsManagement], "Available=True");
        Assert.Equal(0, three.ObservedGeneration());

        await User.BumpGenerationAsync(href);
        Assert.Equal(3, (long)(await User.BumpGenerationAsync(href))["generation"]!);

        await controllers[ControllerNames.EnvironmentValidation].ReportAsync(href, Report(ControllerNames.EnvironmentValidation, 3, "Available=True"));
        await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True"));
        var lowest = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 3, "Available=True"));
        Assert.Equal(1, lowest.ObservedGeneration()); // dns-management-controller is still at 1

        var raised = await controllers[ControllerNames.DnsManagement].ReportAsync(href, Report(ControllerNames.DnsManagement, 3, "Available=True"));
        Assert.Equal(2, raised.ObservedGeneration()); // now placement-controller's 2
        // Every latest report is Available: Ready, confirmed at generation 2, the oldest of them.
        Assert.Equal("True", raised.StatusOf("Ready"));
        Assert.Equal(2, (long)raised.ConditionOf("Ready")["observedGeneration"]!);
        Assert.Equal("Every required controller reports Available; generation 3 is not yet reported by placement-controller.",
            raised.ConditionOf("Ready")["message"].Text());
    }

    [Fact]
    public async Task Spec_change_keeps_Ready_True_until_a_controller_reports_Available_False_at_the_new_generation()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("respec")))["href"].Text();
        var ready = await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True");
        Assert.Equal("Ready", ready.Phase());

        var patched = await User.BumpGenerationAsync(href);
        Assert.Equal(2, (long)patched["generation"]!);
        var status = patched["status"]!;
        // A control plane that served at generation 1 still serves: Ready stays True, confirmed at 1.
        Assert.Equal("Ready", status.Phase());
        Assert.Equal("True", status.StatusOf("Ready"));
        Assert.Equal(1, (long)status.ConditionOf("Ready")["observedGeneration"]!);
        Assert.Equal(ready.ConditionOf("Ready")["lastTransitionTime"].Text(), status.ConditionOf("Ready")["lastTransitionTime"].Text());
        Assert.Equal("True", status.StatusOf("Progressing"));
        Assert.Equal("WaitingForControllers", status.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal(2, (long)status.ConditionOf("Progressing")["observedGeneration"]!);
        Assert.Equal(1, status.ObservedGeneration());
        Assert.Equal(status.ToJsonString(), (await User.GetObjectAsync(href))["status"]!.ToJsonString());

        var partial = await controllers.ReportAllAsync(href, 2, [ControllerNames.EnvironmentValidation, ControllerNames.Placement, ControllerNames.DnsManagement], "Available=True");
        Assert.Equal("Ready", partial.Phase());
        Assert.Equal(1, partial.ObservedGeneration());

        var unavailable = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 2, "Available=False"));
        Assert.Equal("Provisioning", unavailable.Phase());
        Assert.Equal("False", unavailable.StatusOf("Ready"));
        Assert.Equal("Waiting for operator-client-controller to report Available at generation 2.", unavailable.ConditionOf("Ready")["message"].Text());

        var again = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 2, "Available=True"));
        Assert.Equal("Ready", again.Phase());
        Assert.Equal(2, again.ObservedGeneration());
        Assert.Equal(2, (long)again.ConditionOf("Ready")["observedGeneration"]!);
    }

    [Fact]
    public async Task Reports_of_an_older_generation_count_for_readiness_but_not_as_degraded()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("older")))["href"].Text();
        await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True", "Degraded=True:old trouble");
        Assert.Equal("Failed", (await User.GetObjectAsync(href))["status"]!.Phase());

        var status = (await User.BumpGenerationAsync(href))["status"]!;

        Assert.Equal("Ready", status.Phase());
        Assert.Equal("False", status.StatusOf("Degraded"));
        Assert.Equal("True", status.StatusOf("Ready"));
        var provisioning = await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=False"));
        Assert.Equal("Provisioning", provisioning.Phase());
    }

    [Fact]
    public async Task LastTransitionTime_stays_on_a_repeated_report_and_moves_when_the_status_flips()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("ltt")))["href"].Text();
        var ready = await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True");
        var readySince = ready.ConditionOf("Ready")["lastTransitionTime"].Text();
        var degradedSince = ready.ConditionOf("Degraded")["lastTransitionTime"].Text();
        var placementBefore = (await User.StatusesAsync(href)).ReportOf(ControllerNames.Placement);

        // A new message, so the report is stored (an identical one is not: UnchangedReportTests).
        var repeated = await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True:placed again"));
        Assert.Equal(readySince, repeated.ConditionOf("Ready")["lastTransitionTime"].Text());
        Assert.Equal(degradedSince, repeated.ConditionOf("Degraded")["lastTransitionTime"].Text());
        var placementRepeated = (await User.StatusesAsync(href)).ReportOf(ControllerNames.Placement);
        Assert.Equal(placementBefore.ConditionOf("Available")["lastTransitionTime"].Text(),
            placementRepeated.ConditionOf("Available")["lastTransitionTime"].Text());
        Assert.True(DateTimeOffset.Parse(placementRepeated["lastReportTime"].Text(), System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(placementBefore["lastReportTime"].Text(), System.Globalization.CultureInfo.InvariantCulture));

        var flipped = await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=False"));
        Assert.Equal("False", flipped.StatusOf("Ready"));
        Assert.True(Time(flipped.ConditionOf("Ready")) > Time(ready.ConditionOf("Ready")));
        Assert.Equal(degradedSince, flipped.ConditionOf("Degraded")["lastTransitionTime"].Text());
        var placementFlipped = (await User.StatusesAsync(href)).ReportOf(ControllerNames.Placement);
        Assert.True(Time(placementFlipped.ConditionOf("Available")) > Time(placementBefore.ConditionOf("Available")));
        Assert.Equal(placementFlipped["lastReportTime"].Text(), placementFlipped.ConditionOf("Available")["lastTransitionTime"].Text());

        // The message changes with the missing controllers, but a False that stays False keeps its time.
        var stillFalse = await controllers[ControllerNames.DnsManagement].ReportAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=False"));
        Assert.Equal(flipped.ConditionOf("Ready")["lastTransitionTime"].Text(), stillFalse.ConditionOf("Ready")["lastTransitionTime"].Text());
        Assert.NotEqual(flipped.ConditionOf("Ready")["message"].Text(), stillFalse.ConditionOf("Ready")["message"].Text());
    }

    [Fact]
    public async Task Aggregated_status_is_served_by_get_list_and_patch_and_a_status_change_moves_the_etag()
    {
        var user = User;
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("served"));
        var href = cluster["href"].Text();
        using var before = await user.GetAsync(href);
        var reported = await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True");

        // The status is part of the representation, so the old ETag no longer revalidates (no 304 for a
        // copy that still shows Pending), and a write made from that copy is refused as stale.
        using var after = await Conditional(user, HttpMethod.Get, href, "If-None-Match", before.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        Assert.Equal(reported.ToJsonString(), (await after.ReadObjectAsync())["status"]!.ToJsonString());
        using (var stale = await Conditional(user, HttpMethod.Patch, href, "If-Match", before.Headers.ETag.Tag,
            Bodies.Json(new JsonObject { ["labels"] = new JsonObject { ["stale"] = "yes" } }, "application/merge-patch+json")))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        }

        // A report that changes nothing leaves the representation, and so the ETag, alone: still a 304.
        await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        using (var unchanged = await Conditional(user, HttpMethod.Get, href, "If-None-Match", after.Headers.ETag!.Tag))
        {
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        }

        var listed = (await user.GetObjectAsync($"{ApiCalls.Clusters}?phase=Ready"))["items"]!.AsArray().Single(i => i!["href"].Text() == href)!;
        Assert.Equal(reported.ToJsonString(), listed["status"]!.ToJsonString());

        using var patch = await user.PatchAsync(href, Bodies.Json(new JsonObject { ["labels"] = new JsonObject { ["tier"] = "gold" } }, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var patched = await patch.ReadObjectAsync();
        Assert.Equal(1, (long)patched["generation"]!); // labels only: the generation stays, and so does readiness
        Assert.Equal(reported.ToJsonString(), patched["status"]!.ToJsonString());

        var put = new JsonObject { ["labels"] = new JsonObject(), ["spec"] = cluster["spec"]!.DeepClone() };
        put["spec"]!["release"]!["channelGroup"] = "fast";
        using var replaced = await user.PutAsync(href, Bodies.Json(put));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var replacedStatus = (await replaced.ReadObjectAsync())["status"]!;
        Assert.Equal("Ready", replacedStatus.Phase()); // still as reported at generation 1
        Assert.Equal(1, (long)replacedStatus.ConditionOf("Ready")["observedGeneration"]!);
        Assert.Equal(2, (long)replacedStatus.ConditionOf("Progressing")["observedGeneration"]!);
    }

    [Fact]
    public async Task Node_pool_is_Ready_when_operator_client_controller_alone_reports_Available()
    {
        var cluster = await User.CreateClusterAsync(ApiCalls.Unique("pooled"));
        var pool = await User.CreateNodePoolAsync(cluster["id"].Text());
        var href = pool["href"].Text();
        Assert.Equal("Pending", pool["status"]!.Phase());
        Assert.Equal("Waiting for operator-client-controller to report Available at generation 1.",
            pool["status"]!.ConditionOf("Ready")["message"].Text());

        // Another controller's report does not make it Ready, but it is a report at the current generation.
        var other = await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        Assert.Equal("Provisioning", other.Phase());
        Assert.Equal(0, other.ObservedGeneration());

        var ready = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 1, "Available=True"));
        Assert.Equal("Ready", ready.Phase());
        Assert.Equal(1, ready.ObservedGeneration());
        Assert.Equal("AllControllersAvailable", ready.ConditionOf("Ready")["reason"].Text());
        Assert.Equal(ready.ToJsonString(), (await User.GetObjectAsync(href))["status"]!.ToJsonString());
        Assert.Equal([ControllerNames.OperatorClient, ControllerNames.Placement], (await User.StatusesAsync(href)).Select(r => r!["name"].Text()));

        // Any controller's degradation counts, required or not.
        var degraded = await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True", "Degraded=True:no capacity"));
        Assert.Equal("Failed", degraded.Phase());
        Assert.Equal("placement-controller: no capacity", degraded.ConditionOf("Degraded")["message"].Text());

        // The cluster's own status is untouched by its pool's reports.
        Assert.Equal("Pending", (await User.GetObjectAsync(cluster["href"].Text()))["status"]!.Phase());
        using (var foreign = await api.As("user", ApiCalls.Unique("other")).GetAsync($"{href}/statuses")) { Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode); }

        // A spec change of the pool keeps it Ready as reported at generation 1, Progressing until
        // operator-client-controller reports the new generation.
        await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True", "Degraded=False"));
        using var patch = await User.PatchAsync(href, Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 7 } }, "application/merge-patch+json"));
        var patched = (await patch.ReadObjectAsync())["status"]!;
        Assert.Equal("Ready", patched.Phase());
        Assert.Equal(1, (long)patched.ConditionOf("Ready")["observedGeneration"]!);
        Assert.Equal("Not yet reported at generation 2: operator-client-controller.", patched.ConditionOf("Progressing")["message"].Text());
        var settled = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 2, "Available=True"));
        Assert.Equal("Ready", settled.Phase());
        Assert.Equal(2, (long)settled.ConditionOf("Ready")["observedGeneration"]!);
        Assert.Equal("False", settled.StatusOf("Progressing"));
    }

    [Fact]
    public async Task Deleting_resource_has_phase_Deleting_and_Ready_False_with_reason_Deleting()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("deleting")))["href"].Text();
        await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True");

        using var delete = await User.DeleteAsync(href);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        var deleted = await delete.ReadObjectAsync();
        Assert.Equal(2, (long)deleted["generation"]!);
        Assert.Equal("Deleting", deleted["status"]!.Phase());
        Assert.Equal("False", deleted["status"]!.StatusOf("Ready"));
        Assert.Equal("Deleting", deleted["status"]!.ConditionOf("Ready")["reason"].Text());

        var reported = await controllers.ReportAllAsync(href, 2, ControllerNames.All, "Available=True");
        Assert.Equal("Deleting", reported.Phase());
        Assert.Equal("False", reported.StatusOf("Ready"));
        Assert.Equal("Deleting", reported.ConditionOf("Ready")["reason"].Text());
        Assert.Equal(2, reported.ObservedGeneration());
    }

    [Fact]
    public async Task Statuses_lists_the_raw_reports_by_name_with_their_data_and_generations_to_readers_of_the_organization()
    {
        var cluster = await User.CreateClusterAsync(ApiCalls.Unique("raw"));
        var href = cluster["href"].Text();
        Assert.Empty(await User.StatusesAsync(href));
        await controllers[ControllerNames.Placement].ReportAsync(href,
            Report(ControllerNames.Placement, 1, "Available=True", "Progressing=False:done").WithData(new JsonObject { ["managementCluster"] = "mc-1" }));
        await controllers[ControllerNames.DnsManagement].ReportAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=False"));

        var reports = await api.As("viewer", organization).StatusesAsync(href);

        Assert.Equal([ControllerNames.DnsManagement, ControllerNames.Placement], reports.Select(r => r!["name"].Text()));
        var placement = reports.ReportOf(ControllerNames.Placement);
        Assert.Equal(1, (long)placement["observedGeneration"]!);
        Assert.EndsWith("Z", placement["lastReportTime"].Text(), StringComparison.Ordinal);
        Assert.Equal("mc-1", placement["data"]!["managementCluster"].Text());
        Assert.Equal(["Available", "Progressing"], placement["conditions"]!.AsArray().Select(c => c!["type"].Text()));
        var progressing = placement.ConditionOf("Progressing");
        Assert.Equal("False", progressing["status"].Text());
        Assert.Equal("ProgressingFalse", progressing["reason"].Text());
        Assert.Equal("done", progressing["message"].Text());
        Assert.Equal(1, (long)progressing["observedGeneration"]!);
        Assert.EndsWith("Z", progressing["lastTransitionTime"].Text(), StringComparison.Ordinal);

        // Tenant-scoped like GET; controllers and admins read every organization's.
        using (var other = await api.As("user", ApiCalls.Unique("other")).GetAsync($"{href}/statuses")) { Assert.Equal(HttpStatusCode.NotFound, other.StatusCode); }
        Assert.Equal(2, (await controllers[ControllerNames.OperatorClient].StatusesAsync(href)).Count);
        Assert.Equal(2, (await api.As("admin", "ops").StatusesAsync(href)).Count);
        using (var missing = await User.GetAsync($"{ApiCalls.Clusters}/{Guid.CreateVersion7()}/statuses")) { Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode); }
        using (var anonymous = await api.Anonymous().GetAsync($"{href}/statuses")) { Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode); }
    }

    private static DateTimeOffset Time(JsonObject condition) =>
        DateTimeOffset.Parse(condition["lastTransitionTime"].Text(), System.Globalization.CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> Conditional(HttpClient client, HttpMethod method, string href, string header, string etag, HttpContent? body = null) =>
        client.SendAsync(new HttpRequestMessage(method, href) { Content = body }.WithHeader(header, etag));
}
