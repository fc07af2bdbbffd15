using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Each channel's last good graph, kept for <see cref="UpdateGraphOptions.CacheTtl"/>. Callers that
/// find a channel stale at once share one fetch, which runs apart from any one caller's
/// cancellation so a caller giving up does not fail the others. When a refresh fails the last good
/// graph is served (with a warning) for <see cref="UpdateGraphOptions.RetryAfterFailure"/>; with no
/// graph yet the failure reaches the caller. A singleton: the cache outlives the typed clients.
/// </summary>
internal sealed class UpdateGraphCache(TimeProvider time, IOptions<UpdateGraphOptions> options, ILogger<UpdateGraphCache> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    private sealed class Entry
    {
        public UpdateGraph? Graph { get; set; }

        public DateTimeOffset UseUntil { get; set; }

        public Task<UpdateGraph>? Refresh { get; set; }
    }

    /// <param name="fetch">Reads the channel's graph; called at most once at a time per channel.</param>
    public Task<UpdateGraph> GetAsync(string channel, Func<Task<UpdateGraph>> fetch, CancellationToken cancellationToken)
    {
        Task<UpdateGraph> refresh;
        lock (gate)
        {
            if (!entries.TryGetValue(channel, out var entry))
            {
                entries[channel] = entry = new Entry();
            }

            if (entry.Graph is not null && time.GetUtcNow() < entry.UseUntil)
            {
                return Task.FromResult(entry.Graph);
            }

            // Task.Run: the fetch must not complete (and clear Refresh) before Refresh is assigned.
            refresh = entry.Refresh ??= Task.Run(() => RefreshAsync(channel, entry, fetch), CancellationToken.None);
        }

        return refresh.WaitAsync(cancellationToken);
    }

    private async Task<UpdateGraph> RefreshAsync(string channel, Entry entry, Func<Task<UpdateGraph>> fetch)
    {
        try
        {
            var graph = await fetch();
            lock (gate)
            {
                entry.Graph = graph;
                entry.UseUntil = time.GetUtcNow() + options.Value.CacheTtl;
                entry.Refresh = null;
            }

            return graph;
        }
        catch (ProviderException e)
        {
            UpdateGraph stale;
            lock (gate)
            {
                entry.Refresh = null;
                if (entry.Graph is null)
                {
                    throw;
                }

                stale = entry.Graph;
                entry.UseUntil = time.GetUtcNow() + options.Value.RetryAfterFailure;
            }

            logger.LogWarning(e, "Refreshing the update graph of channel {Channel} failed; serving the last good graph for {RetryAfter}", channel, options.Value.RetryAfterFailure);
            return stale;
        }
    }
}
