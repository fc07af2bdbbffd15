using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using static ClusterPlatform.Controllers.Providers.GoogleRest;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Cloud DNS v1: finds the managed zone of the base domain in the platform's DNS project, reads the
/// owner record and the API record set, and sends one change that deletes what differs and adds
/// what is wanted, owner record included; names another cluster owns are left alone. A
/// change that races another writer is rejected by Cloud DNS (409 on an existing addition, 412 on
/// a stale deletion); the whole read-compare-change is then repeated once.
/// </summary>
internal sealed class CloudDnsProvider(HttpClient http, IOptions<ProviderOptions> options) : IDnsProvider
{
    private GcpOptions Gcp => options.Value.Gcp;

    public Task<ClusterDnsRecords> EnsureRecordsAsync(ClusterDnsRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(request.Name, request, cancellationToken);

    public Task<ClusterDnsRecords> DeleteRecordsAsync(ClusterDnsName name, CancellationToken cancellationToken) =>
        ChangeAsync(name, null, cancellationToken);

    /// <param name="wanted">Null deletes the records.</param>
    private async Task<ClusterDnsRecords> ChangeAsync(ClusterDnsName name, ClusterDnsRequest? wanted, CancellationToken cancellationToken)
    {
        var zone = await ZoneAsync(name.BaseDomain, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            // The owner record first: names another cluster holds are neither repointed nor deleted.
            var owner = (await RecordSetsAsync(zone, $"{name.OwnerHostname}.", ["TXT"], cancellationToken)).SingleOrDefault();
            var ownerRecord = RecordSet($"{name.OwnerHostname}.", "TXT", Gcp.DnsTtlSeconds, Quoted(name.OwnerText));
            if (owner is not null && !Matches(owner, ownerRecord))
            {
                return wanted is null
                    ? Result(name, "DNS records belong to another cluster and were left alone")
                    : ClusterDnsRecords.Taken(name, "");
            }

            var deletions = new JsonArray();
            var additions = new JsonArray();
            if (owner is null && wanted is not null)
            {
                additions.Add(ownerRecord);
            }
            else if (owner is not null && wanted is null)
            {
                deletions.Add(owner.DeepClone());
            }

            foreach (var hostname in new[] { name.ApiHostname })
            {
                var fqdn = $"{hostname}.";
                var desired = wanted is null ? null : RecordSet(fqdn, wanted.RecordType, Gcp.DnsTtlSeconds, wanted.RecordData);
                foreach (var existing in await RecordSetsAsync(zone, fqdn, ["A", "CNAME"], cancellationToken))
                {
                    if (desired is not null && Matches(existing, desired))
                    {
                        desired = null;
                    }
                    else
                    {
                        deletions.Add(existing.DeepClone());
                    }
                }

                if (desired is not null)
                {
                    additions.Add(desired);
                }
            }

            if (deletions.Count == 0 && additions.Count == 0)
            {
                return Result(name, wanted is null ? "DNS records were already absent" : Points(name, zone, wanted));
            }

            // One change, so the owner record and the records are claimed (or released) together;
            // two clusters claiming at once get 409 for the second, which then sees the owner.
            var change = new JsonObject { ["kind"] = "dns#change", ["additions"] = additions, ["deletions"] = deletions };
            var (status, _) = await SendAsync(http, HttpMethod.Post, ZoneUri(zone, "changes"), change,
                $"change DNS records of {name.ApiHostname}", cancellationToken, attempt == 1 ? [409, 412] : []);
            if (status is not (409 or 412))
            {
                return Result(name, wanted is null
                    ? $"DNS records deleted from zone {zone}"
                    : Points(name, zone, wanted));
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

    private static bool Matches(JsonObject existing, JsonObject desired) =>
        (string?)existing["type"] == (string?)desired["type"]
        && (int?)existing["ttl"] == (int?)desired["ttl"]
        && existing["rrdatas"] is JsonArray data && data.Count == 1 && (string?)data[0] == (string?)desired["rrdatas"]![0];

    /// <summary>How things are, whether or not this call changed them: a repeated event reports the same.</summary>
    private static string Points(ClusterDnsName name, string zone, ClusterDnsRequest wanted) =>
        $"{wanted.RecordType} record {name.ApiHostname} in zone {zone} points at {wanted.Target}";

    private static ClusterDnsRecords Result(ClusterDnsName name, string message) => new(name.ApiHostname, message);
}
