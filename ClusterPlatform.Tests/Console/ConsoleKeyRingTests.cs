using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using ClusterPlatform.WebConsole.SignIn;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The console's shared Data Protection key ring (<see cref="PostgresXmlRepository"/>, <see cref="SharedKeyRing"/>)
/// against the run's real PostgreSQL: the repository itself, and the point of it, a session cookie
/// issued by one console host read by another and by one started afterwards (a restart).
/// </summary>
public sealed class ConsoleKeyRingTests(PostgresServer postgres)
{
    private const string SessionCookie = "clusterplatform-console";

    [Fact]
    public async Task A_stored_element_reads_back_and_a_second_repository_over_the_database_sees_it()
    {
        await using var database = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("keyring_repository"));
        var first = new PostgresXmlRepository(database);
        var second = new PostgresXmlRepository(database);
        Assert.Empty(first.GetAllElements());

        first.StoreElement(Key("a"), "key-a");
        second.StoreElement(Key("b"), "key-b");

        Assert.Equal(["a", "b"], first.GetAllElements().Select(e => (string)e.Attribute("id")!).Order());
        Assert.Equal(["a", "b"], second.GetAllElements().Select(e => (string)e.Attribute("id")!).Order());
    }

    [Fact]
    public async Task Concurrent_stores_of_different_keys_all_land_and_the_same_name_twice_does_not_fail_the_caller()
    {
        var connectionString = await postgres.CreateDatabaseAsync("keyring_concurrent");
        // Fresh repositories on fresh data sources, as separate replicas: each creates the table on its first use.
        var replicas = Enumerable.Range(0, 8).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            await Task.WhenAll(replicas.Select((source, i) => Task.Run(() => new PostgresXmlRepository(source).StoreElement(Key($"k{i}"), $"key-k{i}"), Cancellation)));
            new PostgresXmlRepository(replicas[0]).StoreElement(Key("k0"), "key-k0");

            var ids = new PostgresXmlRepository(replicas[1]).GetAllElements().Select(e => (string)e.Attribute("id")!).Order().ToList();
            Assert.Equal(Enumerable.Range(0, 8).Select(i => $"k{i}").Order(), ids);
        }
        finally
        {
            foreach (var source in replicas)
            {
                await source.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_missing_console_database_is_created_on_first_use()
    {
        var name = $"keyring_missing_{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.AdminConnectionString) { Database = name }.ConnectionString;
        await using var database = NpgsqlDataSource.Create(connectionString);

        new PostgresXmlRepository(database).StoreElement(Key("a"), "key-a");

        Assert.Single(new PostgresXmlRepository(database).GetAllElements());
    }

    [Fact]
    public async Task A_session_signed_in_on_one_console_is_the_same_user_on_another_and_on_one_started_after_a_restart()
    {
        var keyRing = await postgres.CreateDatabaseAsync("keyring_hosts");
        (string, string) shared = ($"ConnectionStrings:{ResourceNames.ConsoleDatabase}", keyRing);
        string[] cookies;
        await using (var a = Host(shared))
        {
            cookies = await SignInAsAdaAsync(a);

            await using var b = Host(shared);
            await AssertSignedInAsAdaAsync(b, cookies);
        }

        // Every host above is gone; the keys are in PostgreSQL alone.
        Assert.NotEmpty(await StoredKeysAsync(keyRing));

        await using var restarted = Host(shared);
        await AssertSignedInAsAdaAsync(restarted, cookies);
    }

    [Fact]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_another_console_holding_it_still_reads_the_session()
    {
        var keyRing = await postgres.CreateDatabaseAsync("keyring_certificate");
        var directory = Directory.CreateTempSubdirectory("keyring-certificate-");
        try
        {
            var (certificatePath, keyPath) = WritePemCertificate(directory.FullName, withKey: true);
            (string, string)[] settings =
            [
                ($"ConnectionStrings:{ResourceNames.ConsoleDatabase}", keyRing),
                ($"{SharedKeyRing.Section}:CertificatePath", certificatePath),
                ($"{SharedKeyRing.Section}:CertificateKeyPath", keyPath),
            ];
            string[] cookies;
            await using (var a = Host(settings))
            {
                cookies = await SignInAsAdaAsync(a);
            }

            // Data Protection writes <encryptedSecret> in place of the plain <masterKey> when the ring is protected.
            var stored = await StoredKeysAsync(keyRing);
            Assert.NotEmpty(stored);
            Assert.All(stored, xml =>
            {
                Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
            });

            await using var b = Host(settings);
            await AssertSignedInAsAdaAsync(b, cookies);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_certificate_without_its_private_key_stops_the_console_at_start_naming_the_setting()
    {
        var directory = Directory.CreateTempSubdirectory("keyring-certificate-");
        try
        {
            var (certificatePath, _) = WritePemCertificate(directory.FullName, withKey: false);
            await using var console = Host(
                ($"ConnectionStrings:{ResourceNames.ConsoleDatabase}", await postgres.CreateDatabaseAsync("keyring_keyless")),
                ($"{SharedKeyRing.Section}:CertificatePath", certificatePath));

            var error = Assert.Throws<InvalidOperationException>(() => console.Server);
            Assert.Contains($"{SharedKeyRing.Section}:CertificatePath", error.Message, StringComparison.Ordinal);
            Assert.Contains("private key", error.Message, StringComparison.Ordinal);
            Assert.Contains($"{SharedKeyRing.Section}:CertificateKeyPath", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string[]> SignInAsAdaAsync(WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi> console)
    {
        using var client = ConsoleSignInTests.Client(console);
        using var signedIn = await client.PostAsync("/signin/local/session", ConsoleSignInTests.Form(
            ("user", "ada"), ("organization", "acme"), ("role", "user"), ("__RequestVerificationToken", await ConsoleSignInTests.TokenAsync(client, "/signin/local"))), Cancellation);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        string[] cookies = [.. signedIn.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith(SessionCookie, StringComparison.Ordinal)).Select(c => c.Split(';')[0])];
        Assert.NotEmpty(cookies);
        return cookies;
    }

    private static async Task<List<string>> StoredKeysAsync(string keyRing)
    {
        await using var database = NpgsqlDataSource.Create(keyRing);
        await using var command = database.CreateCommand("SELECT xml FROM data_protection_keys");
        await using var reader = await command.ExecuteReaderAsync(Cancellation);
        var keys = new List<string>();
        while (await reader.ReadAsync(Cancellation))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    /// <summary>A self-signed certificate as a mounted Secret would hold it: PEM, with its key in a second file (or none).</summary>
    private static (string Certificate, string Key) WritePemCertificate(string directory, bool withKey)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=console-keyring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(directory, "tls.crt");
        var keyPath = Path.Combine(directory, "tls.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        if (withKey)
        {
            File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        }

        return (certificatePath, keyPath);
    }

    /// <summary>
    /// A Development console on the shared database. Without a repository of its own, Data Protection would
    /// fall back to ~/.aspnet/DataProtection-Keys, which every host in this one test process shares (a pod's
    /// read-only root filesystem has no such thing): so a host whose key ring is not set by the console gets
    /// a private in-memory one, and only the console's shared ring can make the cookie cross hosts.
    /// </summary>
    private static WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi> Host(params (string, string)[] settings) =>
        ConsoleSignInTests.Development(settings).WithWebHostBuilder(host => host.ConfigureServices(services =>
            services.PostConfigure<KeyManagementOptions>(options => options.XmlRepository ??= new PrivateXmlRepository())));

    private sealed class PrivateXmlRepository : IXmlRepository
    {
        private readonly List<XElement> elements = [];

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            lock (elements)
            {
                return [.. elements];
            }
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            lock (elements)
            {
                elements.Add(element);
            }
        }
    }

    /// <summary>A page that needs a signed-in user answers 200 with this user's name, not a redirect to sign-in.</summary>
    private static async Task AssertSignedInAsAdaAsync(WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi> console, string[] cookies)
    {
        using var client = console.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("http://localhost") });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/clusters");
        request.Headers.Add("Cookie", string.Join("; ", cookies));
        using var response = await client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("id=\"signed-in-as\">ada", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    private static XElement Key(string id) => new("key", new XAttribute("id", id), new XElement("secret", "not-a-real-key"));
}
