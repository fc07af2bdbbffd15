using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ClusterPlatform.AppHost;

/// <summary>Connections the AppHost itself makes to the server: the health check and the reset command.</summary>
internal static class PostgresAdmin
{
    public static async Task<NpgsqlConnection> OpenAsync(ReferenceExpression connectionString, CancellationToken cancellationToken)
    {
        // No pooling: an idle pooled connection held by the AppHost would make the server's smart
        // shutdown (its answer to SIGTERM) wait for it, and stopping the topology would stall.
        var builder = new NpgsqlConnectionStringBuilder(await connectionString.GetValueAsync(cancellationToken))
        {
            Pooling = false,
            Timeout = 5,
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Registers a health check that passes once the server accepts a connection.</summary>
    public static IResourceBuilder<T> WithConnectionHealthCheck<T>(this IResourceBuilder<T> server, ReferenceExpression connectionString)
        where T : IResource
    {
        var key = $"{server.Resource.Name}-accepts-connections";
        server.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            try
            {
                await using var connection = await OpenAsync(connectionString, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        });
        return server.WithHealthCheck(key);
    }
}
