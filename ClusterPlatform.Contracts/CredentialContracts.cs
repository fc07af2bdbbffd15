using System.Security.Cryptography;
using System.Text;

namespace ClusterPlatform.Contracts;

/// <summary>
/// The body of <c>POST /api/v1/clusters/{id}/credentials</c>: a PKCS#10 certificate signing request
/// made by the user from a key pair that never leaves them, and the lifetime wanted (ISO 8601
/// duration, <c>PT8H</c>; null takes the platform's default). The platform caps the lifetime.
/// </summary>
public sealed record CredentialRequest(string Csr, string? Ttl);

/// <summary>
/// A break-glass credential (docs/api.md "Credentials"). <paramref name="Status"/> is one of
/// <see cref="CredentialStates"/>. <paramref name="Certificate"/> (PEM) and <paramref name="Kubeconfig"/>
/// are present only once issued, only on the single-credential read, and only to its requester and
/// admins; lists never carry them.
/// </summary>
/// <param name="Subject">The certificate's subject, as the platform decided it (<see cref="BreakGlassSubject"/>).</param>
/// <param name="Message">Why it failed, when <paramref name="Status"/> is Failed.</param>
public sealed record Credential(
    string Kind,
    Guid Id,
    Guid ClusterId,
    string Status,
    string Subject,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? IssuedAt = null,
    DateTimeOffset? RevokedAt = null,
    string? Message = null,
    string? Certificate = null,
    string? Kubeconfig = null);

/// <summary>A cluster's credentials, newest first, metadata only.</summary>
public sealed record CredentialList(string Kind, IReadOnlyList<Credential> Items);

/// <summary>
/// The answer to <c>POST /api/v1/clusters/{id}/credentials:revoke</c>: HyperShift revokes by signer, so
/// one revocation covers every break-glass credential of the cluster issued or requested before it.
/// <paramref name="Status"/> is Pending, Completed or Failed.
/// </summary>
public sealed record CredentialRevocation(string Kind, Guid Id, Guid ClusterId, string Status, string RequestedBy, DateTimeOffset RequestedAt,
    DateTimeOffset? CompletedAt = null, string? Message = null);

public static class CredentialStates
{
    public const string Pending = "Pending";
    public const string Issued = "Issued";
    public const string Failed = "Failed";
    public const string Expired = "Expired";
    public const string Revoked = "Revoked";
}

public static class RevocationStates
{
    public const string Pending = "Pending";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
}

/// <summary>
/// The controller-only view of the credential work waiting on one cluster
/// (<c>GET /api/v1/clusters/{id}/credentials/work</c>): requests to sign and revocations to carry out.
/// </summary>
public sealed record CredentialWork(string Kind, IReadOnlyList<CredentialSigningWork> Signing, IReadOnlyList<RevocationWork> Revocations);

/// <summary>
/// One pending request for the operator client to relay: the user's CSR (PEM, already checked by the
/// Api), the lifetime in seconds (Kubernetes' <c>spec.expirationSeconds</c>) and the subject the Api
/// checked it for.
/// </summary>
public sealed record CredentialSigningWork(Guid Id, string Csr, int ExpirationSeconds, string Subject);

/// <summary>One pending revocation for the operator client to carry out.</summary>
public sealed record RevocationWork(Guid Id, DateTimeOffset RequestedAt);

/// <summary>
/// The operator client's report on one request (<c>PUT /api/v1/clusters/{id}/credentials/{cid}/issuance</c>):
/// either issued, with the signed certificate (PEM), the CA bundle that verifies the API server
/// (PEM) and the API server's URL for the kubeconfig, or failed with HyperShift's own reason.
/// </summary>
public sealed record CredentialIssuanceReport(string Status, string? Certificate, string? CaBundle, string? ApiUrl, string? Message);

/// <summary>The operator client's report on one revocation (<c>PUT /api/v1/clusters/{id}/credentials/revocations/{rid}</c>).</summary>
public sealed record RevocationReport(string Status, string? Message);

/// <summary>
/// The one rule for a break-glass certificate's subject, shared by the Api (which refuses any other),
/// the CLI and the console (which put it in the CSRs they make). The common name is HyperShift's
/// break-glass prefix and the requester's token subject; the organization is the group HyperShift's
/// own break-glass certificates carry (openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf,
/// control-plane-pki-operator/certificates/validation.go; docs/hypershift-pki.md).
/// </summary>
public static class BreakGlassSubject
{
    /// <summary>The common-name prefix HyperShift's customer-break-glass signer requires.</summary>
    public const string CommonNamePrefix = "system:customer-break-glass:";

    /// <summary>The group the certificate carries: the break-glass group, cluster-admin on the hosted cluster.</summary>
    public const string Group = "system:masters";

    /// <summary>RFC 5280's upper bound on a common name (ub-common-name), which leaves 36 characters after the prefix.</summary>
    public const int MaxCommonNameLength = 64;

    /// <summary>
    /// The common name for a token subject: the subject itself when it fits and is plain (letters,
    /// digits and <c>._@-</c>), else <c>sub-</c> and the first 32 hex digits of its SHA-256, so that
    /// every subject maps to one name that fits and no two plain subjects collide with a hashed one.
    /// </summary>
    public static string CommonName(string tokenSubject)
    {
        const int room = MaxCommonNameLength - 28; // CommonNamePrefix.Length
        var plain = tokenSubject.Length is > 0 and <= room && !tokenSubject.StartsWith("sub-", StringComparison.Ordinal)
            && tokenSubject.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '-');
        return CommonNamePrefix + (plain ? tokenSubject : "sub-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tokenSubject)))[..32]);
    }

    /// <summary>The subject as an X.500 name, in the form <c>X500DistinguishedName</c> parses (<c>CN=…, O=system:masters</c>).</summary>
    public static string DistinguishedName(string tokenSubject) => $"CN={CommonName(tokenSubject)}, O={Group}";
}
