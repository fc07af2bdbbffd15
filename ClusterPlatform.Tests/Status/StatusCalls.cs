namespace ClusterPlatform.Tests.Status;

/// <summary>Controller tokens for the tests that report as the platform's controllers (<see cref="ControllerNames"/>).</summary>
public static class Controllers
{
    /// <summary>A controller token for each controller, its subject being its name.</summary>
    public static IReadOnlyDictionary<string, HttpClient> Clients(ApiServer api) =>
        ControllerNames.All.ToDictionary(name => name, name => api.As("controller", null, name));
}

/// <summary>Status report bodies and the calls around <c>PUT …/status</c> and <c>GET …/statuses</c>.</summary>
public static class StatusCalls
{
    /// <summary>
    /// A report body. Conditions are <c>"Type=Status"</c> or <c>"Type=Status:message"</c>; the reason is
    /// derived from type and status so every body is valid.
    /// </summary>
    public static JsonObject Report(string controller, long observedGeneration, params string[] conditions) => new()
    {
        ["controller"] = controller,
        ["observedGeneration"] = observedGeneration,
        ["conditions"] = new JsonArray(conditions.Select(Condition).ToArray()),
    };

    public static JsonObject WithData(this JsonObject report, JsonObject data) => report.With("data", data);

    /// <summary>Sets (or, with a JSON null, nulls) one field of a report body.</summary>
    public static JsonObject With(this JsonObject report, string field, JsonNode? value)
    {
        report[field] = value;
        return report;
    }

    public static JsonNode Condition(string text)
    {
        var (head, message) = text.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? (text[..colon], text[(colon + 1)..]) : (text, "");
        var parts = head.Split('=');
        return new JsonObject { ["type"] = parts[0], ["status"] = parts[1], ["reason"] = $"{parts[0]}{parts[1]}", ["message"] = message };
    }

    public static Task<HttpResponseMessage> PutStatusAsync(this HttpClient client, string href, JsonNode body) =>
        client.PutAsync($"{href}/status", Bodies.Json(body));

    /// <summary>Sends a report that must be accepted and returns the aggregated status of the response.</summary>
    public static async Task<JsonObject> ReportAsync(this HttpClient client, string href, JsonNode body)
    {
        using var response = await client.PutStatusAsync(href, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT {href}/status returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadObjectAsync();
    }

    /// <summary>Every one of <paramref name="names"/> reports the same conditions at <paramref name="generation"/>; the last response.</summary>
    public static async Task<JsonObject> ReportAllAsync(this IReadOnlyDictionary<string, HttpClient> clients, string href, long generation,
        IEnumerable<string> names, params string[] conditions)
    {
        JsonObject? status = null;
        foreach (var name in names)
        {
            status = await clients[name].ReportAsync(href, Report(name, generation, conditions));
        }

        return status!;
    }

    /// <summary>The named condition of a status or a controller's report.</summary>
    public static JsonObject ConditionOf(this JsonNode status, string type) =>
        status["conditions"]!.AsArray().Single(c => c!["type"].Text() == type)!.AsObject();

    public static string StatusOf(this JsonNode status, string type) => status.ConditionOf(type)["status"].Text();

    public static string Phase(this JsonNode status) => status["phase"].Text();

    public static long ObservedGeneration(this JsonNode status) => (long)status["observedGeneration"]!;

    public static async Task<JsonArray> StatusesAsync(this HttpClient client, string href)
    {
        var list = await client.GetObjectAsync($"{href}/statuses");
        Assert.Equal("StatusReportList", list["kind"].Text());
        return list["items"]!.AsArray();
    }

    public static JsonObject ReportOf(this JsonArray reports, string controller) =>
        reports.Single(r => r!["name"].Text() == controller)!.AsObject();

    /// <summary>
    /// A merge patch that changes the spec (so raises the generation) by moving the cluster to the next
    /// channel group: a change that is always allowed, where a version change is an upgrade with rules.
    /// </summary>
    public static async Task<JsonObject> BumpGenerationAsync(this HttpClient client, string href)
    {
        string[] groups = ["stable", "fast", "candidate"];
        var current = (await client.GetObjectAsync(href))["spec"]!["release"]!["channelGroup"].Text();
        var next = groups[(Array.IndexOf(groups, current) + 1) % groups.Length];
        using var response = await client.PatchAsync(href, Bodies.Json(
            new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["channelGroup"] = next } } }, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    public static async Task<string> CodeAsync(this HttpResponseMessage response) => (await response.ReadObjectAsync())["code"].Text();

    public static async Task AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, JsonNode.Parse(body)!["code"].Text());
    }
}
