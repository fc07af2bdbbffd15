using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterPlatform.Tests.Api.Credentials;

/// <summary>
/// A certificate authority made in the test, signing a CSR as HyperShift's customer-break-glass signer
/// does (the subject copied, client auth), for tests that drive a credential to Issued through the
/// operator client's real report endpoint.
/// </summary>
public sealed class TestCa : IDisposable
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCa()
    {
        var request = new CertificateRequest("CN=customer-break-glass-signer-test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem();

    /// <summary>A certificate for the CSR's key, valid until <paramref name="notAfter"/>, with the CSR's subject or <paramref name="subject"/>.</summary>
    public string Sign(string csrPem, DateTimeOffset notAfter, string? subject = null)
    {
        var csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
        var request = new CertificateRequest(subject is null ? csr.SubjectName : new X500DistinguishedName(subject), csr.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { ClientAuth }, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // Second precision: X.509 times carry no more, and the tests compare expiresAt with it.
        var end = DateTimeOffset.FromUnixTimeSeconds(notAfter.ToUnixTimeSeconds());
        using var certificate = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(key),
            DateTimeOffset.UtcNow.AddMinutes(-1), end, RandomNumberGenerator.GetBytes(16));
        return certificate.ExportCertificatePem();
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}
