using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>
/// docs/api.md "Where the cluster answers": a cluster's <c>status.apiUrl</c> and <c>status.consoleUrl</c> are
/// the operator client's reported <c>data.apiUrl</c> and <c>data.consoleUrl</c>, null until reported, never on a
/// node pool, and the report edge refuses anything that is not an absolute https URL.
/// </summary>
public sealed class ClusterUrlsTests(ApiServer api) : IClassFixture<ApiServer>
{
    private const string ApiUrl = "https://api.urls.acme.example.com:443";
    private const string ConsoleUrl = "https://console-openshift-console.apps.urls.acme.example.com";

    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"));
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Controllers.Clients(api);

    [Fact]
    public async Task The_operator_clients_reported_urls_are_the_clusters_and_null_until_then()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("urls"));
        var href = cluster["href"].Text();
        AssertUrls(cluster["status"]!, null, null);

        // The endpoint is published before the control plane is Available: the console comes later.
        var first = await controllers[ControllerNames.OperatorClient].ReportAsync(href,
            Report(ControllerNames.OperatorClient, 1, "Available=False").WithData(new JsonObject { ["apiUrl"] = ApiUrl, ["consoleUrl"] = null }));
        AssertUrls(first, ApiUrl, null);
        await controllers[ControllerNames.OperatorClient].ReportAsync(href,
            Report(ControllerNames.OperatorClient, 1, "Available=True").WithData(new JsonObject { ["apiUrl"] = ApiUrl, ["consoleUrl"] = ConsoleUrl }));
        AssertUrls((await user.GetObjectAsync(href))["status"]!, ApiUrl, ConsoleUrl);

        // Another controller's data says nothing about where the cluster answers.
        await controllers[ControllerNames.Placement].ReportAsync(href,
            Report(ControllerNames.Placement, 1, "Available=True").WithData(new JsonObject { ["apiUrl"] = "https://elsewhere.example.com" }));
        AssertUrls((await user.GetObjectAsync(href))["status"]!, ApiUrl, ConsoleUrl);

        // A node pool has neither, whatever its reports carry.
        var pool = (await user.CreateNodePoolAsync(cluster["id"].Text()))["href"].Text();
        var poolStatus = await controllers[ControllerNames.OperatorClient].ReportAsync(pool,
            Report(ControllerNames.OperatorClient, 1, "Available=True").WithData(new JsonObject { ["apiUrl"] = ApiUrl }));
        AssertUrls(poolStatus, null, null);
    }

    [Theory]
    [InlineData("http://api.urls.acme.example.com:443")]
    [InlineData("api.urls.acme.example.com:443")]
    [InlineData("/relative")]
    [InlineData("https://user:secret@api.urls.acme.example.com")]
    [InlineData("")]
    [InlineData("long")]
    public async Task A_reported_url_that_is_not_an_absolute_https_url_is_400_and_stores_nothing(string url)
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("badurl")))["href"].Text();
        var value = url == "long" ? "https://api.urls.acme.example.com/" + new string('a', 2048 - 33) : url;

        using var refused = await controllers[ControllerNames.OperatorClient].PutStatusAsync(href,
            Report(ControllerNames.OperatorClient, 1, "Available=True").WithData(new JsonObject { ["apiUrl"] = value, ["consoleUrl"] = 443 }));

        await refused.AssertProblemAsync(HttpStatusCode.BadRequest, "validation-failed");
        Assert.Equal(["$.data.apiUrl", "$.data.consoleUrl"], (await refused.ErrorPathsAsync()).Order(StringComparer.Ordinal));
        Assert.Empty(await user.StatusesAsync(href));
    }

    [Fact]
    public async Task The_longest_admitted_url_is_kept()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("longurl")))["href"].Text();
        const string start = "https://api.urls.acme.example.com/";
        var longest = start + new string('a', 2048 - start.Length);
        Assert.Equal(2048, longest.Length);

        var status = await controllers[ControllerNames.OperatorClient].ReportAsync(href,
            Report(ControllerNames.OperatorClient, 1, "Available=True").WithData(new JsonObject { ["apiUrl"] = longest }));

        AssertUrls(status, longest, null);
    }

    private static void AssertUrls(JsonNode status, string? apiUrl, string? consoleUrl)
    {
        Assert.True(status.AsObject().ContainsKey("apiUrl") && status.AsObject().ContainsKey("consoleUrl"), status.ToJsonString());
        Assert.Equal(apiUrl, (string?)status["apiUrl"]);
        Assert.Equal(consoleUrl, (string?)status["consoleUrl"]);
    }
}
