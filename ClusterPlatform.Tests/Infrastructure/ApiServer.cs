using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// The real Api on Kestrel (real HTTP on a random loopback port) over its own fresh database on the
/// run's PostgreSQL, publishing to its own project on the run's Pub/Sub emulator. One per test class,
/// so classes neither share rows nor events, nor wait on each other.
/// </summary>
public class ApiServer(PostgresServer postgres, PubSubEmulator emulator) : IAsyncLifetime
{
    private WebApplicationFactory<Program>? factory;

    public string ConnectionString { get; private set; } = "";

    /// <summary>The emulator project this Api publishes to.</summary>
    public string PubSubProjectId { get; } = PubSubEmulator.NewProjectId();

    public PubSubEmulator Emulator => emulator;

    /// <summary>
    /// Settings on top of the defaults. API tests push the scheduled reconcile an hour out, so the
    /// outbox holds exactly the events their requests caused; event tests override this.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Reconcile:NotReadyAfter"] = "01:00:00",
    };

    /// <summary>The ASP.NET Core environment; only Development trusts the test tokens.</summary>
    protected virtual string EnvironmentName => "Development";

    /// <summary>A hook for servers that need more than settings, such as a log capture.</summary>
    protected virtual void ConfigureWebHost(IWebHostBuilder web)
    {
    }

    /// <summary>Runs before the Api starts, for servers whose settings depend on something started first.</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        await BeforeStartAsync();
        ConnectionString = await postgres.CreateDatabaseAsync("api");
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment(EnvironmentName);
            web.UseUrls("http://127.0.0.1:0"); // a free port per server, so classes run in parallel
            web.UseSetting($"ConnectionStrings:{ResourceNames.Database}", ConnectionString);
            web.UseSetting("PubSub:EmulatorHost", emulator.HostPort);
            web.UseSetting("PubSub:ProjectId", PubSubProjectId);
            // Development token keys are refused in any other environment, so only there.
            foreach (var (key, value) in (EnvironmentName == "Development" ? TestTokens.ApiSettings() : new Dictionary<string, string?>()).Concat(Settings))
            {
                web.UseSetting(key, value);
            }

            ConfigureWebHost(web);
        });
        factory.UseKestrel();
        factory.StartServer();
    }

    /// <summary>The running Api's services, e.g. its endpoint data source.</summary>
    public IServiceProvider Services => factory!.Services;

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous() => factory!.CreateClient();

    /// <summary>A client whose requests carry a freshly minted token for the given identity.</summary>
    public HttpClient As(string role, string? organization, string? subject = null) =>
        WithToken(TestTokens.Create(subject ?? $"{role}@{organization ?? "platform"}", organization, role));

    public HttpClient WithToken(string token)
    {
        var client = factory!.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Runs a scalar query against the Api's database, to check what a request really wrote.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs after the Api stopped, to stop what <see cref="BeforeStartAsync"/> started.</summary>
    protected virtual Task AfterStopAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }

        await AfterStopAsync();

        GC.SuppressFinalize(this);
    }
}
