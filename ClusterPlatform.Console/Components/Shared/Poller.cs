using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.WebConsole.Components.Shared;

/// <summary>
/// A page that looks again every <see cref="ConsoleOptions.RefreshInterval"/> while it is shown, so a
/// cluster's move to Ready appears without a reload. Whether a look costs a full read is ConsoleApi's
/// rule, not the page's: the cluster read revalidates with If-None-Match (its ETag covers the status,
/// docs/api.md, ETags) and keeps its copy on 304; lists carry no ETag, so they are read in full.
/// </summary>
public abstract class Poller : ComponentBase, IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private Task? loop;

    [Inject]
    private IOptions<Api.ConsoleOptions> Options { get; set; } = default!;

    protected CancellationToken Stopping => stopping.Token;

    /// <summary>Reads what the page shows; exceptions are the page's to show.</summary>
    protected abstract Task RefreshAsync();

    protected override async Task OnInitializedAsync()
    {
        await RefreshAsync();
        loop = PollAsync();
    }

    private async Task PollAsync()
    {
        using var timer = new PeriodicTimer(Options.Value.RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                await InvokeAsync(async () =>
                {
                    await RefreshAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
    }

    /// <summary>What a page holds beyond the poll (a JS module), released after the poll has stopped.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }

        stopping.Dispose();
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }
}
