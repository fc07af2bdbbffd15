using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterPlatform.Contracts;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The simulation's stand-in for HyperShift's customer-break-glass signer: a local CA per hosted
/// cluster (per management cluster and <see cref="HostedClusterRef"/>) that signs CSRs with
/// upstream's lifetime clamp and subject copy (<see cref="BreakGlassCertificates"/>), and applies
/// upstream's validation (CN prefix; no SANs). A revocation replaces the CA, as HyperShift's
/// CertificateRevocationRequest regenerates the signer, so certificates of the old CA no longer
/// chain; it is recorded for tests and the simulated world.
/// </summary>
internal sealed class SimulatedBreakGlassSigner(TimeProvider time)
{
    /// <summary>HyperShift's signer CAs live 7 days (certrotationcontroller.go); the simulation's too.</summary>
    private static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(7);

    private readonly ConcurrentDictionary<string, X509Certificate2> authorities = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuanceProgress> issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, SimulatedRevocation> revocations = new();
    private readonly Lock gate = new();

    /// <summary>Each hosted cluster's current CA (PEM), keyed by "management cluster|namespace/name".</summary>
    public IReadOnlyDictionary<string, string> Authorities => authorities.ToDictionary(a => a.Key, a => a.Value.ExportCertificatePem(), StringComparer.Ordinal);

    public IReadOnlyList<SimulatedRevocation> Revocations => [.. revocations.Values.OrderBy(r => r.RevokedAt)];

    public static string Key(string managementCluster, HostedClusterRef cluster) => $"{managementCluster}|{cluster.Namespace}/{cluster.Name}";

    public IssuanceProgress Issue(string managementCluster, HostedClusterRef cluster, CredentialSigningWork work)
    {
        // Re-entrant like the real signer: one request is signed once, whatever a repeat says.
        lock (gate)
        {
            return issued.GetOrAdd(work.Id.ToString("D"), _ => Sign(Authority(Key(managementCluster, cluster)), work));
        }
    }

    public RevocationProgress Revoke(string managementCluster, HostedClusterRef cluster, Guid revocationId)
    {
        lock (gate)
        {
            var key = Key(managementCluster, cluster);
            if (!revocations.ContainsKey(revocationId))
            {
                var previous = Authority(key);
                var next = BreakGlassCertificates.NewAuthority($"{cluster.Namespace}-{cluster.Name} customer-break-glass (simulated)", time.GetUtcNow(), AuthorityLifetime);
                authorities[key] = next;
                revocations[revocationId] = new SimulatedRevocation(revocationId, key, previous.ExportCertificatePem(), time.GetUtcNow());
                previous.Dispose();
            }

            return new RevocationProgress.Completed();
        }
    }

    /// <summary>Forgets a deleted hosted cluster's CA.</summary>
    public void Forget(string managementCluster, HostedClusterRef cluster)
    {
        if (authorities.TryRemove(Key(managementCluster, cluster), out var authority))
        {
            authority.Dispose();
        }
    }

    private X509Certificate2 Authority(string key) =>
        authorities.GetOrAdd(key, k => BreakGlassCertificates.NewAuthority($"{k.Split('|')[1].Replace('/', '-')} customer-break-glass (simulated)", time.GetUtcNow(), AuthorityLifetime));

    private IssuanceProgress Sign(X509Certificate2 authority, CredentialSigningWork work)
    {
        CertificateRequest request;
        try
        {
            // Extensions are loaded to be inspected only: the certificate is made from a new template (BreakGlassCertificates.Sign).
            request = CertificateRequest.LoadSigningRequestPem(work.Csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException e)
        {
            return new IssuanceProgress.Failed($"SignerValidationFailure: unable to parse the certificate request: {e.Message}");
        }

        // The checks of upstream's Validator that the request itself can fail (validation.go); the
        // platform's own signer name and usages are always right.
        var commonName = request.SubjectName.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(n => !n.HasMultipleElements && n.GetSingleElementType().Value == "2.5.4.3")?.GetSingleElementValue();
        if (commonName?.StartsWith(BreakGlassSubject.CommonNamePrefix, StringComparison.Ordinal) != true)
        {
            return new IssuanceProgress.Failed($"SignerValidationFailure: invalid certificate request: subject CommonName must begin with \"{BreakGlassSubject.CommonNamePrefix}\"");
        }

        if (request.CertificateExtensions.Any(e => e.Oid?.Value == "2.5.29.17"))
        {
            return new IssuanceProgress.Failed("SignerValidationFailure: invalid certificate request: subjectAltNames are not allowed");
        }

        var (notBefore, notAfter) = BreakGlassCertificates.Validity(time.GetUtcNow(), work.ExpirationSeconds, authority.NotAfter.ToUniversalTime());
        using var certificate = BreakGlassCertificates.Sign(request, BreakGlassCertificates.Usages, authority, notBefore, notAfter);
        return new IssuanceProgress.Issued(certificate.ExportCertificatePem(), authority.ExportCertificatePem());
    }
}

/// <param name="Cluster">The hosted cluster's key (<see cref="SimulatedBreakGlassSigner.Key"/>).</param>
/// <param name="RevokedAuthority">The CA (PEM) the revocation replaced: nothing it signed is trusted any more.</param>
public sealed record SimulatedRevocation(Guid Id, string Cluster, string RevokedAuthority, DateTimeOffset RevokedAt);
