extern alias controllers;

using System.Security.Cryptography.X509Certificates;
using ClusterPlatform.Contracts;
using ClusterPlatform.Tests.Api.Credentials;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// The real provider's break-glass calls, through KubernetesClient, against the fake management
/// cluster: the built-in CSR admitted by its real rules, HyperShift's approval and revocation CRDs,
/// and the pki operator played from upstream's code (<see cref="FakePkiOperator"/>).
/// </summary>
public sealed class HyperShiftBreakGlassTests
{
    private static readonly HostedClusterRef Cluster = new("hc-0123456789abcdef", "alpha");

    /// <summary>HyperShift's control plane namespace for <see cref="Cluster"/>, spelled out (manifests.go HostedControlPlaneNamespace).</summary>
    private const string ControlPlane = "hc-0123456789abcdef-alpha";

    private sealed class Harness(FakeKubeApiServer kube, LocalApiServer server, HyperShiftManagementClusterProvider provider, string rootCa) : IAsyncDisposable
    {
        public FakeKubeApiServer Kube => kube;

        public HyperShiftManagementClusterProvider Provider => provider;

        public Uri Endpoint => server.BaseAddress;

        public string RootCa => rootCa;

        /// <summary>Calls as the operator client does, once per reconcile, until the answer is no longer Pending.</summary>
        public async Task<IssuanceProgress> IssueAsync(CredentialSigningWork work)
        {
            for (var reconcile = 0; reconcile < 10; reconcile++)
            {
                var progress = await provider.IssueCredentialAsync(Endpoint, Cluster, work, Cancellation);
                if (progress is not IssuanceProgress.Pending)
                {
                    return progress;
                }
            }

            throw new Xunit.Sdk.XunitException("still pending after 10 reconciles");
        }

        public async Task<(RevocationProgress Progress, int Reconciles)> RevokeAsync(Guid revocationId)
        {
            for (var reconcile = 1; reconcile <= 20; reconcile++)
            {
                var progress = await provider.RevokeCredentialsAsync(Endpoint, Cluster, revocationId, Cancellation);
                if (progress is not RevocationProgress.Pending)
                {
                    return (progress, reconcile);
                }
            }

            throw new Xunit.Sdk.XunitException("revocation still pending after 20 reconciles");
        }

        public void AssertNothingRefused()
        {
            var refused = kube.Refused.ToList();
            Assert.True(refused.Count == 0, string.Join(Environment.NewLine, refused.Select(r => $"{r.Method} {r.Path} -> {r.Code} {r.Reason}: {r.Message}")));
        }

        public async ValueTask DisposeAsync()
        {
            provider.Dispose();
            await server.DisposeAsync();
        }
    }

    private static async Task<Harness> StartAsync()
    {
        var kube = new FakeKubeApiServer();
        var rootCa = kube.InstallControlPlane(ControlPlane);
        var server = await LocalApiServer.StartAsync(kube.Map);
        return new Harness(kube, server, new HyperShiftManagementClusterProvider(new ManagementClusterOptions(), _ => Task.FromResult("test-token")), rootCa);
    }

    private static CredentialSigningWork Work(TestCsr csr, int expirationSeconds = 3600) =>
        new(Guid.CreateVersion7(), csr.Pem, expirationSeconds, BreakGlassSubject.DistinguishedName("alice@example.com"));

    [Fact]
    public async Task A_request_is_relayed_approved_and_signed_by_the_control_planes_break_glass_signer()
    {
        await using var h = await StartAsync();
        using var csr = TestCsr.Ec(BreakGlassSubject.DistinguishedName("alice@example.com"));
        var work = Work(csr);

        // The first reconcile creates the CSR and its approval; HyperShift has not looked yet.
        var first = await h.Provider.IssueCredentialAsync(h.Endpoint, Cluster, work, Cancellation);
        Assert.IsType<IssuanceProgress.Pending>(first);
        var signedAround = DateTimeOffset.UtcNow;
        var issued = Assert.IsType<IssuanceProgress.Issued>(await h.IssueAsync(work));

        h.AssertNothingRefused();
        var name = $"{ControlPlane}-bg-{work.Id:D}";
        var stored = h.Kube.Get(null, "certificatesigningrequests", name)!;
        Assert.Equal($"hypershift.openshift.io/{ControlPlane}.customer-break-glass", (string?)stored["spec"]!["signerName"]);
        Assert.Equal(["client auth", "digital signature"], stored["spec"]!["usages"]!.AsArray().Select(u => (string)u!));
        Assert.Equal(3600, (long)stored["spec"]!["expirationSeconds"]!);
        Assert.Equal(csr.Pem, CsrAdmissionPem(stored));
        Assert.Contains(stored["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Approved" && (string?)c["reason"] == "ApprovalPresent");
        var approval = h.Kube.Get(ControlPlane, "certificatesigningrequestapprovals", name)!;
        Assert.Equal("{}", approval["spec"]!.ToJsonString());

        // The certificate: the user's key, the subject as requested, client auth, chained to the signer, an hour long.
        Assert.True(CertificateChecks.Certifies(csr, issued.CertificatePem));
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal("CN=system:customer-break-glass:alice@example.com, O=system:masters", certificate.Subject);
        Assert.Contains(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            o => o.Value == "1.3.6.1.5.5.7.3.2");
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(CertificateChecks.ChainsTo(issued.CertificatePem, h.Kube.Pki.Signer(ControlPlane)!.ExportCertificatePem()));
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), signedAround.AddHours(1).AddSeconds(-5).UtcDateTime, DateTimeOffset.UtcNow.AddHours(1).AddSeconds(1).UtcDateTime);
        Assert.Equal(1, certificate.NotBefore.ToUniversalTime().Year); // upstream leaves NotBefore at Go's zero time
        // The kubeconfig's CA is the root CA's ConfigMap, not the signer.
        Assert.Equal(h.RootCa, issued.CaBundlePem);

        // Re-entrant: a repeat reads the same certificate and creates nothing.
        var writes = h.Kube.Admitted.Count;
        var again = Assert.IsType<IssuanceProgress.Issued>(await h.Provider.IssueCredentialAsync(h.Endpoint, Cluster, work, Cancellation));
        Assert.Equal(issued.CertificatePem, again.CertificatePem);
        Assert.Equal(writes, h.Kube.Admitted.Count);
    }

    [Fact]
    public async Task A_request_HyperShifts_validation_refuses_fails_with_its_reason()
    {
        await using var h = await StartAsync();
        using var wrongName = TestCsr.Ec("CN=alice, O=system:masters");
        using var withSan = TestCsr.Ec(BreakGlassSubject.DistinguishedName("alice@example.com"), edit: CertificateChecks.WithDnsName("api.example.com"));

        var prefix = Assert.IsType<IssuanceProgress.Failed>(await h.IssueAsync(Work(wrongName)));
        var san = Assert.IsType<IssuanceProgress.Failed>(await h.IssueAsync(Work(withSan)));

        h.AssertNothingRefused(); // the API server admits both; HyperShift's signer refuses them
        Assert.Equal("HyperShift failed the request: SignerValidationFailure: invalid certificate request: subject CommonName must begin with \"system:customer-break-glass:\"",
            prefix.Message);
        Assert.Equal("HyperShift failed the request: SignerValidationFailure: invalid certificate request: DNS subjectAltNames are not allowed", san.Message);
    }

    [Fact]
    public async Task GKE_Wardens_refusal_of_the_CSR_is_a_permanent_failure_in_the_servers_words()
    {
        await using var h = await StartAsync();
        h.Kube.GkeWarden = true;
        using var csr = TestCsr.Ec(BreakGlassSubject.DistinguishedName("alice@example.com"));

        var failed = Assert.IsType<IssuanceProgress.Failed>(await h.Provider.IssueCredentialAsync(h.Endpoint, Cluster, Work(csr), Cancellation));

        var refusal = Assert.Single(h.Kube.Refused);
        Assert.Equal(403, refusal.Code);
        Assert.Equal($"the management cluster refused the CertificateSigningRequest: {refusal.Message}", failed.Message);
        Assert.Contains("GKE Warden", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Kube.Objects, o => (string?)o["kind"] is "CertificateSigningRequest" or "CertificateSigningRequestApproval");
    }

    [Fact]
    public async Task A_request_the_API_server_refuses_is_a_permanent_failure()
    {
        await using var h = await StartAsync();
        using var csr = TestCsr.Ec(BreakGlassSubject.DistinguishedName("alice@example.com"));

        // Kubernetes' floor: expirationSeconds of at least 600 (the Api never sends less; the server's rule still holds).
        var work = Work(csr, expirationSeconds: 599);
        var failed = Assert.IsType<IssuanceProgress.Failed>(await h.Provider.IssueCredentialAsync(h.Endpoint, Cluster, work, Cancellation));

        Assert.Equal(422, Assert.Single(h.Kube.Refused).Code);
        Assert.Equal("the management cluster refused the CertificateSigningRequest: CertificateSigningRequest.certificates.k8s.io " +
            $"\"{ControlPlane}-bg-{work.Id:D}\" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)",
            failed.Message);
    }

    [Fact]
    public async Task A_revocation_is_done_when_HyperShift_says_the_previous_signer_is_revoked_and_old_certificates_no_longer_chain()
    {
        await using var h = await StartAsync();
        using var csr = TestCsr.Ec(BreakGlassSubject.DistinguishedName("alice@example.com"));
        var before = Assert.IsType<IssuanceProgress.Issued>(await h.IssueAsync(Work(csr)));
        var revocationId = Guid.CreateVersion7();

        var (progress, reconciles) = await h.RevokeAsync(revocationId);

        Assert.IsType<RevocationProgress.Completed>(progress);
        Assert.True(reconciles > 2, "HyperShift takes several passes to regenerate, trust and revoke");
        h.AssertNothingRefused();
        var request = h.Kube.Get(ControlPlane, "certificaterevocationrequests", $"customer-break-glass-{revocationId:D}")!;
        Assert.Equal("customer-break-glass", (string?)request["spec"]!["signerClass"]);
        Assert.Contains(request["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "PreviousCertificatesRevoked" && (string?)c["status"] == "True");
        Assert.False(CertificateChecks.ChainsTo(before.CertificatePem, h.Kube.Pki.Signer(ControlPlane)!.ExportCertificatePem()));

        // A request after the revocation is signed by the new signer.
        using var next = TestCsr.Ec(BreakGlassSubject.DistinguishedName("alice@example.com"));
        var after = Assert.IsType<IssuanceProgress.Issued>(await h.IssueAsync(Work(next)));
        Assert.True(CertificateChecks.ChainsTo(after.CertificatePem, h.Kube.Pki.Signer(ControlPlane)!.ExportCertificatePem()));

        // Re-entrant: asking again reads the finished request and creates nothing.
        var writes = h.Kube.Admitted.Count;
        Assert.IsType<RevocationProgress.Completed>(await h.Provider.RevokeCredentialsAsync(h.Endpoint, Cluster, revocationId, Cancellation));
        Assert.Equal(writes, h.Kube.Admitted.Count);
    }

    [Fact]
    public async Task A_revocation_HyperShift_cannot_verify_fails_with_its_reason()
    {
        await using var h = await StartAsync();
        h.Kube.Pki.RevocationTimesOut = true;

        var (progress, _) = await h.RevokeAsync(Guid.CreateVersion7());

        var failed = Assert.IsType<RevocationProgress.Failed>(progress);
        Assert.Equal("HyperShift: RevocationVerificationTimeout: Timed out after 10m0s waiting for KAS to reject old signer certificate.", failed.Message);
    }

    private static string CsrAdmissionPem(JsonObject csr) => ClusterPlatform.Tests.Kubernetes.Admission.CsrAdmission.RequestPem(csr)!;
}
