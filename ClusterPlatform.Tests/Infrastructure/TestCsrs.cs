using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// PKCS#10 requests made the way a user makes one (openssl req / the CLI): a fresh key that stays
/// with the test, and the PEM request that is all the platform ever sees.
/// </summary>
internal sealed class TestCsr : IDisposable
{
    private TestCsr(ECDsa key, string pem)
    {
        Key = key;
        Pem = pem;
    }

    public ECDsa Key { get; }

    public string Pem { get; }

    /// <param name="subject">An X.500 name, e.g. <c>BreakGlassSubject.DistinguishedName(sub)</c>.</param>
    /// <param name="dnsName">A DNS subjectAltName to ask for (which HyperShift refuses).</param>
    public static TestCsr Create(string subject, string? dnsName = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (dnsName is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }

        return new TestCsr(key, request.CreateSigningRequestPem());
    }

    /// <summary>Whether <paramref name="certificatePem"/> certifies this request's key.</summary>
    public bool Certifies(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var publicKey = certificate.GetECDsaPublicKey();
        return publicKey is not null && publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(Key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Whether <paramref name="certificatePem"/> chains to <paramref name="authorityPem"/> alone (custom root trust, no revocation check).</summary>
    public static bool ChainsTo(string certificatePem, string authorityPem, DateTimeOffset? at = null)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var authority = X509Certificate2.CreateFromPem(authorityPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = (at ?? DateTimeOffset.UtcNow).UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate);
    }

    public void Dispose() => Key.Dispose();
}
