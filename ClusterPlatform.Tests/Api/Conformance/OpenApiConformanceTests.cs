using System.Text.Json;

namespace ClusterPlatform.Tests.Api.Conformance;

/// <summary>
/// The document the Api serves at <c>/openapi/v1.json</c> is true of the Api. A recorded set
/// of real requests, covering every operation with a success and every error class the Api answers
/// (400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 504), goes to a real running Api, and
/// each exchange is checked against the document by <see cref="OpenApiDocumentValidator"/>.
/// </summary>
public sealed class OpenApiConformanceTests(OpenApiConformanceTests.ConformanceApiServer api) : IClassFixture<OpenApiConformanceTests.ConformanceApiServer>
{
    private const string Fleet = "/api/v1/management-clusters";

    /// <summary>Reads of one identity are cut off after a burst of 40 (for a 429), and fleet requests time out after 1 s (for a 504).</summary>
    public sealed class ConformanceApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        public const int ReadBurst = 40;

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Http:RateLimits:ReadsPerSecond"] = "1",
            ["Http:RateLimits:ReadBurst"] = ReadBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Http:Timeouts:Groups:fleet"] = "00:00:01",
        };
    }

    private readonly ExchangeRecorder recorder = new();

    [Fact]
    public async Task Every_recorded_response_matches_the_document_and_every_valid_request_is_allowed_by_it()
    {
        var document = await api.Anonymous().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var validator = new OpenApiDocumentValidator(JsonDocument.Parse(document).RootElement);

        await ClustersAsync();
        await NodePoolsAsync();
        await FleetAsync();
        await VersionsAsync();
        await CredentialsAsync();
        await EdgeAsync();

        var failures = new List<string>();
        foreach (var (exchange, validRequest) in recorder.Exchanges)
        {
            var what = $"{exchange.Method} {exchange.PathAndQuery} -> {exchange.Status}";
            if (exchange.Status == 405 && validator.HasPath(exchange.PathAndQuery.Split('?')[0]))
            {
                // A method the path does not have: the document cannot list it under an operation.
                Assert.Equal("method-not-allowed", JsonNode.Parse(exchange.ResponseBody)!["code"].Text());
                continue;
            }

            failures.AddRange(validator.ResponseViolations(exchange).Select(v => $"{what}: response: {v}"));
            if (validRequest)
            {
                failures.AddRange(validator.RequestViolations(exchange).Select(v => $"{what}: request: {v}"));
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));

        // The set really is every operation's success and every error class.
        var succeeded = recorder.Exchanges.Where(e => e.Exchange.Status is >= 200 and < 300).Select(e => validator.OperationOf(e.Exchange)).ToHashSet();
        Assert.Equal([], validator.Operations().Except(succeeded).Order());
        var statuses = recorder.Exchanges.Select(e => e.Exchange.Status).ToHashSet();
        Assert.Subset(statuses, new HashSet<int> { 200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 504 });
    }

    [Fact]
    public async Task The_validator_refuses_what_the_document_does_not_allow()
    {
        var document = await api.Anonymous().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var validator = new OpenApiDocumentValidator(JsonDocument.Parse(document).RootElement);
        var user = api.As("user", ApiCalls.Unique("strict"));
        var (_, cluster, headers) = await Send(user, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("strict"));
        var created = recorder.Exchanges[^1].Exchange;
        Assert.Empty(validator.ResponseViolations(created));
        Assert.Empty(validator.RequestViolations(created));

        var withoutId = cluster!.DeepClone().AsObject();
        withoutId.Remove("id");
        var stringGeneration = cluster.DeepClone().AsObject().With("generation", "1");
        Assert.NotEmpty(validator.ResponseViolations(created with { ResponseBody = withoutId.ToJsonString() }));
        Assert.NotEmpty(validator.ResponseViolations(created with { ResponseBody = stringGeneration.ToJsonString() }));
        Assert.NotEmpty(validator.ResponseViolations(created with { Status = 418 }));
        Assert.NotEmpty(validator.ResponseViolations(created with { ResponseHeaders = new Dictionary<string, string>(headers) { ["Retry-After"] = "1" } }));
        Assert.NotEmpty(validator.ResponseViolations(created with { ResponseHeaders = headers.Where(h => h.Key != "ETag").ToDictionary() }));
        Assert.NotEmpty(validator.RequestViolations(created with { PathAndQuery = $"{ApiCalls.Clusters}?dryRun=true" }));
        Assert.NotEmpty(validator.RequestViolations(created with { RequestBody = Bodies.Cluster("UPPER").ToJsonString() }));
        Assert.NotEmpty(validator.RequestViolations(created with { RequestBody = Bodies.Cluster("mars").With("spec.gcp.region", "mars-north1").ToJsonString() }));
        Assert.NotEmpty(validator.RequestViolations(created with { RequestContentType = "text/plain" }));
        var (_, problem, _) = await Send(user, HttpMethod.Get, $"{ApiCalls.Clusters}/{Guid.CreateVersion7()}");
        var notFound = recorder.Exchanges[^1].Exchange;
        Assert.Empty(validator.ResponseViolations(notFound));
        var withoutTraceId = problem!.DeepClone().AsObject();
        withoutTraceId.Remove("traceId");
        Assert.NotEmpty(validator.ResponseViolations(notFound with { ResponseBody = withoutTraceId.ToJsonString() }));
        Assert.NotEmpty(validator.RequestViolations(created with { RequestHeaders = new Dictionary<string, string> { ["If-Match"] = "\"1\"" } }));
    }

    private async Task ClustersAsync()
    {
        var org = ApiCalls.Unique("acme");
        var user = api.As("user", org);
        var viewer = api.As("viewer", org);
        var admin = api.As("admin", null);
        var placement = api.As("controller", null, ControllerNames.Placement);
        var dns = api.As("controller", null, ControllerNames.DnsManagement);
        var validation = api.As("controller", null, ControllerNames.EnvironmentValidation);

        // The least a create may say: no labels, no networking, no GCP names.
        var minimal = new JsonObject
        {
            ["name"] = "minimal",
            ["spec"] = new JsonObject
            {
                ["gcp"] = new JsonObject { ["projectId"] = "acme-prod-123", ["region"] = "us-central1" },
                ["release"] = new JsonObject { ["version"] = "4.22.3" },
                ["dns"] = new JsonObject { ["baseDomain"] = "acme.example.com" },
            },
        };
        var (_, created, createdHeaders) = await Send(user, HttpMethod.Post, ApiCalls.Clusters, minimal);
        var id = created!["id"].Text();
        var path = $"{ApiCalls.Clusters}/{id}";
        var etag = createdHeaders["ETag"];

        // Explicit nulls for the optional fields mean "left out" (docs/api-decisions.md).
        var nulls = new JsonObject
        {
            ["name"] = "nulls",
            ["labels"] = null,
            ["spec"] = new JsonObject
            {
                ["gcp"] = new JsonObject { ["projectId"] = "acme-prod-123", ["region"] = "us-central1", ["network"] = null, ["infraId"] = null, ["subnet"] = null },
                ["release"] = new JsonObject { ["version"] = "4.22.3" },
                ["networking"] = null,
                ["dns"] = new JsonObject { ["baseDomain"] = "acme.example.com" },
            },
        };
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, nulls);

        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var (_, full, _) = await Send(user, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("full"), headers: key);
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("full"), headers: key);
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("other"), headers: key); // 422: the key's body differs
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("full")); // 409: name clash
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("X"), validRequest: false); // 400 validation
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, rawBody: "{\"name\":", validRequest: false); // 400 malformed
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("texty"), mediaType: "text/plain", validRequest: false); // 415
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, rawBody: $"{{\"name\":\"{new string('a', 70_000)}\"}}", validRequest: false); // 413
        await Send(api.Anonymous(), HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("anonymous")); // 401
        await Send(viewer, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("viewed")); // 403

        await Send(user, HttpMethod.Get, $"{ApiCalls.Clusters}?limit=1&labelSelector=env%3Dprod&phase=Pending");
        await Send(user, HttpMethod.Get, $"{ApiCalls.Clusters}?limit=0", validRequest: false); // 400
        await Send(user, HttpMethod.Get, $"{ApiCalls.Clusters}?continue=not-a-cursor"); // 400 invalid-continue
        await Send(user, HttpMethod.Get, path);
        await Send(user, HttpMethod.Get, path, headers: new Dictionary<string, string> { ["If-None-Match"] = etag }); // 304
        await Send(user, HttpMethod.Get, $"{ApiCalls.Clusters}/{Guid.CreateVersion7()}"); // 404
        await Send(api.Anonymous(), HttpMethod.Get, path); // 401

        var replace = new JsonObject { ["labels"] = new JsonObject { ["env"] = "dev" }, ["spec"] = created["spec"]!.DeepClone() };
        await Send(user, HttpMethod.Put, path, replace, headers: new Dictionary<string, string> { ["If-Match"] = etag });
        await Send(user, HttpMethod.Put, path, replace, headers: new Dictionary<string, string> { ["If-Match"] = "\"999\"" }); // 412
        await Send(user, HttpMethod.Patch, path, new JsonObject { ["labels"] = new JsonObject { ["team"] = "a" } }, mediaType: "application/merge-patch+json");
        await Send(user, HttpMethod.Patch, path, new JsonObject { ["labels"] = new JsonObject { ["team"] = null } }, mediaType: "application/merge-patch+json");
        await Send(user, HttpMethod.Patch, path, new JsonObject { ["labels"] = new JsonObject() }, validRequest: false); // 415: not a merge patch
        var (_, patched, _) = await Send(user, HttpMethod.Patch, path,
            new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["channelGroup"] = "fast" } } }, mediaType: "application/merge-patch+json");
        var generation = patched!["generation"]!.GetValue<long>();

        var status = $"{path}/status";
        await Send(placement, HttpMethod.Put, status, Report(ControllerNames.Placement, generation, data: null));
        await Send(placement, HttpMethod.Put, status, Report(ControllerNames.Placement, generation, new JsonObject { ["managementCluster"] = "mc-1" }));
        await Send(placement, HttpMethod.Put, status, Report(ControllerNames.Placement, generation, data: null, version: 2)); // the entry's version: stored
        await Send(placement, HttpMethod.Put, status, Report(ControllerNames.Placement, generation, data: null, version: 0)); // 409 report-conflict
        await Send(placement, HttpMethod.Put, status, Report(ControllerNames.Placement, generation - 1, data: null)); // 409 stale
        await Send(placement, HttpMethod.Put, status, Report(ControllerNames.Placement, generation + 50, data: null)); // 422 future
        await Send(dns, HttpMethod.Put, status, Report(ControllerNames.Placement, generation, data: null)); // 403 another's name
        await Send(user, HttpMethod.Get, $"{path}/statuses");
        await Send(user, HttpMethod.Get, $"{path}/jwks"); // 404 signing-key-not-ready
        await Send(validation, HttpMethod.Put, status, Report(ControllerNames.EnvironmentValidation, generation, new JsonObject
        {
            [SigningKeyData.DataField] = new JsonObject
            {
                ["issuerUrl"] = "https://issuer.example.com", ["keyId"] = "k1",
                ["jwks"] = new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "RSA", ["kid"] = "k1", ["use"] = "sig", ["alg"] = "RS256", ["n"] = "AQAB", ["e"] = "AQAB" }) },
            },
        }));
        await Send(user, HttpMethod.Get, $"{path}/jwks");
        await Send(admin, HttpMethod.Get, $"{path}/audit?limit=10");
        await Send(user, HttpMethod.Get, $"{path}/audit"); // 403
        await Send(user, HttpMethod.Get, $"{path}/nodepools?limit=5");
        await UpgradesAsync(user, path, generation);

        var fullPath = $"{ApiCalls.Clusters}/{full!["id"].Text()}";
        await Send(user, HttpMethod.Delete, fullPath);
        await Send(user, HttpMethod.Delete, fullPath);
        await Send(user, HttpMethod.Put, fullPath, new JsonObject { ["spec"] = full["spec"]!.DeepClone() }); // 409 deleting
        await Send(admin, HttpMethod.Delete, $"{fullPath}?force=true"); // 400: no reason
        await Send(admin, HttpMethod.Delete, $"{fullPath}?force=true&reason=conformance%20test"); // 204
        await Send(user, HttpMethod.Post, path, Bodies.Cluster("posted")); // 405
    }

    private async Task NodePoolsAsync()
    {
        var org = ApiCalls.Unique("pools");
        var user = api.As("user", org);
        var operatorClient = api.As("controller", null, ControllerNames.OperatorClient);
        var cluster = await user.CreateClusterAsync("pooled");
        var clusterId = cluster["id"].Text();

        // Only autoscaling, and no disk size or labels: the Api fills them in.
        var autoscaled = new JsonObject
        {
            ["clusterId"] = clusterId,
            ["name"] = "autoscaled",
            ["spec"] = new JsonObject { ["machineType"] = "n2-standard-4", ["version"] = "4.22.3", ["autoscaling"] = new JsonObject { ["min"] = 1, ["max"] = 3 } },
        };
        await Send(user, HttpMethod.Post, ApiCalls.NodePools, autoscaled);
        var (_, pool, poolHeaders) = await Send(user, HttpMethod.Post, ApiCalls.NodePools, Bodies.NodePool(clusterId));
        await Send(user, HttpMethod.Post, ApiCalls.NodePools,
            Bodies.NodePool(clusterId, "both").With("spec.autoscaling", new JsonObject { ["min"] = 1, ["max"] = 2 }), validRequest: false); // 400
        await Send(user, HttpMethod.Post, ApiCalls.NodePools, Bodies.NodePool(Guid.CreateVersion7().ToString(), "orphan")); // 404
        // 422 version-skew: above the control plane (4.22.3, the cluster's version until HyperShift reports one).
        Assert.Equal(422, (await Send(user, HttpMethod.Post, ApiCalls.NodePools, Bodies.NodePool(clusterId, "ahead").With("spec.version", "4.23.0"))).Status);
        await Send(user, HttpMethod.Post, ApiCalls.NodePools, Bodies.NodePool(clusterId, "in-place")
            .With("spec.version", null).With("spec.management", new JsonObject { ["upgradeType"] = "InPlace", ["maxUnavailable"] = "25%" }));

        var path = $"{ApiCalls.NodePools}/{pool!["id"].Text()}";
        await Send(user, HttpMethod.Get, $"{ApiCalls.NodePools}?clusterId={clusterId}&limit=10");
        await Send(user, HttpMethod.Get, path);
        await Send(user, HttpMethod.Get, path, headers: new Dictionary<string, string> { ["If-None-Match"] = poolHeaders["ETag"] });
        await Send(user, HttpMethod.Put, path, new JsonObject { ["labels"] = new JsonObject { ["pool"] = "big" }, ["spec"] = pool["spec"]!.DeepClone() });
        var (_, switched, _) = await Send(user, HttpMethod.Patch, path,
            new JsonObject { ["spec"] = new JsonObject { ["replicas"] = null, ["autoscaling"] = new JsonObject { ["min"] = 1, ["max"] = 2 } } },
            mediaType: "application/merge-patch+json");
        await Send(user, HttpMethod.Patch, path, new JsonObject { ["labels"] = null }, mediaType: "application/merge-patch+json",
            headers: new Dictionary<string, string> { ["If-Match"] = "\"999\"" }); // 412
        // 422 version-skew: a pool above its control plane.
        var skewed = new[]
        {
            await Send(user, HttpMethod.Patch, path, new JsonObject { ["spec"] = new JsonObject { ["version"] = "4.23.0" } },
                mediaType: "application/merge-patch+json"),
            await Send(user, HttpMethod.Put, path, new JsonObject { ["spec"] = pool["spec"]!.DeepClone() }.With("spec.version", "4.23.0")),
        };
        Assert.All(skewed, s => Assert.Equal("version-skew", s.Body!["code"].Text()));
        await Send(operatorClient, HttpMethod.Put, $"{path}/status", Report(ControllerNames.OperatorClient, switched!["generation"]!.GetValue<long>(), data: null));
        await Send(operatorClient, HttpMethod.Put, $"{path}/status", rawBody: "[]", validRequest: false); // 400
        await Send(user, HttpMethod.Get, $"{path}/statuses");
        await Send(user, HttpMethod.Delete, path);
    }

    private async Task FleetAsync()
    {
        var admin = api.As("admin", null);
        var placement = api.As("controller", null, ControllerNames.Placement);
        var dns = api.As("controller", null, ControllerNames.DnsManagement);
        var user = api.As("user", ApiCalls.Unique("fleet"));
        var cluster = await user.CreateClusterAsync("placed");
        var placements = $"{Fleet}/placements/{cluster["id"].Text()}";

        await Send(admin, HttpMethod.Get, Fleet);
        await Send(user, HttpMethod.Get, Fleet); // 403
        var body = new JsonObject { ["region"] = "us-central1", ["capacity"] = 10, ["apiEndpoint"] = "https://mc.example.com:6443", ["ingressTarget"] = "ingress.mc.example.com" };
        await Send(admin, HttpMethod.Put, $"{Fleet}/mc-conformance", body);
        await Send(admin, HttpMethod.Put, $"{Fleet}/mc-conformance", body.DeepClone().AsObject().With("capacity", -1), validRequest: false); // 400
        await Send(placement, HttpMethod.Post, placements);
        await Send(dns, HttpMethod.Post, placements); // 403
        await Send(placement, HttpMethod.Post, $"{Fleet}/placements/{Guid.CreateVersion7()}"); // 404
        await Send(placement, HttpMethod.Delete, placements);
    }

    private async Task VersionsAsync()
    {
        const string versions = "/api/v1/versions";
        var admin = api.As("admin", null);
        // The refresher fills the catalog once the Api has started; the first filled page is the one recorded.
        await Wait.UntilAsync(async () => (await admin.GetObjectAsync(versions))["items"]!.AsArray().Count > 0,
            TimeSpan.FromSeconds(30), "the version catalog to be filled");
        var (_, page, _) = await Send(api.As("user", ApiCalls.Unique("versions")), HttpMethod.Get, $"{versions}?channelGroup=stable");
        var version = page!["items"]![0]!["version"].Text();
        await Send(admin, HttpMethod.Get, $"{versions}?channelGroup=nightly", validRequest: false); // 400
        await Send(admin, HttpMethod.Put, $"{versions}/{version}", new JsonObject { ["enabled"] = true });
        await Send(api.As("user", ApiCalls.Unique("versions")), HttpMethod.Put, $"{versions}/{version}", new JsonObject { ["enabled"] = true }); // 403
        await Send(admin, HttpMethod.Put, $"{versions}/9.99.0", new JsonObject { ["enabled"] = true }); // 404
    }

    private async Task EdgeAsync()
    {
        // 429: one identity's reads past its burst.
        var reader = api.As("user", ApiCalls.Unique("reader"));
        for (var i = 0; i <= ConformanceApiServer.ReadBurst; i++)
        {
            using var response = await reader.GetAsync($"{ApiCalls.Clusters}?limit=1", TestContext.Current.CancellationToken);
        }

        await Send(reader, HttpMethod.Get, $"{ApiCalls.Clusters}?limit=1");

        // 504: a lock on the fleet holds the list past the fleet group's timeout.
        await using var connection = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE management_clusters IN ACCESS EXCLUSIVE MODE", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await Send(api.As("admin", null), HttpMethod.Get, Fleet);
    }

    /// <summary>
    /// A cluster at 4.22.3 in fast: its upgrades before and after HyperShift reports the running version,
    /// an accepted upgrade, and the refusals (409 in progress, 422 downgrade, 422 create of a version
    /// not enabled), each with its allowedTargets.
    /// </summary>
    private async Task UpgradesAsync(HttpClient user, string path, long generation)
    {
        var operatorClient = api.As("controller", null, ControllerNames.OperatorClient);
        static JsonObject Release(string version) => new() { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["version"] = version } } };
        await Send(user, HttpMethod.Get, $"{path}/upgrades"); // nothing reported: current null, no items
        await Send(user, HttpMethod.Patch, path, Release("4.22.4"), mediaType: "application/merge-patch+json"); // 409 upgrade-in-progress
        var running = new JsonObject
        {
            ["current"] = "4.22.3", ["desired"] = "4.22.3",
            ["history"] = new JsonArray(new JsonObject { ["version"] = "4.22.3", ["state"] = "Completed", ["startedAt"] = "2026-12-02T15:00:00Z", ["completedAt"] = "2026-12-02T15:30:00Z" }),
        };
        await Send(operatorClient, HttpMethod.Put, $"{path}/status", Report(ControllerNames.OperatorClient, generation, new JsonObject { ["version"] = running }));
        await Send(user, HttpMethod.Get, $"{path}/upgrades"); // 4.22.4, a patch
        await Send(user, HttpMethod.Patch, path, Release("4.22.2"), mediaType: "application/merge-patch+json"); // 422 version-downgrade
        await Send(user, HttpMethod.Patch, path, Release("4.22.4"), mediaType: "application/merge-patch+json");
        await Send(user, HttpMethod.Get, $"{ApiCalls.Clusters}/{Guid.CreateVersion7()}/upgrades"); // 404
        await Send(user, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("disabled").With("spec.release.version", "4.22.1")); // 422 version-not-enabled
    }

    /// <summary>
    /// Break-glass credentials: a request, the operator client's work and reports (a certificate signed
    /// by a test CA), the requester's read with certificate and kubeconfig, a revocation, and refusals.
    /// </summary>
    private async Task CredentialsAsync()
    {
        var org = ApiCalls.Unique("keys");
        var user = api.As("user", org, "carol");
        var viewer = api.As("viewer", org, "vic");
        var operatorClient = api.As("controller", null, ControllerNames.OperatorClient);
        var ready = await user.CreateClusterAsync(ApiCalls.Unique("bg"));
        await Status.StatusCalls.ReportAllAsync(Status.Controllers.Clients(api), ready["href"].Text(), 1, ControllerNames.All, "Available=True");
        var notReady = await user.CreateClusterAsync(ApiCalls.Unique("bg"));
        var path = $"{ready["href"].Text()}/credentials";
        using var csr = Credentials.TestCsr.For("carol");
        using var ca = new Credentials.TestCa();

        var (_, pending, _) = await Send(user, HttpMethod.Post, path, new JsonObject { ["csr"] = csr.Pem, ["ttl"] = "PT1H" });
        var (_, failing, _) = await Send(user, HttpMethod.Post, path, new JsonObject { ["csr"] = csr.Pem, ["ttl"] = null });
        await Send(user, HttpMethod.Post, path, new JsonObject { ["csr"] = "not a csr" }, validRequest: false); // 400
        await Send(user, HttpMethod.Post, $"{notReady["href"].Text()}/credentials", new JsonObject { ["csr"] = csr.Pem }); // 409
        await Send(viewer, HttpMethod.Post, path, new JsonObject { ["csr"] = csr.Pem }); // 403
        await Send(user, HttpMethod.Get, $"{path}/work"); // 403
        await Send(operatorClient, HttpMethod.Get, $"{path}/work");
        var one = $"{path}/{pending!["id"].Text()}";
        await Send(operatorClient, HttpMethod.Put, $"{one}/issuance",
            Credentials.CredentialCalls.IssuedReport(ca.Sign(csr.Pem, DateTimeOffset.UtcNow.AddMinutes(50)), ca.Pem));
        await Send(operatorClient, HttpMethod.Put, $"{path}/{failing!["id"].Text()}/issuance", Credentials.CredentialCalls.FailedReport("denied"));
        await Send(operatorClient, HttpMethod.Put, $"{one}/issuance", Credentials.CredentialCalls.FailedReport("denied")); // 409
        await Send(operatorClient, HttpMethod.Put, $"{one}/issuance", new JsonObject { ["status"] = "Issued" }, validRequest: false); // 400
        await Send(user, HttpMethod.Get, one); // with certificate and kubeconfig
        await Send(viewer, HttpMethod.Get, one);
        await Send(viewer, HttpMethod.Get, path);
        await Send(operatorClient, HttpMethod.Get, path); // 403
        await Send(user, HttpMethod.Get, $"{path}/{Guid.CreateVersion7()}"); // 404

        var (_, revocation, _) = await Send(user, HttpMethod.Post, $"{path}:revoke");
        var revocationPath = $"{path}/revocations/{revocation!["id"].Text()}";
        await Send(viewer, HttpMethod.Get, revocationPath);
        await Send(operatorClient, HttpMethod.Put, revocationPath, new JsonObject { ["status"] = "Completed" });
        await Send(operatorClient, HttpMethod.Put, revocationPath, new JsonObject { ["status"] = "Failed", ["message"] = "timeout" }); // 409
        await Send(user, HttpMethod.Get, one); // Revoked
    }

    private static JsonObject Report(string controller, long generation, JsonObject? data, long? version = null)
    {
        var report = new JsonObject
        {
            ["controller"] = controller,
            ["observedGeneration"] = generation,
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Available", ["status"] = "True", ["reason"] = "AsExpected", ["message"] = "conformance" }),
        };
        if (data is not null)
        {
            report["data"] = data;
        }

        if (version is not null)
        {
            report["version"] = version;
        }

        return report;
    }

    private Task<(int Status, JsonNode? Body, IReadOnlyDictionary<string, string> Headers)> Send(HttpClient client, HttpMethod method, string path,
        JsonNode? json = null, string mediaType = "application/json", IReadOnlyDictionary<string, string>? headers = null, string? rawBody = null,
        bool validRequest = true) =>
        recorder.SendAsync(client, method, path, json, mediaType, headers, rawBody, validRequest);
}
