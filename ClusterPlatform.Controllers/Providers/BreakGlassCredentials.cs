using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>Where one break-glass request stands on the management cluster.</summary>
public abstract record IssuanceProgress
{
    private IssuanceProgress()
    {
    }

    /// <summary>HyperShift has not signed it yet: call again.</summary>
    public sealed record Pending(string Message) : IssuanceProgress;

    /// <summary>Signed: the certificate (PEM) and the CA bundle (PEM) a kubeconfig trusts the API server with.</summary>
    public sealed record Issued(string CertificatePem, string CaBundlePem) : IssuanceProgress;

    /// <summary>Refused for good, with the management cluster's (or HyperShift's) own words.</summary>
    public sealed record Failed(string Message) : IssuanceProgress;
}

/// <summary>Where one revocation stands on the management cluster.</summary>
public abstract record RevocationProgress
{
    private RevocationProgress()
    {
    }

    public sealed record Pending(string Message) : RevocationProgress;

    /// <summary>HyperShift confirmed that certificates of the previous signer are refused.</summary>
    public sealed record Completed : RevocationProgress;

    public sealed record Failed(string Message) : RevocationProgress;
}

/// <summary>
/// HyperShift's names and rules for customer break-glass certificates (docs/hypershift-pki.md), one
/// home for both providers. Sources: openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf,
/// control-plane-pki-operator/certificates/validation.go and certificatesigningcontroller/certificatesigningcontroller.go.
/// </summary>
public static class BreakGlassCertificates
{
    /// <summary>HyperShift's signer class for customer credentials (validation.go CustomerBreakGlassSigner).</summary>
    public const string SignerClass = "customer-break-glass";

    /// <summary>The usages the platform asks for: the required <c>client auth</c> and one optional usage (validation.go ValidUsagesFor).</summary>
    public static readonly IReadOnlyList<string> Usages = ["client auth", "digital signature"];

    /// <summary>The signer's longest lifetime: <c>36*certRotationScale/24</c> with the default 24 h scale (control-plane-pki-operator/operator.go).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(36);

    /// <summary>The shortest: <c>2*backdate</c> (certificatesigningcontroller.go duration).</summary>
    public static readonly TimeSpan MinLifetime = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>100*backdate, "roughly 8 hours": longer lifetimes lose the backdate at the end (boundaries).</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(500);

    /// <summary>
    /// The hosted control plane's namespace, <c>&lt;hc.namespace&gt;-&lt;hc.name with "." as "-"&gt;</c>
    /// (hypershift-operator/controllers/manifests/manifests.go HostedControlPlaneNamespace).
    /// </summary>
    public static string ControlPlaneNamespace(HostedClusterRef cluster) => $"{cluster.Namespace}-{cluster.Name.Replace('.', '-')}";

    /// <summary><c>hypershift.openshift.io/&lt;control-plane namespace&gt;.customer-break-glass</c> (validation.go SignerNameForHC).</summary>
    public static string SignerName(HostedClusterRef cluster) => $"hypershift.openshift.io/{ControlPlaneNamespace(cluster)}.{SignerClass}";

    /// <summary>
    /// The CSR's name (cluster-scoped, a DNS subdomain of at most 253 characters: 63 + 4 + 36) and its
    /// approval's (namespaced in the control plane's namespace): the control plane's namespace keeps
    /// two hosted clusters' requests apart, the credential id keeps one request's calls re-entrant.
    /// </summary>
    public static string RequestName(HostedClusterRef cluster, Guid credentialId) => $"{ControlPlaneNamespace(cluster)}-bg-{credentialId:D}";

    /// <summary>The CertificateRevocationRequest's name: one per platform revocation, since a request is one-shot.</summary>
    public static string RevocationName(Guid revocationId) => $"{SignerClass}-{revocationId:D}";

    /// <summary>
    /// The certificate's validity for a request of <paramref name="expirationSeconds"/> signed at
    /// <paramref name="now"/> by a CA valid until <paramref name="signerNotAfter"/>: the lifetime
    /// clamped to [10 min, 36 h]; NotAfter is now + lifetime below the 500-minute horizon, else now +
    /// lifetime − 5 min; never past the signer's NotAfter; NotBefore is Go's zero time
    /// (certificatesigningcontroller.go duration and boundaries).
    /// </summary>
    public static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Validity(DateTimeOffset now, int? expirationSeconds, DateTimeOffset signerNotAfter)
    {
        var lifetime = expirationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : MaxLifetime;
        lifetime = lifetime > MaxLifetime ? MaxLifetime : lifetime < MinLifetime ? MinLifetime : lifetime;
        var notAfter = lifetime < Horizon ? now + lifetime : now + lifetime - Backdate;
        return (GoZeroTime, notAfter < signerNotAfter ? notAfter : signerNotAfter);
    }

    /// <summary>Go's zero <c>time.Time</c>, 0001-01-01T00:00:00Z, which upstream leaves as NotBefore.</summary>
    public static readonly DateTimeOffset GoZeroTime = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Signs <paramref name="request"/> the way HyperShift's signer does: the subject and public key
    /// copied from the request, the usages as key usage and extended key usage, not a CA
    /// (certificatesigningcontroller.go sign). The request's signature must verify.
    /// </summary>
    public static X509Certificate2 Sign(CertificateRequest request, IEnumerable<string> usages, X509Certificate2 signer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var keyUsage = X509KeyUsageFlags.None;
        var extended = new OidCollection();
        foreach (var usage in usages)
        {
            switch (usage)
            {
                case "digital signature" or "signing":
                    keyUsage |= X509KeyUsageFlags.DigitalSignature;
                    break;
                case "key encipherment":
                    keyUsage |= X509KeyUsageFlags.KeyEncipherment;
                    break;
                case "client auth":
                    extended.Add(new Oid("1.3.6.1.5.5.7.3.2"));
                    break;
            }
        }

        var template = new CertificateRequest(request.SubjectName, request.PublicKey, HashAlgorithmName.SHA256);
        template.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        if (keyUsage != X509KeyUsageFlags.None)
        {
            template.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
        }

        if (extended.Count > 0)
        {
            template.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(extended, false));
        }

        template.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(signer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        // The generator overload: the one taking the issuer's certificate refuses a NotBefore earlier than
        // the issuer's, and upstream's NotBefore is the zero time. The CA's key is EC (NewAuthority).
        using var key = signer.GetECDsaPrivateKey() ?? throw new ArgumentException("the signer has no EC private key", nameof(signer));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number (RFC 5280 4.1.2.2)
        return template.Create(signer.SubjectName, X509SignatureGenerator.CreateForECDsa(key), notBefore, notAfter, serial);
    }

    /// <summary>A self-signed CA, as HyperShift's signers are: <paramref name="commonName"/>, valid from now for <paramref name="lifetime"/>.</summary>
    public static X509Certificate2 NewAuthority(string commonName, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-1), now + lifetime);
    }
}
