using System.Text;
using ClusterPlatform.Tests.Api.Credentials;
using ClusterPlatform.Tests.Providers;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>
/// The fake's built-in CertificateSigningRequest, through KubernetesClient, refusing what a real
/// API server refuses (Admission/CsrAdmission.cs) and keeping each endpoint to what it may change.
/// </summary>
public sealed class CertificateSigningRequestAdmissionTests
{
    private const string Signer = "hypershift.openshift.io/hc-1-alpha.customer-break-glass";

    private static V1CertificateSigningRequest Request(string name, string pem, IList<string>? usages = null, string signerName = Signer, int? expirationSeconds = 3600) => new()
    {
        ApiVersion = "certificates.k8s.io/v1",
        Kind = "CertificateSigningRequest",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1CertificateSigningRequestSpec
        {
            Request = Encoding.ASCII.GetBytes(pem),
            SignerName = signerName,
            Usages = usages ?? ["client auth"],
            ExpirationSeconds = expirationSeconds,
        },
    };

    [Fact]
    public async Task A_request_must_be_a_signed_PEM_request_with_known_usages_a_signer_and_ten_minutes()
    {
        var kube = new FakeKubeApiServer();
        await using var server = await LocalApiServer.StartAsync(kube.Map);
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        using var csr = TestCsr.Ec("CN=system:customer-break-glass:alice, O=system:masters");
        // The same request with one byte of its signature changed.
        var der = Convert.FromBase64String(string.Concat(csr.Pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^3] ^= 0x01;
        var tampered = new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE REQUEST", der));

        async Task<string> RefusalAsync(V1CertificateSigningRequest request)
        {
            var refusal = await Assert.ThrowsAsync<HttpOperationException>(() => client.CertificatesV1.CreateCertificateSigningRequestAsync(request, cancellationToken: Cancellation));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refusal.Response.StatusCode);
            return (string)JsonNode.Parse(refusal.Response.Content)!["message"]!;
        }

        Assert.Contains("spec.request: Invalid value: \"<request data>\": x509: signature verification failure", await RefusalAsync(Request("tampered", tampered)), StringComparison.Ordinal);
        Assert.Contains("PEM block type must be CERTIFICATE REQUEST", await RefusalAsync(Request("not-pem", "hello")), StringComparison.Ordinal);
        Assert.Contains("spec.usages[1]: Unsupported value: \"client authentication\"", await RefusalAsync(Request("usage", csr.Pem, ["client auth", "client authentication"])), StringComparison.Ordinal);
        Assert.Contains("spec.usages: Required value: usages must be provided", await RefusalAsync(Request("no-usage", csr.Pem, [])), StringComparison.Ordinal);
        Assert.Contains("spec.usages[1]: Duplicate value: \"client auth\"", await RefusalAsync(Request("twice", csr.Pem, ["client auth", "client auth"])), StringComparison.Ordinal);
        Assert.Contains("spec.signerName: Required value: signerName must be provided", await RefusalAsync(Request("no-signer", csr.Pem, signerName: "")), StringComparison.Ordinal);
        Assert.Contains("must be a fully qualified domain and path", await RefusalAsync(Request("bad-signer", csr.Pem, signerName: "customer-break-glass")), StringComparison.Ordinal);
        Assert.Contains("spec.expirationSeconds: Invalid value: 599", await RefusalAsync(Request("short", csr.Pem, expirationSeconds: 599)), StringComparison.Ordinal);
        Assert.Empty(kube.Admitted);

        await client.CertificatesV1.CreateCertificateSigningRequestAsync(Request("good", csr.Pem, expirationSeconds: 600), cancellationToken: Cancellation);
        Assert.Single(kube.Admitted);
    }

    [Fact]
    public async Task The_spec_is_immutable_approval_goes_through_approval_and_the_certificate_through_status_once()
    {
        var kube = new FakeKubeApiServer();
        await using var server = await LocalApiServer.StartAsync(kube.Map);
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        using var csr = TestCsr.Ec("CN=system:customer-break-glass:alice, O=system:masters");
        using var other = TestCsr.Ec("CN=system:customer-break-glass:mallory, O=system:masters");
        var created = await client.CertificatesV1.CreateCertificateSigningRequestAsync(Request("one", csr.Pem), cancellationToken: Cancellation);

        // A main-resource update keeps the spec and the status as stored (strategy.go PrepareForUpdate).
        created.Spec.Request = Encoding.ASCII.GetBytes(other.Pem);
        created.Status = new V1CertificateSigningRequestStatus { Conditions = [new V1CertificateSigningRequestCondition { Type = "Approved", Status = "True", Reason = "Sneaky" }] };
        var replaced = await client.CertificatesV1.ReplaceCertificateSigningRequestAsync(created, "one", cancellationToken: Cancellation);
        Assert.Equal(csr.Pem, Encoding.ASCII.GetString(replaced.Spec.Request));
        Assert.Null(replaced.Status?.Conditions);

        // /status may not approve; /approval may.
        replaced.Status = new V1CertificateSigningRequestStatus { Conditions = [new V1CertificateSigningRequestCondition { Type = "Approved", Status = "True", Reason = "ByStatus" }] };
        var viaStatus = await client.CertificatesV1.ReplaceCertificateSigningRequestStatusAsync(replaced, "one", cancellationToken: Cancellation);
        Assert.Null(viaStatus.Status?.Conditions is { Count: > 0 } ? viaStatus.Status.Conditions : null);
        viaStatus.Status = new V1CertificateSigningRequestStatus { Conditions = [new V1CertificateSigningRequestCondition { Type = "Approved", Status = "True", Reason = "ByApproval" }] };
        var approved = await client.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(viaStatus, "one", cancellationToken: Cancellation);
        Assert.Equal("ByApproval", Assert.Single(approved.Status.Conditions).Reason);

        // An approved condition may not go again, nor Approved and Denied together.
        approved.Status.Conditions = [];
        var removal = await Assert.ThrowsAsync<HttpOperationException>(() => client.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(approved, "one", cancellationToken: Cancellation));
        Assert.Contains("updates may not remove a condition of type \"Approved\"", (string)JsonNode.Parse(removal.Response.Content)!["message"]!, StringComparison.Ordinal);

        // The certificate: not through /approval, once through /status.
        var current = await client.CertificatesV1.ReadCertificateSigningRequestAsync("one", cancellationToken: Cancellation);
        current.Status.Certificate = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
        var throughApproval = await client.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(current, "one", cancellationToken: Cancellation);
        Assert.Null(throughApproval.Status.Certificate);
        throughApproval.Status.Certificate = current.Status.Certificate;
        var signed = await client.CertificatesV1.ReplaceCertificateSigningRequestStatusAsync(throughApproval, "one", cancellationToken: Cancellation);
        Assert.Equal(current.Status.Certificate, signed.Status.Certificate);
        signed.Status.Certificate = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nMAE=\n-----END CERTIFICATE-----\n");
        var resign = await Assert.ThrowsAsync<HttpOperationException>(() => client.CertificatesV1.ReplaceCertificateSigningRequestStatusAsync(signed, "one", cancellationToken: Cancellation));
        Assert.Contains("updates may not modify existing certificate content", resign.Response.Content, StringComparison.Ordinal);
    }
}
