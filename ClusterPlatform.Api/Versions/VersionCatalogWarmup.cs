namespace ClusterPlatform.Api.Versions;

/// <summary>
/// Fills an empty catalog (a new database) at start, after the migrations and before the Api serves
/// (Program.cs): creates are checked against the catalog, and would otherwise be refused until the
/// refresher's first pass. A catalog that already holds versions is served as it is (the refresher
/// brings it up to date in the background), and a graph that fails or hangs here delays the start by
/// at most <see cref="Timeout"/>; the refresher then keeps trying.
/// </summary>
internal sealed partial class VersionCatalogWarmup(VersionCatalogStore store, VersionCatalogRefresher refresher, ILogger<VersionCatalogWarmup> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task FillIfEmptyAsync(CancellationToken cancellationToken)
    {
        if (await store.AnyAsync(cancellationToken))
        {
            return;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout);
        try
        {
            await refresher.RefreshAsync(bounded.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogWarmupFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The empty version catalog could not be filled before serving; creates are refused until a refresh succeeds")]
    private static partial void LogWarmupFailed(ILogger logger, Exception exception);
}
