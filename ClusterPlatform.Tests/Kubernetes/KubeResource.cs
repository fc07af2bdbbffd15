namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>A resource the fake API server serves: where it lives and how the server treats it.</summary>
internal sealed record KubeResource(string Plural, string Kind, string Group, string Version, bool Namespaced, bool HasStatus, bool IsCustom)
{
    public static readonly KubeResource Namespaces = new("namespaces", "Namespace", "", "v1", Namespaced: false, HasStatus: true, IsCustom: false);
    public static readonly KubeResource Secrets = new("secrets", "Secret", "", "v1", Namespaced: true, HasStatus: false, IsCustom: false);
    public static readonly KubeResource ConfigMaps = new("configmaps", "ConfigMap", "", "v1", Namespaced: true, HasStatus: false, IsCustom: false);
    public static readonly KubeResource HostedClusters = new("hostedclusters", "HostedCluster", "hypershift.openshift.io", "v1beta1", Namespaced: true, HasStatus: true, IsCustom: true);
    public static readonly KubeResource NodePools = new("nodepools", "NodePool", "hypershift.openshift.io", "v1beta1", Namespaced: true, HasStatus: true, IsCustom: true);


    /// <summary>The built-in CSR (k8s.io/api certificates/v1): cluster-scoped, with /status and /approval subresources.</summary>
    public static readonly KubeResource CertificateSigningRequests = new("certificatesigningrequests", "CertificateSigningRequest", "certificates.k8s.io", "v1",
        Namespaced: false, HasStatus: true, IsCustom: false);

    /// <summary>HyperShift's approval for a CSR (its CRD has no status subresource).</summary>
    public static readonly KubeResource CertificateSigningRequestApprovals = new("certificatesigningrequestapprovals", "CertificateSigningRequestApproval",
        "certificates.hypershift.openshift.io", "v1alpha1", Namespaced: true, HasStatus: false, IsCustom: true);

    public static readonly KubeResource CertificateRevocationRequests = new("certificaterevocationrequests", "CertificateRevocationRequest",
        "certificates.hypershift.openshift.io", "v1alpha1", Namespaced: true, HasStatus: true, IsCustom: true);

    public static readonly IReadOnlyList<KubeResource> All =
        [Namespaces, Secrets, ConfigMaps, HostedClusters, NodePools, CertificateSigningRequests, CertificateSigningRequestApprovals, CertificateRevocationRequests];

    /// <summary>HyperShift's HostedCluster and NodePool, which its operator guards with a finalizer.</summary>
    public bool IsHyperShiftCluster => this == HostedClusters || this == NodePools;

    /// <summary>"hostedclusters.hypershift.openshift.io", or just "secrets" in the core group, as error messages name it.</summary>
    public string Qualified => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The top-level fields a core object may carry (k8s.io/api/core/v1 types.go); custom resources use their schema.</summary>
    public IReadOnlySet<string> CoreFields => Plural switch
    {
        "namespaces" => new HashSet<string>(["apiVersion", "kind", "metadata", "spec", "status"]),
        "secrets" => new HashSet<string>(["apiVersion", "kind", "metadata", "data", "stringData", "type", "immutable"]),
        "certificatesigningrequests" => new HashSet<string>(["apiVersion", "kind", "metadata", "spec", "status"]),
        _ => new HashSet<string>(["apiVersion", "kind", "metadata", "data", "binaryData", "immutable"]),
    };

    public static KubeResource? Find(string plural) => All.FirstOrDefault(r => r.Plural == plural);
}
