using System.Net.Http.Json;

namespace ClusterPlatform.Tests.Google;

/// <summary>The fake Google refuses, and records, whatever Google's discovery documents do not describe.</summary>
public sealed class FakeGoogleTests
{
    private static readonly JsonObject Network = new()
    {
        ["kind"] = "compute#network",
        ["name"] = "net",
        ["selfLink"] = "https://www.googleapis.com/compute/v1/projects/p/global/networks/net",
    };

    private static Task<FakeGoogle> StartAsync(Func<GoogleCall, GoogleAnswer> network) =>
        FakeGoogle.StartAsync(["compute.v1", "cloudresourcemanager.v3"], new Dictionary<string, Func<GoogleCall, GoogleAnswer>>
        {
            ["compute.networks.get"] = network,
            ["cloudresourcemanager.projects.testIamPermissions"] = _ => GoogleAnswer.Ok(new JsonObject()),
        });

    [Fact]
    public async Task A_request_a_discovery_document_describes_is_answered_with_its_unescaped_parameters_and_no_violation()
    {
        GoogleCall? seen = null;
        await using var google = await StartAsync(call =>
        {
            seen = call;
            return GoogleAnswer.Ok(Network.DeepClone());
        });
        using var http = new HttpClient();

        // fields and prettyPrint are global parameters of every Google API.
        using var response = await http.GetAsync(new Uri(google.BaseAddress("compute.v1"), "compute/v1/projects/p/global/networks/net?fields=name&prettyPrint=false"), Cancellation);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Empty(google.Violations);
        Assert.Equal(("compute.networks.get", "p", "net"), (seen!.MethodId, seen.Path["project"], seen.Path["network"]));
        Assert.Equal(["compute.networks.get"], google.Calls);
    }

    public static TheoryData<string, string, string?, int, string> Refusals => new()
    {
        { "GET", "compute.v1/compute/v1/projects/p/zones/us-central1-a/instances", null, 404, "no method of compute.v1 has this HTTP method and path" },
        { "DELETE", "compute.v1/compute/v1/projects/p/global/networks/net", null, 404, "no method of compute.v1 has this HTTP method and path" },
        { "GET", "compute.v1/projects/p/global/networks/net", null, 404, "no method of compute.v1" }, // servicePath compute/v1/ left out
        { "GET", "compute.v1/compute/v1/projects/p/global/networks/Not_A_Name", null, 404, "no method of compute.v1" }, // off the network pattern
        { "GET", "dns.v1/dns/v1/projects/p/managedZones", null, 404, "no method of any served API" },
        { "GET", "compute.v1/compute/v1/projects/p/global/networks/net?filter=x", null, 400, "query parameter filter is not declared" },
        { "GET", "compute.v1/compute/v1/projects/p/global/networks/net?fields=a&fields=b", null, 400, "query parameter fields is not repeated but was given 2 times" },
        { "GET", "compute.v1/compute/v1/projects/p/global/networks/net?prettyPrint=yes", null, 400, "query parameter prettyPrint=yes is not a boolean" },
        { "GET", "compute.v1/compute/v1/projects/p/global/networks/net?alt=xml", null, 400, "query parameter alt=xml is not a string of [\"json\",\"media\",\"proto\"]" },
        { "POST", "cloudresourcemanager.v3/v3/projects/p:testIamPermissions", """{"perms":["a"]}""", 400, "no field perms in schema TestIamPermissionsRequest" },
        { "POST", "cloudresourcemanager.v3/v3/projects/p:testIamPermissions", """{"permissions":"a"}""", 400, "TestIamPermissionsRequest.permissions: expected array" },
        { "POST", "cloudresourcemanager.v3/v3/projects/p:testIamPermissions", null, 400, "the method takes a TestIamPermissionsRequest body" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_request_off_the_discovery_documents_is_refused_and_recorded(string method, string pathAndQuery, string? body, int status, string violation)
    {
        await using var google = await StartAsync(_ => GoogleAnswer.Ok(Network.DeepClone()));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(google.BaseAddress("compute.v1"), $"/{pathAndQuery}"));
        if (body is not null)
        {
            request.Content = JsonContent.Create(JsonNode.Parse(body));
        }

        using var response = await http.SendAsync(request, Cancellation);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(violation, Assert.Single(google.Violations), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> OffSchemaAnswers => new()
    {
        { """{"kind":"compute#network","networkName":"net"}""", "Network: no field networkName in schema Network" },
        { """{"kind":"compute#network","mtu":"1460"}""", "Network.mtu: expected integer" },
        { """{"kind":"compute#network","id":"twelve"}""", "Network.id: twelve is not a uint64" },
        { """{"kind":"compute#network","subnetworks":"a"}""", "Network.subnetworks: expected array" },
    };

    [Theory]
    [MemberData(nameof(OffSchemaAnswers))]
    public async Task A_handler_answer_off_the_response_schema_is_recorded(string answer, string violation)
    {
        await using var google = await StartAsync(_ => GoogleAnswer.Ok(JsonNode.Parse(answer)!));
        using var http = new HttpClient();

        using var _ = await http.GetAsync(new Uri(google.BaseAddress("compute.v1"), "compute/v1/projects/p/global/networks/net"), Cancellation);

        Assert.Contains(violation, Assert.Single(google.Violations), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_for_a_method_no_served_document_has_is_a_test_error()
    {
        var failure = await Assert.ThrowsAsync<ArgumentException>(() => FakeGoogle.StartAsync(["compute.v1"],
            new Dictionary<string, Func<GoogleCall, GoogleAnswer>> { ["compute.networks.insert"] = _ => GoogleAnswer.Ok(new JsonObject()) }));

        Assert.Contains("compute.networks.insert", failure.Message, StringComparison.Ordinal);
    }
}
