namespace ClusterPlatform.Controllers.Providers;

/// <summary>The owner records the simulated DNS holds, by owner hostname: which cluster claimed which names.</summary>
public sealed class SimulatedDnsProvider : IDnsProvider
{
    private readonly Dictionary<string, Guid> owners = new(StringComparer.OrdinalIgnoreCase);
    private readonly SimulatedFaults faults;

    internal SimulatedDnsProvider(SimulatedFaults faults) => this.faults = faults;

    /// <summary>A snapshot of the owner records (TXT), so tests and diagnostics can see what exists.</summary>
    public IReadOnlyDictionary<string, SimulatedDnsRecord> Records
    {
        get
        {
            lock (owners)
            {
                return owners.ToDictionary(o => o.Key, o => new SimulatedDnsRecord("TXT", $"\"clusterplatform-cluster={o.Value}\""), StringComparer.OrdinalIgnoreCase);
            }
        }
    }

    public async Task<ClusterDnsRecords> ClaimAsync(ClusterDnsName name, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("dns-claim", name.ClusterName, cancellationToken);
        lock (owners)
        {
            if (owners.TryGetValue(name.OwnerHostname, out var owner) && owner != name.ClusterId)
            {
                return ClusterDnsRecords.Taken(name, "simulated: ");
            }

            owners[name.OwnerHostname] = name.ClusterId;
        }

        // The message says how things are, not what this call changed: a repeated event reports the same.
        return ClusterDnsRecords.Claimed(name, $"simulated: {name.ApiHostname} and {name.OAuthHostname} are claimed for this cluster");
    }

    public async Task<ClusterDnsRecords> ReleaseAsync(ClusterDnsName name, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("dns-release", name.ClusterName, cancellationToken);
        lock (owners)
        {
            if (owners.TryGetValue(name.OwnerHostname, out var owner) && owner != name.ClusterId)
            {
                return ClusterDnsRecords.Claimed(name, "simulated: the names belong to another cluster and were left alone");
            }

            return ClusterDnsRecords.Claimed(name, owners.Remove(name.OwnerHostname) ? "simulated: the claim was released" : "simulated: the names were not claimed");
        }
    }
}

/// <param name="Type">TXT for an owner record.</param>
/// <param name="Data">The record's data as Cloud DNS stores it.</param>
public sealed record SimulatedDnsRecord(string Type, string Data);
