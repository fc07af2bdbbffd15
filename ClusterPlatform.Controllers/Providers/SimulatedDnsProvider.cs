using System.Collections.Concurrent;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>DNS records kept in memory, keyed by fully qualified name, with the cluster that owns each name.</summary>
public sealed class SimulatedDnsProvider : IDnsProvider
{
    private readonly ConcurrentDictionary<string, SimulatedDnsRecord> records = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Guid> owners = new(StringComparer.OrdinalIgnoreCase);
    private readonly SimulatedFaults faults;

    internal SimulatedDnsProvider(SimulatedFaults faults) => this.faults = faults;

    /// <summary>A snapshot of the records, so tests and diagnostics can see what exists.</summary>
    public IReadOnlyDictionary<string, SimulatedDnsRecord> Records => new Dictionary<string, SimulatedDnsRecord>(records, StringComparer.OrdinalIgnoreCase);

    public async Task<ClusterDnsRecords> EnsureRecordsAsync(ClusterDnsRequest request, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("dns-ensure", request.Name.ClusterName, cancellationToken);
        var record = new SimulatedDnsRecord(request.RecordType, request.RecordData);
        // Claiming the names and writing them is one step, as one Cloud DNS change is.
        lock (owners)
        {
            if (owners.TryGetValue(request.Name.OwnerHostname, out var owner) && owner != request.Name.ClusterId)
            {
                return ClusterDnsRecords.Taken(request.Name, "simulated: ");
            }

            owners[request.Name.OwnerHostname] = request.Name.ClusterId;
            foreach (var hostname in Hostnames(request.Name))
            {
                records[hostname] = record;
            }
        }

        // The message says how things are, not what this call changed: a repeated event reports the same.
        return Result(request.Name, $"simulated: {record.Type} record {request.Name.ApiHostname} points at {request.Target}");
    }

    public async Task<ClusterDnsRecords> DeleteRecordsAsync(ClusterDnsName name, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("dns-delete", name.ClusterName, cancellationToken);
        int removed;
        lock (owners)
        {
            if (owners.TryGetValue(name.OwnerHostname, out var owner) && owner != name.ClusterId)
            {
                return Result(name, "simulated: the records belong to another cluster and were left alone");
            }

            owners.Remove(name.OwnerHostname);
            removed = Hostnames(name).Count(hostname => records.TryRemove(hostname, out _));
        }

        return Result(name, removed == 0 ? "simulated: records were already absent" : $"simulated: {removed} record(s) deleted");
    }

    private static string[] Hostnames(ClusterDnsName name) => [name.ApiHostname];

    private static ClusterDnsRecords Result(ClusterDnsName name, string message) => new(name.ApiHostname, message);
}

/// <param name="Type">A or CNAME.</param>
/// <param name="Data">The address, or the CNAME target with its trailing dot.</param>
public sealed record SimulatedDnsRecord(string Type, string Data);
