namespace ClusterPlatform.Providers;

/// <summary>The one place where an HTTP call to an outside API that got no answer becomes a transient <see cref="ProviderException"/>.</summary>
internal static class ProviderHttp
{
    /// <summary>Sends the request; an unreachable server, a timeout or the resilience handler's rejection is transient.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderException($"{what}: {e.Message}", transient: true, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderException($"{what}: timed out", transient: true, e);
        }
        catch (Polly.ExecutionRejectedException e)
        {
            // The service defaults' standard resilience handler: an attempt or total timeout, or an open circuit.
            throw new ProviderException($"{what}: {e.Message}", transient: true, e);
        }
    }
}
