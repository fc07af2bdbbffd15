using System.Security.Cryptography.X509Certificates;
using ClusterPlatform.Tests.Api.Credentials;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>What a test checks of an issued break-glass certificate: whose key it certifies and which CA it chains to.</summary>
internal static class CertificateChecks
{
    /// <summary>Whether <paramref name="certificatePem"/> certifies the key of <paramref name="csr"/>.</summary>
    public static bool Certifies(TestCsr csr, string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        return certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(csr.Key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Whether <paramref name="certificatePem"/> chains to <paramref name="authorityPem"/> alone (custom root trust, no revocation lists), now or <paramref name="at"/>.</summary>
    public static bool ChainsTo(string certificatePem, string authorityPem, DateTimeOffset? at = null)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var authority = X509Certificate2.CreateFromPem(authorityPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = (at ?? DateTimeOffset.UtcNow).UtcDateTime;
        return chain.Build(certificate);
    }

    /// <summary>A request for a DNS subjectAltName, which HyperShift's signer refuses.</summary>
    public static Action<CertificateRequest> WithDnsName(string name) => request =>
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
    };
}
