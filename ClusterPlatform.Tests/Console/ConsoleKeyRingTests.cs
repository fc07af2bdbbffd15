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
            using var client = ConsoleSignInTests.Client(a);
            using var signedIn = await client.PostAsync("/signin/local/session", ConsoleSignInTests.Form(
                ("user", "ada"), ("organization", "acme"), ("role", "user"), ("__RequestVerificationToken", await ConsoleSignInTests.TokenAsync(client, "/signin/local"))), Cancellation);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            cookies = [.. signedIn.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith(SessionCookie, StringComparison.Ordinal)).Select(c => c.Split(';')[0])];
            Assert.NotEmpty(cookies);

            await using var b = Host(shared);
            await AssertSignedInAsAdaAsync(b, cookies);
        }

        // Every host above is gone; the keys are in PostgreSQL alone.
        await using (var count = NpgsqlDataSource.Create(keyRing))
        {
            Assert.True((long)(await count.CreateCommand("SELECT count(*) FROM data_protection_keys").ExecuteScalarAsync(Cancellation))! >= 1);
        }

        await using var restarted = Host(shared);
        await AssertSignedInAsAdaAsync(restarted, cookies);
    }

    /// <summary>
    /// A Development console on the shared database. Without a repository of its own, Data Protection would
    /// fall back to ~/.aspnet/DataProtection-Keys, which every host in this one test process shares (a pod's
    /// read-only root filesystem has no such thing): so a host whose key ring is not set by the console gets
    /// a private in-memory one, and only the console's shared ring can make the cookie cross hosts.
    /// </summary>
    private static WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi> Host((string, string) keyRing) =>
        ConsoleSignInTests.Development(keyRing).WithWebHostBuilder(host => host.ConfigureServices(services =>
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
