using System.ComponentModel.DataAnnotations;

namespace ClusterPlatform.Api.Credentials;

/// <summary>Break-glass credentials (section <c>Credentials</c>; docs/api.md "Credentials").</summary>
public sealed class CredentialsOptions
{
    public const string Section = "Credentials";

    /// <summary>
    /// The longest lifetime a credential gets: a longer <c>ttl</c> is capped to it, not refused. At
    /// least the 10-minute floor, at most HyperShift's own 36-hour clamp (openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf,
    /// control-plane-pki-operator/certificatesigningcontroller; docs/hypershift-pki.md "Lifetime"), beyond
    /// which the certificate would expire before the expiresAt the Api promised.
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "1.12:00:00")]
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(24);
}
