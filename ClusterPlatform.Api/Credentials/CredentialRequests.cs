using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterPlatform.Api.Credentials;

/// <summary>A request the edge admitted: the CSR as sent, the subject it was checked for, and the lifetime it gets.</summary>
internal sealed record AdmittedCredentialRequest(string Csr, string Subject, int ExpirationSeconds);

/// <summary>
/// The body of <c>POST /api/v1/clusters/{id}/credentials</c> (<see cref="CredentialRequest"/>), checked at
/// the edge: every violation of <c>csr</c> (<see cref="CsrRules"/>) and <c>ttl</c> in one 400.
/// </summary>
internal sealed class CredentialRequests(IOptions<CredentialsOptions> options)
{
    /// <summary>
    /// Kubernetes' floor for a CSR's <c>spec.expirationSeconds</c> (k8s.io/api certificates/v1, 600) and
    /// HyperShift's lower clamp: a shorter lifetime would not be what the certificate gets.
    /// </summary>
    public static readonly TimeSpan MinTtl = TimeSpan.FromMinutes(10);

    /// <summary>What a request without <c>ttl</c> gets, when the cap allows it.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(8);

    /// <summary>The longest <c>ttl</c> text read; ISO 8601 durations of any sensible lifetime are far shorter.</summary>
    public const int MaxTtlLength = 64;

    public static readonly IReadOnlyList<string> BodyFields = ["csr", "ttl"];

    public TimeSpan MaxTtl => options.Value.MaxTtl;

    public AdmittedCredentialRequest Parse(JsonElement root, string tokenSubject)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", BodyFields))
        {
            fields.Errors.ThrowIfAny();
        }

        var csr = fields.String(root, "csr", "$", required: true);
        var ttlText = fields.String(root, "ttl", "$", required: false);
        var subject = BreakGlassSubject.DistinguishedName(tokenSubject);
        if (csr is not null)
        {
            CsrRules.Check(csr, tokenSubject, "$.csr", fields.Errors);
        }

        var ttl = Ttl(ttlText, "$.ttl", fields.Errors);
        fields.Errors.ThrowIfAny();
        return new AdmittedCredentialRequest(csr!, subject, (int)ttl.TotalSeconds);
    }

    /// <summary>An ISO 8601 duration of at least <see cref="MinTtl"/>, capped at the setting; absent, the default within the cap.</summary>
    private TimeSpan Ttl(string? text, string path, ValidationErrors errors)
    {
        var cap = options.Value.MaxTtl;
        if (text is null)
        {
            return DefaultTtl < cap ? DefaultTtl : cap;
        }

        TimeSpan ttl;
        try
        {
            ttl = text.Length <= MaxTtlLength ? System.Xml.XmlConvert.ToTimeSpan(text) : throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            errors.Add(path, "must be an ISO 8601 duration such as PT8H");
            return cap;
        }

        if (ttl < MinTtl)
        {
            errors.Add(path, $"must be at least {System.Xml.XmlConvert.ToString(MinTtl)} (Kubernetes' shortest certificate lifetime)");
            return cap;
        }

        // Whole seconds, as Kubernetes' expirationSeconds counts them.
        return TimeSpan.FromSeconds(Math.Floor((ttl < cap ? ttl : cap).TotalSeconds));
    }
}
