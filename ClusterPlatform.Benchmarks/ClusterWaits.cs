using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ClusterPlatform.Benchmarks;

/// <summary>Polls a cluster through the API until it is Ready or gone.</summary>
internal static class ClusterWaits
{
    /// <summary>
    /// True once the cluster at <paramref name="href"/> reads phase Ready, false if it did not within
    /// <paramref name="timeout"/>. <paramref name="pollAfter"/> gives the pause before the next read
    /// from the time waited so far.
    /// </summary>
    public static Task<bool> UntilReadyAsync(HttpClient client, Uri href, TimeSpan timeout, Func<TimeSpan, TimeSpan> pollAfter) =>
        UntilAsync(async () => (await client.GetFromJsonAsync<JsonObject>(href))!["status"]!["phase"]!.GetValue<string>() == "Ready", timeout, pollAfter);

    /// <summary>True once the cluster at <paramref name="href"/> answers 404, false if it did not within <paramref name="timeout"/>.</summary>
    public static Task<bool> UntilGoneAsync(HttpClient client, Uri href, TimeSpan timeout, Func<TimeSpan, TimeSpan> pollAfter) =>
        UntilAsync(async () =>
        {
            using var response = await client.GetAsync(href);
            return response.StatusCode == HttpStatusCode.NotFound;
        }, timeout, pollAfter);

    private static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<TimeSpan, TimeSpan> pollAfter)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            var waited = Stopwatch.GetElapsedTime(started);
            if (waited > timeout)
            {
                return false;
            }

            await Task.Delay(pollAfter(waited));
        }

        return true;
    }
}
