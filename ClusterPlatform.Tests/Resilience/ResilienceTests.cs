using Aspire.Hosting.Testing;
using Aspire.Hosting.ApplicationModel;
using ClusterPlatform.Tests.Topology;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClusterPlatform.Tests.Resilience;

/// <summary>
/// The fault matrix on the whole local topology (one replica of each service): each case
/// drives a stream of creates and deletes while one thing production does to the system happens,
/// and asserts the aftermath <see cref="ClusterStream"/> checks. Processes are SIGKILLed and the
/// AppHost's self-healing starts them again, as Kubernetes would.
/// </summary>
[Collection(ResilienceCollection.Name)]
public sealed class ResilienceTests(ResilienceFixture topology) : IClassFixture<ResilienceFixture>
{
    private const int Clusters = 6;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(400);

    [Fact]
    public Task The_emulator_killed_and_restarted_forgetting_its_topology() =>
        RunAsync("emulator", () => topology.KillAndWaitForRestartAsync(ResourceNames.PubSub, Cancellation));

    [Fact]
    public Task The_api_killed_mid_relay() =>
        RunAsync("api-kill", () => topology.KillAndWaitForRestartAsync(ResourceNames.Api, Cancellation));

    [Fact]
    public Task PostgreSQL_restarted() =>
        RunAsync("pg-restart", async () =>
        {
            var (stop, _) = await topology.RestartAsync(ResourceNames.PostgresServer, Cancellation);
            // The Api holds idle pooled connections: a smart shutdown would wait for them (once seen
            // to take more than 30 s); the fast one the AppHost asks for ends them at once.
            Assert.True(stop < TimeSpan.FromSeconds(10), $"Stopping PostgreSQL took {stop.TotalSeconds:0.0} s.");
            TestContext.Current.TestOutputHelper?.WriteLine($"PostgreSQL stopped in {stop.TotalSeconds:0.0} s");
        });

    [Fact]
    public Task The_controllers_killed() =>
        RunAsync("ctl-kill", () => topology.KillAndWaitForRestartAsync(ResourceNames.Controllers, Cancellation));

    [Fact]
    public async Task PostgreSQL_stops_in_fast_mode_with_idle_pooled_connections_open_and_stays_stopped_until_started()
    {
        await topology.WaitUntilHealthyAsync(Cancellation);
        var commands = topology.App.Services.GetRequiredService<ResourceCommandService>();
        var connectionString = await topology.App.GetConnectionStringAsync(ResourceNames.Database, Cancellation);
        // Idle pooled sessions, as the Api's: PostgreSQL's smart shutdown (SIGTERM) would wait for them.
        await using var pool = NpgsqlDataSource.Create(connectionString!);
        await using (var first = await pool.OpenConnectionAsync(Cancellation))
        await using (var second = await pool.OpenConnectionAsync(Cancellation))
        {
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var stop = await commands.ExecuteCommandAsync(ResourceNames.PostgresServer, KnownResourceCommands.StopCommand, Cancellation);
        var took = watch.Elapsed;

        Assert.True(stop.Success, stop.Message);
        Assert.True(took < TimeSpan.FromSeconds(10), $"Stopping PostgreSQL took {took.TotalSeconds:0.0} s.");
        TestContext.Current.TestOutputHelper?.WriteLine($"PostgreSQL stopped in {took.TotalSeconds:0.0} s with idle pooled connections open");
        // Stopped by hand, so the self-healing leaves it stopped, and says so in its log.
        var instance = topology.InstancesOf(ResourceNames.PostgresServer).Keys.Single();
        await foreach (var batch in topology.App.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(instance).WithCancellation(Cancellation))
        {
            if (batch.Any(line => line.Content.Contains("Stopped on request", StringComparison.Ordinal)))
            {
                break;
            }
        }

        await Wait.UntilAsync(() => Task.FromResult(KnownResourceStates.TerminalStates.Contains(topology.InstancesOf(ResourceNames.PostgresServer)[instance].Snapshot.State?.Text)),
            TimeSpan.FromSeconds(10), "the stopped PostgreSQL's state to show it stopped");
        Assert.True((await commands.ExecuteCommandAsync(ResourceNames.PostgresServer, KnownResourceCommands.StartCommand, Cancellation)).Success);
        await topology.WaitUntilHealthyAsync(Cancellation);
        Assert.Equal(1, await SelectOneAsync(connectionString!));
    }

    private async Task RunAsync(string prefix, Func<Task> fault)
    {
        await topology.WaitUntilHealthyAsync(Cancellation);
        var stream = new ClusterStream(topology, prefix);
        var result = await stream.RunAsync(Clusters, Interval, faultAfter: 2, fault, Cancellation);
        TestContext.Current.TestOutputHelper?.WriteLine($"{prefix}: {result}");
        await stream.AssertHealthyAftermathAsync(Cancellation);
        await topology.WaitUntilHealthyAsync(Cancellation);
    }

    private static async Task<int> SelectOneAsync(string connectionString)
    {
        // Unpooled: the stop ended every pooled session.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync(Cancellation))!;
    }
}

/// <summary>
/// Two Api replicas and two Controllers replicas, with every event delivered twice and concurrently
/// (<see cref="EventDuplicator"/> republishes each one as soon as the relay has): each copy may reach
/// a different replica of a controller at the same moment. Correct only with optimistic concurrency
/// on status reports; the in-process lock no longer covers both copies.
/// </summary>
[Collection(ResilienceCollection.Name)]
public sealed class ReplicatedResilienceTests(ReplicatedResilienceFixture topology) : IClassFixture<ReplicatedResilienceFixture>
{
    [Fact]
    public async Task Two_replicas_of_each_service_with_every_event_delivered_twice_and_concurrently()
    {
        await topology.WaitUntilHealthyAsync(Cancellation);
        Assert.Equal(2, topology.InstancesOf(ResourceNames.Api).Count);
        Assert.Equal(2, topology.InstancesOf(ResourceNames.Controllers).Count);
        var connectionString = await topology.ConnectionStringAsync(Cancellation);
        await using var duplicator = new EventDuplicator(connectionString, topology.App.GetEndpoint(ResourceNames.PubSub, "http"));
        var stream = new ClusterStream(topology, "twice");

        var result = await stream.RunAsync(8, TimeSpan.FromMilliseconds(300), faultAfter: int.MaxValue, () => Task.CompletedTask, Cancellation);

        TestContext.Current.TestOutputHelper?.WriteLine($"replicated: {result}; {duplicator.Republished} events published twice");
        Assert.True(duplicator.Republished > 0, "The duplicator republished nothing.");
        await stream.AssertHealthyAftermathAsync(Cancellation);
    }
}
