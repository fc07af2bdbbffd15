using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ClusterPlatform.AppHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClusterPlatform.Tests.Topology;

public sealed class TopologyTests(TopologyFixture topology) : IClassFixture<TopologyFixture>
{
    [Fact]
    public async Task Api_and_database_become_healthy_and_api_serves_health()
    {
        await topology.WaitUntilHealthyAsync(Cancellation);

        using var client = topology.App.CreateHttpClient(ResourceNames.Api);
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Cluster_created_through_the_api_resource_is_read_back()
    {
        await topology.WaitUntilHealthyAsync(Cancellation);
        using var client = topology.App.CreateHttpClient(ResourceNames.Api);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TopologyFixture.CreateUserToken("acme"));
        const string body = """
            {"name":"topo-one","labels":{"env":"test"},"spec":{"gcp":{"projectId":"acme-prod-123","region":"us-central1","network":"default"},"release":{"version":"4.22.3"},"networking":{"machineCidr":"10.0.0.0/16","podCidr":"10.128.0.0/14","serviceCidr":"172.30.0.0/16"},"dns":{"baseDomain":"acme.example.com"}}}
            """;

        using var created = await client.PostAsync(
            new Uri("/api/v1/clusters", UriKind.Relative),
            new StringContent(body, Encoding.UTF8, "application/json"),
            Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotNull(created.Headers.Location);

        using var read = await client.GetAsync(created.Headers.Location, Cancellation);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var cluster = await read.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("topo-one", cluster.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Reset_database_command_empties_clusterdb_and_the_api_comes_back_healthy()
    {
        await topology.WaitUntilHealthyAsync(Cancellation);
        var commands = topology.App.Services.GetRequiredService<ResourceCommandService>();
        var connectionString = await topology.App.GetConnectionStringAsync(ResourceNames.Database, Cancellation);
        // The Api created clusterdb before it reported healthy.
        await ExecuteAsync(connectionString!, "CREATE TABLE reset_marker (id int)");

        var reset = await commands.ExecuteCommandAsync(ResourceNames.PostgresServer, ResetDatabaseCommand.Name, Cancellation);

        Assert.True(reset.Success, reset.Message);
        Assert.Null(await ExecuteAsync(connectionString!, "SELECT to_regclass('reset_marker')::text"));
        await topology.WaitUntilHealthyAsync(Cancellation);
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        // Unpooled: the reset terminates every session, and a pooled one would fail on reuse.
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        var result = await command.ExecuteScalarAsync(Cancellation);
        return result is DBNull ? null : result;
    }
}
