using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using static ClusterPlatform.Controllers.Providers.HyperShiftManifests;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// HyperShift custom resources through KubernetesClient's generic custom-object calls. One client
/// per management cluster endpoint, authenticated with a bearer token: the configured static
/// token, or else a Google access token (what a GKE management cluster accepts for an IAM identity).
/// </summary>
internal sealed class HyperShiftManagementClusterProvider : IManagementClusterProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Kubernetes>> clients = new(StringComparer.Ordinal);
    private readonly ManagementClusterOptions options;
    private readonly Func<CancellationToken, Task<string>> bearerTokens;

    public HyperShiftManagementClusterProvider(IOptions<ProviderOptions> options, GoogleAccessTokens googleTokens)
        : this(options.Value.ManagementClusters, options.Value.ManagementClusters.BearerToken is { Length: > 0 } token
            ? _ => Task.FromResult(token)
            : googleTokens.GetAsync)
    {
    }

    internal HyperShiftManagementClusterProvider(ManagementClusterOptions options, Func<CancellationToken, Task<string>> bearerTokens)
    {
        this.options = options;
        this.bearerTokens = bearerTokens;
    }

    public Task<HostedClusterStatus> ApplyAsync(Uri managementCluster, HostedClusterInput cluster, CancellationToken cancellationToken) =>
        CallAsync($"apply HostedCluster {cluster.Ref.Name}", async () =>
        {
            var client = Client(managementCluster);
            await EnsureNamespaceAsync(client, cluster, cancellationToken);
            await EnsurePullSecretAsync(client, cluster.Ref.Namespace, cancellationToken);
            await UpsertAsync(client, HostedClusters, HostedCluster(cluster, options), cancellationToken);

            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pool in cluster.NodePools)
            {
                var nodePool = NodePool(cluster, pool, options);
                await UpsertAsync(client, NodePools, nodePool, cancellationToken);
                wanted.Add((string)nodePool["metadata"]!["name"]!);
            }

            foreach (var stale in (await ListNodePoolsAsync(client, cluster.Ref, cancellationToken)).Select(Name).Where(n => !wanted.Contains(n)))
            {
                await DeleteIfPresentAsync(client, cluster.Ref.Namespace, NodePools, stale, cancellationToken);
            }

            return await StatusAsync(client, cluster.Ref, cancellationToken);
        });

    public Task<HostedClusterStatus> GetStatusAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken) =>
        CallAsync($"read HostedCluster {cluster.Name}", () => StatusAsync(Client(managementCluster), cluster, cancellationToken));

    public Task<bool> DeleteAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken) =>
        CallAsync($"delete HostedCluster {cluster.Name}", async () =>
        {
            var client = Client(managementCluster);
            var nodePools = await ListNodePoolsAsync(client, cluster, cancellationToken);
            foreach (var nodePool in nodePools)
            {
                await DeleteIfPresentAsync(client, cluster.Namespace, NodePools, Name(nodePool), cancellationToken);
            }

            var hostedClusterWasThere = await DeleteIfPresentAsync(client, cluster.Namespace, HostedClusters, cluster.Name, cancellationToken);

            // Finalizers keep deleted objects until HyperShift has torn down what they own.
            var gone = await GetAsync(client, cluster.Namespace, HostedClusters, cluster.Name, cancellationToken) is null
                && (await ListNodePoolsAsync(client, cluster, cancellationToken)).Count == 0;
            if (gone && (hostedClusterWasThere || nodePools.Count > 0))
            {
                // The namespace only held our resources (and the pull secret); it goes once they are gone.
                await IgnoreNotFoundAsync(() => client.CoreV1.DeleteNamespaceAsync(cluster.Namespace, cancellationToken: cancellationToken));
            }

            return gone;
        });

    public void Dispose()
    {
        foreach (var client in clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
    }

    private Kubernetes Client(Uri managementCluster) => clients.GetOrAdd(managementCluster.AbsoluteUri, endpoint => new Lazy<Kubernetes>(() =>
    {
        var configuration = new KubernetesClientConfiguration
        {
            Host = endpoint,
            TokenProvider = new BearerTokens(bearerTokens),
        };
        if (options.CaCertificatePath is { Length: > 0 } path)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(path);
            configuration.SslCaCerts = authorities;
        }

        return new Kubernetes(configuration);
    })).Value;

    /// <summary>
    /// Copies the pull secret into the namespace, where the HostedCluster's spec.pullSecret names it.
    /// It is written on every apply, so a rotated pull secret reaches every cluster at its next reconcile.
    /// </summary>
    private async Task EnsurePullSecretAsync(Kubernetes client, string @namespace, CancellationToken cancellationToken)
    {
        var path = options.PullSecretPath is { Length: > 0 } configured
            ? configured
            : throw new ProviderException(
                $"{ProviderOptions.Section}:ManagementClusters:{nameof(ManagementClusterOptions.PullSecretPath)} is not set; HyperShift cannot pull the release without a pull secret.",
                transient: false);
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = options.PullSecretName, NamespaceProperty = @namespace },
            Type = "kubernetes.io/dockerconfigjson",
            Data = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [".dockerconfigjson"] = await File.ReadAllBytesAsync(path, cancellationToken) },
        };
        try
        {
            await client.CoreV1.CreateNamespacedSecretAsync(secret, @namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            await client.CoreV1.ReplaceNamespacedSecretAsync(secret, options.PullSecretName, @namespace, cancellationToken: cancellationToken);
        }
    }

    private static async Task EnsureNamespaceAsync(Kubernetes client, HostedClusterInput cluster, CancellationToken cancellationToken)
    {
        try
        {
            // The name is a hash (HostedClusterRef.For); the labels let an operator find the cluster's namespace.
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace
            {
                Metadata = new V1ObjectMeta { Name = cluster.Ref.Namespace, Labels = HyperShiftManifests.NamespaceLabels(cluster) },
            }, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Already there: the usual case after the first reconcile.
        }
    }

    /// <summary>
    /// Create, or read-merge-replace with the read resourceVersion. Our spec fields are merged into
    /// the stored spec rather than replacing it, so fields HyperShift defaults stay as they are. A
    /// 409 means someone wrote in between (or created it first): read again and retry.
    /// </summary>
    private async Task UpsertAsync(Kubernetes client, string plural, JsonObject desired, CancellationToken cancellationToken)
    {
        var @namespace = (string)desired["metadata"]!["namespace"]!;
        var name = (string)desired["metadata"]!["name"]!;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var existing = await GetAsync(client, @namespace, plural, name, cancellationToken);
                if (existing is null)
                {
                    await client.CustomObjects.CreateNamespacedCustomObjectAsync(desired, Group, ApiVersion, @namespace, plural, cancellationToken: cancellationToken);
                }
                else
                {
                    Merge(existing, desired);
                    await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(existing, Group, ApiVersion, @namespace, plural, name, cancellationToken: cancellationToken);
                }

                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < options.ConflictRetries)
            {
            }
        }
    }

    /// <summary>Objects merge key by key; anything else (arrays, values) is replaced by ours.</summary>
    private static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static async Task<JsonObject?> GetAsync(Kubernetes client, string @namespace, string plural, string name, CancellationToken cancellationToken)
    {
        try
        {
            return ToJson(await client.CustomObjects.GetNamespacedCustomObjectAsync(Group, ApiVersion, @namespace, plural, name, cancellationToken));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<List<JsonObject>> ListNodePoolsAsync(Kubernetes client, HostedClusterRef cluster, CancellationToken cancellationToken)
    {
        try
        {
            var list = ToJson(await client.CustomObjects.ListNamespacedCustomObjectAsync(
                Group, ApiVersion, cluster.Namespace, NodePools, labelSelector: $"{ClusterLabel}={cluster.Name}", cancellationToken: cancellationToken));
            return (list["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    /// <returns>Whether there was something to delete.</returns>
    private static Task<bool> DeleteIfPresentAsync(Kubernetes client, string @namespace, string plural, string name, CancellationToken cancellationToken) =>
        IgnoreNotFoundAsync(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, ApiVersion, @namespace, plural, name, cancellationToken: cancellationToken));

    private static async Task<bool> IgnoreNotFoundAsync<T>(Func<Task<T>> delete)
    {
        try
        {
            await delete();
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task<HostedClusterStatus> StatusAsync(Kubernetes client, HostedClusterRef cluster, CancellationToken cancellationToken) =>
        Status(await GetAsync(client, cluster.Namespace, HostedClusters, cluster.Name, cancellationToken),
            await ListNodePoolsAsync(client, cluster, cancellationToken));

    private static string Name(JsonObject resource) => (string)resource["metadata"]!["name"]!;

    /// <summary>KubernetesClient returns custom objects as JsonElement.</summary>
    private static JsonObject ToJson(object body) => body switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText())!.AsObject(),
        JsonObject json => json,
        _ => JsonSerializer.SerializeToNode(body)!.AsObject(),
    };

    /// <summary>Kubernetes failures as provider failures: 4xx other than those handled is a request the cluster rejects.</summary>
    private static async Task<T> CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e)
        {
            var status = (int)e.Response.StatusCode;
            var message = Parse(e.Response.Content)?["message"]?.GetValue<string>() ?? e.Message;
            throw new ProviderException($"{what}: HTTP {status}: {message}", status == 409 || ProviderException.IsTransientStatus(status), e);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderException($"{what}: {e.Message}", transient: true, e);
        }
    }

    private static JsonNode? Parse(string? text)
    {
        try
        {
            return string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class BearerTokens(Func<CancellationToken, Task<string>> tokens) : k8s.Authentication.ITokenProvider
    {
        public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken) =>
            new("Bearer", await tokens(cancellationToken));
    }
}
