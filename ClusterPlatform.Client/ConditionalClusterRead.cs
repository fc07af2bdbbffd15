using ClusterPlatform.Client.Models;
using Microsoft.Kiota.Abstractions;

namespace ClusterPlatform.Client;

/// <summary>
/// A cluster read in full or revalidated, for cpctl's <c>cluster wait</c> and the console's detail page:
/// with a copy and its ETag in hand the GET carries <c>If-None-Match</c>, and a 304 keeps the copy (the
/// ETag covers the status: docs/api.md, ETags). A 304 is not 2xx and no error mapping of the generated
/// client covers it, so Kiota's adapter either raises it as an <see cref="ApiException"/> or returns no
/// body; both keep the copy.
/// </summary>
public static class ConditionalClusterRead
{
    /// <param name="client">Its pipeline must inspect response headers (<see cref="ResponseETag"/>).</param>
    /// <returns>The cluster and its ETag (null when the answer had none).</returns>
    public static async Task<(Cluster Cluster, string? ETag)> ReadAsync(PlatformApiClient client, Guid id, Cluster? copy, string? etag, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        var headers = new ResponseETag();
        try
        {
            var read = await client.Api.V1.Clusters[id].GetAsync(request =>
            {
                request.Options.Add(headers.Option);
                if (copy is not null && etag is not null)
                {
                    request.Headers.Add("If-None-Match", etag);
                }
            }, ct);
            return read is null && copy is not null
                ? (copy, etag)
                : (read!, headers.Value);
        }
        catch (ApiException e) when (e.ResponseStatusCode == 304 && copy is not null)
        {
            return (copy, etag);
        }
    }
}
