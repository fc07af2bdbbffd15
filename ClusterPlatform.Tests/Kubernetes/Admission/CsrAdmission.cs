using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>Which endpoint writes a CertificateSigningRequest: the object itself, or its /status or /approval subresource.</summary>
internal enum CsrWrite
{
    Main,
    Status,
    Approval,
}

/// <summary>
/// The built-in <c>certificates.k8s.io/v1</c> CertificateSigningRequest as the API server admits it
/// (kubernetes/kubernetes pkg/apis/certificates/validation/validation.go validateCertificateSigningRequest
/// and validateCertificateSigningRequestUpdate; pkg/registry/certificates/certificates/strategy.go
/// PrepareForCreate/PrepareForUpdate; field names from k8s.io/api certificates/v1 types.go). A write
/// keeps what its endpoint may not change: the spec is immutable everywhere, the main resource keeps
/// the status, /status keeps the approval conditions, /approval keeps the certificate. Then:
/// spec.request a PEM CERTIFICATE REQUEST whose signature verifies, usages present, known and not
/// repeated, signerName required and shaped <c>domain/path</c>, expirationSeconds at least 600, and
/// the status rules (condition statuses, Approved and Denied exclusive, none removed, approval
/// conditions only through /approval, the certificate only through /status and only once).
/// </summary>
internal static partial class CsrAdmission
{
    /// <summary>k8s.io/api certificates/v1 KeyUsage values (validation.go allValidUsages).</summary>
    public static readonly IReadOnlySet<string> KnownUsages = new HashSet<string>(StringComparer.Ordinal)
    {
        "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign",
        "encipher only", "decipher only", "any", "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
        "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc",
    };

    private static readonly HashSet<string> SpecFields = new(StringComparer.Ordinal) { "request", "signerName", "expirationSeconds", "usages", "username", "uid", "groups", "extra" };
    private static readonly string[] ApprovalTypes = ["Approved", "Denied"];

    /// <summary>The spec and status the server keeps, then the checks. <paramref name="candidate"/> is changed in place.</summary>
    public static List<FieldError> Admit(JsonObject candidate, JsonObject? old, CsrWrite write)
    {
        if (old is not null)
        {
            candidate["spec"] = old["spec"]?.DeepClone();
            var status = write == CsrWrite.Main ? old["status"]?.DeepClone().AsObject() : candidate["status"]?.DeepClone() as JsonObject ?? [];
            if (write == CsrWrite.Status && status is not null)
            {
                // /status may not touch approval conditions: the old ones are kept, others as sent (strategy.go csrStatusStrategy).
                var conditions = (status["conditions"] as JsonArray ?? []).Where(c => !ApprovalTypes.Contains((string?)c?["type"])).Select(c => c?.DeepClone())
                    .Concat((old["status"]?["conditions"] as JsonArray ?? []).Where(c => ApprovalTypes.Contains((string?)c?["type"])).Select(c => c?.DeepClone()));
                status["conditions"] = new JsonArray([.. conditions]);
            }
            else if (write == CsrWrite.Approval && status is not null)
            {
                status["certificate"] = old["status"]?["certificate"]?.DeepClone();
            }

            candidate["status"] = status;
        }
        else
        {
            candidate.Remove("status"); // PrepareForCreate: a new request has no status
        }

        var errors = MetadataValidation.Validate(candidate, namespaced: false);
        var spec = candidate["spec"] as JsonObject ?? [];
        errors.AddRange(spec.Select(p => p.Key).Where(k => !SpecFields.Contains(k)).Select(k => FieldError.Forbidden($"spec.{k}", "unknown field")));
        errors.AddRange(ValidateSpec(spec));
        errors.AddRange(ValidateStatus(candidate, old, write));
        return errors;
    }

    /// <summary>The PEM request inside <c>spec.request</c> (base64 on the wire), or null.</summary>
    public static string? RequestPem(JsonObject csr)
    {
        var text = (string?)csr["spec"]?["request"];
        if (text is null)
        {
            return null;
        }

        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) ? Encoding.ASCII.GetString(bytes, 0, written) : null;
    }

    private static IEnumerable<FieldError> ValidateSpec(JsonObject spec)
    {
        // validateCSR: certificates.ParseCSR (first PEM block must be a CERTIFICATE REQUEST) and CheckSignature.
        var pem = RequestPem(new JsonObject { ["spec"] = spec.DeepClone() });
        if (pem is null || !pem.TrimStart().StartsWith("-----BEGIN CERTIFICATE REQUEST-----", StringComparison.Ordinal))
        {
            yield return FieldError.Invalid("spec.request", "<request data>", "PEM block type must be CERTIFICATE REQUEST");
        }
        else if (!SignatureVerifies(pem))
        {
            yield return FieldError.Invalid("spec.request", "<request data>", "x509: signature verification failure");
        }

        var usages = (spec["usages"] as JsonArray ?? []).Select(u => (string?)u ?? "").ToList();
        if (usages.Count == 0)
        {
            yield return FieldError.Required("spec.usages") with { Body = "Required value: usages must be provided" };
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < usages.Count; i++)
        {
            if (!KnownUsages.Contains(usages[i]))
            {
                yield return FieldError.NotSupported($"spec.usages[{i}]", usages[i], KnownUsages.Order(StringComparer.Ordinal).Select(u => (JsonNode?)u));
            }

            if (!seen.Add(usages[i]))
            {
                yield return FieldError.Duplicate($"spec.usages[{i}]", usages[i]);
            }
        }

        var signerName = (string?)spec["signerName"] ?? "";
        if (signerName.Length == 0)
        {
            yield return FieldError.Required("spec.signerName") with { Body = "Required value: signerName must be provided" };
        }
        else if (signerName == "kubernetes.io/legacy-unknown")
        {
            yield return FieldError.Invalid("spec.signerName", signerName, "the legacy signerName is not allowed via this API version");
        }
        else if (signerName.Split('/') is not [var domain, var path] || !Domain().IsMatch(domain) || !PathSegment().IsMatch(path) || signerName.Length > 571)
        {
            yield return FieldError.Invalid("spec.signerName", signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'");
        }

        if (spec["expirationSeconds"] is { } expiration && (long)expiration < 600)
        {
            yield return FieldError.Invalid("spec.expirationSeconds", expiration.DeepClone(), "may not specify a duration less than 600 seconds (10 minutes)");
        }
    }

    private static IEnumerable<FieldError> ValidateStatus(JsonObject csr, JsonObject? old, CsrWrite write)
    {
        var conditions = (csr["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var oldConditions = (old?["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var types = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < conditions.Count; i++)
        {
            var type = (string?)conditions[i]["type"] ?? "";
            var status = (string?)conditions[i]["status"] ?? "";
            if (type.Length == 0)
            {
                yield return FieldError.Required($"status.conditions[{i}].type");
            }

            string[] allowed = type is "Approved" or "Denied" or "Failed" ? ["True"] : ["False", "True", "Unknown"];
            if (status.Length == 0)
            {
                yield return FieldError.Required($"status.conditions[{i}].status");
            }
            else if (!allowed.Contains(status))
            {
                yield return FieldError.NotSupported($"status.conditions[{i}].status", status, allowed.Select(a => (JsonNode?)a));
            }

            if (!types.Add(type))
            {
                yield return FieldError.Duplicate($"status.conditions[{i}].type", type);
            }
        }

        if (types.Contains("Approved") && types.Contains("Denied"))
        {
            yield return FieldError.Invalid("status.conditions", "Denied", "Approved and Denied conditions are mutually exclusive");
        }

        if (old is null)
        {
            yield break;
        }

        foreach (var type in new[] { "Approved", "Denied", "Failed" })
        {
            if (conditions.Count(c => (string?)c["type"] == type) < oldConditions.Count(c => (string?)c["type"] == type))
            {
                yield return FieldError.Forbidden("status.conditions", $"updates may not remove a condition of type \"{type}\"");
            }
        }

        var certificate = (string?)csr["status"]?["certificate"];
        var oldCertificate = (string?)old["status"]?["certificate"];
        if (certificate != oldCertificate)
        {
            if (write != CsrWrite.Status)
            {
                yield return FieldError.Forbidden("status.certificate", "updates may not set certificate content");
            }
            else if (!string.IsNullOrEmpty(oldCertificate))
            {
                yield return FieldError.Forbidden("status.certificate", "updates may not modify existing certificate content");
            }
        }
    }

    private static bool SignatureVerifies(string pem)
    {
        try
        {
            // Loading with the default options verifies the request's self-signature.
            CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>At least two DNS-1123 labels (ValidateCertificateSigningRequestSignerName).</summary>
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$")]
    private static partial Regex Domain();

    /// <summary>DNS-1123 subdomains separated by dots.</summary>
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex PathSegment();
}
