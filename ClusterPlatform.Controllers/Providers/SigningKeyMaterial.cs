using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// A hosted cluster's service-account signing key, made and described as HyperShift's GCP guide
/// does it (openshift/hypershift 3ee9615567acffaf3e3ee25c2ca2942d650565cf,
/// docs/content/how-to/gcp/create-gcp-iam.md): an RSA key in PKCS#1 PEM
/// (<c>openssl genrsa -traditional</c>), and a JWKS of its public half whose <c>kid</c> is the
/// base64url SHA-256 of the DER public key (<c>openssl rsa -pubout -outform DER | openssl dgst -sha256</c>).
/// </summary>
internal static class SigningKeyMaterial
{
    /// <summary>A new key of <paramref name="bits"/>: seconds of CPU at production's size, so <see cref="SigningKeyPool"/> makes them.</summary>
    public static SigningKeyPair Generate(int bits)
    {
        using var rsa = RSA.Create(bits);
        return Pair(rsa);
    }

    /// <summary>The public description of <paramref name="key"/>, for <paramref name="issuerUrl"/>.</summary>
    public static ServiceAccountSigningKey Describe(SigningKeyPair key, string issuerUrl)
    {
        var keyId = Base64Url(SHA256.HashData(key.SubjectPublicKeyInfo));
        var jwks = new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["alg"] = "RS256",
                ["use"] = "sig",
                ["kid"] = keyId,
                ["n"] = Base64Url(key.Modulus),
                ["e"] = Base64Url(key.Exponent),
            }),
        };
        return new ServiceAccountSigningKey(issuerUrl, keyId, jwks.ToJsonString());
    }

    /// <summary>The public description of a key read back from its PEM (only when its JWKS was lost).</summary>
    public static ServiceAccountSigningKey FromPrivateKeyPem(string pem, string issuerUrl)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return Describe(Pair(rsa), issuerUrl);
    }

    /// <summary>The key id of the first key of a JWKS, as <see cref="Describe"/> wrote it.</summary>
    public static ServiceAccountSigningKey FromJwks(string jwks, string issuerUrl) =>
        new(issuerUrl, (string?)JsonNode.Parse(jwks)?["keys"]?[0]?["kid"] ?? "", jwks);

    // Exporting also makes the key: .NET's OpenSSL RSA generates it on first use, not in RSA.Create.
    private static SigningKeyPair Pair(RSA rsa)
    {
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return new SigningKeyPair(rsa.ExportRSAPrivateKeyPem(), rsa.ExportSubjectPublicKeyInfo(), parameters.Modulus!, parameters.Exponent!);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A signing key as the providers store and describe it: the PKCS#1 PEM, and its public half's DER and numbers.</summary>
internal sealed record SigningKeyPair(string PrivateKeyPem, byte[] SubjectPublicKeyInfo, byte[] Modulus, byte[] Exponent);
