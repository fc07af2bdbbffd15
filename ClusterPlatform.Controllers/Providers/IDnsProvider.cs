using System.Net;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>The records that make a hosted cluster reachable by name (dns-management-controller).</summary>
public interface IDnsProvider
{
    /// <summary>
    /// Creates or updates <c>api.&lt;name&gt;.&lt;baseDomain&gt;</c> so it points at
    /// <see cref="ClusterDnsRequest.Target"/>, and claims it for the cluster with an owner record. Idempotent: records that already match are left alone. Names
    /// another cluster owns are not touched: the result is not <see cref="ClusterDnsRecords.Ready"/>.
    /// </summary>
    Task<ClusterDnsRecords> EnsureRecordsAsync(ClusterDnsRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the record and the owner record; records that are already absent count as removed,
    /// and records another cluster owns are left alone.
    /// </summary>
    Task<ClusterDnsRecords> DeleteRecordsAsync(ClusterDnsName name, CancellationToken cancellationToken);
}

/// <summary>
/// A cluster's DNS names. Names are unique within an organization only, and an organization may
/// create a cluster again while its namesake is still deleting, so two clusters can want the same
/// names in a shared base domain. The owner record (<see cref="OwnerHostname"/>, TXT) says which
/// cluster holds them; without it one tenant's cluster could repoint or delete another's records.
/// </summary>
public sealed record ClusterDnsName(Guid ClusterId, string ClusterName, string BaseDomain)
{
    public string ApiHostname => $"api.{ClusterName}.{BaseDomain.TrimEnd('.')}";

    /// <summary>Where the owner record is: beside the names, never in the way of an A or CNAME record.</summary>
    public string OwnerHostname => $"_owner.{ClusterName}.{BaseDomain.TrimEnd('.')}";

    /// <summary>The owner record's text for this cluster.</summary>
    public string OwnerText => $"clusterplatform-cluster={ClusterId}";
}

/// <param name="Target">
/// The control-plane endpoint HyperShift published (<c>status.controlPlaneEndpoint.host</c>): an IP
/// address gives an A record, a hostname a CNAME record.
/// </param>
public sealed record ClusterDnsRequest(ClusterDnsName Name, string Target)
{
    internal string RecordType => IPAddress.TryParse(Target, out _) ? "A" : "CNAME";

    /// <summary>DNS data as Cloud DNS stores it: a CNAME target is fully qualified, with its trailing dot.</summary>
    internal string RecordData => RecordType == "CNAME" ? $"{Target.TrimEnd('.')}." : Target;
}

/// <param name="Message">What happened, for the condition message.</param>
/// <param name="Ready">False when another cluster owns the names, so nothing was changed.</param>
public sealed record ClusterDnsRecords(string ApiHostname, string Message, bool Ready = true)
{
    internal static ClusterDnsRecords Taken(ClusterDnsName name, string prefix) => new(name.ApiHostname,
        $"{prefix}{name.ApiHostname} belongs to another cluster (owner record {name.OwnerHostname}); " +
        "it is taken over once that cluster is deleted", Ready: false);
}
