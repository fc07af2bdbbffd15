using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using static ClusterPlatform.Controllers.Providers.GoogleRest;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Cloud DNS v1: finds the public managed zone of the base domain in the platform's DNS project and
/// claims or releases the cluster's names with their owner record (TXT). The records of the names
/// themselves are HyperShift's ExternalDNS's to write. Cloud DNS applies a change whole and refuses
/// an addition that exists (409) and a stale deletion (412), so of two clusters claiming at once,
/// exactly one wins; the loser reads the owner again and sees it is taken.
/// </summary>
internal sealed class CloudDnsProvider(HttpClient http, IOptions<ProviderOptions> options) : IDnsProvider
{
    private GcpOptions Gcp => options.Value.Gcp;

    public Task<ClusterDnsRecords> ClaimAsync(ClusterDnsName name, CancellationToken cancellationToken) =>
        ChangeAsync(name, claim: true, cancellationToken);

    public Task<ClusterDnsRecords> ReleaseAsync(ClusterDnsName name, CancellationToken cancellationToken) =>
        ChangeAsync(name, claim: false, cancellationToken);

    private async Task<ClusterDnsRecords> ChangeAsync(ClusterDnsName name, bool claim, CancellationToken cancellationToken)
    {
        var zone = await ZoneAsync(name.BaseDomain, cancellationToken);
        var ownerRecord = RecordSet($"{name.OwnerHostname}.", "TXT", Gcp.DnsTtlSeconds, Quoted(name.OwnerText));
        for (var attempt = 1; ; attempt++)
        {
            var owner = (await RecordSetsAsync(zone, $"{name.OwnerHostname}.", ["TXT"], cancellationToken)).SingleOrDefault();
            if (owner is not null && !Matches(owner, ownerRecord))
            {
                return claim
                    ? ClusterDnsRecords.Taken(name, "")
                    : ClusterDnsRecords.Claimed(name, "the names belong to another cluster and were left alone");
            }

            // How things are, whether or not this call changed them: a repeated event reports the same.
            var done = claim
                ? $"{name.ApiHostname} and {name.OAuthHostname} are claimed for this cluster in zone {zone}"
                : $"the claim on {name.ApiHostname} and {name.OAuthHostname} is released";
            if ((owner is not null) == claim)
            {
                return ClusterDnsRecords.Claimed(name, done);
            }

            var change = new JsonObject
            {
                ["kind"] = "dns#change",
                [claim ? "additions" : "deletions"] = new JsonArray(claim ? ownerRecord : owner!.DeepClone()),
            };
            var (status, _) = await SendAsync(http, HttpMethod.Post, ZoneUri(zone, "changes"), change,
                $"{(claim ? "claim" : "release")} the DNS names of {name.ApiHostname}", cancellationToken, attempt == 1 ? [409, 412] : []);
            if (status is not (409 or 412))
            {
                return ClusterDnsRecords.Claimed(name, done);
            }
        }
    }

    /// <summary>
    /// The zone serving the base domain: the one named exactly for it, else the closest parent
    /// (a zone for example.com serves acme.example.com unless acme.example.com is delegated).
    /// </summary>
    private async Task<string> ZoneAsync(string baseDomain, CancellationToken cancellationToken)
    {
        var labels = baseDomain.TrimEnd('.').Split('.');
        for (var skip = 0; skip < labels.Length - 1; skip++)
        {
            var dnsName = $"{string.Join('.', labels.Skip(skip))}.";
            var (_, body) = await SendAsync(http, HttpMethod.Get,
                new Uri(Gcp.DnsUrl, $"dns/v1/projects/{Escape(Gcp.DnsProjectId)}/managedZones?dnsName={Escape(dnsName)}"),
                null, $"find the managed zone of {dnsName}", cancellationToken);
            // Only a public zone answers the world; a private zone of the same name serves one VPC
            // (Cloud DNS v1 ManagedZone.visibility, "public" or "private").
            if ((body?["managedZones"] as JsonArray)?.FirstOrDefault(z => (string?)z?["visibility"] is null or "public")?["name"] is JsonValue zone)
            {
                return zone.GetValue<string>();
            }
        }

        throw new ProviderException($"no Cloud DNS managed zone in project {Gcp.DnsProjectId} serves {baseDomain}", transient: false);
    }

    /// <summary>The record sets of one name, of the types given: other records at the name are not ours to delete.</summary>
    private async Task<List<JsonObject>> RecordSetsAsync(string zone, string fqdn, string[] types, CancellationToken cancellationToken)
    {
        var (_, body) = await SendAsync(http, HttpMethod.Get, ZoneUri(zone, $"rrsets?name={Escape(fqdn)}"), null,
            $"list DNS records of {fqdn}", cancellationToken);
        return (body?["rrsets"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(set => (string?)set["name"] == fqdn && types.Contains((string?)set["type"]))
            .ToList();
    }

    /// <summary>TXT data as Cloud DNS stores it: a quoted string.</summary>
    private static string Quoted(string text) => $"\"{text}\"";

    private Uri ZoneUri(string zone, string rest) =>
        new(Gcp.DnsUrl, $"dns/v1/projects/{Escape(Gcp.DnsProjectId)}/managedZones/{Escape(zone)}/{rest}");

    private static JsonObject RecordSet(string fqdn, string type, int ttl, string data) => new()
    {
        ["name"] = fqdn,
        ["type"] = type,
        ["ttl"] = ttl,
        ["rrdatas"] = new JsonArray(data),
    };

    /// <summary>Ownership is the record's text; its TTL may have been written under another setting.</summary>
    private static bool Matches(JsonObject existing, JsonObject desired) =>
        existing["rrdatas"] is JsonArray data && data.Count == 1 && (string?)data[0] == (string?)desired["rrdatas"]![0];
}
