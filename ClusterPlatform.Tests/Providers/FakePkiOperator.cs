extern alias controllers;

using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClusterPlatform.Tests.Kubernetes.Admission;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// HyperShift's control-plane-pki-operator for the hosted control planes installed on a
/// <see cref="FakeKubeApiServer"/>, played from upstream's code (openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf,
/// control-plane-pki-operator/): each sync is one controller pass over one object, returning the
/// status the operator would write, or null when it would write nothing.
/// <list type="bullet">
/// <item>Approval (certificatesigningrequestapprovalcontroller.go processCertificateSigningRequest): a CSR of this
/// control plane's signer, neither Approved nor Denied, with a CertificateSigningRequestApproval of its
/// name in the control plane's namespace, gets <c>Approved=True</c>, reason <c>ApprovalPresent</c>.</item>
/// <item>Signing (certificatesigningcontroller.go processCertificateSigningRequest and sign): an approved CSR
/// of this signer, not Failed and not signed, is validated (certificates/validation.go Validator) — a
/// failure is <c>Failed=True</c>, reason <c>SignerValidationFailure</c> — else signed by the signer CA
/// with upstream's lifetime clamp into <c>status.certificate</c>.</item>
/// <item>Revocation (certificaterevocationcontroller/certificaterevocationcontroller.go processCertificateRevocationRequest):
/// one step per sync, in upstream's order and with its conditions and messages; the root step
/// regenerates the signer CA, so certificates of the old one no longer chain.
/// <see cref="RevocationTimesOut"/> plays step 6 giving up.</item>
/// </list>
/// </summary>
internal sealed class FakePkiOperator
{
    private readonly Dictionary<string, X509Certificate2> signers = new(StringComparer.Ordinal);

    /// <summary>Step 6 never sees the old signer refused, and gives up (<c>RevocationVerificationTimeout</c>).</summary>
    public bool RevocationTimesOut { get; set; }

    /// <summary>A control plane's customer-break-glass signer CA now (<c>customer-system-admin-signer</c>), or null when not installed.</summary>
    public X509Certificate2? Signer(string controlPlaneNamespace)
    {
        lock (signers)
        {
            return signers.GetValueOrDefault(controlPlaneNamespace);
        }
    }

    /// <summary>Starts the operator for a control plane: its signer CA, valid 7 days like upstream's (certrotationcontroller.go).</summary>
    public void Install(string controlPlaneNamespace)
    {
        lock (signers)
        {
            signers.TryAdd(controlPlaneNamespace, NewSigner(controlPlaneNamespace));
        }
    }

    /// <summary>The approval and signing controllers' pass over one CSR.</summary>
    public JsonObject? SyncCsr(JsonObject csr, Func<string, string, bool> approvalExists)
    {
        var signerName = (string?)csr["spec"]?["signerName"] ?? "";
        var controlPlane = ControlPlaneOf(signerName);
        if (controlPlane is null || Signer(controlPlane) is not { } signer)
        {
            return null; // no operator of this signer runs here
        }

        var status = csr["status"]?.DeepClone() as JsonObject ?? [];
        var conditions = status["conditions"] as JsonArray ?? [];
        var name = (string)csr["metadata"]!["name"]!;
        if (!conditions.Any(c => (string?)c?["type"] is "Approved" or "Denied"))
        {
            if (!approvalExists(controlPlane, name))
            {
                return null;
            }

            conditions.Add(CsrCondition("Approved", "ApprovalPresent", "The requisite approval resource exists."));
            status["conditions"] = conditions;
            return status;
        }

        if (!conditions.Any(c => (string?)c?["type"] == "Approved") || conditions.Any(c => (string?)c?["type"] == "Failed") || status["certificate"] is not null)
        {
            return null;
        }

        var pem = CsrAdmission.RequestPem(csr)!;
        var request = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var usages = (csr["spec"]!["usages"] as JsonArray ?? []).Select(u => (string)u!).ToList();
        if (Validate(signerName, controlPlane, request, usages) is { } invalid)
        {
            conditions.Add(CsrCondition("Failed", "SignerValidationFailure", invalid));
            status["conditions"] = conditions;
            return status;
        }

        var (notBefore, notAfter) = BreakGlassCertificates.Validity(DateTimeOffset.UtcNow, (int?)(long?)csr["spec"]!["expirationSeconds"], signer.NotAfter.ToUniversalTime());
        using var certificate = BreakGlassCertificates.Sign(request, usages, signer, notBefore, notAfter);
        status["certificate"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"));
        return status;
    }

    /// <summary>One pass of the revocation controller over one CertificateRevocationRequest.</summary>
    public JsonObject? SyncRevocation(JsonObject crr)
    {
        var controlPlane = (string)crr["metadata"]!["namespace"]!;
        var signerClass = (string?)crr["spec"]?["signerClass"];
        var status = crr["status"]?.DeepClone() as JsonObject ?? [];
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        bool Has(string type, string value) => conditions.Any(c => (string?)c?["type"] == type && (string?)c?["status"] == value);

        // Step 1, commitRevocationTimestamp.
        if (signerClass is not ("customer-break-glass" or "sre-break-glass"))
        {
            return Set(status, conditions, Condition("SignerClassValid", "SignerClassUnknown", $"Signer class \"{signerClass}\" unknown.", "False"));
        }

        if (status["revocationTimestamp"] is null)
        {
            status["revocationTimestamp"] = Rfc3339(DateTimeOffset.UtcNow);
            return Set(status, conditions, Condition("SignerClassValid", "AsExpected", $"Signer class \"{signerClass}\" known."));
        }

        // Step 2, generateNewSignerCertificate: the signer is regenerated, the old one recorded.
        const string signerSecret = "customer-system-admin-signer";
        if (!Has("RootCertificatesRegenerated", "True"))
        {
            lock (signers)
            {
                if (signers.Remove(controlPlane, out var old))
                {
                    old.Dispose();
                }

                signers[controlPlane] = NewSigner(controlPlane);
            }

            status["previousSigner"] = new JsonObject { ["name"] = signerSecret };
            return Set(status, conditions,
                Condition("RootCertificatesRegenerated", "AsExpected", $"Signer certificate {controlPlane}/{signerSecret} regenerated."),
                Condition("NewCertificatesTrusted", "WaitingForAvailable", $"New signer certificate {controlPlane}/{signerSecret} not yet trusted.", "False"));
        }

        // Step 3, ensureNewSignerCertificatePropagated.
        if (!Has("NewCertificatesTrusted", "True"))
        {
            return Set(status, conditions, Condition("NewCertificatesTrusted", "AsExpected", $"New signer certificate {controlPlane}/{signerSecret} trusted."));
        }

        // Steps 4 and 5, generateNewLeafCertificates and prunePreviousSignerCertificates.
        if (!Has("LeafCertificatesRegenerated", "True"))
        {
            return Set(status, conditions,
                Condition("LeafCertificatesRegenerated", "AsExpected", "All leaf certificates are re-generated."),
                Condition("PreviousCertificatesRevoked", "WaitingForAvailable", "Previous signer certificate not yet revoked.", "False"));
        }

        // Step 6, ensureOldSignerCertificateRevoked.
        if (Has("PreviousCertificatesRevoked", "True") || conditions.Any(c => (string?)c?["reason"] == "RevocationVerificationTimeout"))
        {
            return null;
        }

        return RevocationTimesOut
            ? Set(status, conditions, Condition("PreviousCertificatesRevoked", "RevocationVerificationTimeout", "Timed out after 10m0s waiting for KAS to reject old signer certificate.", "False"))
            : Set(status, conditions, Condition("PreviousCertificatesRevoked", "AsExpected", "Previous signer certificate revoked."));
    }

    /// <summary>certificates/validation.go Validator, for this control plane's customer-break-glass signer.</summary>
    private static string? Validate(string signerName, string controlPlane, CertificateRequest request, IReadOnlyList<string> usages)
    {
        var expected = $"hypershift.openshift.io/{controlPlane}.customer-break-glass";
        if (signerName != expected)
        {
            return $"signer name \"{signerName}\" does not match \"{expected}\"";
        }

        var commonName = request.SubjectName.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(n => !n.HasMultipleElements && n.GetSingleElementType().Value == "2.5.4.3")?.GetSingleElementValue() ?? "";
        if (!commonName.StartsWith("system:customer-break-glass:", StringComparison.Ordinal))
        {
            return "invalid certificate request: subject CommonName must begin with \"system:customer-break-glass:\"";
        }

        if (!usages.Contains("client auth"))
        {
            return "missing required usages: map[client auth:{}]";
        }

        string[] valid = ["client auth", "digital signature", "key encipherment"];
        if (usages.Where(u => !valid.Contains(u)).ToList() is { Count: > 0 } invalid)
        {
            return $"invalid usages: map[{string.Join(" ", invalid.Select(u => u + ":{}"))}]";
        }

        if (request.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == "2.5.29.17") is { } extension)
        {
            var names = new X509SubjectAlternativeNameExtension(extension.RawData);
            var kind = names.EnumerateDnsNames().Any() ? "DNS" : names.EnumerateIPAddresses().Any() ? "IP" : "Email or URI";
            return $"invalid certificate request: {kind} subjectAltNames are not allowed";
        }

        return null;
    }

    /// <summary>The control plane namespace a signer name of HyperShift's names (validation.go SignerNameForHCP), or null.</summary>
    private static string? ControlPlaneOf(string signerName) =>
        signerName.StartsWith("hypershift.openshift.io/", StringComparison.Ordinal) && signerName.EndsWith(".customer-break-glass", StringComparison.Ordinal)
            ? signerName["hypershift.openshift.io/".Length..^".customer-break-glass".Length]
            : null;

    private static X509Certificate2 NewSigner(string controlPlane) =>
        BreakGlassCertificates.NewAuthority($"{controlPlane}_customer-system-admin-signer@{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}", DateTimeOffset.UtcNow, TimeSpan.FromDays(7));

    private static JsonObject Set(JsonObject status, JsonArray conditions, params JsonObject[] updates)
    {
        foreach (var update in updates)
        {
            var existing = conditions.FirstOrDefault(c => (string?)c?["type"] == (string?)update["type"]);
            if (existing is not null)
            {
                conditions.Remove(existing);
            }

            conditions.Add(update);
        }

        return status;
    }

    /// <summary>A metav1.Condition, as the CertificateRevocationRequest's status carries.</summary>
    private static JsonObject Condition(string type, string reason, string message, string status = "True") => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message,
        ["lastTransitionTime"] = Rfc3339(DateTimeOffset.UtcNow),
    };

    /// <summary>A CertificateSigningRequestCondition (k8s.io/api certificates/v1), which also has lastUpdateTime.</summary>
    private static JsonObject CsrCondition(string type, string reason, string message)
    {
        var condition = Condition(type, reason, message);
        condition["lastUpdateTime"] = condition["lastTransitionTime"]!.DeepClone();
        return condition;
    }

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
