using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// The real Api on Kestrel (real HTTP on a random loopback port) over its own fresh database on the
/// run's PostgreSQL. One per test class, so classes neither share rows nor wait on each other.
/// </summary>
public sealed class ApiServer(PostgresServer postgres) : IAsyncLifetime
{
    private WebApplicationFactory<Program>? factory;

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await postgres.CreateDatabaseAsync("api");
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseUrls("http://127.0.0.1:0"); // a free port per server, so classes run in parallel
            web.UseSetting($"ConnectionStrings:{ResourceNames.Database}", ConnectionString);
            foreach (var (key, value) in TestTokens.ApiSettings())
            {
                web.UseSetting(key, value);
            }
        });
        factory.UseKestrel();
        factory.StartServer();
    }

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

    public async ValueTask DisposeAsync()
    {
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }
    }
}
