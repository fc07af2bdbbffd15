namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The DNS names a hosted cluster is reached by (dns-management-controller). The platform claims
/// them; HyperShift's ExternalDNS on the management cluster publishes their records, because the
/// HostedCluster's API server and OAuth routes carry them as hostnames (the GCP guide's
/// <c>--external-dns-domain</c> mode; docs/controllers.md).
/// </summary>
public interface IDnsProvider
{
    /// <summary>
    /// Claims the cluster's names with an owner record. Idempotent. Names another cluster owns are
    /// not touched: the result is not <see cref="ClusterDnsRecords.Ready"/>.
    /// </summary>
    Task<ClusterDnsRecords> ClaimAsync(ClusterDnsName name, CancellationToken cancellationToken);

    /// <summary>Releases the claim; an absent claim counts as released, and another cluster's is left alone.</summary>
    Task<ClusterDnsRecords> ReleaseAsync(ClusterDnsName name, CancellationToken cancellationToken);
}

/// <summary>
/// A cluster's DNS names. Names are unique within an organization only, and an organization may
/// create a cluster again while its namesake is still deleting, so two clusters can want the same
/// names in a shared base domain. The owner record (<see cref="OwnerHostname"/>, TXT) says which
/// cluster holds them; without it two tenants' HostedClusters would be given the same hostnames.
/// </summary>
public sealed record ClusterDnsName(Guid ClusterId, string ClusterName, string BaseDomain)
{
    /// <summary>The API server's route hostname: the name on its certificate and in the kubeconfig.</summary>
    public string ApiHostname => $"api.{ClusterName}.{Domain}";

    /// <summary>The OAuth server's route hostname (login, the console's sign-in).</summary>
    public string OAuthHostname => $"oauth.{ClusterName}.{Domain}";

    /// <summary>Where the owner record is: beside the names, never in the way of an A or CNAME record.</summary>
    public string OwnerHostname => $"_owner.{ClusterName}.{Domain}";

    /// <summary>The owner record's text for this cluster.</summary>
    public string OwnerText => $"clusterplatform-cluster={ClusterId}";

    private string Domain => BaseDomain.TrimEnd('.');
}

/// <param name="Message">What holds, for the condition message.</param>
/// <param name="Ready">False when another cluster owns the names, so nothing was changed.</param>
public sealed record ClusterDnsRecords(string ApiHostname, string OAuthHostname, string Message, bool Ready = true)
{
    internal static ClusterDnsRecords Claimed(ClusterDnsName name, string message) => new(name.ApiHostname, name.OAuthHostname, message);

    internal static ClusterDnsRecords Taken(ClusterDnsName name, string prefix) => new(name.ApiHostname, name.OAuthHostname,
        $"{prefix}{name.ApiHostname} and {name.OAuthHostname} belong to another cluster (owner record {name.OwnerHostname}); " +
        "they are taken over once that cluster is deleted", Ready: false);
}
