using ClusterPlatform.Tests.Status;

namespace ClusterPlatform.Tests.Api.Credentials;

/// <summary>The calls credential tests make before the part they check, through the Api's real endpoints.</summary>
public static class CredentialCalls
{
    public const string ApiUrl = "https://api.break-glass.example.com:6443";

    /// <summary>A cluster of <paramref name="owner"/>'s organization made Ready the way it becomes Ready: every required controller reports Available.</summary>
    public static async Task<JsonObject> CreateReadyClusterAsync(this ApiServer api, HttpClient owner, string prefix = "bg")
    {
        var cluster = await owner.CreateClusterAsync(ApiCalls.Unique(prefix));
        var status = await Status.Controllers.Clients(api).ReportAllAsync(cluster["href"].Text(), 1, ControllerNames.All, "Available=True");
        Assert.Equal("Ready", status.Phase());
        return cluster;
    }

    public static JsonObject RequestBody(string csr, string? ttl = null)
    {
        var body = new JsonObject { ["csr"] = csr };
        if (ttl is not null)
        {
            body["ttl"] = ttl;
        }

        return body;
    }

    public static Task<HttpResponseMessage> PostCredentialAsync(this HttpClient client, string clusterHref, string csr, string? ttl = null) =>
        client.PostAsync($"{clusterHref}/credentials", Bodies.Json(RequestBody(csr, ttl)));

    /// <summary>Requests a credential that must be accepted (202) and returns it.</summary>
    public static async Task<JsonObject> RequestCredentialAsync(this HttpClient client, string clusterHref, string csr, string? ttl = null)
    {
        using var response = await client.PostCredentialAsync(clusterHref, csr, ttl);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST credentials returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadObjectAsync();
    }

    public static string CredentialHref(JsonObject credential) =>
        $"{ApiCalls.Clusters}/{credential["clusterId"].Text()}/credentials/{credential["id"].Text()}";

    public static JsonObject IssuedReport(string certificate, string caBundle, string apiUrl = ApiUrl) => new()
    {
        ["status"] = "Issued",
        ["certificate"] = certificate,
        ["caBundle"] = caBundle,
        ["apiUrl"] = apiUrl,
    };

    public static JsonObject FailedReport(string message) => new() { ["status"] = "Failed", ["message"] = message };

    public static Task<HttpResponseMessage> PutIssuanceAsync(this HttpClient operatorClient, JsonObject credential, JsonObject report) =>
        operatorClient.PutAsync($"{CredentialHref(credential)}/issuance", Bodies.Json(report));

    /// <summary>The operator client reports the credential issued by <paramref name="ca"/> until <paramref name="notAfter"/>; returns the answer.</summary>
    public static async Task<JsonObject> IssueAsync(this HttpClient operatorClient, JsonObject credential, TestCsr csr, TestCa ca, DateTimeOffset notAfter)
    {
        using var response = await operatorClient.PutIssuanceAsync(credential, IssuedReport(ca.Sign(csr.Pem, notAfter), ca.Pem));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT issuance returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadObjectAsync();
    }

    public static HttpClient OperatorClient(this ApiServer api) => api.As("controller", null, ControllerNames.OperatorClient);
}
