namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The names HyperShift's own commands give a hosted cluster's GCP resources, derived from the
/// cluster's infra id and project. The platform never invents these: the customer creates them
/// with <c>hypershift create infra gcp</c> and <c>hypershift create iam gcp</c> using the cluster's
/// <c>spec.gcp.infraId</c>, and environment validation checks that they exist.
/// Sources (openshift/hypershift at 3ee9615567acffaf3e3ee25c2ca2942d650565cf):
/// <list type="bullet">
/// <item><c>cmd/infra/gcp/networking.go</c>: <c>&lt;infraId&gt;-network</c>, <c>&lt;infraId&gt;-subnet</c>;</item>
/// <item><c>cmd/infra/gcp/iam.go</c>: pool <c>&lt;infraId&gt;-wi-pool</c>, provider <c>&lt;infraId&gt;-k8s-provider</c>,
/// service accounts <c>&lt;infraId&gt;-&lt;name&gt;@&lt;project&gt;.iam.gserviceaccount.com</c>, default issuer
/// <c>https://hypershift-&lt;infraId&gt;-oidc</c>;</item>
/// <item><c>cmd/infra/gcp/iam-bindings.json</c>: the six service account names.</item>
/// </list>
/// </summary>
public sealed record GcpInfrastructureNames(string InfraId, string ProjectId)
{
    /// <summary>The network <c>hypershift create infra gcp</c> creates (the cluster's default when it names none).</summary>
    public string Network => $"{InfraId}-network";

    /// <summary>The subnet <c>hypershift create infra gcp</c> creates (the cluster's default when it names none).</summary>
    public string Subnet => $"{InfraId}-subnet";

    public string WorkloadIdentityPoolId => $"{InfraId}-wi-pool";

    public string WorkloadIdentityProviderId => $"{InfraId}-k8s-provider";

    /// <summary>
    /// The hosted cluster's service-account token issuer: <c>hypershift create iam gcp</c>'s default.
    /// The WIF provider is given the JWKS inline (<c>--oidc-jwks-file</c>), so Google never fetches it.
    /// </summary>
    public string IssuerUrl => $"https://hypershift-{InfraId}-oidc";

    public string NodePoolServiceAccount => Email("nodepool-mgmt");

    public string ControlPlaneServiceAccount => Email("ctrlplane-op");

    public string CloudControllerServiceAccount => Email("cloud-controller");

    public string StorageServiceAccount => Email("gcp-pd-csi");

    public string ImageRegistryServiceAccount => Email("image-registry");

    public string NetworkServiceAccount => Email("cloud-network");

    /// <summary>All six, by the HostedCluster's <c>serviceAccountsEmails</c> field name.</summary>
    public IReadOnlyDictionary<string, string> ServiceAccounts => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["nodePool"] = NodePoolServiceAccount,
        ["controlPlane"] = ControlPlaneServiceAccount,
        ["cloudController"] = CloudControllerServiceAccount,
        ["storage"] = StorageServiceAccount,
        ["imageRegistry"] = ImageRegistryServiceAccount,
        ["network"] = NetworkServiceAccount,
    };

    private string Email(string name) => $"{InfraId}-{name}@{ProjectId}.iam.gserviceaccount.com";
}
