using ClusterPlatform.Client.Models;
using Microsoft.Kiota.Abstractions;

namespace ClusterPlatform.Client;

/// <summary>
/// Sets a node pool's size: fixed replicas, or autoscaling between two bounds, the other one removed
/// (docs/api.md, NodePool: exactly one of the two). One rule for cpctl's <c>nodepool scale|autoscale</c>
/// and the console's Apply.
/// </summary>
public static class NodePoolResize
{
    /// <summary>How often a resize re-reads and re-applies after a 412 before it gives up.</summary>
    public const int Attempts = 5;

    /// <summary>
    /// A full replace (PUT) of the pool as read, with the new size. Not a merge patch: switching between
    /// replicas and autoscaling must send the other as null, and the generated client leaves nulls out.
    /// The PUT carries <c>If-Match</c> with the ETag of the copy it was made from, so it cannot undo a
    /// change stored in between (a label, another size); on a 412 the pool is read again and the size
    /// applied to what it says now (docs/api.md, ETags: the ETag moves with status reports too). The last
    /// attempt's 412, and any other refusal, is the caller's as Kiota threw it.
    /// </summary>
    /// <param name="client">Its pipeline must inspect response headers (<see cref="ResponseETag"/>).</param>
    /// <param name="retrying">Told the pool as last read and the attempt about to start, after a 412.</param>
    public static async Task<NodePool> ReplaceSizeAsync(PlatformApiClient client, Guid id, int? replicas, AutoscalingSpec? autoscaling,
        Action<NodePool, int>? retrying, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        for (var attempt = 1; ; attempt++)
        {
            var etag = new ResponseETag();
            var pool = (await client.Api.V1.Nodepools[id].GetAsync(r => r.Options.Add(etag.Option), cancellationToken))!;
            var spec = pool.Spec!;
            spec.Replicas = replicas;
            spec.Autoscaling = autoscaling;
            var labels = new NodePoolUpdateRequest_labels();
            foreach (var (key, value) in pool.Labels?.AdditionalData ?? new Dictionary<string, object>())
            {
                labels.AdditionalData[key] = value;
            }

            try
            {
                return (await client.Api.V1.Nodepools[id].PutAsync(new NodePoolUpdateRequest { Labels = labels, Spec = spec },
                    r => r.Headers.Add("If-Match", etag.Value ?? "*"), cancellationToken))!;
            }
            catch (ApiException e) when (e.ResponseStatusCode == 412 && attempt < Attempts)
            {
                retrying?.Invoke(pool, attempt + 1);
            }
        }
    }
}
