using System.Collections.Concurrent;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>DNS records kept in memory, keyed by fully qualified name.</summary>
public sealed class SimulatedDnsProvider : IDnsProvider
{
    private readonly ConcurrentDictionary<string, SimulatedDnsRecord> records = new(StringComparer.OrdinalIgnoreCase);
    private readonly SimulatedFaults faults;

    internal SimulatedDnsProvider(SimulatedFaults faults) => this.faults = faults;

    /// <summary>A snapshot of the records, so tests and diagnostics can see what exists.</summary>
    public IReadOnlyDictionary<string, SimulatedDnsRecord> Records => new Dictionary<string, SimulatedDnsRecord>(records, StringComparer.OrdinalIgnoreCase);

    public async Task<ClusterDnsRecords> EnsureRecordsAsync(ClusterDnsRequest request, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("dns-ensure", request.Name.ClusterName, cancellationToken);
        var record = new SimulatedDnsRecord(request.RecordType, request.RecordData);
        var changed = 0;
        foreach (var hostname in Hostnames(request.Name))
        {
            if (records.TryGetValue(hostname, out var existing) && existing == record)
            {
                continue;
            }

            records[hostname] = record;
            changed++;
        }

        return Result(request.Name, changed == 0
            ? $"simulated: {record.Type} records already point at {request.IngressTarget}"
            : $"simulated: {changed} {record.Type} record(s) now point at {request.IngressTarget}");
    }

    public async Task<ClusterDnsRecords> DeleteRecordsAsync(ClusterDnsName name, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("dns-delete", name.ClusterName, cancellationToken);
        var removed = Hostnames(name).Count(hostname => records.TryRemove(hostname, out _));
        return Result(name, removed == 0 ? "simulated: records were already absent" : $"simulated: {removed} record(s) deleted");
    }

    private static string[] Hostnames(ClusterDnsName name) => [name.ApiHostname, name.AppsHostname];

    private static ClusterDnsRecords Result(ClusterDnsName name, string message) => new(name.ApiHostname, name.AppsHostname, message);
}

/// <param name="Type">A or CNAME.</param>
/// <param name="Data">The address, or the CNAME target with its trailing dot.</param>
public sealed record SimulatedDnsRecord(string Type, string Data);
