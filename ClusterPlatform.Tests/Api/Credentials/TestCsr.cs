using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterPlatform.Tests.Api.Credentials;

/// <summary>A key pair made in the test and a PKCS#10 request for it, as a user's client makes them: the key never leaves the test.</summary>
public sealed class TestCsr : IDisposable
{
    private TestCsr(AsymmetricAlgorithm key, string pem)
    {
        Key = key;
        Pem = pem;
    }

    public AsymmetricAlgorithm Key { get; }

    /// <summary>The request, PEM-encoded (<c>-----BEGIN CERTIFICATE REQUEST-----</c>).</summary>
    public string Pem { get; }

    /// <summary>The private key as <c>openssl req -keyout</c> writes it (PKCS#8 PEM).</summary>
    public string KeyPem => Key.ExportPkcs8PrivateKeyPem();

    /// <summary>A good request: EC P-256 for the break-glass subject of <paramref name="tokenSubject"/>.</summary>
    public static TestCsr For(string tokenSubject) => Ec(BreakGlassSubject.DistinguishedName(tokenSubject));

    public static TestCsr Ec(string subject, ECCurve? curve = null, Action<CertificateRequest>? edit = null)
    {
        var key = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        edit?.Invoke(request);
        return new TestCsr(key, request.CreateSigningRequestPem());
    }

    public static TestCsr Rsa(string subject, int bits, Action<CertificateRequest>? edit = null)
    {
        var key = RSA.Create(bits);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        edit?.Invoke(request);
        return new TestCsr(key, request.CreateSigningRequestPem());
    }

    /// <summary>This request with one byte of its signature changed: it still parses, but the signature no longer verifies.</summary>
    public string WithBrokenSignature()
    {
        var der = PemEncoding.Find(Pem) is var fields ? Convert.FromBase64String(Pem[fields.Base64Data]) : [];
        der[^1] ^= 0x01; // the signature is the last element of a CertificationRequest
        return PemEncoding.WriteString("CERTIFICATE REQUEST", der);
    }

    public void Dispose() => Key.Dispose();
}
