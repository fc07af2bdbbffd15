using System.Text.Json;

namespace ClusterPlatform.Contracts;

/// <summary>
/// What environment validation reports about the cluster's service-account signing key, as
/// <c>data.signingKey</c> of its status report. The platform makes one key per cluster; its private
/// part stays on the management cluster, so only public keys are ever reported or served.
/// </summary>
/// <param name="IssuerUrl">The hosted cluster's token issuer, which the workload identity provider trusts.</param>
/// <param name="KeyId">The <c>kid</c> of the current key in <paramref name="Jwks"/>.</param>
/// <param name="Jwks">The public keys, served as is by <c>GET /api/v1/clusters/{id}/jwks</c>.</param>
public sealed record SigningKeyData(string IssuerUrl, string KeyId, JsonWebKeySet Jwks)
{
    /// <summary>The field of a status report's <c>data</c> that holds it.</summary>
    public const string DataField = "signingKey";
}

/// <summary>An RFC 7517 JWK Set: <c>{"keys": [...]}</c>, each key a JWK object.</summary>
public sealed record JsonWebKeySet(IReadOnlyList<JsonElement> Keys);
