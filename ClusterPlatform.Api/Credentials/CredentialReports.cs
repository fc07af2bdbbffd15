using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterPlatform.Api.Credentials;

/// <summary>
/// The operator client's reports (<see cref="CredentialIssuanceReport"/>, <see cref="RevocationReport"/>):
/// their bodies checked at the edge, then what each does to the stored row. Only a Pending row moves;
/// the same report again changes nothing (events, and so reports, come at least once); another report
/// for a row that has moved on is a 409.
/// </summary>
internal static class CredentialReports
{
    /// <summary>The longest failure message kept (the column's CHECK), HyperShift's own words.</summary>
    public const int MaxMessageLength = 1024;

    private static readonly string[] IssuanceFields = ["status", "certificate", "caBundle", "apiUrl", "message"];
    private static readonly string[] RevocationFields = ["status", "message"];
    private static readonly string[] IssuanceStates = [CredentialStates.Issued, CredentialStates.Failed];
    private static readonly string[] RevocationOutcomes = [RevocationStates.Completed, RevocationStates.Failed];

    public static CredentialIssuanceReport ParseIssuance(JsonElement root)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", IssuanceFields))
        {
            fields.Errors.ThrowIfAny();
        }

        var status = State(fields, root, IssuanceStates);
        var certificate = fields.String(root, "certificate", "$", required: status == CredentialStates.Issued);
        var caBundle = fields.String(root, "caBundle", "$", required: status == CredentialStates.Issued);
        var apiUrl = fields.String(root, "apiUrl", "$", required: status == CredentialStates.Issued);
        var message = Message(fields, root, required: status == CredentialStates.Failed);
        if (status == CredentialStates.Issued)
        {
            if (certificate is not null && Certificate(certificate) is null)
            {
                fields.Errors.Add("$.certificate", "must be a PEM-encoded X.509 certificate");
            }

            if (caBundle is not null && !IsCertificateBundle(caBundle))
            {
                fields.Errors.Add("$.caBundle", "must be one or more PEM-encoded X.509 certificates");
            }

            if (apiUrl is not null && !ClusterUrlReports.IsHttpsUrl(apiUrl))
            {
                fields.Errors.Add("$.apiUrl", $"must be an absolute https URL of at most {ClusterUrlReports.MaxLength} characters");
            }
        }
        else if (status == CredentialStates.Failed)
        {
            foreach (var (name, value) in new[] { ("certificate", certificate), ("caBundle", caBundle), ("apiUrl", apiUrl) })
            {
                if (value is not null)
                {
                    fields.Errors.Add($"$.{name}", "must be absent from a Failed report");
                }
            }
        }

        fields.Errors.ThrowIfAny();
        return new CredentialIssuanceReport(status!, certificate, caBundle, apiUrl, message);
    }

    public static RevocationReport ParseRevocation(JsonElement root)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", RevocationFields))
        {
            fields.Errors.ThrowIfAny();
        }

        var status = State(fields, root, RevocationOutcomes);
        var message = Message(fields, root, required: status == RevocationStates.Failed);
        fields.Errors.ThrowIfAny();
        return new RevocationReport(status!, message);
    }

    /// <summary>
    /// What an issuance report does to <paramref name="row"/>: an Issued one stores a certificate for the
    /// CSR's key and the stored subject, expiring at its NotAfter.
    /// </summary>
    public static IssuanceChange? Decide(CredentialRow row, CredentialIssuanceReport report)
    {
        if (row.StoredState != CredentialStates.Pending)
        {
            var repeat = report.Status == CredentialStates.Issued
                ? row.Certificate == report.Certificate && row.StoredState is CredentialStates.Issued or CredentialStates.Revoked
                : row.StoredState == CredentialStates.Failed && row.Message == report.Message;
            return repeat ? null : throw ApiException.Conflict("credential-not-pending",
                $"Credential {row.Id} is {row.StoredState}, not Pending: only a Pending credential takes a report, and this one differs from the one it took.");
        }

        if (report.Status == CredentialStates.Failed)
        {
            return new IssuanceChange(CredentialStates.Failed, null, null, null, report.Message, null);
        }

        using var certificate = Certificate(report.Certificate!)!;
        var errors = new ValidationErrors();
        if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(CsrRules.PublicKeyOf(row.Csr)))
        {
            errors.Add("$.certificate", "must certify the public key of the credential's CSR");
        }

        if (!CsrRules.HasSubject(certificate.SubjectName, row.RequestedBy))
        {
            errors.Add("$.certificate", $"must have the credential's subject {row.Subject}");
        }

        errors.ThrowIfAny();
        return new IssuanceChange(CredentialStates.Issued, report.Certificate, report.CaBundle, report.ApiUrl, null, new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
    }

    public static RevocationChange? Decide(CredentialRevocation revocation, RevocationReport report)
    {
        if (revocation.Status != RevocationStates.Pending)
        {
            return revocation.Status == report.Status && revocation.Message == report.Message ? null : throw ApiException.Conflict("revocation-not-pending",
                $"Revocation {revocation.Id} is {revocation.Status}, not Pending: only a Pending revocation takes a report, and this one differs from the one it took.");
        }

        return new RevocationChange(report.Status, report.Message);
    }

    private static string? State(JsonFields fields, JsonElement root, string[] allowed)
    {
        var status = fields.String(root, "status", "$", required: true);
        if (status is not null && !allowed.Contains(status))
        {
            fields.Errors.Add("$.status", $"must be one of {string.Join(", ", allowed)}");
            return null;
        }

        return status;
    }

    private static string? Message(JsonFields fields, JsonElement root, bool required)
    {
        var message = fields.String(root, "message", "$", required);
        if (message is { Length: 0 or > MaxMessageLength })
        {
            fields.Errors.Add("$.message", $"must be 1 to {MaxMessageLength} characters");
        }

        return message;
    }

    private static X509Certificate2? Certificate(string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static bool IsCertificateBundle(string pem)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPem(pem);
            return bundle.Count > 0;
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            foreach (var certificate in bundle)
            {
                certificate.Dispose();
            }
        }
    }
}
