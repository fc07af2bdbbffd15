extern alias controllers;

using ClusterPlatform.Tests.Infrastructure;
using System.Text.Json.Nodes;
using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Providers;

/// <summary>The real provider against a local server speaking Cloud DNS v1 (managedZones, rrsets, changes).</summary>
public sealed class CloudDnsProviderTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    private const string Zones = "/dns/v1/projects/dns-project/managedZones";

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

    private static async Task<(FakeCloudDns Dns, LocalApiServer Server, IDnsProvider Provider)> StartAsync()
    {
        var dns = new FakeCloudDns();
        var server = await LocalApiServer.StartAsync(dns.Map);
        var options = new ProviderOptions { Gcp = { DnsUrl = server.BaseAddress, DnsProjectId = "dns-project" } };
        return (dns, server, new CloudDnsProvider(new HttpClient(), Options.Create(options)));
    }

    private static readonly ClusterDnsName Alpha = new(Guid.Parse("0b5e5c4e-8f3a-4d52-9c1e-5a7f0d2b9e11"), "alpha", "acme.example.com");

    [Fact]
    public async Task Records_are_created_in_the_parent_zone_then_left_alone_when_they_already_match()
    {
        var (dns, server, provider) = await StartAsync();
        await using var _ = server;

        var created = await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.10"), Cancellation);
        var again = await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.10"), Cancellation);

        Assert.Equal("api.alpha.acme.example.com", created.ApiHostname);
        Assert.Equal("203.0.113.10", dns.Data("api.alpha.acme.example.com.", "A"));
        Assert.Contains("GET /dns/v1/projects/dns-project/managedZones?dnsName=acme.example.com. -> 200", server.Log);
        Assert.Equal("A record api.alpha.acme.example.com in zone example-zone points at 203.0.113.10", again.Message);
        Assert.Single(server.Log, r => r.StartsWith("POST ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_changed_endpoint_replaces_the_record_even_when_the_type_changes()
    {
        var (dns, server, provider) = await StartAsync();
        await using var _ = server;
        await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.10"), Cancellation);

        await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.99"), Cancellation);
        Assert.Equal("203.0.113.99", dns.Data("api.alpha.acme.example.com.", "A"));

        var result = await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "router.mc1.example.net"), Cancellation);
        Assert.Null(dns.Data("api.alpha.acme.example.com.", "A"));
        Assert.Equal("CNAME record api.alpha.acme.example.com in zone example-zone points at router.mc1.example.net", result.Message);
    }

    [Fact]
    public async Task A_record_changed_by_another_writer_between_read_and_change_is_reread_and_replaced()
    {
        var (dns, server, provider) = await StartAsync();
        await using var _ = server;
        await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.10"), Cancellation);
        dns.BeforeNextChange = () => dns.RecordSets["api.alpha.acme.example.com. A"]["rrdatas"] = new JsonArray("198.51.100.1");

        await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.99"), Cancellation);

        Assert.Equal(
            ["POST /dns/v1/projects/dns-project/managedZones/example-zone/changes -> 200",
             "POST /dns/v1/projects/dns-project/managedZones/example-zone/changes -> 412",
             "POST /dns/v1/projects/dns-project/managedZones/example-zone/changes -> 200"],
            server.Log.Where(r => r.StartsWith("POST ", StringComparison.Ordinal)));
        Assert.Equal("203.0.113.99", dns.Data("api.alpha.acme.example.com.", "A"));
    }

    [Fact]
    public async Task Delete_removes_both_records_and_deleting_absent_records_succeeds()
    {
        var (dns, server, provider) = await StartAsync();
        await using var _ = server;
        await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.10"), Cancellation);

        var deleted = await provider.DeleteRecordsAsync(Alpha, Cancellation);
        var again = await provider.DeleteRecordsAsync(Alpha, Cancellation);

        Assert.Empty(dns.RecordSets);
        Assert.Equal("DNS records deleted from zone example-zone", deleted.Message);
        Assert.Equal("DNS records were already absent", again.Message);
    }

    [Fact]
    public async Task Names_another_cluster_owns_are_neither_repointed_nor_deleted_and_are_taken_over_once_released()
    {
        var (dns, server, provider) = await StartAsync();
        await using var _ = server;
        var namesake = Alpha with { ClusterId = Guid.Parse("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a") };
        await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.10"), Cancellation);
        Assert.Equal($"\"clusterplatform-cluster={Alpha.ClusterId}\"", dns.Data("_owner.alpha.acme.example.com.", "TXT"));

        var refused = await provider.EnsureRecordsAsync(new ClusterDnsRequest(namesake, "198.51.100.7"), Cancellation);
        var leftAlone = await provider.DeleteRecordsAsync(namesake, Cancellation);

        Assert.False(refused.Ready);
        Assert.Contains("belongs to another cluster (owner record _owner.alpha.acme.example.com)", refused.Message, StringComparison.Ordinal);
        Assert.Equal("DNS records belong to another cluster and were left alone", leftAlone.Message);
        Assert.Equal("203.0.113.10", dns.Data("api.alpha.acme.example.com.", "A"));
        Assert.Single(server.Log, r => r.StartsWith("POST ", StringComparison.Ordinal));

        await provider.DeleteRecordsAsync(Alpha, Cancellation);
        Assert.Empty(dns.RecordSets);
        Assert.True((await provider.EnsureRecordsAsync(new ClusterDnsRequest(namesake, "198.51.100.7"), Cancellation)).Ready);
        Assert.Equal($"\"clusterplatform-cluster={namesake.ClusterId}\"", dns.Data("_owner.alpha.acme.example.com.", "TXT"));
    }

    [Fact]
    public async Task Of_two_clusters_claiming_the_same_names_at_once_the_second_sees_the_first_as_owner()
    {
        var (dns, server, provider) = await StartAsync();
        await using var _ = server;
        var namesake = Alpha with { ClusterId = Guid.Parse("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a") };
        // The namesake's claim lands between Alpha's read and Alpha's change.
        dns.BeforeNextChange = () => dns.RecordSets["_owner.alpha.acme.example.com. TXT"] = new JsonObject
        {
            ["name"] = "_owner.alpha.acme.example.com.",
            ["type"] = "TXT",
            ["ttl"] = 300,
            ["rrdatas"] = new JsonArray($"\"clusterplatform-cluster={namesake.ClusterId}\""),
        };

        var result = await provider.EnsureRecordsAsync(new ClusterDnsRequest(Alpha, "203.0.113.10"), Cancellation);

        Assert.False(result.Ready);
        Assert.Equal(["POST /dns/v1/projects/dns-project/managedZones/example-zone/changes -> 409"],
            server.Log.Where(r => r.StartsWith("POST ", StringComparison.Ordinal)));
        Assert.Null(dns.Data("api.alpha.acme.example.com.", "A"));
    }

    [Fact]
    public async Task A_base_domain_without_a_managed_zone_is_a_permanent_failure()
    {
        var (_, server, provider) = await StartAsync();
        await using var __ = server;

        var failure = await Assert.ThrowsAsync<ProviderException>(() =>
            provider.EnsureRecordsAsync(new ClusterDnsRequest(new ClusterDnsName(Alpha.ClusterId, "alpha", "acme.example.org"), "203.0.113.10"), Cancellation));

        Assert.False(failure.Transient);
        Assert.Equal("no Cloud DNS managed zone in project dns-project serves acme.example.org", failure.Message);
    }
}
