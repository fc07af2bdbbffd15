using System.Diagnostics.Metrics;
using ClusterPlatform.Api.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// The reconcile scheduler against real PostgreSQL: who is due, debouncing, and several schedulers at
/// once. Only the tests' schedulers tick: the Api's own, ticking between a test making a cluster due
/// and its write, queued the reconcile that the debounce test asserts is never queued.
/// </summary>
public sealed class ReconcileSchedulerTests(ReconcileSchedulerTests.QuietSchedulerApiServer api) : IClassFixture<ReconcileSchedulerTests.QuietSchedulerApiServer>, IDisposable
{
    /// <summary>An Api whose scheduler ticks once at startup (before any cluster exists), then hourly.</summary>
    public sealed class QuietSchedulerApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Reconcile:TickInterval"] = "01:00:00",
        };
    }

    private static readonly ReconcileOptions Settings = new() { NotReadyAfter = TimeSpan.FromHours(1), ReadyAfter = TimeSpan.FromHours(2) };

    // One organization for the class (its Api has a database of its own): the credential test's user must see the clusters it creates.
    private const string Organization = "scheduler";

    private readonly HttpClient client = api.As("user", Organization);
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(api.ConnectionString);

    [Fact]
    public async Task Stale_not_ready_and_long_unreconciled_ready_clusters_get_one_reconcile_fresh_and_recent_ones_none()
    {
        var stale = await CreateAsync("stale", phase: "Pending", dueAgo: TimeSpan.FromSeconds(1));
        var fresh = await CreateAsync("fresh", phase: "Pending", dueAgo: null);
        var readyRecent = await CreateAsync("ready-recent", phase: "Ready", dueAgo: null);
        var readyDue = await CreateAsync("ready-due", phase: "Ready", dueAgo: TimeSpan.FromSeconds(1));

        await NewScheduler().TickAsync(CancellationToken.None);

        Assert.Equal(1, await ReconcilesAsync(stale));
        Assert.Equal(1, await ReconcilesAsync(readyDue));
        Assert.Equal(0, await ReconcilesAsync(fresh));
        Assert.Equal(0, await ReconcilesAsync(readyRecent));
        // The next one is due after the interval that fits the phase.
        Assert.InRange(await DueInAsync(stale), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.InRange(await DueInAsync(readyDue), TimeSpan.FromMinutes(119), TimeSpan.FromMinutes(121));
    }

    [Fact]
    public async Task Two_schedulers_ticking_together_queue_one_reconcile_per_due_cluster()
    {
        var due = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            due.Add(await CreateAsync($"race-{i}", phase: "Pending", dueAgo: TimeSpan.FromSeconds(1)));
        }

        var one = NewScheduler(batchSize: 7);
        var two = NewScheduler(batchSize: 7);
        for (var round = 0; round < 8; round++)
        {
            await Task.WhenAll(one.TickAsync(CancellationToken.None), two.TickAsync(CancellationToken.None));
        }

        foreach (var id in due)
        {
            Assert.Equal(1, await ReconcilesAsync(id));
        }
    }

    [Fact]
    public async Task A_write_postpones_the_scheduled_reconcile()
    {
        var id = await CreateAsync("debounced", phase: "Pending", dueAgo: TimeSpan.FromSeconds(1));

        using var patch = await client.PatchAsync($"{ApiCalls.Clusters}/{id}",
            Bodies.Json(new JsonObject { ["labels"] = new JsonObject { ["touched"] = "yes" } }, "application/merge-patch+json"));
        await NewScheduler().TickAsync(CancellationToken.None);

        Assert.Equal(0, await ReconcilesAsync(id));
        Assert.InRange(await DueInAsync(id), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task A_Ready_cluster_with_pending_credential_work_is_swept_on_the_not_ready_interval_until_the_work_is_done()
    {
        var id = await CreateAsync("break-glass", phase: "Ready", dueAgo: null);
        var user = api.As("user", Organization, "carol");
        using var csr = Api.Credentials.TestCsr.For("carol");
        var credential = await Api.Credentials.CredentialCalls.RequestCredentialAsync(user, $"{ApiCalls.Clusters}/{id}", csr.Pem);
        // The request queued its event, and brought the Ready cluster's sweep forward to the not-ready interval.
        Assert.Equal(1, await ReconcilesAsync(id));
        Assert.InRange(await DueInAsync(id), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        // The event is lost; when the cluster is due, the sweep queues it again and keeps the short interval.
        await MakeDueAsync(id);
        await NewScheduler().TickAsync(CancellationToken.None);
        Assert.Equal(2, await ReconcilesAsync(id));
        Assert.InRange(await DueInAsync(id), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        // Once the operator client has reported, the cluster is back on the Ready interval.
        using (var report = await Api.Credentials.CredentialCalls.PutIssuanceAsync(api.As("controller", null, ControllerNames.OperatorClient), credential,
                   Api.Credentials.CredentialCalls.FailedReport("denied")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        await MakeDueAsync(id);
        await NewScheduler().TickAsync(CancellationToken.None);
        Assert.Equal(3, await ReconcilesAsync(id));
        Assert.InRange(await DueInAsync(id), TimeSpan.FromMinutes(119), TimeSpan.FromMinutes(121));

        // A pending revocation keeps it on the short interval the same way.
        using (var revoke = await user.PostAsync($"{ApiCalls.Clusters}/{id}/credentials:revoke", null)) { Assert.Equal(HttpStatusCode.Accepted, revoke.StatusCode); }
        await MakeDueAsync(id);
        await NewScheduler().TickAsync(CancellationToken.None);
        Assert.Equal(5, await ReconcilesAsync(id));
        Assert.InRange(await DueInAsync(id), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    private async Task MakeDueAsync(Guid id)
    {
        await using var command = dataSource.CreateCommand("UPDATE clusters SET next_reconcile_at = now() - interval '1 second' WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private ReconcileScheduler NewScheduler(int batchSize = 500) => new(
        dataSource, new OutboxMetrics(services.GetRequiredService<IMeterFactory>(), dataSource),
        Options.Create(new ReconcileOptions { NotReadyAfter = Settings.NotReadyAfter, ReadyAfter = Settings.ReadyAfter, BatchSize = batchSize }),
        NullLogger<ReconcileScheduler>.Instance, TimeProvider.System);

    /// <summary>A cluster created through the API, then put in the given phase and made due (or not) directly in the database.</summary>
    private async Task<Guid> CreateAsync(string name, string phase, TimeSpan? dueAgo)
    {
        var id = Guid.Parse((await client.CreateClusterAsync(name))["id"].Text());
        await using var command = dataSource.CreateCommand(
            "UPDATE clusters SET phase = @phase, next_reconcile_at = CASE WHEN @due THEN now() - @ago ELSE next_reconcile_at END WHERE id = @id");
        command.Parameters.AddWithValue("phase", phase);
        command.Parameters.AddWithValue("due", dueAgo is not null);
        command.Parameters.AddWithValue("ago", dueAgo ?? TimeSpan.Zero);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
        return id;
    }

    private async Task<long> ReconcilesAsync(Guid clusterId) =>
        await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id AND type = 'cluster.reconcile'", ("id", clusterId));

    private async Task<TimeSpan> DueInAsync(Guid clusterId) =>
        await api.ScalarAsync<TimeSpan>("SELECT next_reconcile_at - now() FROM clusters WHERE id = @id", ("id", clusterId));

    public void Dispose()
    {
        dataSource.Dispose();
        services.Dispose();
    }
}
