using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ClusterPlatform.Tests.Api.Credentials;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// Nothing secret reaches the logs: not the database password of the connection string (PostgreSQL
/// here trusts loopback, so a canary password is accepted and ignored), not a caller's token, not a
/// break-glass CSR, certificate, CA bundle or kubeconfig, at any log level and category, through
/// startup, good requests, refused ones and failures.
/// </summary>
public sealed class SecretsInLogsTests(SecretsInLogsTests.CanaryApiServer api) : IClassFixture<SecretsInLogsTests.CanaryApiServer>
{
    public const string PasswordCanary = "canary-pw-5f1d9c";

    public sealed class CanaryApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        private readonly ConcurrentQueue<string> logs = new();

        public IReadOnlyCollection<string> Logs => logs;

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            [$"ConnectionStrings:{ResourceNames.Database}"] = $"{ConnectionString};Password={PasswordCanary}",
        };

        protected override void ConfigureWebHost(IWebHostBuilder web) => web.ConfigureServices(services => services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            // A rule for this provider outranks every category's minimum (LogLevelDefaults quiets
            // HttpClient, Polly and Npgsql to Warning), so the capture sees every level of every category
            // (https://learn.microsoft.com/aspnet/core/fundamentals/logging#how-filtering-rules-are-applied).
            logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
            logging.AddProvider(new CapturingLoggerProvider(logs, format: (category, line) => $"{category}: {line}"));
        }));
    }

    [Fact]
    public async Task Neither_the_database_password_nor_a_token_appears_in_any_log_line()
    {
        var token = TestTokens.Create("secret-keeper", ApiCalls.Unique("org"), "user");
        var client = api.WithToken(token);
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("quiet"));
        using (var read = await client.GetAsync(cluster["href"].Text())) { Assert.Equal(HttpStatusCode.OK, read.StatusCode); }
        using (var bad = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster("-bad")))) { Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode); }
        using (var forged = await api.WithToken(token[..^4] + "AAAA").GetAsync(ApiCalls.Clusters)) { Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode); }

        Assert.NotEmpty(api.Logs);
        Assert.DoesNotContain(api.Logs, line => line.Contains(PasswordCanary, StringComparison.Ordinal));
        var signature = token.Split('.')[2];
        Assert.DoesNotContain(api.Logs, line => line.Contains(signature, StringComparison.Ordinal) || line.Contains(signature[..^4] + "AAAA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_csr_certificate_ca_bundle_or_kubeconfig_appears_in_any_log_line()
    {
        var organization = ApiCalls.Unique("org");
        var user = api.As("user", organization, "dana");
        var operatorClient = api.OperatorClient();
        var cluster = await api.CreateReadyClusterAsync(user);
        using var csr = TestCsr.For("dana");
        using var refused = TestCsr.For("mallory");
        using var ca = new TestCa();
        var certificate = ca.Sign(csr.Pem, DateTimeOffset.UtcNow.AddHours(1));

        var credential = await user.RequestCredentialAsync(cluster["href"].Text(), csr.Pem);
        using (var bad = await user.PostCredentialAsync(cluster["href"].Text(), refused.Pem)) { Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode); }
        var work = await operatorClient.GetObjectAsync($"{cluster["href"].Text()}/credentials/work");
        Assert.Equal(csr.Pem, Assert.Single(work["signing"]!.AsArray())!["csr"].Text());
        using (var wrongKey = await operatorClient.PutIssuanceAsync(credential, CredentialCalls.IssuedReport(ca.Sign(refused.Pem, DateTimeOffset.UtcNow.AddHours(1)), ca.Pem)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrongKey.StatusCode);
        }

        using (var issued = await operatorClient.PutIssuanceAsync(credential, CredentialCalls.IssuedReport(certificate, ca.Pem))) { Assert.Equal(HttpStatusCode.OK, issued.StatusCode); }
        var read = await user.GetObjectAsync(CredentialCalls.CredentialHref(credential));
        Assert.Equal(certificate, read["certificate"].Text());

        // A stretch from the middle of each body: a log line quoting any of it, whole or in part, has it.
        var secrets = new[] { csr.Pem, refused.Pem, certificate, ca.Pem, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(certificate)), read["kubeconfig"].Text() }
            .Select(Middle).ToList();
        Assert.NotEmpty(api.Logs);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(api.Logs, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static string Middle(string text) => text.Substring(text.Length / 2, 32);
}
