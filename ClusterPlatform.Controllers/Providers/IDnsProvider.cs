using System.Net;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>The records that make a hosted cluster reachable by name (dns-management-controller).</summary>
public interface IDnsProvider
{
    /// <summary>
    /// Creates or updates <c>api.&lt;name&gt;.&lt;baseDomain&gt;</c> and <c>*.apps.&lt;name&gt;.&lt;baseDomain&gt;</c>
    /// so both point at <see cref="ClusterDnsRequest.IngressTarget"/>. Idempotent: records that
    /// already match are left alone.
    /// </summary>
    Task<ClusterDnsRecords> EnsureRecordsAsync(ClusterDnsRequest request, CancellationToken cancellationToken);

    /// <summary>Removes both records; records that are already absent count as removed.</summary>
    Task<ClusterDnsRecords> DeleteRecordsAsync(ClusterDnsName name, CancellationToken cancellationToken);
}

public sealed record ClusterDnsName(string ClusterName, string BaseDomain)
{
    public string ApiHostname => $"api.{ClusterName}.{BaseDomain.TrimEnd('.')}";

    public string AppsHostname => $"*.apps.{ClusterName}.{BaseDomain.TrimEnd('.')}";
}

/// <param name="IngressTarget">
/// The management cluster's ingress: an IP address gives A records, a hostname gives CNAME records
/// (so a load balancer that changes address needs no DNS update here).
/// </param>
public sealed record ClusterDnsRequest(ClusterDnsName Name, string IngressTarget)
{
    internal string RecordType => IPAddress.TryParse(IngressTarget, out _) ? "A" : "CNAME";

    /// <summary>DNS data as Cloud DNS stores it: a CNAME target is fully qualified, with its trailing dot.</summary>
    internal string RecordData => RecordType == "CNAME" ? $"{IngressTarget.TrimEnd('.')}." : IngressTarget;
}

/// <param name="Message">What happened, for the condition message.</param>
public sealed record ClusterDnsRecords(string ApiHostname, string AppsHostname, string Message);
