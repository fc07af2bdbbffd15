extern alias controllers;

using System.Security.Cryptography.X509Certificates;
using ClusterPlatform.Contracts;
using ClusterPlatform.Tests.Api.Credentials;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>The simulated provider's break-glass signer: a local CA per hosted cluster, upstream's clamp and subject copy, revocation by rotation.</summary>
public sealed class SimulatedBreakGlassTests
{
    private static readonly Uri ManagementCluster = new("https://mc-us-central1-a.example.com:6443");

    private static CredentialSigningWork Work(TestCsr csr, int expirationSeconds) =>
        new(Guid.CreateVersion7(), csr.Pem, expirationSeconds, BreakGlassSubject.DistinguishedName("alice@example.com"));

    [Fact]
    public async Task Each_hosted_cluster_has_its_own_CA_which_signs_with_HyperShifts_lifetime_clamp()
    {
        var simulation = SimulatedProviderTests.Simulation();
        var alpha = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"));
        var beta = HyperShiftInputs.Cluster("beta", HyperShiftInputs.Pool("workers"));
        using var csr = TestCsr.Ec(BreakGlassSubject.DistinguishedName("alice@example.com"));
        var early = Work(csr, 3600);

        // No control plane yet: nothing signs.
        Assert.IsType<IssuanceProgress.Pending>(await simulation.IssueCredentialAsync(ManagementCluster, alpha.Ref, early, Cancellation));
        await simulation.ApplyAsync(ManagementCluster, alpha, Cancellation);
        await simulation.ApplyAsync(ManagementCluster, beta, Cancellation);

        var signedAt = DateTimeOffset.UtcNow;
        var hour = Assert.IsType<IssuanceProgress.Issued>(await simulation.IssueCredentialAsync(ManagementCluster, alpha.Ref, early, Cancellation));
        var long1 = Assert.IsType<IssuanceProgress.Issued>(await simulation.IssueCredentialAsync(ManagementCluster, alpha.Ref, Work(csr, 48 * 3600), Cancellation));
        var onBeta = Assert.IsType<IssuanceProgress.Issued>(await simulation.IssueCredentialAsync(ManagementCluster, beta.Ref, Work(csr, 3600), Cancellation));
        var repeat = Assert.IsType<IssuanceProgress.Issued>(await simulation.IssueCredentialAsync(ManagementCluster, alpha.Ref, early, Cancellation));

        var authorities = simulation.BreakGlass.Authorities;
        var alphaCa = authorities[$"{ManagementCluster.AbsoluteUri.TrimEnd('/')}|{alpha.Ref.Namespace}/alpha"];
        var betaCa = authorities[$"{ManagementCluster.AbsoluteUri.TrimEnd('/')}|{beta.Ref.Namespace}/beta"];
        Assert.NotEqual(alphaCa, betaCa);
        Assert.Equal(alphaCa, hour.CaBundlePem);
        Assert.True(CertificateChecks.ChainsTo(hour.CertificatePem, alphaCa));
        Assert.False(CertificateChecks.ChainsTo(onBeta.CertificatePem, alphaCa));
        Assert.True(CertificateChecks.ChainsTo(onBeta.CertificatePem, betaCa));
        Assert.True(CertificateChecks.Certifies(csr, hour.CertificatePem));
        Assert.Equal(hour.CertificatePem, repeat.CertificatePem); // one request is signed once

        using var certificate = X509Certificate2.CreateFromPem(hour.CertificatePem);
        Assert.Equal("CN=system:customer-break-glass:alice@example.com, O=system:masters", certificate.Subject);
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), signedAt.AddHours(1).AddSeconds(-5).UtcDateTime, DateTimeOffset.UtcNow.AddHours(1).AddSeconds(1).UtcDateTime);
        // 48 h asked: HyperShift's 36 h cap, less its 5-minute backdate past the 500-minute horizon.
        using var capped = X509Certificate2.CreateFromPem(long1.CertificatePem);
        Assert.InRange(capped.NotAfter.ToUniversalTime(), signedAt.AddHours(36).AddMinutes(-5).AddSeconds(-5).UtcDateTime,
            DateTimeOffset.UtcNow.AddHours(36).AddMinutes(-5).AddSeconds(1).UtcDateTime);
    }

    [Fact]
    public async Task A_request_HyperShift_would_refuse_fails_with_its_reason()
    {
        var simulation = SimulatedProviderTests.Simulation();
        var alpha = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"));
        await simulation.ApplyAsync(ManagementCluster, alpha, Cancellation);
        using var wrongName = TestCsr.Ec("CN=alice, O=system:masters");

        var failed = Assert.IsType<IssuanceProgress.Failed>(await simulation.IssueCredentialAsync(ManagementCluster, alpha.Ref, Work(wrongName, 3600), Cancellation));

        Assert.Equal("SignerValidationFailure: invalid certificate request: subject CommonName must begin with \"system:customer-break-glass:\"", failed.Message);
    }

    [Fact]
    public async Task A_revocation_rotates_the_CA_is_recorded_and_a_deleted_cluster_takes_its_CA_with_it()
    {
        var simulation = SimulatedProviderTests.Simulation();
        var alpha = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"));
        await simulation.ApplyAsync(ManagementCluster, alpha, Cancellation);
        using var csr = TestCsr.Ec(BreakGlassSubject.DistinguishedName("alice@example.com"));
        var before = Assert.IsType<IssuanceProgress.Issued>(await simulation.IssueCredentialAsync(ManagementCluster, alpha.Ref, Work(csr, 3600), Cancellation));
        var revocationId = Guid.CreateVersion7();

        Assert.IsType<RevocationProgress.Completed>(await simulation.RevokeCredentialsAsync(ManagementCluster, alpha.Ref, revocationId, Cancellation));
        Assert.IsType<RevocationProgress.Completed>(await simulation.RevokeCredentialsAsync(ManagementCluster, alpha.Ref, revocationId, Cancellation));

        var revocation = Assert.Single(simulation.BreakGlass.Revocations);
        Assert.Equal(revocationId, revocation.Id);
        Assert.Equal(before.CaBundlePem, revocation.RevokedAuthority);
        var current = Assert.Single(simulation.BreakGlass.Authorities).Value;
        Assert.False(CertificateChecks.ChainsTo(before.CertificatePem, current));
        var after = Assert.IsType<IssuanceProgress.Issued>(await simulation.IssueCredentialAsync(ManagementCluster, alpha.Ref, Work(csr, 3600), Cancellation));
        Assert.True(CertificateChecks.ChainsTo(after.CertificatePem, current));

        while (!(await simulation.DeleteAsync(ManagementCluster, alpha.Ref, Cancellation)).Gone)
        {
        }

        Assert.Empty(simulation.BreakGlass.Authorities);
    }
}
