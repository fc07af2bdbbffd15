using System.Security.Claims;
using ClusterPlatform.Tests.Status;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// Who may call what (docs/api.md "Identities and roles"), as data: one row per endpoint the running Api
/// maps, one column per kind of caller, each cell the exact status. Every cell runs against a fresh
/// cluster of organization A with one node pool, so writes in one cell cannot change another's answer.
/// An endpoint mapped without a row fails <see cref="Every_mapped_endpoint_has_a_row"/>.
/// </summary>
public sealed class AuthorizationMatrixTests(UnlimitedApiServer api) : IClassFixture<UnlimitedApiServer>
{
    public enum Who { Anonymous, Expired, WrongAudience, WrongIssuer, ViewerA, UserA, UserB, Controller, ControllerAsOther, Admin }

    private const string OrgA = "matrix-a", OrgB = "matrix-b";
    private const int Ok = 200, Created = 201, Accepted = 202, NoContent = 204, Unauthorized = 401, Forbidden = 403, NotFound = 404;

    // Columns:                                            Anon  Expired WrongAud WrongIss ViewerA UserA    UserB    Ctrl     CtrlOther Admin
    private static readonly int[] AnonymousOk = [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok];
    private static readonly int[] ListRead = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Ok, Ok, Ok, Ok, Ok, Ok];
    private static readonly int[] OwnRead = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Ok, Ok, NotFound, Ok, Ok, Ok];
    private static readonly int[] Create = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Created, Created, Forbidden, Forbidden, Created];
    private static readonly int[] CreateInA = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Created, NotFound, Forbidden, Forbidden, Created];
    private static readonly int[] Update = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Ok, NotFound, Forbidden, Forbidden, Ok];
    private static readonly int[] Delete = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Accepted, NotFound, Forbidden, Forbidden, Accepted];
    private static readonly int[] Report = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Forbidden, Forbidden, Ok, Forbidden, Ok];
    private static readonly int[] ControllersAndAdmins = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Forbidden, Forbidden, Ok, Ok, Ok];
    private static readonly int[] AdminsOnly = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Ok];
    // Break-glass credentials: people read them, users and admins ask for and revoke them, no controller
    // sees them; only the operator client (both controller columns use its token) does their work.
    private static readonly int[] PeopleRead = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Ok, Ok, NotFound, Forbidden, Forbidden, Ok];
    private static readonly int[] PeopleWrite = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Accepted, NotFound, Forbidden, Forbidden, Accepted];
    private static readonly int[] OperatorClientOnly = [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Forbidden, Forbidden, Forbidden, Ok, Ok, Forbidden];

    private static readonly JsonObject LabelPatch = new() { ["labels"] = new JsonObject { ["patched"] = "yes" } };

    private static readonly JsonObject ManagementCluster = new()
    {
        ["region"] = "us-central1",
        ["capacity"] = 1000,
        ["apiEndpoint"] = "https://api.mc-matrix.example.com:6443",
        ["ingressTarget"] = "ingress.mc-matrix.example.com",
    };

    /// <summary>Endpoint ("METHOD route template") → how to call it in a world, and the expected status per <see cref="Who"/>.</summary>
    private static readonly Dictionary<string, (Func<World, HttpRequestMessage> Request, int[] Expected)> Rows = new()
    {
        ["GET /health"] = (_ => Get("/health"), AnonymousOk),
        ["GET /alive"] = (_ => Get("/alive"), AnonymousOk),
        ["GET /openapi/{documentName}.json"] = (_ => Get("/openapi/v1.json"), AnonymousOk),
        ["GET /scalar/{documentName?}"] = (_ => Get("/scalar/v1"), AnonymousOk),
        ["GET /scalar/favicon.svg"] = (_ => Get("/scalar/favicon.svg"), AnonymousOk),
        ["GET /scalar/scalar.js"] = (_ => Get("/scalar/scalar.js"), AnonymousOk),
        ["GET /scalar/scalar.aspnetcore.js"] = (_ => Get("/scalar/scalar.aspnetcore.js"), AnonymousOk),

        ["GET /api/v1/clusters/"] = (_ => Get(ApiCalls.Clusters), ListRead),
        ["POST /api/v1/clusters/"] = (_ => Send(HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster(ApiCalls.Unique("matrix"))), Create),
        ["GET /api/v1/clusters/{id:guid}"] = (w => Get(w.Cluster), OwnRead),
        ["PUT /api/v1/clusters/{id:guid}"] = (w => Send(HttpMethod.Put, w.Cluster, w.ClusterReplacement), Update),
        ["PATCH /api/v1/clusters/{id:guid}"] = (w => Send(HttpMethod.Patch, w.Cluster, LabelPatch, "application/merge-patch+json"), Update),
        ["DELETE /api/v1/clusters/{id:guid}"] = (w => new HttpRequestMessage(HttpMethod.Delete, w.Cluster), Delete),
        ["PUT /api/v1/clusters/{id:guid}/status"] = (w => Send(HttpMethod.Put, $"{w.Cluster}/status", w.Report), Report),
        ["GET /api/v1/clusters/{id:guid}/statuses"] = (w => Get($"{w.Cluster}/statuses"), OwnRead),
        ["GET /api/v1/clusters/{id:guid}/jwks"] = (w => Get($"{w.Cluster}/jwks"), OwnRead),
        ["GET /api/v1/clusters/{id:guid}/audit"] = (w => Get($"{w.Cluster}/audit"), AdminsOnly),
        ["GET /api/v1/clusters/{id:guid}/nodepools"] = (w => Get($"{w.Cluster}/nodepools"), OwnRead),
        ["GET /api/v1/clusters/{id:guid}/upgrades"] = (w => Get($"{w.Cluster}/upgrades"), OwnRead),

        ["POST /api/v1/clusters/{id:guid}/credentials"] = (w => Send(HttpMethod.Post, $"{w.Cluster}/credentials", new JsonObject { ["csr"] = w.Credentials!.CallerCsr }), PeopleWrite),
        ["GET /api/v1/clusters/{id:guid}/credentials"] = (w => Get($"{w.Cluster}/credentials"), PeopleRead),
        ["GET /api/v1/clusters/{id:guid}/credentials/{credentialId:guid}"] = (w => Get(w.Credentials!.Credential), PeopleRead),
        ["POST /api/v1/clusters/{id:guid}/credentials:revoke"] = (w => new HttpRequestMessage(HttpMethod.Post, $"{w.Cluster}/credentials:revoke"), PeopleWrite),
        ["GET /api/v1/clusters/{id:guid}/credentials/revocations/{revocationId:guid}"] = (w => Get(w.Credentials!.Revocation), PeopleRead),
        ["GET /api/v1/clusters/{id:guid}/credentials/work"] = (w => Get($"{w.Cluster}/credentials/work"), OperatorClientOnly),
        ["PUT /api/v1/clusters/{id:guid}/credentials/{credentialId:guid}/issuance"] = (w => Send(HttpMethod.Put, $"{w.Credentials!.Credential}/issuance",
            Credentials.CredentialCalls.FailedReport("matrix")), OperatorClientOnly),
        ["PUT /api/v1/clusters/{id:guid}/credentials/revocations/{revocationId:guid}"] = (w => Send(HttpMethod.Put, w.Credentials!.Revocation,
            new JsonObject { ["status"] = "Completed" }), OperatorClientOnly),

        ["GET /api/v1/nodepools/"] = (w => Get(ApiCalls.NodePools), ListRead),
        ["POST /api/v1/nodepools/"] = (w => Send(HttpMethod.Post, ApiCalls.NodePools, Bodies.NodePool(w.ClusterId, "added")), CreateInA),
        ["GET /api/v1/nodepools/{id:guid}"] = (w => Get(w.NodePool), OwnRead),
        ["PUT /api/v1/nodepools/{id:guid}"] = (w => Send(HttpMethod.Put, w.NodePool, w.NodePoolReplacement), Update),
        ["PATCH /api/v1/nodepools/{id:guid}"] = (w => Send(HttpMethod.Patch, w.NodePool, LabelPatch, "application/merge-patch+json"), Update),
        ["DELETE /api/v1/nodepools/{id:guid}"] = (w => new HttpRequestMessage(HttpMethod.Delete, w.NodePool), Delete),
        ["PUT /api/v1/nodepools/{id:guid}/status"] = (w => Send(HttpMethod.Put, $"{w.NodePool}/status", w.Report), Report),
        ["GET /api/v1/nodepools/{id:guid}/statuses"] = (w => Get($"{w.NodePool}/statuses"), OwnRead),

        ["GET /api/v1/management-clusters/"] = (_ => Get("/api/v1/management-clusters"), ControllersAndAdmins),
        ["PUT /api/v1/management-clusters/{name}"] = (_ => Send(HttpMethod.Put, "/api/v1/management-clusters/mc-matrix", ManagementCluster), AdminsOnly),
        ["GET /api/v1/versions/"] = (_ => Get("/api/v1/versions"), ListRead),
        // 4.22.0 is in the catalog from the refresher's first pass, which runs as the Api starts.
        ["PUT /api/v1/versions/{version}"] = (_ => Send(HttpMethod.Put, "/api/v1/versions/4.22.0", new JsonObject { ["enabled"] = true }), AdminsOnly),
        // Only the placement controller (and admins) place: the matrix's controller is the operator client.
        // The placement controller's own calls are covered by FleetTests and the whole-topology flow.
        ["POST /api/v1/management-clusters/placements/{clusterId:guid}"] = (w => new HttpRequestMessage(HttpMethod.Post, $"/api/v1/management-clusters/placements/{w.ClusterId}"), AdminsOnly),
        ["DELETE /api/v1/management-clusters/placements/{clusterId:guid}"] = (w => new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/management-clusters/placements/{w.ClusterId}"), AdminsOnly.Select(c => c == Ok ? NoContent : c).ToArray()),
    };

    public static TheoryData<string> Endpoints => [.. Rows.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_mapped_endpoint_has_a_row()
    {
        var mapped = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => $"{method} {e.RoutePattern.RawText}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(Rows.Keys.Order(StringComparer.Ordinal), mapped);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_kind_of_caller_gets_exactly_the_status_of_the_contract(string endpoint)
    {
        var (request, expected) = Rows[endpoint];
        var mismatches = new List<string>();
        foreach (var who in Enum.GetValues<Who>())
        {
            var world = await World.CreateAsync(api, who, credentials: endpoint.Contains("/credentials", StringComparison.Ordinal));
            using var message = request(world);
            using var response = await Client(who).SendAsync(message);
            if ((int)response.StatusCode != expected[(int)who])
            {
                mismatches.Add($"{who}: expected {expected[(int)who]}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{endpoint}:{Environment.NewLine}{string.Join(Environment.NewLine, mismatches)}");
    }

    /// <summary>
    /// A fresh cluster of organization A with one node pool and a signing key reported by environment
    /// validation (so its JWKS is served), and the bodies a cell needs for it.
    /// </summary>
    public sealed record World(string Cluster, string ClusterId, string NodePool, JsonObject ClusterReplacement, JsonObject NodePoolReplacement, JsonObject Report)
    {
        /// <summary>For the credential rows: the cluster made Ready, with a Pending credential and revocation of its owner.</summary>
        public CredentialWorld? Credentials { get; private init; }

        public static async Task<World> CreateAsync(ApiServer api, Who who, bool credentials = false)
        {
            var owner = api.As("user", OrgA, "owner-a");
            var cluster = credentials ? await Api.Credentials.CredentialCalls.CreateReadyClusterAsync(api, owner, "matrix")
                : await owner.CreateClusterAsync(ApiCalls.Unique("matrix"));
            var pool = await owner.CreateNodePoolAsync(cluster["id"].Text());
            await api.As("controller", null, ControllerNames.EnvironmentValidation).ReportAsync(cluster["href"].Text(),
                StatusCalls.Report(ControllerNames.EnvironmentValidation, 1, "Available=True").WithData(JwksTests.SigningKeyData("matrix-key")));
            // The controller reports as itself, or (the other column) under another controller's name.
            var controller = who == Who.ControllerAsOther ? "placement-controller" : "operator-client-controller";
            return new World(cluster["href"].Text(), cluster["id"].Text(), pool["href"].Text(),
                Replacement(cluster), Replacement(pool), StatusCalls.Report(controller, 1, "Available=True"))
            {
                Credentials = credentials ? await CredentialWorld.CreateAsync(owner, cluster["href"].Text(), who) : null,
            };
        }

        private static JsonObject Replacement(JsonObject resource) => new()
        {
            ["labels"] = new JsonObject { ["matrix"] = "replaced" },
            ["spec"] = resource["spec"]!.DeepClone(),
        };
    }

    /// <summary>A Pending credential and revocation on the world's cluster, and a CSR for the calling identity's own subject.</summary>
    public sealed record CredentialWorld(string Credential, string Revocation, string CallerCsr)
    {
        public static async Task<CredentialWorld> CreateAsync(HttpClient owner, string clusterHref, Who who)
        {
            using var ownerCsr = Credentials.TestCsr.For("owner-a");
            var credential = await Credentials.CredentialCalls.RequestCredentialAsync(owner, clusterHref, ownerCsr.Pem);
            using var revoke = await owner.PostAsync($"{clusterHref}/credentials:revoke", null);
            Assert.Equal(HttpStatusCode.Accepted, revoke.StatusCode);
            using var callerCsr = Credentials.TestCsr.For(SubjectOf(who));
            return new CredentialWorld(Credentials.CredentialCalls.CredentialHref(credential), revoke.Headers.Location!.OriginalString, callerCsr.Pem);
        }
    }

    /// <summary>The token subject of each column's identity (<see cref="Client"/>): a credential request's CSR must name it.</summary>
    private static string SubjectOf(Who who) => who switch
    {
        Who.ViewerA => $"viewer@{OrgA}",
        Who.UserA => $"user@{OrgA}",
        Who.UserB => $"user@{OrgB}",
        Who.Controller or Who.ControllerAsOther => ControllerNames.OperatorClient,
        Who.Admin => "admin@platform",
        _ => "nobody",
    };

    private HttpClient Client(Who who) => who switch
    {
        Who.Anonymous => api.Anonymous(),
        Who.Expired => api.WithToken(TestTokens.Create("late", OrgA, ["user"], DateTime.UtcNow.AddMinutes(-10))),
        Who.WrongAudience => api.WithToken(Signed(DevelopmentTokensIssuer, "https://another-api.test")),
        Who.WrongIssuer => api.WithToken(Signed("https://another-issuer.test", ClusterPlatform.DevelopmentTokens.Audience)),
        Who.ViewerA => api.As("viewer", OrgA),
        Who.UserA => api.As("user", OrgA),
        Who.UserB => api.As("user", OrgB),
        Who.Controller or Who.ControllerAsOther => api.As("controller", null, "operator-client-controller"),
        Who.Admin => api.As("admin", OrgA, "admin@platform"),
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    };

    private const string DevelopmentTokensIssuer = ClusterPlatform.DevelopmentTokens.Issuer;

    /// <summary>A user token of organization A signed with the trusted key, but for another audience or from another issuer.</summary>
    private static string Signed(string issuer, string audience) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", "mallory"), new Claim("org", OrgA), new Claim("role", "user")]),
        Issuer = issuer,
        Audience = audience,
        Expires = DateTime.UtcNow.AddMinutes(30),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(TestTokens.Key), SecurityAlgorithms.HmacSha256),
    });

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Send(HttpMethod method, string path, JsonNode body, string mediaType = "application/json") =>
        new(method, path) { Content = Bodies.Json(body.DeepClone(), mediaType) };
}
