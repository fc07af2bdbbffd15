using System.Security.Cryptography.X509Certificates;
using ClusterPlatform.Tests.Status;

namespace ClusterPlatform.Tests.Api.Credentials;

/// <summary>
/// docs/api.md "Credentials" through the real Api: a user's request, the operator client's work and
/// reports through its controller-only endpoints (with a certificate signed in the test by a test CA),
/// who sees the certificate, the read rule for Expired, revocation, and the audit trail.
/// </summary>
public sealed class CredentialApiTests(ApiServer api) : IClassFixture<ApiServer>, IDisposable
{
    private readonly string organization = ApiCalls.Unique("org");
    private readonly TestCa ca = new();

    private HttpClient User(string subject = "alice") => api.As("user", organization, subject);

    private HttpClient Admin => api.As("admin", null, "root@platform");

    [Fact]
    public async Task A_request_is_Pending_for_the_callers_subject_queued_for_the_operator_client_and_audited()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        var href = cluster["href"].Text();
        var reconcilesBefore = await ReconcilesAsync(cluster);
        using var csr = TestCsr.For("alice");

        using var response = await User().PostCredentialAsync(href, csr.Pem, "PT2H");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var credential = await response.ReadObjectAsync();
        Assert.Equal(CredentialCalls.CredentialHref(credential), response.Headers.Location!.OriginalString);
        Assert.Equal("Credential", credential["kind"].Text());
        Assert.Equal("Pending", credential["status"].Text());
        Assert.Equal(cluster["id"].Text(), credential["clusterId"].Text());
        Assert.Equal("CN=system:customer-break-glass:alice, O=system:masters", credential["subject"].Text());
        Assert.Equal("alice", credential["requestedBy"].Text());
        Assert.Equal(TimeSpan.FromHours(2), Time(credential, "expiresAt") - Time(credential, "requestedAt"));
        Assert.Null(credential["certificate"]);
        Assert.Null(credential["kubeconfig"]);
        Assert.Equal(reconcilesBefore + 1, await ReconcilesAsync(cluster));

        var work = await api.OperatorClient().GetObjectAsync($"{href}/credentials/work");
        var item = Assert.Single(work["signing"]!.AsArray())!;
        Assert.Equal(credential["id"].Text(), item["id"].Text());
        Assert.Equal(csr.Pem, item["csr"].Text());
        Assert.Equal(7200, (int)item["expirationSeconds"]!);
        Assert.Equal(credential["subject"].Text(), item["subject"].Text());
        Assert.Empty(work["revocations"]!.AsArray());

        var audit = await AuditAsync(href, "credential.requested");
        Assert.Equal("alice", audit["actor"].Text());
        Assert.Equal($"credential {credential["id"].Text()}", audit["reason"].Text());
    }

    [Fact]
    public async Task The_ttl_is_capped_at_24_hours_and_defaults_to_8()
    {
        var href = (await api.CreateReadyClusterAsync(User()))["href"].Text();
        using var csr = TestCsr.For("alice");

        var capped = await User().RequestCredentialAsync(href, csr.Pem, "P3D");
        var defaulted = await User().RequestCredentialAsync(href, csr.Pem);
        var shortest = await User().RequestCredentialAsync(href, csr.Pem, "PT10M");

        Assert.Equal(TimeSpan.FromHours(24), Time(capped, "expiresAt") - Time(capped, "requestedAt"));
        Assert.Equal(TimeSpan.FromHours(8), Time(defaulted, "expiresAt") - Time(defaulted, "requestedAt"));
        Assert.Equal(TimeSpan.FromMinutes(10), Time(shortest, "expiresAt") - Time(shortest, "requestedAt"));
    }

    [Fact]
    public async Task An_issued_certificate_and_its_kubeconfig_reach_only_the_requester_and_admins()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        using var csr = TestCsr.For("alice");
        var credential = await User().RequestCredentialAsync(cluster["href"].Text(), csr.Pem, "PT1H");
        var notAfter = DateTimeOffset.UtcNow.AddMinutes(59);

        var reported = await api.OperatorClient().IssueAsync(credential, csr, ca, notAfter);

        Assert.Equal("Issued", reported["status"].Text());
        Assert.Null(reported["certificate"]);
        var href = CredentialCalls.CredentialHref(credential);
        var own = await User().GetObjectAsync(href);
        Assert.Equal("Issued", own["status"].Text());
        Assert.Equal(notAfter.ToUnixTimeSeconds(), Time(own, "expiresAt").ToUnixTimeSeconds());
        Assert.NotNull(own["issuedAt"]);
        using var certificate = X509Certificate2.CreateFromPem(own["certificate"].Text());
        Assert.Equal(csr.Key is System.Security.Cryptography.ECDsa ? "1.2.840.10045.2.1" : "", certificate.PublicKey.Oid.Value);
        Assert.NotNull(own["kubeconfig"]);
        Assert.Equal(own["certificate"].Text(), (await Admin.GetObjectAsync(href))["certificate"].Text());

        // Everyone else in the organization sees that it exists, not the certificate.
        foreach (var other in new[] { User("bob"), api.As("viewer", organization, "vera") })
        {
            var seen = await other.GetObjectAsync(href);
            Assert.Equal("Issued", seen["status"].Text());
            Assert.Null(seen["certificate"]);
            Assert.Null(seen["kubeconfig"]);
        }

        var list = await User().GetObjectAsync($"{cluster["href"].Text()}/credentials");
        Assert.Equal("CredentialList", list["kind"].Text());
        var listed = Assert.Single(list["items"]!.AsArray())!;
        Assert.Null(listed["certificate"]);
        Assert.Null(listed["kubeconfig"]);

        Assert.Empty((await api.OperatorClient().GetObjectAsync($"{cluster["href"].Text()}/credentials/work"))["signing"]!.AsArray());
        var audit = await AuditAsync(cluster["href"].Text(), "credential.issued");
        Assert.Equal(ControllerNames.OperatorClient, audit["actor"].Text());
    }

    [Fact]
    public async Task The_kubeconfig_with_the_users_own_key_next_to_it_names_the_api_server_and_authenticates_with_the_certificate()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        using var csr = TestCsr.For("alice");
        var credential = await User().RequestCredentialAsync(cluster["href"].Text(), csr.Pem);
        await api.OperatorClient().IssueAsync(credential, csr, ca, DateTimeOffset.UtcNow.AddHours(8));
        var issued = await User().GetObjectAsync(CredentialCalls.CredentialHref(credential));

        var folder = Directory.CreateTempSubdirectory("kubeconfig-");
        try
        {
            var path = Path.Combine(folder.FullName, "kubeconfig");
            await File.WriteAllTextAsync(path, issued["kubeconfig"].Text());
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "key.pem"), csr.KeyPem);

            // KubernetesClient's kubeconfig model reads it; the user entry names the key file, which kubectl
            // resolves from the kubeconfig's own folder.
            var config = await k8s.KubernetesClientConfiguration.LoadKubeConfigAsync(new FileInfo(path));
            Assert.Equal(config.CurrentContext, Assert.Single(config.Contexts).Name);
            var context = config.Contexts.Single().ContextDetails;
            var server = Assert.Single(config.Clusters, c => c.Name == context.Cluster).ClusterEndpoint;
            Assert.Equal(CredentialCalls.ApiUrl, server.Server);
            Assert.Equal(cluster["name"].Text(), context.Cluster);
            var caPem = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(server.CertificateAuthorityData));
            Assert.Equal(ca.Certificate.Thumbprint, X509Certificate2.CreateFromPem(caPem).Thumbprint);
            var user = Assert.Single(config.Users, u => u.Name == context.User).UserCredentials;
            var certificatePem = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(user.ClientCertificateData));
            Assert.Equal(issued["certificate"].Text(), certificatePem);
            Assert.Null(user.ClientKeyData);
            // The certificate and the user's own key are one pair: the login kubectl would make.
            var keyPem = await File.ReadAllTextAsync(Path.Combine(folder.FullName, user.ClientKey));
            using var clientCertificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            Assert.True(clientCertificate.HasPrivateKey);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(caPem));
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(clientCertificate), "the certificate chains to the kubeconfig's CA");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_repeated_report_changes_nothing_and_a_different_one_on_a_settled_credential_is_409()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        using var csr = TestCsr.For("alice");
        var credential = await User().RequestCredentialAsync(cluster["href"].Text(), csr.Pem);
        var report = CredentialCalls.IssuedReport(ca.Sign(csr.Pem, DateTimeOffset.UtcNow.AddHours(8)), ca.Pem);
        using (var first = await api.OperatorClient().PutIssuanceAsync(credential, report)) { Assert.Equal(HttpStatusCode.OK, first.StatusCode); }
        var issuedAt = (await User().GetObjectAsync(CredentialCalls.CredentialHref(credential)))["issuedAt"].Text();

        using (var repeat = await api.OperatorClient().PutIssuanceAsync(credential, report)) { Assert.Equal(HttpStatusCode.OK, repeat.StatusCode); }
        using (var failed = await api.OperatorClient().PutIssuanceAsync(credential, CredentialCalls.FailedReport("too late")))
        {
            await failed.AssertProblemAsync(HttpStatusCode.Conflict, "credential-not-pending");
        }

        using (var another = await api.OperatorClient().PutIssuanceAsync(credential,
                   CredentialCalls.IssuedReport(ca.Sign(csr.Pem, DateTimeOffset.UtcNow.AddHours(7)), ca.Pem)))
        {
            await another.AssertProblemAsync(HttpStatusCode.Conflict, "credential-not-pending");
        }

        Assert.Equal(issuedAt, (await User().GetObjectAsync(CredentialCalls.CredentialHref(credential)))["issuedAt"].Text());
        Assert.Equal(1, await AuditCountAsync(cluster["href"].Text(), "credential.issued"));
    }

    [Fact]
    public async Task An_issuance_report_for_another_key_or_another_subject_is_refused()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        using var csr = TestCsr.For("alice");
        using var stranger = TestCsr.For("alice");
        var credential = await User().RequestCredentialAsync(cluster["href"].Text(), csr.Pem);
        var notAfter = DateTimeOffset.UtcNow.AddHours(1);

        using (var otherKey = await api.OperatorClient().PutIssuanceAsync(credential, CredentialCalls.IssuedReport(ca.Sign(stranger.Pem, notAfter), ca.Pem)))
        {
            await otherKey.AssertProblemAsync(HttpStatusCode.BadRequest, "validation-failed");
            Assert.Contains("must certify the public key of the credential's CSR", await otherKey.Content.ReadAsStringAsync());
        }

        using (var otherSubject = await api.OperatorClient().PutIssuanceAsync(credential,
                   CredentialCalls.IssuedReport(ca.Sign(csr.Pem, notAfter, BreakGlassSubject.DistinguishedName("mallory")), ca.Pem)))
        {
            await otherSubject.AssertProblemAsync(HttpStatusCode.BadRequest, "validation-failed");
            Assert.Contains("must have the credential's subject", await otherSubject.Content.ReadAsStringAsync());
        }

        Assert.Equal("Pending", (await User().GetObjectAsync(CredentialCalls.CredentialHref(credential)))["status"].Text());
    }

    [Fact]
    public async Task A_failed_issuance_keeps_HyperShifts_message_and_is_audited()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        using var csr = TestCsr.For("alice");
        var credential = await User().RequestCredentialAsync(cluster["href"].Text(), csr.Pem);
        const string message = "admission webhook \"warden-validating.common-webhooks.networking.gke.io\" denied the request";

        using (var response = await api.OperatorClient().PutIssuanceAsync(credential, CredentialCalls.FailedReport(message)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var failed = await User().GetObjectAsync(CredentialCalls.CredentialHref(credential));
        Assert.Equal("Failed", failed["status"].Text());
        Assert.Equal(message, failed["message"].Text());
        Assert.Null(failed["certificate"]);
        Assert.Equal(ControllerNames.OperatorClient, (await AuditAsync(cluster["href"].Text(), "credential.failed"))["actor"].Text());
    }

    [Fact]
    public async Task A_cluster_that_is_not_Ready_refuses_a_request_with_409()
    {
        var cluster = await User().CreateClusterAsync(ApiCalls.Unique("pending"));
        using var csr = TestCsr.For("alice");

        using var response = await User().PostCredentialAsync(cluster["href"].Text(), csr.Pem);

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "cluster-not-ready");
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM credentials WHERE cluster_id = @id", ("id", Guid.Parse(cluster["id"].Text()))));
    }

    [Fact]
    public async Task Another_organizations_cluster_is_404_on_every_credential_route()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        var href = cluster["href"].Text();
        using var csr = TestCsr.For("alice");
        var credential = await User().RequestCredentialAsync(href, csr.Pem);
        var revocation = await RevokeAsync(href);
        var outsider = api.As("user", ApiCalls.Unique("elsewhere"), "alice");
        using var outsiderCsr = TestCsr.For("alice");

        using (var request = await outsider.PostCredentialAsync(href, outsiderCsr.Pem)) { await request.AssertProblemAsync(HttpStatusCode.NotFound, "not-found"); }
        using (var revoke = await outsider.PostAsync($"{href}/credentials:revoke", null)) { await revoke.AssertProblemAsync(HttpStatusCode.NotFound, "not-found"); }
        foreach (var path in new[] { $"{href}/credentials", CredentialCalls.CredentialHref(credential), $"{href}/credentials/revocations/{revocation["id"].Text()}" })
        {
            using var read = await outsider.GetAsync(path);
            await read.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        }

        Assert.Single((await User().GetObjectAsync($"{href}/credentials"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Viewers_read_but_neither_request_nor_revoke_controllers_use_no_user_route_and_people_no_controller_route()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        var href = cluster["href"].Text();
        using var csr = TestCsr.For("alice");
        var credential = await User().RequestCredentialAsync(href, csr.Pem);
        var viewer = api.As("viewer", organization, "vera");
        using var viewerCsr = TestCsr.For("vera");
        using var controllerCsr = TestCsr.For(ControllerNames.OperatorClient);

        using (var viewerRequest = await viewer.PostCredentialAsync(href, viewerCsr.Pem)) { Assert.Equal(HttpStatusCode.Forbidden, viewerRequest.StatusCode); }
        using (var viewerRevoke = await viewer.PostAsync($"{href}/credentials:revoke", null)) { Assert.Equal(HttpStatusCode.Forbidden, viewerRevoke.StatusCode); }
        Assert.Equal("Pending", (await viewer.GetObjectAsync(CredentialCalls.CredentialHref(credential)))["status"].Text());

        var controller = api.OperatorClient();
        using (var controllerRequest = await controller.PostCredentialAsync(href, controllerCsr.Pem)) { Assert.Equal(HttpStatusCode.Forbidden, controllerRequest.StatusCode); }
        using (var controllerRead = await controller.GetAsync(CredentialCalls.CredentialHref(credential))) { Assert.Equal(HttpStatusCode.Forbidden, controllerRead.StatusCode); }
        using (var controllerList = await controller.GetAsync($"{href}/credentials")) { Assert.Equal(HttpStatusCode.Forbidden, controllerList.StatusCode); }

        var placement = api.As("controller", null, ControllerNames.Placement);
        using (var otherController = await placement.GetAsync($"{href}/credentials/work")) { await otherController.AssertProblemAsync(HttpStatusCode.Forbidden, "controller-mismatch"); }
        foreach (var person in new[] { User(), viewer, Admin })
        {
            using var work = await person.GetAsync($"{href}/credentials/work");
            Assert.Equal(HttpStatusCode.Forbidden, work.StatusCode);
            using var issuance = await person.PutIssuanceAsync(credential, CredentialCalls.FailedReport("forged"));
            Assert.Equal(HttpStatusCode.Forbidden, issuance.StatusCode);
        }

        Assert.Equal("Pending", (await User().GetObjectAsync(CredentialCalls.CredentialHref(credential)))["status"].Text());
    }

    [Fact]
    public async Task A_credential_past_its_expiry_reads_Expired_without_its_certificate_and_leaves_the_work()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        var href = cluster["href"].Text();
        using var csr = TestCsr.For("alice");
        var issued = await User().RequestCredentialAsync(href, csr.Pem);
        var pending = await User().RequestCredentialAsync(href, csr.Pem);
        // A certificate that expires within seconds (expiresAt becomes its NotAfter)...
        await api.OperatorClient().IssueAsync(issued, csr, ca, DateTimeOffset.UtcNow.AddSeconds(2));
        // ...and a Pending request whose 10-minute minimum lifetime has passed: the only way to get
        // there without waiting ten minutes is to move its expiresAt, as time would.
        await api.ScalarAsync<int>("WITH moved AS (UPDATE credentials SET expires_at = now() - interval '1 second' WHERE id = @id RETURNING 1) SELECT count(*)::int FROM moved",
            ("id", Guid.Parse(pending["id"].Text())));

        await Wait.UntilAsync(async () => (await User().GetObjectAsync(CredentialCalls.CredentialHref(issued)))["status"].Text() == "Expired",
            TimeSpan.FromSeconds(10), "the issued credential to read Expired");

        var expired = await User().GetObjectAsync(CredentialCalls.CredentialHref(issued));
        Assert.Null(expired["certificate"]);
        Assert.Null(expired["kubeconfig"]);
        Assert.Equal("Expired", (await User().GetObjectAsync(CredentialCalls.CredentialHref(pending)))["status"].Text());
        Assert.Empty((await api.OperatorClient().GetObjectAsync($"{href}/credentials/work"))["signing"]!.AsArray());
        // Only the read changes: what is stored stays, so a revocation still moves them to Revoked.
        Assert.Equal(["Expired", "Expired"], (await User().GetObjectAsync($"{href}/credentials"))["items"]!.AsArray().Select(i => i!["status"].Text()));
    }

    [Fact]
    public async Task A_completed_revocation_moves_every_credential_requested_before_it_to_Revoked()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        var href = cluster["href"].Text();
        using var csr = TestCsr.For("alice");
        using var bobCsr = TestCsr.For("bob");
        var issued = await User().RequestCredentialAsync(href, csr.Pem);
        await api.OperatorClient().IssueAsync(issued, csr, ca, DateTimeOffset.UtcNow.AddHours(8));
        var pending = await User("bob").RequestCredentialAsync(href, bobCsr.Pem);
        var failed = await User().RequestCredentialAsync(href, csr.Pem);
        using (var fail = await api.OperatorClient().PutIssuanceAsync(failed, CredentialCalls.FailedReport("denied"))) { Assert.Equal(HttpStatusCode.OK, fail.StatusCode); }

        using var revoke = await User("bob").PostAsync($"{href}/credentials:revoke", null);
        Assert.Equal(HttpStatusCode.Accepted, revoke.StatusCode);
        var revocation = await revoke.ReadObjectAsync();
        var revocationHref = $"{href}/credentials/revocations/{revocation["id"].Text()}";
        Assert.Equal(revocationHref, revoke.Headers.Location!.OriginalString);
        Assert.Equal("CredentialRevocation", revocation["kind"].Text());
        Assert.Equal("Pending", revocation["status"].Text());
        Assert.Equal("bob", revocation["requestedBy"].Text());
        var later = await User().RequestCredentialAsync(href, csr.Pem);

        var work = await api.OperatorClient().GetObjectAsync($"{href}/credentials/work");
        Assert.Equal(revocation["id"].Text(), Assert.Single(work["revocations"]!.AsArray())!["id"].Text());
        using (var completed = await api.OperatorClient().PutAsync(revocationHref, Bodies.Json(new JsonObject { ["status"] = "Completed" })))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
            Assert.Equal("Completed", (await completed.ReadObjectAsync())["status"].Text());
        }

        foreach (var credential in new[] { issued, pending })
        {
            var revoked = await User().GetObjectAsync(CredentialCalls.CredentialHref(credential));
            Assert.Equal("Revoked", revoked["status"].Text());
            Assert.NotNull(revoked["revokedAt"]);
            Assert.Null(revoked["certificate"]);
        }

        Assert.Equal("Failed", (await User().GetObjectAsync(CredentialCalls.CredentialHref(failed)))["status"].Text());
        Assert.Equal("Pending", (await User().GetObjectAsync(CredentialCalls.CredentialHref(later)))["status"].Text());
        var read = await api.As("viewer", organization).GetObjectAsync(revocationHref);
        Assert.Equal("Completed", read["status"].Text());
        Assert.NotNull(read["completedAt"]);
        Assert.Empty((await api.OperatorClient().GetObjectAsync($"{href}/credentials/work"))["revocations"]!.AsArray());
        Assert.Equal("bob", (await AuditAsync(href, "credentials.revoke-requested"))["actor"].Text());
        Assert.Equal(ControllerNames.OperatorClient, (await AuditAsync(href, "credentials.revoked"))["actor"].Text());

        // At least once: the same report again is a no-op, another one a conflict.
        using (var repeat = await api.OperatorClient().PutAsync(revocationHref, Bodies.Json(new JsonObject { ["status"] = "Completed" })))
        {
            Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        }

        using (var other = await api.OperatorClient().PutAsync(revocationHref, Bodies.Json(new JsonObject { ["status"] = "Failed", ["message"] = "timeout" })))
        {
            await other.AssertProblemAsync(HttpStatusCode.Conflict, "revocation-not-pending");
        }

        Assert.Equal(1, await AuditCountAsync(href, "credentials.revoked"));
    }

    [Fact]
    public async Task A_failed_revocation_keeps_the_credentials_and_says_why()
    {
        var cluster = await api.CreateReadyClusterAsync(User());
        var href = cluster["href"].Text();
        using var csr = TestCsr.For("alice");
        var credential = await User().RequestCredentialAsync(href, csr.Pem);
        var revocation = await RevokeAsync(href);

        using (var failed = await api.OperatorClient().PutAsync($"{href}/credentials/revocations/{revocation["id"].Text()}",
                   Bodies.Json(new JsonObject { ["status"] = "Failed", ["message"] = "RevocationVerificationTimeout" })))
        {
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.Equal("RevocationVerificationTimeout", (await failed.ReadObjectAsync())["message"].Text());
        }

        Assert.Equal("Pending", (await User().GetObjectAsync(CredentialCalls.CredentialHref(credential)))["status"].Text());
        Assert.Equal(ControllerNames.OperatorClient, (await AuditAsync(href, "credentials.revocation-failed"))["actor"].Text());
    }

    [Fact]
    public async Task Unknown_credentials_and_revocations_of_a_visible_cluster_are_404()
    {
        var href = (await api.CreateReadyClusterAsync(User()))["href"].Text();
        var unknown = Guid.NewGuid();

        using (var credential = await User().GetAsync($"{href}/credentials/{unknown}")) { await credential.AssertProblemAsync(HttpStatusCode.NotFound, "not-found"); }
        using (var revocation = await User().GetAsync($"{href}/credentials/revocations/{unknown}")) { await revocation.AssertProblemAsync(HttpStatusCode.NotFound, "not-found"); }
        using (var report = await api.OperatorClient().PutAsync($"{href}/credentials/{unknown}/issuance", Bodies.Json(CredentialCalls.FailedReport("x"))))
        {
            await report.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        }

        using var work = await api.OperatorClient().GetAsync($"{ApiCalls.Clusters}/{unknown}/credentials/work");
        await work.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    private async Task<JsonObject> RevokeAsync(string clusterHref)
    {
        using var response = await User().PostAsync($"{clusterHref}/credentials:revoke", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    private async Task<long> ReconcilesAsync(JsonObject cluster) =>
        await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id AND type = 'cluster.reconcile'", ("id", Guid.Parse(cluster["id"].Text())));

    /// <summary>The one entry of the cluster's audit trail with this action.</summary>
    private async Task<JsonNode> AuditAsync(string clusterHref, string action) =>
        Assert.Single((await Admin.GetObjectAsync($"{clusterHref}/audit"))["items"]!.AsArray(), e => e!["action"].Text() == action)!;

    private async Task<int> AuditCountAsync(string clusterHref, string action) =>
        (await Admin.GetObjectAsync($"{clusterHref}/audit"))["items"]!.AsArray().Count(e => e!["action"].Text() == action);

    private static DateTimeOffset Time(JsonNode resource, string field) => DateTimeOffset.Parse(resource[field].Text(), System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose() => ca.Dispose();
}
