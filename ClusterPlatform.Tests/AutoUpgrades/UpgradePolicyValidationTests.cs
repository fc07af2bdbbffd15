namespace ClusterPlatform.Tests.AutoUpgrades;

/// <summary><c>spec.upgradePolicy</c> through real HTTP: its defaults, what it accepts, and each rule it refuses with the field's path.</summary>
public sealed class UpgradePolicyValidationTests(ApiServer api) : IClassFixture<ApiServer>
{
    private const string Policy = "spec.upgradePolicy";

    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));

    /// <summary>A maintenance window body; the fields the tests change one at a time.</summary>
    public static JsonObject Window(string[]? days = null, string startTime = "02:00", int durationHours = 4, string timeZone = "UTC") => new()
    {
        ["days"] = new JsonArray([.. (days ?? ["Saturday", "Sunday"]).Select(d => (JsonNode)d)]),
        ["startTime"] = startTime,
        ["durationHours"] = durationHours,
        ["timeZone"] = timeZone,
    };

    public static JsonObject OptIn(JsonObject window) => new() { ["automaticPatchUpgrades"] = true, ["maintenanceWindow"] = window.DeepClone() };

    [Fact]
    public async Task A_cluster_that_names_no_policy_gets_none_and_responses_carry_it()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("nopolicy"));
        AssertNone(cluster["spec"]!["upgradePolicy"]);
        AssertNone((await client.GetObjectAsync(cluster["href"].Text()))["spec"]!["upgradePolicy"]);

        // An explicit null means the default, as for every optional field.
        var nulled = await client.CreateClusterAsync(ApiCalls.Unique("nullpolicy"), b => b.With(Policy, JsonValue.Create((string?)null)));
        AssertNone(nulled["spec"]!["upgradePolicy"]);
    }

    [Fact]
    public async Task A_policy_is_stored_as_given_changed_by_a_merge_patch_and_reset_by_a_put_that_leaves_it_out()
    {
        var window = Window(["Friday", "Saturday"], "22:30", 6, "Europe/Berlin");
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("policy"), b => b.With(Policy, OptIn(window)));
        var href = cluster["href"].Text();
        Assert.True(JsonNode.DeepEquals(OptIn(window), cluster["spec"]!["upgradePolicy"]), cluster["spec"]!["upgradePolicy"]!.ToJsonString());

        // Turning it off keeps the window, for turning it on again later.
        using (var patch = await client.PatchAsync(href, Bodies.Json(
            new JsonObject { ["spec"] = new JsonObject { ["upgradePolicy"] = new JsonObject { ["automaticPatchUpgrades"] = false } } },
            "application/merge-patch+json")))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
            var policy = (await patch.ReadObjectAsync())["spec"]!["upgradePolicy"]!;
            Assert.False((bool)policy["automaticPatchUpgrades"]!);
            Assert.True(JsonNode.DeepEquals(window, policy["maintenanceWindow"]));
        }

        // A PUT replaces the spec: without a policy, the cluster has none.
        var current = await client.GetObjectAsync(href);
        var replacement = new JsonObject { ["labels"] = current["labels"]!.DeepClone(), ["spec"] = current["spec"]!.DeepClone() };
        replacement.With(Policy, null);
        using var put = await client.PutAsync(href, Bodies.Json(replacement));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        AssertNone((await put.ReadObjectAsync())["spec"]!["upgradePolicy"]);
    }

    [Fact]
    public async Task Every_day_and_a_whole_day_window_are_accepted()
    {
        var all = new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("always"),
            b => b.With(Policy, OptIn(Window(all, "00:00", 24, "America/Argentina/Buenos_Aires"))));
        Assert.Equal(24, (int)cluster["spec"]!["upgradePolicy"]!["maintenanceWindow"]!["durationHours"]!);
    }

    public static TheoryData<string, string, string> InvalidPolicies => new()
    {
        // the policy (JSON), then the path of the one error expected, without "$.spec.upgradePolicy"
        { """{"automaticPatchUpgrades":"yes"}""", ".automaticPatchUpgrades", "must be a boolean" },
        { """{"automaticPatchUpgrades":true}""", ".maintenanceWindow", "is required when automaticPatchUpgrades is true" },
        { """{"automaticPatchUpgrades":true,"maintenanceWindow":null}""", ".maintenanceWindow", "is required when automaticPatchUpgrades is true" },
        { """{"automaticPatchUpgrades":false,"window":{}}""", ".window", "is not a known field" },
        { """[]""", "", "must be an object" },
        { Json(w => w["days"] = new JsonArray()), ".maintenanceWindow.days", "must be an array of 1 to 7 day names (Monday..Sunday)" },
        { Json(w => w["days"] = "Monday"), ".maintenanceWindow.days", "must be an array of 1 to 7 day names (Monday..Sunday)" },
        { Json(w => w.Remove("days")), ".maintenanceWindow.days", "is required" },
        { Json(w => w["days"] = new JsonArray("Funday")), ".maintenanceWindow.days[0]", "must be one of Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday" },
        { Json(w => w["days"] = new JsonArray("monday")), ".maintenanceWindow.days[0]", "must be one of Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday" },
        { Json(w => w["days"] = new JsonArray("Monday", 1)), ".maintenanceWindow.days[1]", "must be one of Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday" },
        { Json(w => w["days"] = new JsonArray("Monday", "Tuesday", "Monday")), ".maintenanceWindow.days[2]", "repeats Monday; each day at most once" },
        { Json(w => w["startTime"] = "24:00"), ".maintenanceWindow.startTime", "must be a 24-hour time HH:MM, e.g. 02:30" },
        { Json(w => w["startTime"] = "2:30"), ".maintenanceWindow.startTime", "must be a 24-hour time HH:MM, e.g. 02:30" },
        { Json(w => w["startTime"] = "02:60"), ".maintenanceWindow.startTime", "must be a 24-hour time HH:MM, e.g. 02:30" },
        { Json(w => w["startTime"] = "02:30\n"), ".maintenanceWindow.startTime", "must be a 24-hour time HH:MM, e.g. 02:30" },
        { Json(w => w["startTime"] = 230), ".maintenanceWindow.startTime", "must be a string" },
        { Json(w => w["durationHours"] = 0), ".maintenanceWindow.durationHours", "must be between 1 and 24" },
        { Json(w => w["durationHours"] = 25), ".maintenanceWindow.durationHours", "must be between 1 and 24" },
        { Json(w => w["durationHours"] = 1.5), ".maintenanceWindow.durationHours", "must be an integer" },
        { Json(w => w.Remove("durationHours")), ".maintenanceWindow.durationHours", "is required" },
        { Json(w => w["timeZone"] = "Mars/Olympus_Mons"), ".maintenanceWindow.timeZone", TimeZoneError },
        // A Windows id: .NET on Linux would convert it, but the contract is IANA ids.
        { Json(w => w["timeZone"] = "Pacific Standard Time"), ".maintenanceWindow.timeZone", TimeZoneError },
        { Json(w => w["timeZone"] = "../../etc/passwd"), ".maintenanceWindow.timeZone", TimeZoneError },
        { Json(w => w["timeZone"] = "/usr/share/zoneinfo/UTC"), ".maintenanceWindow.timeZone", TimeZoneError },
        { Json(w => w["timeZone"] = ""), ".maintenanceWindow.timeZone", TimeZoneError },
        { Json(w => w["timeZone"] = "Europe/Berlin\n"), ".maintenanceWindow.timeZone", TimeZoneError },
        { Json(w => w["offset"] = "+01:00"), ".maintenanceWindow.offset", "is not a known field" },
    };

    private const string TimeZoneError = "must be an IANA time zone id, e.g. Europe/Berlin or UTC";

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public async Task An_invalid_policy_is_refused_with_the_path_of_the_field(string policy, string path, string message)
    {
        using var response = await client.PostAsync(ApiCalls.Clusters,
            Bodies.Json(Bodies.Cluster(ApiCalls.Unique("bad")).With(Policy, JsonNode.Parse(policy))));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal("validation-failed", problem["code"].Text());
        var errors = problem["errors"]!.AsObject();
        Assert.Equal([$"$.spec.upgradePolicy{path}"], errors.Select(e => e.Key));
        Assert.Equal([message], errors.Single().Value!.AsArray().Select(m => m.Text()));
    }

    [Fact]
    public async Task A_merge_patch_that_opts_in_without_a_window_is_refused()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("patchin"));
        using var patch = await client.PatchAsync(cluster["href"].Text(), Bodies.Json(
            new JsonObject { ["spec"] = new JsonObject { ["upgradePolicy"] = new JsonObject { ["automaticPatchUpgrades"] = true } } },
            "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.BadRequest, patch.StatusCode);
        Assert.Equal(["$.spec.upgradePolicy.maintenanceWindow"], await patch.ErrorPathsAsync());
    }

    [Fact]
    public async Task The_openapi_document_has_the_exact_bounds()
    {
        using var response = await api.Anonymous().GetAsync("/openapi/v1.json");
        var schemas = (await response.ReadObjectAsync())["components"]!["schemas"]!;
        var window = schemas["MaintenanceWindow"]!;
        Assert.False((bool)window["additionalProperties"]!);
        var days = window["properties"]!["days"]!;
        Assert.Equal(1, (int)days["minItems"]!);
        Assert.Equal(7, (int)days["maxItems"]!);
        Assert.True((bool)days["uniqueItems"]!);
        Assert.Equal(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            days["items"]!["enum"]!.AsArray().Select(d => d.Text()));
        Assert.Equal("^([01][0-9]|2[0-3]):[0-5][0-9]$", window["properties"]!["startTime"]!["pattern"].Text());
        Assert.Equal(1, (int)window["properties"]!["durationHours"]!["minimum"]!);
        Assert.Equal(24, (int)window["properties"]!["durationHours"]!["maximum"]!);
        Assert.Equal(64, (int)window["properties"]!["timeZone"]!["maxLength"]!);
        Assert.False((bool)schemas["UpgradePolicy"]!["additionalProperties"]!);
        Assert.DoesNotContain("upgradePolicy", schemas["ClusterSpec"]!["required"]!.AsArray().Select(r => r.Text()));
    }

    private static string Json(Action<JsonObject> edit)
    {
        var window = Window();
        edit(window);
        return OptIn(window).ToJsonString();
    }

    private static void AssertNone(JsonNode? policy) =>
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["automaticPatchUpgrades"] = false, ["maintenanceWindow"] = null }, policy), policy?.ToJsonString());
}
