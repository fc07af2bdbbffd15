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
    /// <summary>A new key: the PEM for the management cluster's Secret, and its public description.</summary>
    public static (string PrivateKeyPem, ServiceAccountSigningKey PublicKey) Generate(int bits, string issuerUrl)
    {
        using var rsa = RSA.Create(bits);
        return (rsa.ExportRSAPrivateKeyPem(), Describe(rsa, issuerUrl));
    }

    /// <summary>The public description of a key read back from its PEM (only when its JWKS was lost).</summary>
    public static ServiceAccountSigningKey FromPrivateKeyPem(string pem, string issuerUrl)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return Describe(rsa, issuerUrl);
    }

    /// <summary>The key id of the first key of a JWKS, as <see cref="Describe"/> wrote it.</summary>
    public static ServiceAccountSigningKey FromJwks(string jwks, string issuerUrl) =>
        new(issuerUrl, (string?)JsonNode.Parse(jwks)?["keys"]?[0]?["kid"] ?? "", jwks);

    private static ServiceAccountSigningKey Describe(RSA rsa, string issuerUrl)
    {
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var keyId = Base64Url(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()));
        var jwks = new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["alg"] = "RS256",
                ["use"] = "sig",
                ["kid"] = keyId,
                ["n"] = Base64Url(parameters.Modulus!),
                ["e"] = Base64Url(parameters.Exponent!),
            }),
        };
        return new ServiceAccountSigningKey(issuerUrl, keyId, jwks.ToJsonString());
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
