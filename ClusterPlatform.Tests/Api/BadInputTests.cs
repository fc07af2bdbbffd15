using System.Text;
using System.Text.RegularExpressions;
using ClusterPlatform.Tests.Status;
using Npgsql;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// Over a thousand generated bad requests against every body and query the Api reads: malformed and
/// truncated JSON, wrong types, unknown fields, huge strings and numbers, invalid names, CIDRs,
/// labels and selectors, SQL and JSON injection in every validated field and query parameter,
/// oversized bodies, wrong content types, bad If-Match values, cursors and idempotency keys. Each
/// answer must be a 4xx problem document with a stable code, never a 5xx, and afterwards every table
/// must hold exactly what it held before.
/// </summary>
public sealed partial class BadInputTests(UnlimitedApiServer api) : IClassFixture<UnlimitedApiServer>
{
    private static readonly string[] Injections =
    [
        "'; DROP TABLE clusters; --", "\" OR 1=1 --", "' OR '1'='1", "1; SELECT pg_sleep(10)", "$$; DELETE FROM outbox; $$",
        "{\"$ne\":null}", "\"},\"status\":{\"phase\":\"Ready\"},\"x\":{\"", "\\u0000", "\u0000", "../../etc/passwd", "<script>alert(1)</script>",
        "%27%20OR%201%3D1", "${jndi:ldap://x}", "a\nb", "🙂", new string('a', 300),
    ];

    private static readonly HashSet<string> OptionalFields =
    [
        "labels", "spec.gcp.network", "spec.gcp.infraId", "spec.gcp.subnet", "spec.networking", "spec.networking.machineCidr", "spec.networking.podCidr", "spec.networking.serviceCidr",
        "spec.diskSizeGb", "spec.version", "spec.autoscaling",
        "spec.upgradePolicy", "spec.upgradePolicy.automaticPatchUpgrades", "spec.upgradePolicy.maintenanceWindow", "spec.release.channelGroup",
        "spec.management", "spec.management.upgradeType", "spec.management.maxSurge", "spec.management.maxUnavailable",
        "ttl",
    ];

    private static readonly JsonNode?[] WrongTypes = [123, true, null, new JsonArray(), new JsonObject(), -1.5, "text"];

    [Fact]
    public async Task A_thousand_bad_requests_get_4xx_problems_with_stable_codes_and_change_nothing() =>
        await AssertRefusedAsync(
            (cluster, pool) => Generate(cluster, pool).Select(r => (r.Who, r.Make, (string?)null)), minimum: 1000);

    /// <summary>
    /// Every string of every body (field names, values, array items, label keys) made an
    /// unpaired surrogate, invalid UTF-8 or NUL; every object given a duplicate name; every
    /// server-owned or unknown field sent as null in a merge patch. Each has its own problem code.
    /// </summary>
    [Fact]
    public async Task Hostile_text_duplicate_names_and_server_owned_nulls_get_their_problem_codes_and_change_nothing() =>
        await AssertRefusedAsync(HostileInputs.Generate, minimum: 2000);

    private async Task AssertRefusedAsync(Func<JsonObject, JsonObject, IEnumerable<(string Who, Func<HttpRequestMessage> Make, string? Code)>> generate, int minimum)
    {
        var owner = api.As("user", "bad-input", "owner");
        // Ready, so a credential request reaches its body's rules (a cluster that is not Ready refuses it first, 409).
        var cluster = await Credentials.CredentialCalls.CreateReadyClusterAsync(api, owner, "target");
        var pool = await owner.CreateNodePoolAsync(cluster["id"].Text());
        var admin = api.As("admin", "bad-input", "admin@platform");
        var controller = api.As("controller", null, "operator-client-controller");
        // The relay marks the setup's events published in its own time; wait for that, so the digest
        // below only sees what the bad requests could change.
        await Wait.UntilAsync(async () => await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0,
            TimeSpan.FromSeconds(30), "the setup's events to be published");
        var checksum = await ChecksumAsync();

        var requests = generate(cluster, pool).ToList();
        Assert.True(requests.Count >= minimum, $"only {requests.Count} requests generated");
        var failures = new List<string>();
        foreach (var (who, make, expected) in requests)
        {
            using var request = make();
            var sent = request.Content is null ? "" : Encoding.Latin1.GetString(await request.Content.ReadAsByteArrayAsync());
            var description = $"{request.Method} {request.RequestUri} [{request.Content?.Headers.ContentType}] {string.Join(" ", request.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"))} {sent[..Math.Min(sent.Length, 250)]}";
            using var response = await (who switch { "admin" => admin, "controller" => controller, _ => owner }).SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            var code = status is >= 400 and < 500 && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? (string?)JsonNode.Parse(body)?["code"]
                : null;
            if (code is null || !StableCode().IsMatch(code) || (expected is not null && code != expected))
            {
                failures.Add($"{description} -> {status} (expected {expected ?? "a 4xx"}) {body[..Math.Min(body.Length, 120)]}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} bad requests were not answered with a 4xx problem:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(30))}");
        Assert.Equal(checksum, await ChecksumAsync());
    }

    private static IEnumerable<(string Who, Func<HttpRequestMessage> Make)> Generate(JsonObject cluster, JsonObject pool)
    {
        var clusterHref = cluster["href"].Text();
        var clusterId = cluster["id"].Text();
        var validCluster = Bodies.Cluster("valid-name");
        var validPool = Bodies.NodePool(clusterId, "valid-pool");
        var clusterUpdate = new JsonObject { ["labels"] = new JsonObject(), ["spec"] = cluster["spec"]!.DeepClone() };
        foreach (var (who, method, path, valid, mediaType) in Targets(cluster, pool))
        {
            var json = valid.ToJsonString();
            // Malformed and truncated JSON.
            for (var cut = 1; cut < json.Length; cut += Math.Max(1, json.Length / 40))
            {
                var end = cut; // the lambda runs later; a for loop's variable is shared by its iterations
                yield return (who, () => Raw(method, path, json[..end], mediaType));
            }

            foreach (var garbage in new[] { "", " ", "null", "[]", "\"text\"", "42", "{", "}", "{\"a\":}", "{'single':'quotes'}", "{\"a\":1,}", "\u0000", "<xml/>", json + json, json + "x" })
            {
                yield return (who, () => Raw(method, path, garbage, mediaType));
            }

            // Wrong types and injections in every field, an unknown field in every object.
            foreach (var field in Paths(valid))
            {
                // null is no wrong type where it has a meaning: "the default" for an optional field
                // (docs/api-decisions.md), or a merge patch's "remove".
                var nullMeansSomething = OptionalFields.Contains(field) || method == HttpMethod.Patch;
                foreach (var wrong in WrongTypes.Where(w => !SameKind(w, Get(valid, field)) && !(w is null && nullMeansSomething)))
                {
                    yield return (who, () => Body(method, path, Replace(valid, field, wrong?.DeepClone()), mediaType));
                }

                if (Get(valid, field) is JsonValue value && value.TryGetValue<string>(out _) && !FreeText(field))
                {
                    foreach (var injection in Injections)
                    {
                        yield return (who, () => Body(method, path, Replace(valid, field, injection), mediaType));
                    }

                    yield return (who, () => Body(method, path, Replace(valid, field, new string('x', 20_000)), mediaType));
                }

                if (Get(valid, field) is JsonValue number && number.TryGetValue<long>(out _))
                {
                    foreach (var huge in new[] { "1e400", "99999999999999999999999", "-1", "1.5", "-9223372036854775809" })
                    {
                        yield return (who, () => Raw(method, path, Replace(valid, field, 0).ToJsonString().Replace($"\"{field.Split('.')[^1]}\":0", $"\"{field.Split('.')[^1]}\":{huge}", StringComparison.Ordinal), mediaType));
                    }
                }
            }

            // Labels take any key, so an unknown field is only unknown elsewhere.
            foreach (var objectPath in Objects(valid).Where(p => !p.StartsWith("labels", StringComparison.Ordinal)))
            {
                yield return (who, () => Body(method, path, Replace(valid, objectPath.Length == 0 ? "unknownField" : $"{objectPath}.unknownField", "x"), mediaType));
            }

            // Transport: oversized, wrong or missing content type.
            yield return (who, () => Raw(method, path, Replace(valid, "padding", new string('a', 70 * 1024)).ToJsonString(), mediaType));
            foreach (var wrongType in new[] { "text/plain", "application/xml", "multipart/form-data", "application/x-www-form-urlencoded", "application/json-patch+json" })
            {
                yield return (who, () => Raw(method, path, json, wrongType));
            }

            yield return (who, () => new HttpRequestMessage(method, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) });
        }

        // Specific rules: names, CIDRs, labels, versions, domains.
        foreach (var (field, values) in new (string, string[])[]
        {
            ("name", ["", "ab", "A-Upper", "-lead", "trail-", "has_underscore", "has space", new string('a', 41), "1digit"]),
            ("spec.networking.machineCidr", ["10.0.0.0", "10.0.0.0/33", "300.0.0.0/16", "10.0.0.1/16", "::/0", "10.0.0.0/-1", "10.0.0/16", "a.b.c.d/8"]),
            ("spec.networking.podCidr", ["10.0.0.0/16"]), // overlaps the machine CIDR
            ("spec.release.version", ["4.22", "4.22.3.1", "v4.22.3", "04.22.3", "4.99.0", "latest"]),
            ("spec.dns.baseDomain", ["-bad.example.com", "example", "a..b.com", "exa mple.com", "xn--.com", new string('a', 64) + ".com"]),
            ("spec.gcp.region", ["mars-central1", "us-central", ""]),
            ("labels", []),
        })
        {
            foreach (var value in values)
            {
                yield return ("user", () => Body(HttpMethod.Post, ApiCalls.Clusters, Replace(validCluster, field, value), "application/json"));
            }
        }

        foreach (var labels in new[] { "{\"\":\"x\"}", "{\"bad key!\":\"x\"}", "{\"k\":\"bad value!\"}", "{\"k\":1}", "{\"k\":null}", $"{{\"{new string('k', 64)}\":\"v\"}}", $"{{\"k\":\"{new string('v', 64)}\"}}" })
        {
            yield return ("user", () => Body(HttpMethod.Post, ApiCalls.Clusters, Replace(validCluster, "labels", JsonNode.Parse(labels)), "application/json"));
        }

        foreach (var (field, value) in new (string, JsonNode?)[] { ("spec.replicas", -1), ("spec.replicas", 10_001), ("spec.diskSizeGb", 1), ("spec.machineType", "tiny"), ("spec.autoscaling", new JsonObject { ["min"] = 1, ["max"] = 2 }) })
        {
            yield return ("user", () => Body(HttpMethod.Post, ApiCalls.NodePools, Replace(validPool, field, value), "application/json"));
        }

        // Credential requests the edge refuses: CSRs that are no request, not the caller's, too weak; ttls too short or not durations.
        using var weak = Credentials.TestCsr.Rsa(BreakGlassSubject.DistinguishedName("owner"), 1024);
        using var someoneElses = Credentials.TestCsr.For("mallory");
        using var owners = Credentials.TestCsr.For("owner");
        foreach (var csr in new[] { "", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", weak.Pem, someoneElses.Pem, owners.WithBrokenSignature() })
        {
            yield return ("user", () => Body(HttpMethod.Post, $"{clusterHref}/credentials", new JsonObject { ["csr"] = csr }, "application/json"));
        }

        foreach (var ttl in new[] { "PT5M", "8h", "P", "-PT1H", "P1Y2M3DT4H5M6.7S8", "PT0S" })
        {
            yield return ("user", () => Body(HttpMethod.Post, $"{clusterHref}/credentials", new JsonObject { ["csr"] = owners.Pem, ["ttl"] = ttl }, "application/json"));
        }

        // Query parameters of the lists, and injections in each.
        var queries = new List<string>
        {
            "limit=0", "limit=-1", "limit=1001", "limit=abc", "limit=1e3", "limit=99999999999999999999",
            "phase=Bogus", "phase=", "continue=!!!", "continue=abc", "continue=" + new string('A', 5000), "continue=eyJpZCI6Im5vdC1hLXV1aWQifQ",
            "labelSelector=env%3D%3Dprod%3D", "labelSelector=env%20in%20", "labelSelector=env%20in%20(a", "labelSelector=!", "labelSelector=a%2Cb%2C",
            "labelSelector=" + Uri.EscapeDataString("env notin prod"), "labelSelector=" + Uri.EscapeDataString(new string('k', 100) + "=v"),
        };
        // NUL and bytes that are not UTF-8, percent-encoded: PostgreSQL text cannot hold the first.
        queries.AddRange(new[] { "%00", "a%00", "%FF", "%ED%A0%80", "%C0%AF" }.SelectMany(e => new[] { "labelSelector=env%3D", "labelSelector=", "phase=", "continue=", "limit=" }.Select(p => p + e)));
        queries.AddRange(Injections.SelectMany(i => new[] { "labelSelector=", "phase=", "continue=", "limit=" }.Select(p => p + Uri.EscapeDataString(i))));
        foreach (var query in queries)
        {
            yield return ("user", () => new HttpRequestMessage(HttpMethod.Get, $"{ApiCalls.Clusters}?{query}"));
            yield return ("user", () => new HttpRequestMessage(HttpMethod.Get, $"{ApiCalls.NodePools}?{query}"));
        }

        foreach (var id in new[] { "not-a-guid", "1", "'; DROP TABLE clusters; --" })
        {
            yield return ("user", () => new HttpRequestMessage(HttpMethod.Get, $"{ApiCalls.NodePools}?clusterId={Uri.EscapeDataString(id)}"));
        }

        // Preconditions and idempotency keys.
        foreach (var ifMatch in new[] { "garbage", "\"stale-etag\"", "W/\"weak\"", "\"\"", "\"unterminated", "\"a\", \"b\"" })
        {
            yield return ("user", () => Requests.WithHeader(Body(HttpMethod.Put, clusterHref, clusterUpdate, "application/json"), "If-Match", ifMatch));
            yield return ("user", () => Requests.WithHeader(new HttpRequestMessage(HttpMethod.Delete, clusterHref), "If-Match", ifMatch));
        }

        foreach (var key in new[] { "", " ", new string('k', 300), "bad key with spaces", "semi;colon\"quote" })
        {
            yield return ("user", () => Requests.WithHeader(Body(HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("-invalid"), "application/json"), "Idempotency-Key", key));
        }

        // Admin-only inputs: force delete reasons, management clusters.
        yield return ("admin", () => new HttpRequestMessage(HttpMethod.Delete, $"{clusterHref}?force=true&reason={new string('r', 1025)}"));
        yield return ("admin", () => new HttpRequestMessage(HttpMethod.Delete, $"{clusterHref}?force=maybe&reason=x"));
        yield return ("admin", () => new HttpRequestMessage(HttpMethod.Delete, $"{clusterHref}?force=true"));
        foreach (var reason in new[] { "a%00b", "%00" })
        {
            yield return ("admin", () => new HttpRequestMessage(HttpMethod.Delete, $"{clusterHref}?force=true&reason={reason}"));
        }

        foreach (var query in new[] { "limit=%00", "continue=%00", "continue=a%00", "limit=0", "continue=!!!" })
        {
            yield return ("admin", () => new HttpRequestMessage(HttpMethod.Get, $"{clusterHref}/audit?{query}"));
        }
        foreach (var body in new[] { "{}", "{\"region\":\"us-central1\"}", "{\"region\":\"us-central1\",\"capacity\":-1,\"apiEndpoint\":\"https://x\",\"ingressTarget\":\"x\"}", "{\"region\":\"'; DROP TABLE management_clusters; --\",\"capacity\":1,\"apiEndpoint\":\"https://x\",\"ingressTarget\":\"x\"}" })
        {
            yield return ("admin", () => Raw(HttpMethod.Put, "/api/v1/management-clusters/mc-bad", body, "application/json"));
        }
    }

    /// <summary>A good CSR of the bad-input owner, made once: every variant of the credential body starts from it.</summary>
    private static readonly Lazy<string> OwnersCsr = new(() =>
    {
        using var csr = Credentials.TestCsr.For("owner");
        return csr.Pem;
    });

    /// <summary>Every body the Api reads, each valid as it stands, with who may send it.</summary>
    internal static (string Who, HttpMethod Method, string Path, JsonObject Valid, string MediaType)[] Targets(JsonObject cluster, JsonObject pool)
    {
        var clusterHref = cluster["href"].Text();
        var poolHref = pool["href"].Text();
        var validReport = StatusCalls.Report("operator-client-controller", 1, "Available=True");
        var clusterUpdate = new JsonObject { ["labels"] = new JsonObject(), ["spec"] = cluster["spec"]!.DeepClone() };
        var poolUpdate = new JsonObject { ["labels"] = new JsonObject { ["pool"] = "general" }, ["spec"] = pool["spec"]!.DeepClone() };
        var fleet = new JsonObject { ["region"] = "us-central1", ["capacity"] = 5, ["apiEndpoint"] = "https://mc.example.com", ["ingressTarget"] = "ingress.example.com" };
        return
        [
            ("user", HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("valid-name"), "application/json"),
            ("user", HttpMethod.Put, clusterHref, clusterUpdate, "application/json"),
            ("user", HttpMethod.Patch, clusterHref, clusterUpdate, "application/merge-patch+json"),
            ("user", HttpMethod.Post, ApiCalls.NodePools, Bodies.NodePool(cluster["id"].Text(), "valid-pool"), "application/json"),
            ("user", HttpMethod.Put, poolHref, poolUpdate, "application/json"),
            ("user", HttpMethod.Patch, poolHref, poolUpdate, "application/merge-patch+json"),
            ("controller", HttpMethod.Put, $"{clusterHref}/status", validReport, "application/json"),
            ("controller", HttpMethod.Put, $"{poolHref}/status", validReport, "application/json"),
            ("admin", HttpMethod.Put, "/api/v1/management-clusters/mc-bad", fleet, "application/json"),
            // Valid as it stands (a 202), so every variant is a body fault: 400, 413 or 415.
            ("user", HttpMethod.Post, $"{clusterHref}/credentials", new JsonObject { ["csr"] = OwnersCsr.Value, ["ttl"] = "PT1H" }, "application/json"),
            // No such credential or revocation, so a valid report is a 404; every body fault is a 400 before that.
            ("controller", HttpMethod.Put, $"{clusterHref}/credentials/{Guid.Empty}/issuance", new JsonObject { ["status"] = "Failed", ["message"] = "x" }, "application/json"),
            ("controller", HttpMethod.Put, $"{clusterHref}/credentials/revocations/{Guid.Empty}", new JsonObject { ["status"] = "Failed", ["message"] = "x" }, "application/json"),
        ];
    }

    /// <summary>A digest of every row of every table, to prove a run of bad requests wrote nothing.</summary>
    private async Task<string> ChecksumAsync()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var digest = new StringBuilder();
        foreach (var table in tables)
        {
            // Table names come from the catalog, not from input; quote_ident keeps them exact.
            await using var command = new NpgsqlCommand(
                $"SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM public.\"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\" t", connection);
            digest.Append(table).Append('=').Append(await command.ExecuteScalarAsync()).Append(';');
        }

        return digest.ToString();
    }

    private static bool FreeText(string field) => field.EndsWith("message", StringComparison.Ordinal);

    private static IEnumerable<string> Paths(JsonNode node, string prefix = "") => node switch
    {
        JsonObject o => o.SelectMany(p => Paths(p.Value!, prefix.Length == 0 ? p.Key : $"{prefix}.{p.Key}")).Append(prefix).Where(p => p.Length > 0),
        JsonArray => [prefix],
        _ => [prefix],
    };

    private static IEnumerable<string> Objects(JsonNode node, string prefix = "") => node is JsonObject o
        ? o.Where(p => p.Value is JsonObject).SelectMany(p => Objects(p.Value!, prefix.Length == 0 ? p.Key : $"{prefix}.{p.Key}")).Prepend(prefix)
        : [];

    private static JsonNode? Get(JsonNode root, string path) => path.Split('.').Aggregate((JsonNode?)root, (node, key) => node?[key]);

    private static bool SameKind(JsonNode? a, JsonNode? b) => a?.GetValueKind() == b?.GetValueKind();

    private static JsonObject Replace(JsonObject valid, string path, JsonNode? value)
    {
        var copy = valid.DeepClone().AsObject();
        var keys = path.Split('.');
        var parent = keys[..^1].Aggregate((JsonNode)copy, (node, key) => node[key]!).AsObject();
        parent[keys[^1]] = value;
        return copy;
    }

    private static HttpRequestMessage Body(HttpMethod method, string path, JsonNode body, string mediaType) => Raw(method, path, body.ToJsonString(), mediaType);

    internal static HttpRequestMessage Raw(HttpMethod method, string path, string body, string mediaType) =>
        new(method, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    [GeneratedRegex("^[a-z]+(-[a-z]+)*\\z")]
    private static partial Regex StableCode();
}
