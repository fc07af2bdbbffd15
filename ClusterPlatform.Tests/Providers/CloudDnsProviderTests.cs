extern alias controllers;

using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// The real provider against a local server speaking Cloud DNS v1 (managedZones, rrsets, changes).
/// Each test gets its own fake zone, server and provider (xunit makes an instance per test).
/// </summary>
public sealed class CloudDnsProviderTests : IAsyncLifetime
{
    private const string Zones = "/dns/v1/projects/dns-project/managedZones";

    private readonly FakeCloudDns dns = new();
    private LocalApiServer server = null!;
    private CloudDnsProvider provider = null!;

    public async ValueTask InitializeAsync()
    {
        server = await LocalApiServer.StartAsync(dns.Map);
        var options = new ProviderOptions { Gcp = { DnsUrl = server.BaseAddress, DnsProjectId = "dns-project" } };
        provider = new CloudDnsProvider(new HttpClient(), Options.Create(options));
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    /// <summary>One zone for example.com.; its record sets keyed by "name type".</summary>
    private sealed class FakeCloudDns
    {
        public Dictionary<string, JsonObject> RecordSets { get; } = new(StringComparer.Ordinal);

        /// <summary>Another writer's edit, made just before the next change arrives.</summary>
        public Action? BeforeNextChange { get; set; }

        public void Map(WebApplication app)
        {
            app.MapGet(Zones, (string? dnsName) => Results.Json(new JsonObject
            {
                ["managedZones"] = dnsName == "example.com."
                    // A private zone of the same name comes first: only the public one serves the world.
                    ? new JsonArray(
                        new JsonObject { ["name"] = "example-internal", ["dnsName"] = "example.com.", ["visibility"] = "private" },
                        new JsonObject { ["name"] = "example-zone", ["dnsName"] = "example.com.", ["visibility"] = "public" })
                    : new JsonArray(),
            }));
            app.MapGet(Zones + "/example-zone/rrsets", (string? name) =>
            {
                lock (RecordSets)
                {
                    return Results.Json(new JsonObject
                    {
                        ["rrsets"] = new JsonArray([.. RecordSets.Values.Where(s => (string?)s["name"] == name).Select(s => s.DeepClone())]),
                    });
                }
            });
            // Like Cloud DNS: a deletion must match the stored set exactly, an addition must not exist, and all apply or none.
            app.MapPost(Zones + "/example-zone/changes", async (HttpRequest request) =>
            {
                var change = (await JsonNode.ParseAsync(request.Body))!.AsObject();
                lock (RecordSets)
                {
                    BeforeNextChange?.Invoke();
                    BeforeNextChange = null;
                    foreach (var deletion in change["deletions"]?.AsArray() ?? [])
                    {
                        if (!RecordSets.TryGetValue(Key(deletion!), out var stored))
                        {
                            return LocalApiServer.GoogleError(404, $"The 'entity.change.deletions[{Key(deletion!)}]' resource named does not exist.");
                        }

                        if (!JsonNode.DeepEquals(stored["rrdatas"], deletion!["rrdatas"]) || (int?)stored["ttl"] != (int?)deletion["ttl"])
                        {
                            return LocalApiServer.GoogleError(412, "Precondition not met for 'entity.change.deletions'");
                        }
                    }

                    foreach (var addition in change["additions"]?.AsArray() ?? [])
                    {
                        if (RecordSets.ContainsKey(Key(addition!)) && change["deletions"]?.AsArray().Any(d => Key(d!) == Key(addition!)) != true)
                        {
                            return LocalApiServer.GoogleError(409, $"The resource 'entity.change.additions[{Key(addition!)}]' already exists");
                        }
                    }

                    foreach (var deletion in change["deletions"]?.AsArray() ?? [])
                    {
                        RecordSets.Remove(Key(deletion!));
                    }

                    foreach (var addition in change["additions"]?.AsArray() ?? [])
                    {
                        RecordSets[Key(addition!)] = addition!.DeepClone().AsObject();
                    }
                }

                change["id"] = "1";
                change["status"] = "pending";
                return Results.Json(change);
            });
        }

        public string? Data(string name, string type)
        {
            lock (RecordSets)
            {
                return RecordSets.TryGetValue($"{name} {type}", out var set) ? (string?)set["rrdatas"]![0] : null;
            }
        }

        private static string Key(JsonNode set) => $"{(string?)set["name"]} {(string?)set["type"]}";
    }

    private static readonly ClusterDnsName Alpha = new(Guid.Parse("0b5e5c4e-8f3a-4d52-9c1e-5a7f0d2b9e11"), "alpha", "acme.example.com");

    /// <summary>Another cluster asking for the same names as <see cref="Alpha"/>.</summary>
    private static readonly ClusterDnsName Namesake = Alpha with { ClusterId = Guid.Parse("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a") };

    private const string Owner = "_owner.alpha.acme.example.com.";

    private static JsonObject OwnerRecord(Guid clusterId, int ttl = 300) => new()
    {
        ["name"] = Owner,
        ["type"] = "TXT",
        ["ttl"] = ttl,
        ["rrdatas"] = new JsonArray($"\"clusterplatform-cluster={clusterId}\""),
    };

    [Fact]
    public async Task A_claim_writes_the_owner_record_in_the_public_parent_zone_once_and_leaves_the_names_records_to_ExternalDNS()
    {
        var claimed = await provider.ClaimAsync(Alpha, Cancellation);
        var again = await provider.ClaimAsync(Alpha, Cancellation);

        Assert.True(claimed.Ready);
        Assert.Equal(("api.alpha.acme.example.com", "oauth.alpha.acme.example.com"), (claimed.ApiHostname, claimed.OAuthHostname));
        Assert.Equal($"\"clusterplatform-cluster={Alpha.ClusterId}\"", dns.Data(Owner, "TXT"));
        Assert.Equal(["_owner.alpha.acme.example.com. TXT"], dns.RecordSets.Keys);
        Assert.Contains("GET /dns/v1/projects/dns-project/managedZones?dnsName=acme.example.com. -> 200", server.Log);
        // A repeated claim reports the same and sends nothing.
        Assert.Equal(claimed.Message, again.Message);
        Assert.Equal("api.alpha.acme.example.com and oauth.alpha.acme.example.com are claimed for this cluster in zone example-zone", again.Message);
        Assert.Single(server.Log, r => r.StartsWith("POST ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_a_public_zone_counts_a_private_zone_of_the_same_name_is_passed_over()
    {
        await provider.ClaimAsync(Alpha, Cancellation);

        Assert.Contains("POST /dns/v1/projects/dns-project/managedZones/example-zone/changes -> 200", server.Log);
        Assert.DoesNotContain(server.Log, r => r.Contains("example-internal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_owner_record_written_under_another_TTL_is_still_this_clusters()
    {
        dns.RecordSets[$"{Owner} TXT"] = OwnerRecord(Alpha.ClusterId, ttl: 60);

        Assert.True((await provider.ClaimAsync(Alpha, Cancellation)).Ready);
        await provider.ReleaseAsync(Alpha, Cancellation);

        Assert.Empty(dns.RecordSets);
    }

    [Fact]
    public async Task A_release_removes_the_owner_record_and_releasing_an_absent_claim_succeeds()
    {
        await provider.ClaimAsync(Alpha, Cancellation);

        var released = await provider.ReleaseAsync(Alpha, Cancellation);
        var again = await provider.ReleaseAsync(Alpha, Cancellation);

        Assert.Empty(dns.RecordSets);
        Assert.Equal("the claim on api.alpha.acme.example.com and oauth.alpha.acme.example.com is released", released.Message);
        Assert.Equal(released.Message, again.Message);
        Assert.Equal(2, server.Log.Count(r => r.StartsWith("POST ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Names_another_cluster_owns_are_neither_claimed_nor_released_and_are_taken_over_once_released()
    {
        await provider.ClaimAsync(Namesake, Cancellation);

        var refused = await provider.ClaimAsync(Alpha, Cancellation);
        var leftAlone = await provider.ReleaseAsync(Alpha, Cancellation);

        Assert.False(refused.Ready);
        Assert.Contains("belong to another cluster (owner record _owner.alpha.acme.example.com)", refused.Message, StringComparison.Ordinal);
        Assert.Equal("the names belong to another cluster and were left alone", leftAlone.Message);
        Assert.Equal($"\"clusterplatform-cluster={Namesake.ClusterId}\"", dns.Data(Owner, "TXT"));

        await provider.ReleaseAsync(Namesake, Cancellation);
        Assert.True((await provider.ClaimAsync(Alpha, Cancellation)).Ready);
        Assert.Equal($"\"clusterplatform-cluster={Alpha.ClusterId}\"", dns.Data(Owner, "TXT"));
    }

    [Fact]
    public async Task Of_two_clusters_claiming_the_same_names_at_once_the_second_sees_the_first_as_owner()
    {
        // The namesake's claim lands between Alpha's read and Alpha's change.
        dns.BeforeNextChange = () => dns.RecordSets[$"{Owner} TXT"] = OwnerRecord(Namesake.ClusterId);

        var result = await provider.ClaimAsync(Alpha, Cancellation);

        Assert.False(result.Ready);
        Assert.Equal(["POST /dns/v1/projects/dns-project/managedZones/example-zone/changes -> 409"],
            server.Log.Where(r => r.StartsWith("POST ", StringComparison.Ordinal)));
        Assert.Equal($"\"clusterplatform-cluster={Namesake.ClusterId}\"", dns.Data(Owner, "TXT"));
    }

    [Fact]
    public async Task A_base_domain_without_a_managed_zone_is_a_permanent_failure()
    {
        var failure = await Assert.ThrowsAsync<ProviderException>(() =>
            provider.ClaimAsync(new ClusterDnsName(Alpha.ClusterId, "alpha", "acme.example.org"), Cancellation));

        Assert.False(failure.Transient);
        Assert.Equal("no Cloud DNS managed zone in project dns-project serves acme.example.org", failure.Message);
    }
}
