using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.Testing;
using ClusterPlatform.Tests.Api.Credentials;
using k8s;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// A break-glass credential through the whole topology (real PostgreSQL, emulator, Api and the
/// controllers on simulated providers): a user's CSR, made in the test, becomes an issued
/// certificate the operator client relayed to the simulated signer; its kubeconfig works with the
/// test's key; a revocation revokes it.
/// </summary>
public sealed class CredentialFlowTests(TopologyFixture topology) : IClassFixture<TopologyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>The token subject of <see cref="TopologyFixture.CreateUserToken"/>.</summary>
    private const string Requester = "topology-test";

    [Fact]
    public async Task A_users_CSR_is_issued_by_the_clusters_CA_for_the_capped_ttl_and_a_revocation_revokes_it()
    {
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("bg"));
        var ready = await UntilAsync(client, cluster["href"].Text(), c => c["status"]!["phase"].Text() == "Ready", "the cluster to be Ready");
        var apiUrl = ready["status"]!["apiUrl"].Text();
        var hypershift = ready["status"]!["controllers"]!.AsArray().Single(c => c!["name"].Text() == ControllerNames.OperatorClient)!["data"]!;
        using var csr = TestCsr.For(Requester);

        // 48 h asked, the platform's default cap of 24 h given.
        var pending = await client.RequestCredentialAsync(cluster["href"].Text(), csr.Pem, ttl: "PT48H");
        var href = CredentialCalls.CredentialHref(pending);
        var issued = await UntilAsync(client, href, c => c["status"].Text() != CredentialStates.Pending, "the credential to leave Pending");

        Assert.Equal(CredentialStates.Issued, issued["status"].Text());
        var certificatePem = issued["certificate"].Text();
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        // The requester and the break-glass group, for the user's own key.
        Assert.Equal($"CN=system:customer-break-glass:{Requester}, O=system:masters", certificate.Subject);
        Assert.True(CertificateChecks.Certifies(csr, certificatePem));
        // Chained to this hosted cluster's CA in the simulated world, which the kubeconfig's CA bundle is.
        var world = await SimulatedWorldAsync();
        var authority = world["breakGlassAuthorities"]!.AsArray()
            .Single(a => a!["cluster"].Text().EndsWith($"|{hypershift["namespace"].Text()}/{hypershift["hostedCluster"].Text()}", StringComparison.Ordinal))!["certificate"].Text();
        Assert.True(CertificateChecks.ChainsTo(certificatePem, authority));
        // The capped ttl: 24 h from signing, less HyperShift's 5-minute backdate for lifetimes past its 500-minute
        // horizon (certificatesigningcontroller.go boundaries); expiresAt is the certificate's NotAfter.
        var issuedAt = DateTimeOffset.Parse(issued["issuedAt"].Text(), CultureInfo.InvariantCulture);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        Assert.InRange(notAfter, DateTimeOffset.Parse(pending["requestedAt"].Text(), CultureInfo.InvariantCulture).AddHours(24).AddMinutes(-5).AddSeconds(-1),
            issuedAt.AddHours(24).AddMinutes(-5).AddSeconds(1));
        Assert.Equal(notAfter, DateTimeOffset.Parse(issued["expiresAt"].Text(), CultureInfo.InvariantCulture));

        // The kubeconfig with the one line docs/api.md says to change, changed as cpctl changes it: client-key-data with
        // the test's key instead of client-key (KubernetesClient, unlike kubectl, does not mix inline data with a key file).
        // It loads and names apiUrl.
        var template = issued["kubeconfig"].Text();
        var filled = ClusterPlatform.Cli.Commands.CredentialCommands.WithKey(template, csr.KeyPem);
        using (var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(filled)))
        {
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
            Assert.Equal(apiUrl, configuration.Host.TrimEnd('/'));
            Assert.True(CertificateChecks.ChainsTo(certificatePem, configuration.SslCaCerts.Single().ExportCertificatePem()));
            // The kubeconfig's certificate with the test's key: pairing them fails unless the key is the certificate's.
            using var withKey = X509Certificate2.CreateFromPem(
                System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(configuration.ClientCertificateData)),
                System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(configuration.ClientCertificateKeyData)));
            Assert.True(withKey.HasPrivateKey);
            Assert.Equal(certificate.Thumbprint, withKey.Thumbprint);
        }

        // A revocation: HyperShift's signer is replaced, and every credential of the cluster reads Revoked.
        using var revoke = await client.PostAsync($"{cluster["href"].Text()}/credentials:revoke", null);
        Assert.Equal(HttpStatusCode.Accepted, revoke.StatusCode);
        var revocationHref = revoke.Headers.Location!.ToString();
        var completed = await UntilAsync(client, revocationHref, r => r["status"].Text() != RevocationStates.Pending, "the revocation to leave Pending");
        Assert.Equal(RevocationStates.Completed, completed["status"].Text());
        Assert.Equal(CredentialStates.Revoked, (await client.GetObjectAsync(href))["status"].Text());
        var revocations = (await SimulatedWorldAsync())["breakGlassRevocations"]!.AsArray();
        Assert.Contains(revocations, r => r!["id"].Text() == completed["id"].Text() && r["revokedAuthority"].Text() == authority);
    }

    private async Task<HttpClient> ClientAsync()
    {
        await topology.WaitUntilHealthyAsync(TestContext.Current.CancellationToken);
        var client = topology.App.CreateHttpClient(ResourceNames.Api);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TopologyFixture.CreateUserToken("acme"));
        return client;
    }

    private async Task<JsonObject> SimulatedWorldAsync()
    {
        using var controllers = topology.App.CreateHttpClient(ResourceNames.Controllers);
        return await controllers.GetObjectAsync("/simulated/world");
    }

    /// <summary>Reads <paramref name="href"/> until <paramref name="done"/>; a timeout carries the Controllers' recent log lines.</summary>
    private async Task<JsonObject> UntilAsync(HttpClient client, string href, Func<JsonObject, bool> done, string what)
    {
        JsonObject? last = null;
        try
        {
            await Wait.UntilAsync(async () => done(last = await client.GetObjectAsync(href)), Patience, () => $"{what}; last seen: {last?.ToJsonString()}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}{Environment.NewLine}{topology.RecentLogs(ResourceNames.Controllers)}", e);
        }

        return last!;
    }
}
