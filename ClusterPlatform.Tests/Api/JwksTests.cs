using ClusterPlatform.Tests.Status;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// <c>GET /api/v1/clusters/{id}/jwks</c>: the public keys environment validation reported as
/// <c>data.signingKey.jwks</c>, served as the file <c>hypershift create iam gcp --oidc-jwks-file</c> takes.
/// </summary>
public sealed class JwksTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly string organization = ApiCalls.Unique("org");

    private HttpClient User => api.As("user", organization);

    private HttpClient EnvironmentValidation => api.As("controller", null, ControllerNames.EnvironmentValidation);

    /// <summary>A signing key report's data as environment validation sends it.</summary>
    public static JsonObject SigningKeyData(string keyId) => new()
    {
        ["signingKey"] = new JsonObject
        {
            ["issuerUrl"] = "https://hypershift-prod-ea-1a2b3-oidc",
            ["keyId"] = keyId,
            ["jwks"] = new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = keyId, ["e"] = "AQAB",
                    ["n"] = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
                }),
            },
        },
    };

    [Fact]
    public async Task The_reported_jwks_is_served_exactly_and_only_to_those_who_may_read_the_cluster()
    {
        var cluster = await User.CreateClusterAsync(ApiCalls.Unique("keyed"));
        var href = cluster["href"].Text();
        using (var early = await User.GetAsync($"{href}/jwks"))
        {
            await early.AssertProblemAsync(HttpStatusCode.NotFound, "signing-key-not-ready");
        }

        var data = SigningKeyData("key-1");
        await EnvironmentValidation.ReportAsync(href, StatusCalls.Report(ControllerNames.EnvironmentValidation, 1, "Available=True").WithData(data));

        foreach (var reader in new[] { User, api.As("viewer", organization), api.As("controller", null, ControllerNames.Placement), api.As("admin", null) })
        {
            using var response = await reader.GetAsync($"{href}/jwks");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonNode.DeepEquals(data["signingKey"]!["jwks"], JsonNode.Parse(await response.Content.ReadAsStringAsync())));
        }

        using var otherTenant = await api.As("user", ApiCalls.Unique("other")).GetAsync($"{href}/jwks");
        await otherTenant.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        using var absent = await User.GetAsync($"{ApiCalls.Clusters}/{Guid.CreateVersion7()}/jwks");
        await absent.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_new_report_replaces_the_key_and_a_report_without_one_withdraws_it()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("rotated")))["href"].Text();
        await EnvironmentValidation.ReportAsync(href, StatusCalls.Report(ControllerNames.EnvironmentValidation, 1, "Available=True").WithData(SigningKeyData("key-1")));
        await EnvironmentValidation.ReportAsync(href, StatusCalls.Report(ControllerNames.EnvironmentValidation, 1, "Available=True").WithData(SigningKeyData("key-2")));

        var served = JsonNode.Parse(await User.GetStringAsync($"{href}/jwks"))!;
        Assert.Equal("key-2", served["keys"]![0]!["kid"].Text());

        await EnvironmentValidation.ReportAsync(href, StatusCalls.Report(ControllerNames.EnvironmentValidation, 1, "Available=False"));
        using var withdrawn = await User.GetAsync($"{href}/jwks");
        await withdrawn.AssertProblemAsync(HttpStatusCode.NotFound, "signing-key-not-ready");
    }

    [Fact]
    public async Task Only_environment_validations_report_of_an_object_counts()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("unkeyed")))["href"].Text();
        // Another controller's data, and a jwks that is not an object, are not a signing key.
        await api.As("controller", null, ControllerNames.Placement).ReportAsync(href,
            StatusCalls.Report(ControllerNames.Placement, 1, "Available=True").WithData(SigningKeyData("key-1")));
        await EnvironmentValidation.ReportAsync(href, StatusCalls.Report(ControllerNames.EnvironmentValidation, 1, "Available=True")
            .WithData(new JsonObject { ["signingKey"] = new JsonObject { ["issuerUrl"] = "https://x", ["keyId"] = "k", ["jwks"] = "{\"keys\":[]}" } }));

        using var response = await User.GetAsync($"{href}/jwks");
        await response.AssertProblemAsync(HttpStatusCode.NotFound, "signing-key-not-ready");
    }
}
