using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterPlatform.Api.Credentials;

/// <summary>
/// What a break-glass CSR must be (docs/api.md "Credentials"), checked before anything is stored: a
/// PEM PKCS#10 request whose self-signature verifies, for exactly the subject <see cref="BreakGlassSubject"/>
/// gives the caller, with a key of at least RSA 2048 or EC P-256, and no extension asking for more than
/// a client certificate. HyperShift's signer checks the common-name prefix, usages and SANs itself
/// (openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf,
/// control-plane-pki-operator/certificates/validation.go) but not the key or the organization, and
/// refuses only after the request has gone round the controller: refusing here says why at once.
/// </summary>
internal static class CsrRules
{
    /// <summary>A CSR with a 8192-bit RSA key and a few extensions is under 4 KiB; anything over this is not one we take.</summary>
    public const int MaxPemLength = 16 * 1024;

    /// <summary>The RSA sizes taken: NIST's floor, and Go crypto/x509's ceiling (Kubernetes parses the CSR with it).</summary>
    public const int MinRsaBits = 2048;
    public const int MaxRsaBits = 8192;

    private const string RsaKey = "1.2.840.113549.1.1.1";
    private const string EcKey = "1.2.840.10045.2.1";
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string BasicConstraintsOid = "2.5.29.19";
    private const string KeyUsageOid = "2.5.29.15";
    private const string ExtendedKeyUsageOid = "2.5.29.37";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private static readonly HashSet<string> Curves =
        [ECCurve.NamedCurves.nistP256.Oid.Value!, ECCurve.NamedCurves.nistP384.Oid.Value!, ECCurve.NamedCurves.nistP521.Oid.Value!];

    private const X509KeyUsageFlags AllowedKeyUsages = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment;

    /// <summary>Adds to <paramref name="errors"/> (under <paramref name="path"/>) every rule <paramref name="pem"/> breaks for the caller <paramref name="tokenSubject"/>.</summary>
    public static void Check(string pem, string tokenSubject, string path, ValidationErrors errors)
    {
        if (pem.Length > MaxPemLength)
        {
            errors.Add(path, $"must be at most {MaxPemLength} characters");
            return;
        }

        if (Parse(pem, verify: false) is not { } request)
        {
            errors.Add(path, "must be a PEM-encoded PKCS#10 certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)");
            return;
        }

        var expected = BreakGlassSubject.DistinguishedName(tokenSubject);
        if (!HasSubject(request.SubjectName, tokenSubject))
        {
            errors.Add(path, $"must have exactly the subject {expected} (the caller's break-glass identity), and no other attribute");
        }

        if (KeyProblem(request.PublicKey) is { } keyProblem)
        {
            errors.Add(path, keyProblem);
        }
        else if (Parse(pem, verify: true) is null)
        {
            // Checked only for a key we take: a key .NET cannot verify with would read as a bad signature.
            errors.Add(path, "has a signature that does not verify with its own public key");
        }

        foreach (var problem in ExtensionProblems(request))
        {
            errors.Add(path, problem);
        }
    }

    /// <summary>The public key (SubjectPublicKeyInfo, DER) of a CSR <see cref="Check"/> admitted, to match an issued certificate against.</summary>
    public static byte[] PublicKeyOf(string pem) =>
        (Parse(pem, verify: false) ?? throw new InvalidOperationException("A stored CSR no longer parses.")).PublicKey.ExportSubjectPublicKeyInfo();

    /// <summary>
    /// Whether <paramref name="name"/> is exactly the break-glass subject of <paramref name="tokenSubject"/>:
    /// one common name, one organization, in either order, each in its own RDN, nothing else. Compared by
    /// value, not by encoding: a CSR's PrintableString and a signer's UTF8String say the same name.
    /// </summary>
    public static bool HasSubject(X500DistinguishedName name, string tokenSubject)
    {
        var attributes = new List<(string? Oid, string? Value)>();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                return false;
            }

            attributes.Add((rdn.GetSingleElementType().Value, rdn.GetSingleElementValue()));
        }

        return attributes.Count == 2
            && attributes.Contains((CommonNameOid, BreakGlassSubject.CommonName(tokenSubject)))
            && attributes.Contains((OrganizationOid, BreakGlassSubject.Group));
    }

    /// <summary>
    /// The request, with its requested extensions loaded to be inspected (never to be signed: HyperShift
    /// signs), and with its self-signature verified when <paramref name="verify"/>; null when it is not one.
    /// </summary>
    private static CertificateRequest? Parse(string pem, bool verify)
    {
        try
        {
            return CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256,
                CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions | (verify ? CertificateRequestLoadOptions.Default : CertificateRequestLoadOptions.SkipSignatureValidation));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static string? KeyProblem(PublicKey key)
    {
        const string Wanted = "RSA of 2048 to 8192 bits, or EC on P-256, P-384 or P-521";
        try
        {
            switch (key.Oid.Value)
            {
                case RsaKey:
                    using (var rsa = key.GetRSAPublicKey())
                    {
                        return rsa is { KeySize: >= MinRsaBits and <= MaxRsaBits } ? null : $"has an RSA key of {rsa?.KeySize} bits; the key must be {Wanted}";
                    }

                case EcKey:
                    using (var ec = key.GetECDsaPublicKey())
                    {
                        var curve = ec?.ExportParameters(false).Curve.Oid;
                        return curve?.Value is { } oid && Curves.Contains(oid) ? null
                            : $"has an EC key on {curve?.FriendlyName ?? curve?.Value ?? "an unnamed curve"}; the key must be {Wanted}";
                    }

                default:
                    return $"has a {key.Oid.FriendlyName ?? key.Oid.Value} key; the key must be {Wanted}";
            }
        }
        catch (CryptographicException)
        {
            return $"has a public key that does not parse; the key must be {Wanted}";
        }
    }

    /// <summary>Requested extensions that ask for more than a client certificate of the subject.</summary>
    private static IEnumerable<string> ExtensionProblems(CertificateRequest request)
    {
        foreach (var extension in request.CertificateExtensions)
        {
            var problem = extension.Oid?.Value switch
            {
                SubjectAltNameOid => "must not ask for subject alternative names (DNS names, IP addresses, emails or URIs): a break-glass certificate names only its subject",
                BasicConstraintsOid => Decode(extension, e => new X509BasicConstraintsExtension(e, e.Critical).CertificateAuthority)
                    is false ? null : "must not ask to be a certificate authority (basicConstraints CA:TRUE)",
                ExtendedKeyUsageOid => Decode(extension, e => new X509EnhancedKeyUsageExtension(e, e.Critical).EnhancedKeyUsages.Cast<Oid>().All(u => u.Value == ClientAuthOid))
                    is true ? null : "may ask only for the clientAuth extended key usage",
                KeyUsageOid => Decode(extension, e => (new X509KeyUsageExtension(e, e.Critical).KeyUsages & ~AllowedKeyUsages) == X509KeyUsageFlags.None)
                    is true ? null : "may ask only for the digitalSignature and keyEncipherment key usages",
                _ => null,
            };
            if (problem is not null)
            {
                yield return problem;
            }
        }
    }

    /// <summary>A property of a decoded extension; null when the extension does not decode (which refuses it).</summary>
    private static bool? Decode(X509Extension extension, Func<X509Extension, bool> read)
    {
        try
        {
            return read(extension);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
