using System.Diagnostics;
using ClusterPlatform.Api.Events;
using ClusterPlatform.Api.Versions;

namespace ClusterPlatform.Api.AutoUpgrades;

/// <summary>
/// Automatic patch upgrades, opt in (<c>spec.upgradePolicy</c>): every
/// <see cref="AutomaticUpgradesOptions.Interval"/>, clusters that opted in, are settled (Ready and
/// running their spec's version) and are inside their maintenance window now (<see cref="TimeProvider"/>,
/// in the window's time zone) move to the newest enabled patch of their minor that the update graph
/// has a direct edge to from the version they run: one step, as a user's upgrade would, audited with
/// the actor <c>platform</c>. Outside the window nothing happens. What a user does is untouched:
/// a manual upgrade is a spec write like any other, and a cluster that is upgrading is not settled.
/// </summary>
internal sealed partial class AutomaticUpgrades(
    AutomaticUpgradeStore store,
    NpgsqlDataSource dataSource,
    IOptions<AutomaticUpgradesOptions> options,
    TimeProvider time,
    ILogger<AutomaticUpgrades> logger) : BackgroundService
{
    private static readonly ActivitySource Activities = new("ClusterPlatform.Api.AutomaticUpgrades");

    private static readonly Comparer<string> Newest = Comparer<string>.Create(ChannelGroups.Compare);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The next pass tries again; an upgrade that failed changed nothing (one transaction).
                    LogPassFailed(logger, DatabaseErrors.IsUnavailable(e) ? null : e, DatabaseErrors.Describe(e));
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One pass at the time provider's now: upgrades every due cluster one step and returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        using var activity = Activities.StartActivity("automatic upgrades pass");
        var now = time.GetUtcNow();
        var upgraded = 0;
        var after = Guid.Empty;
        IReadOnlyList<UpgradeCandidate> page;
        do
        {
            page = await store.CandidatesAsync(after, options.Value.BatchSize, ct);
            foreach (var candidate in page)
            {
                after = candidate.Id;
                if (!InWindow(candidate, now)
                    || candidate.Targets.Where(t => ChannelGroups.Compare(t, candidate.Current) > 0).Max(Newest) is not { } target)
                {
                    continue;
                }

                if (await store.UpgradeAsync(candidate.Id, candidate.Generation, candidate.Current, target, activity, ct))
                {
                    upgraded++;
                    LogUpgraded(logger, candidate.Id, candidate.Current, target);
                }
            }
        }
        while (page.Count == options.Value.BatchSize);

        activity?.SetTag("clusters", upgraded);
        if (upgraded > 0)
        {
            await OutboxSignal.SendAsync(dataSource, logger);
        }

        return upgraded;
    }

    private bool InWindow(UpgradeCandidate candidate, DateTimeOffset now)
    {
        try
        {
            return MaintenanceWindows.Contains(candidate.Window, now);
        }
        catch (TimeZoneNotFoundException)
        {
            // Validated when written, so only a replica whose time zone database lacks the zone gets here.
            LogUnknownTimeZone(logger, candidate.Id, candidate.Window.TimeZone);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Automatic patch upgrade of cluster {ClusterId} from {From} to {To}")]
    private static partial void LogUpgraded(ILogger logger, Guid clusterId, string from, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {ClusterId}'s maintenance window names time zone {TimeZone}, which this system's time zone database lacks; it is not upgraded automatically")]
    private static partial void LogUnknownTimeZone(ILogger logger, Guid clusterId, string timeZone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Automatic upgrades pass failed ({Error}); the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception? exception, string error);
}
