using System.Globalization;
using ClusterPlatform.Api.Credentials;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using static ClusterPlatform.Api.OpenApi.OpenApiSchemas;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// The break-glass credential schemas (docs/api.md "Credentials") with the rules the edge enforces,
/// read from their one home: the CSR's size (<see cref="CsrRules"/>), the ttl's form and bounds
/// (<see cref="CredentialRequests"/>), the reports' states and message length (<see cref="CredentialReports"/>),
/// the list cap (<see cref="CredentialStore"/>), and the subject (<see cref="BreakGlassSubject"/>).
/// </summary>
internal static class CredentialSchemas
{
    /// <summary>A certificate or CA bundle came in one report body, so neither is longer than it.</summary>
    private const int MaxPemLength = RequestBody.MaxBytes;

    /// <summary>The kubeconfig: base64 of what one report stored (4/3 of it), the API URL, the cluster's name twice and the template.</summary>
    private const int MaxKubeconfigLength = (MaxPemLength * 4 / 3) + 4 + ClusterUrlReports.MaxLength + (2 * ClusterRequests.MaxNameLength) + 1024;

    public static OpenApiOptions AddCredentialSchemas(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, context, _) =>
        {
            var maxTtl = context.ApplicationServices.GetRequiredService<IOptions<CredentialsOptions>>().Value.MaxTtl;
            Credential(document);
            Requests(document, maxTtl);
            Revocations(document);
            Work(document, maxTtl);
            return Task.CompletedTask;
        });

    private static void Credential(OpenApiDocument document)
    {
        var credential = document.Component(nameof(Contracts.Credential));
        credential.SetProperty("kind", Enum([nameof(Contracts.Credential)]));
        credential.SetProperty("status", Enum([CredentialStates.Pending, CredentialStates.Issued, CredentialStates.Failed, CredentialStates.Expired, CredentialStates.Revoked]));
        credential.Property("status").Description = "Pending until the operator client reports; a Pending or Issued credential past `expiresAt` reads Expired.";
        credential.SetProperty("subject", Subject());
        credential.Property("expiresAt").Description = "The request time plus the (capped) ttl until issued, then the certificate's NotAfter.";
        credential.SetProperty("message", Nullable(String(CredentialReports.MaxMessageLength, description: "Why it failed, in HyperShift's words (Failed only).")));
        credential.SetProperty("certificate", Nullable(String(MaxPemLength, "^-----BEGIN CERTIFICATE-----",
            description: "The signed certificate (PEM): only on the single read of an Issued credential, and only to its requester and admins.")));
        credential.SetProperty("kubeconfig", Nullable(String(MaxKubeconfigLength, "^apiVersion: v1\n",
            description: $"A kubeconfig (YAML) for the cluster's API server with this certificate; `client-key` names `{KubeconfigTemplate.ClientKeyPath}` "
                + "beside the file: put your key there, or replace the line with `client-key-data`. Present when `certificate` is.")));

        var list = document.Component(nameof(CredentialList));
        list.SetProperty("kind", Enum([nameof(CredentialList)]));
        list.Property("items").MaxItems = CredentialStore.MaxListed;
        list.Property("items").Description = $"The newest {CredentialStore.MaxListed}, newest first, never with a certificate or kubeconfig.";
    }

    private static void Requests(OpenApiDocument document, TimeSpan maxTtl)
    {
        var request = document.Component(nameof(CredentialRequest));
        request.AdditionalPropertiesAllowed = false;
        request.SetProperty("csr", String(CsrRules.MaxPemLength, "-----BEGIN CERTIFICATE REQUEST-----",
            description: $"A PEM PKCS#10 request with a valid self-signature, for exactly the subject `CN={BreakGlassSubject.CommonNamePrefix}<your token subject>, O={BreakGlassSubject.Group}`; "
                + "an RSA (2048–8192 bits) or EC (P-256, P-384, P-521) key; no SANs, no CA, and only client usages."));
        request.SetProperty("ttl", String(CredentialRequests.MaxTtlLength, "^-?P",
            description: $"An ISO 8601 duration of at least {System.Xml.XmlConvert.ToString(CredentialRequests.MinTtl)}; longer than "
                + $"{System.Xml.XmlConvert.ToString(maxTtl)} (Credentials:MaxTtl) is capped to it. Absent: {System.Xml.XmlConvert.ToString(CredentialRequests.DefaultTtl)}, within the cap."));

        var report = document.Component(nameof(CredentialIssuanceReport));
        report.AdditionalPropertiesAllowed = false;
        report.SetProperty("status", Enum([CredentialStates.Issued, CredentialStates.Failed]));
        report.SetProperty("certificate", String(MaxPemLength, "-----BEGIN CERTIFICATE-----", description: "Issued: the certificate for the CSR's key and subject (PEM)."));
        report.SetProperty("caBundle", String(MaxPemLength, "-----BEGIN CERTIFICATE-----", description: "Issued: the CA certificates that verify the API server (PEM)."));
        report.SetProperty("apiUrl", new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", MaxLength = ClusterUrlReports.MaxLength, Pattern = "^https://", Description = "Issued: the API server's URL." });
        report.SetProperty("message", String(CredentialReports.MaxMessageLength, minLength: 1, description: "Failed: why, in HyperShift's words."));
    }

    private static void Revocations(OpenApiDocument document)
    {
        var revocation = document.Component(nameof(CredentialRevocation));
        revocation.SetProperty("kind", Enum([nameof(CredentialRevocation)]));
        revocation.SetProperty("status", Enum([RevocationStates.Pending, RevocationStates.Completed, RevocationStates.Failed]));
        revocation.SetProperty("message", Nullable(String(CredentialReports.MaxMessageLength, description: "Why it failed (Failed only).")));

        var report = document.Component(nameof(RevocationReport));
        report.AdditionalPropertiesAllowed = false;
        report.SetProperty("status", Enum([RevocationStates.Completed, RevocationStates.Failed]));
        report.SetProperty("message", String(CredentialReports.MaxMessageLength, minLength: 1, description: "Failed: why."));
    }

    private static void Work(OpenApiDocument document, TimeSpan maxTtl)
    {
        var work = document.Component(nameof(CredentialWork));
        work.SetProperty("kind", Enum([nameof(CredentialWork)]));
        work.Property("signing").MaxItems = CredentialStore.MaxListed;
        work.Property("revocations").MaxItems = CredentialStore.MaxListed;
        var signing = document.Component(nameof(CredentialSigningWork));
        signing.SetProperty("csr", String(CsrRules.MaxPemLength, "-----BEGIN CERTIFICATE REQUEST-----"));
        signing.SetProperty("subject", Subject());
        signing.Property("expirationSeconds").Range((long)CredentialRequests.MinTtl.TotalSeconds, (long)maxTtl.TotalSeconds);
    }

    /// <summary>The certificate subject, as <see cref="BreakGlassSubject.DistinguishedName"/> writes it.</summary>
    private static OpenApiSchema Subject()
    {
        var room = BreakGlassSubject.MaxCommonNameLength - BreakGlassSubject.CommonNamePrefix.Length;
        var form = BreakGlassSubject.DistinguishedName("x");
        return String(form.Length - 1 + room, string.Create(CultureInfo.InvariantCulture,
                $"^CN={BreakGlassSubject.CommonNamePrefix}[A-Za-z0-9._@-]{{1,{room}}}, O={BreakGlassSubject.Group}$"),
            description: "The certificate's subject: the requester's break-glass identity and group (cluster-admin on the hosted cluster).");
    }

    private static OpenApiSchema Nullable(OpenApiSchema schema)
    {
        schema.Type |= JsonSchemaType.Null;
        return schema;
    }
}
