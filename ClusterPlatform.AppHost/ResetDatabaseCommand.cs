using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ClusterPlatform.AppHost;

/// <summary>
/// The dashboard's "Reset database" command: an empty clusterdb without restarting the whole
/// topology. The Api is restarted afterwards because it applies the migrations at startup.
/// </summary>
public static class ResetDatabaseCommand
{
    /// <summary>The command's name, for callers of <c>ResourceCommandService</c> such as the tests.</summary>
    public const string Name = "reset-database";

    private const string Drop = $"DROP DATABASE IF EXISTS \"{ResourceNames.Database}\" WITH (FORCE)";
    private const string Create = $"CREATE DATABASE \"{ResourceNames.Database}\"";

    internal static IResourceBuilder<T> WithResetDatabaseCommand<T>(this IResourceBuilder<T> server, ReferenceExpression adminConnection)
        where T : IResource =>
        server.WithCommand(Name, "Reset database", async context =>
        {
            try
            {
                await using (var connection = await PostgresAdmin.OpenAsync(adminConnection, context.CancellationToken))
                {
                    foreach (var sql in new[] { Drop, Create })
                    {
                        await using var command = new NpgsqlCommand(sql, connection);
                        await command.ExecuteNonQueryAsync(context.CancellationToken);
                    }
                }

                return await context.Services.GetRequiredService<ResourceCommandService>()
                    .ExecuteCommandAsync(ResourceNames.Api, KnownResourceCommands.RestartCommand, context.CancellationToken);
            }
            catch (NpgsqlException ex)
            {
                return CommandResults.Failure(ex);
            }
        },
        new CommandOptions
        {
            Description = $"Drops and recreates {ResourceNames.Database}, then restarts {ResourceNames.Api} so the migrations run again.",
            ConfirmationMessage = $"Delete every cluster and node pool in {ResourceNames.Database}?",
            IconName = "DatabaseWarning",
            UpdateState = state => state.ResourceSnapshot.HealthStatus == HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });
}
