using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterPlatform.Contracts;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using static ClusterPlatform.Controllers.Providers.HyperShiftManifests;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// HyperShift resources through KubernetesClient. Everything the platform owns is written with
/// server-side apply under one field manager, so a field the platform stops sending (a node pool's
/// <c>replicas</c> when it switches to <c>autoScaling</c>) is removed, while fields other managers
/// own (HyperShift's) are left alone. Custom resources are applied with <c>fieldValidation=Strict</c>:
/// a field the CRD does not know is an error, not silently dropped. One client per management
/// cluster endpoint, authenticated with the configured static token or a Google access token.
/// </summary>
internal sealed class HyperShiftManagementClusterProvider : IManagementClusterProvider, IDisposable
{
    public const string FieldManager = "clusterplatform-operator-client";

    private readonly ConcurrentDictionary<string, Lazy<Kubernetes>> clients = new(StringComparer.Ordinal);

    // Management clusters whose CRDs were seen to admit GCP; a feature set is chosen at install time.
    private readonly ConcurrentDictionary<string, bool> admitsGcp = new(StringComparer.Ordinal);
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

    public Task<ServiceAccountSigningKey> EnsureSigningKeyAsync(Uri managementCluster, Guid clusterId, HostedClusterRef cluster, string issuerUrl, CancellationToken cancellationToken) =>
        CallAsync($"ensure the signing key of {cluster.Name}", async () =>
        {
            var client = Client(managementCluster);
            await ApplyAsync(client, Namespace(clusterId, cluster), cancellationToken);
            return await SigningKeyAsync(client, cluster, issuerUrl, cancellationToken);
        }, cancellationToken);

    public Task<HostedClusterStatus> ApplyAsync(Uri managementCluster, HostedClusterInput cluster, CancellationToken cancellationToken) =>
        CallAsync($"apply HostedCluster {cluster.Ref.Name}", async () =>
        {
            var client = Client(managementCluster);
            await RequireGcpPlatformAsync(client, managementCluster, cancellationToken);
            // Built before anything is sent: a HostedCluster that cannot be built sends nothing.
            var hostedCluster = HostedCluster(cluster, options);
            await ApplyAsync(client, Namespace(cluster.ClusterId, cluster.Ref), cancellationToken);
            await ApplyAsync(client, await PullSecretAsync(cluster.Ref.Namespace, cancellationToken), cancellationToken);
            await CreateOnceAsync(client, cluster.Ref.Namespace, cluster.Ref.EtcdEncryptionKeySecret,
                () => new Dictionary<string, byte[]> { ["key"] = RandomNumberGenerator.GetBytes(32) }, cancellationToken);
            await ApplyAsync(client, hostedCluster, cancellationToken);

            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pool in cluster.NodePools)
            {
                var nodePool = NodePool(cluster, pool);
                await ApplyAsync(client, nodePool, cancellationToken);
                wanted.Add(NameOf(nodePool));
            }

            foreach (var stale in (await ListNodePoolsAsync(client, cluster.Ref, cancellationToken)).Select(NameOf).Where(n => !wanted.Contains(n)))
            {
                await DeleteIfPresentAsync(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, ApiVersion, cluster.Ref.Namespace, NodePools, stale, cancellationToken: cancellationToken));
            }

            return await StatusAsync(client, cluster.Ref, cancellationToken);
        }, cancellationToken);

    public Task<HostedClusterStatus> GetStatusAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken) =>
        CallAsync($"read HostedCluster {cluster.Name}", () => StatusAsync(Client(managementCluster), cluster, cancellationToken), cancellationToken);

    public Task<DeletionProgress> DeleteAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken) =>
        CallAsync($"delete HostedCluster {cluster.Name}", async () =>
        {
            var client = Client(managementCluster);
            var remaining = new List<string>();
            foreach (var nodePool in await ListNodePoolsAsync(client, cluster, cancellationToken))
            {
                await DeleteUnlessDeletingAsync(nodePool, () => client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                    Group, ApiVersion, cluster.Namespace, NodePools, NameOf(nodePool), cancellationToken: cancellationToken));
                remaining.Add($"NodePool {NameOf(nodePool)}");
            }

            if (await GetAsync(client, cluster.Namespace, HostedClusters, cluster.Name, cancellationToken) is { } hostedCluster)
            {
                await DeleteUnlessDeletingAsync(hostedCluster, () => client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                    Group, ApiVersion, cluster.Namespace, HostedClusters, cluster.Name, cancellationToken: cancellationToken));
                remaining.Add($"HostedCluster {cluster.Name}");
            }

            // The namespace goes last, and always: the HostedCluster may have vanished between two
            // reconciles, or never been applied while the signing key was already made. HyperShift
            // must have torn down what its finalizers guard before the namespace (with the pull
            // secret and the keys) is removed, and the namespace has finalizers of its own.
            if (remaining.Count == 0 && await ReadNamespaceAsync(client, cluster.Namespace, cancellationToken) is { } ns)
            {
                if (ns.Metadata.DeletionTimestamp is null)
                {
                    await DeleteIfPresentAsync(() => client.CoreV1.DeleteNamespaceAsync(cluster.Namespace, cancellationToken: cancellationToken));
                }

                remaining.Add($"namespace {cluster.Namespace} (terminating)");
            }

            return new DeletionProgress(remaining);
        }, cancellationToken);

    public Task<IssuanceProgress> IssueCredentialAsync(Uri managementCluster, HostedClusterRef cluster, CredentialSigningWork work, CancellationToken cancellationToken) =>
        CallAsync<IssuanceProgress>($"issue break-glass credential {work.Id} of {cluster.Name}", async () =>
        {
            var client = Client(managementCluster);
            var name = BreakGlassCertificates.RequestName(cluster, work.Id);
            var controlPlane = BreakGlassCertificates.ControlPlaneNamespace(cluster);
            var csr = await ReadOrNullAsync(() => client.CertificatesV1.ReadCertificateSigningRequestAsync(name, cancellationToken: cancellationToken));
            if (csr is null)
            {
                // GKE Warden refuses a system: common name and system:masters (docs/hypershift-pki.md, "Read first"):
                // a refusal of the create is permanent, in the server's own words.
                if (await CreateRefusedAsync(() => client.CertificatesV1.CreateCertificateSigningRequestAsync(BreakGlassRequest(cluster, work, name), cancellationToken: cancellationToken)) is { } refused)
                {
                    return new IssuanceProgress.Failed($"the management cluster refused the CertificateSigningRequest: {refused}");
                }
            }

            if (csr?.Status?.Certificate is not { Length: > 0 } && !IsFinished(csr)
                && await CreateRefusedAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(Approval(name, controlPlane), CertificatesGroup, CertificatesVersion,
                    controlPlane, "certificatesigningrequestapprovals", cancellationToken: cancellationToken)) is { } approvalRefused)
            {
                return new IssuanceProgress.Failed($"the management cluster refused the CertificateSigningRequestApproval: {approvalRefused}");
            }

            csr ??= await ReadOrNullAsync(() => client.CertificatesV1.ReadCertificateSigningRequestAsync(name, cancellationToken: cancellationToken));
            if (csr?.Status?.Conditions?.FirstOrDefault(c => c.Type is "Failed" or "Denied" && c.Status is "True" or null or "") is { } refusal)
            {
                return new IssuanceProgress.Failed($"HyperShift {(refusal.Type == "Denied" ? "denied" : "failed")} the request: {refusal.Reason}: {refusal.Message}");
            }

            if (csr?.Status?.Certificate is not { Length: > 0 } certificate)
            {
                return new IssuanceProgress.Pending(csr is null ? "The CertificateSigningRequest was created." : "Waiting for HyperShift's customer-break-glass signer.");
            }

            // The kubeconfig trusts the API server with the root CA (the ConfigMap; the Secret of the same name holds its key; pki/ca.go).
            var rootCa = await ReadOrNullAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("root-ca", controlPlane, cancellationToken: cancellationToken));
            return rootCa?.Data is { } data && data.TryGetValue("ca.crt", out var bundle) && bundle.Length > 0
                ? new IssuanceProgress.Issued(Encoding.ASCII.GetString(certificate), bundle)
                : new IssuanceProgress.Pending($"The certificate is signed; ConfigMap root-ca in {controlPlane} has no ca.crt yet.");
        }, cancellationToken);

    public Task<RevocationProgress> RevokeCredentialsAsync(Uri managementCluster, HostedClusterRef cluster, Guid revocationId, CancellationToken cancellationToken) =>
        CallAsync<RevocationProgress>($"revoke the break-glass credentials of {cluster.Name}", async () =>
        {
            var client = Client(managementCluster);
            var name = BreakGlassCertificates.RevocationName(revocationId);
            var controlPlane = BreakGlassCertificates.ControlPlaneNamespace(cluster);
            var request = await ReadOrNullAsync(async () => ToJson(await client.CustomObjects.GetNamespacedCustomObjectAsync(CertificatesGroup, CertificatesVersion, controlPlane,
                RevocationRequests, name, cancellationToken)));
            if (request is null)
            {
                var revocation = new JsonObject
                {
                    ["apiVersion"] = $"{CertificatesGroup}/{CertificatesVersion}",
                    ["kind"] = "CertificateRevocationRequest",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = controlPlane },
                    ["spec"] = new JsonObject { ["signerClass"] = BreakGlassCertificates.SignerClass },
                };
                return await CreateRefusedAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(revocation, CertificatesGroup, CertificatesVersion, controlPlane,
                        RevocationRequests, cancellationToken: cancellationToken)) is { } refused
                    ? new RevocationProgress.Failed($"the management cluster refused the CertificateRevocationRequest: {refused}")
                    : new RevocationProgress.Pending("The CertificateRevocationRequest was created.");
            }

            // Done at PreviousCertificatesRevoked=True; failed when it gave up verifying, or the signer class is unknown
            // (control-plane-pki-operator/certificaterevocationcontroller/certificaterevocationcontroller.go).
            var conditions = ResourceCondition.ListFrom(request["status"]);
            return conditions.FirstOrDefault(c => c.Type == "PreviousCertificatesRevoked") switch
            {
                { Status: "True" } => new RevocationProgress.Completed(),
                { Status: "False", Reason: "RevocationVerificationTimeout" } timeout => new RevocationProgress.Failed($"HyperShift: {timeout.Reason}: {timeout.Message}"),
                _ when conditions.FirstOrDefault(c => c.Type == "SignerClassValid") is { Status: "False" } invalid => new RevocationProgress.Failed($"HyperShift: {invalid.Reason}: {invalid.Message}"),
                _ => new RevocationProgress.Pending(conditions.LastOrDefault(c => c.Status == "False") is { } waiting
                    ? $"HyperShift: {waiting.Type}: {waiting.Message}"
                    : "Waiting for HyperShift's certificate revocation controller."),
            };
        }, cancellationToken);

    private const string CertificatesGroup = "certificates.hypershift.openshift.io";
    private const string CertificatesVersion = "v1alpha1";
    private const string RevocationRequests = "certificaterevocationrequests";

    /// <summary>
    /// The built-in CSR for HyperShift's signer: the user's request as is, the usages HyperShift
    /// accepts, the lifetime asked for (docs/hypershift-pki.md "Issuing").
    /// </summary>
    private static V1CertificateSigningRequest BreakGlassRequest(HostedClusterRef cluster, CredentialSigningWork work, string name) => new()
    {
        ApiVersion = "certificates.k8s.io/v1",
        Kind = "CertificateSigningRequest",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["clusterplatform.io/credential-id"] = work.Id.ToString() },
        },
        Spec = new V1CertificateSigningRequestSpec
        {
            Request = Encoding.ASCII.GetBytes(work.Csr),
            SignerName = BreakGlassCertificates.SignerName(cluster),
            Usages = [.. BreakGlassCertificates.Usages],
            ExpirationSeconds = work.ExpirationSeconds,
        },
    };

    /// <summary>The approval HyperShift's approval controller looks for: same name as the CSR, in the control plane's namespace, empty spec.</summary>
    private static JsonObject Approval(string name, string controlPlane) => new()
    {
        ["apiVersion"] = $"{CertificatesGroup}/{CertificatesVersion}",
        ["kind"] = "CertificateSigningRequestApproval",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = controlPlane },
        ["spec"] = new JsonObject(),
    };

    private static bool IsFinished(V1CertificateSigningRequest? csr) =>
        csr?.Status?.Conditions?.Any(c => c.Type is "Approved" or "Denied" or "Failed") == true;

    /// <summary>
    /// Creates an object; an existing one is fine (the call is re-entrant). A 403 or 422 refusal is
    /// the answer, in the server's own message: the same object would be refused again.
    /// </summary>
    private static async Task<string?> CreateRefusedAsync<T>(Func<Task<T>> create)
    {
        try
        {
            await create();
            return null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
        {
            return Parse(e.Response.Content)?["message"]?.GetValue<string>() ?? $"HTTP {(int)e.Response.StatusCode}";
        }
    }

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
    /// GCP exists only in HyperShift's TechPreviewNoUpgrade CRDs. On a management cluster installed
    /// with the Default feature set every GCP object would be refused, so the CRD is read first and
    /// nothing is sent; the failure is permanent and names the fix from the guide
    /// (docs/content/how-to/gcp/setup-management-cluster.md).
    /// </summary>
    private async Task RequireGcpPlatformAsync(Kubernetes client, Uri managementCluster, CancellationToken cancellationToken)
    {
        if (admitsGcp.ContainsKey(managementCluster.AbsoluteUri))
        {
            return;
        }

        V1CustomResourceDefinition crd;
        try
        {
            crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync($"{HostedClusters}.{Group}", cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ProviderException($"management cluster {managementCluster} has no HostedCluster CRD: HyperShift is not installed there", transient: false, e);
        }

        var platforms = Property(Property(Property(crd.Spec.Versions.FirstOrDefault(v => v.Name == ApiVersion)?.Schema?.OpenAPIV3Schema, "spec"), "platform"), "type")?.EnumProperty;
        if (platforms is null || !platforms.Any(p => p?.ToString() == "GCP"))
        {
            var featureSet = crd.Metadata.Annotations is { } annotations && annotations.TryGetValue("release.openshift.io/feature-set", out var set) ? set : "unknown";
            throw new ProviderException(
                $"management cluster {managementCluster} runs HyperShift with the {featureSet} feature set, whose HostedCluster CRD does not admit the GCP platform; " +
                "reinstall HyperShift there with `hypershift install --tech-preview-no-upgrade` (as the GCP guide's setup-management-cluster.md does)",
                transient: false);
        }

        admitsGcp.TryAdd(managementCluster.AbsoluteUri, true);
    }

    private static V1JSONSchemaProps? Property(V1JSONSchemaProps? schema, string name) =>
        schema?.Properties is { } properties && properties.TryGetValue(name, out var property) ? property : null;

    /// <summary>
    /// The public half from the JWKS ConfigMap; the first time, a new key: the private half goes
    /// straight into a create-only Secret (a concurrent creator's key wins), the public half beside it.
    /// </summary>
    private async Task<ServiceAccountSigningKey> SigningKeyAsync(Kubernetes client, HostedClusterRef cluster, string issuerUrl, CancellationToken cancellationToken)
    {
        var configMap = await ReadOrNullAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync(cluster.SigningKeyJwksConfigMap, cluster.Namespace, cancellationToken: cancellationToken));
        if (configMap?.Data is { } data && data.TryGetValue("jwks.json", out var jwks) && jwks.Length > 0)
        {
            return SigningKeyMaterial.FromJwks(jwks, issuerUrl);
        }

        var (pem, generated) = SigningKeyMaterial.Generate(options.SigningKeyBits, issuerUrl);
        var key = await CreateOnceAsync(client, cluster.Namespace, cluster.SigningKeySecret,
            () => new Dictionary<string, byte[]> { ["key"] = Encoding.ASCII.GetBytes(pem) }, cancellationToken)
            ? generated
            // The key exists but its JWKS was lost (or a concurrent reconcile is writing it): read it back once.
            : SigningKeyMaterial.FromPrivateKeyPem(Encoding.ASCII.GetString(
                (await client.CoreV1.ReadNamespacedSecretAsync(cluster.SigningKeySecret, cluster.Namespace, cancellationToken: cancellationToken)).Data["key"]), issuerUrl);
        await ApplyAsync(client, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = cluster.SigningKeyJwksConfigMap, ["namespace"] = cluster.Namespace },
            ["data"] = new JsonObject { ["jwks.json"] = key.Jwks },
        }, cancellationToken);
        return key;
    }

    /// <summary>Creates a Secret unless it exists: keys are made once and never overwritten. True when this call created it.</summary>
    private static async Task<bool> CreateOnceAsync(Kubernetes client, string @namespace, string name, Func<Dictionary<string, byte[]>> data, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace },
                Type = "Opaque",
                Data = data(),
            }, @namespace, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>
    /// The pull secret, copied into the namespace where the HostedCluster's spec.pullSecret names it.
    /// Applied on every apply, so a rotated pull secret reaches every cluster at its next reconcile.
    /// </summary>
    private async Task<JsonObject> PullSecretAsync(string @namespace, CancellationToken cancellationToken)
    {
        var path = options.PullSecretPath is { Length: > 0 } configured
            ? configured
            : throw new ProviderException(
                $"{ProviderOptions.Section}:ManagementClusters:{nameof(ManagementClusterOptions.PullSecretPath)} is not set; HyperShift cannot pull the release without a pull secret.",
                transient: false);
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProviderException($"the pull secret at {path} cannot be read: {e.Message}", transient: false, e);
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = options.PullSecretName, ["namespace"] = @namespace },
            ["type"] = "kubernetes.io/dockerconfigjson",
            ["data"] = new JsonObject { [".dockerconfigjson"] = Convert.ToBase64String(content) },
        };
    }

    /// <summary>Server-side apply of one object, by kind: the body is JSON, which is valid YAML.</summary>
    private static async Task ApplyAsync(Kubernetes client, JsonObject desired, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(desired.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        var name = NameOf(desired);
        var @namespace = (string?)desired["metadata"]!["namespace"];
        switch ((string?)desired["kind"])
        {
            case "Namespace":
                await client.CoreV1.PatchNamespaceAsync(patch, name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
                break;
            case "Secret":
                await client.CoreV1.PatchNamespacedSecretAsync(patch, name, @namespace, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
                break;
            case "ConfigMap":
                await client.CoreV1.PatchNamespacedConfigMapAsync(patch, name, @namespace, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
                break;
            case var kind:
                await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, Group, ApiVersion, @namespace, kind == "HostedCluster" ? HostedClusters : NodePools, name,
                    fieldManager: FieldManager, fieldValidation: "Strict", force: true, cancellationToken: cancellationToken);
                break;
        }
    }

    private static async Task<JsonObject?> GetAsync(Kubernetes client, string @namespace, string plural, string name, CancellationToken cancellationToken) =>
        await ReadOrNullAsync(async () => ToJson(await client.CustomObjects.GetNamespacedCustomObjectAsync(Group, ApiVersion, @namespace, plural, name, cancellationToken)));

    private static async Task<List<JsonObject>> ListNodePoolsAsync(Kubernetes client, HostedClusterRef cluster, CancellationToken cancellationToken)
    {
        var list = await ReadOrNullAsync(async () => ToJson(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, ApiVersion, cluster.Namespace, NodePools,
            labelSelector: $"{ClusterLabel}={cluster.Name}", cancellationToken: cancellationToken)));
        return (list?["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
    }

    private static Task<V1Namespace?> ReadNamespaceAsync(Kubernetes client, string name, CancellationToken cancellationToken) =>
        ReadOrNullAsync(() => client.CoreV1.ReadNamespaceAsync(name, cancellationToken: cancellationToken));

    private static async Task<T?> ReadOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A second DELETE of an object already being deleted changes nothing; skip it.</summary>
    private static Task DeleteUnlessDeletingAsync(JsonObject resource, Func<Task<object>> delete) =>
        resource["metadata"]?["deletionTimestamp"] is null ? DeleteIfPresentAsync(delete) : Task.CompletedTask;

    private static async Task DeleteIfPresentAsync<T>(Func<Task<T>> delete)
    {
        try
        {
            await delete();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    private static async Task<HostedClusterStatus> StatusAsync(Kubernetes client, HostedClusterRef cluster, CancellationToken cancellationToken) =>
        Status(await GetAsync(client, cluster.Namespace, HostedClusters, cluster.Name, cancellationToken),
            await ListNodePoolsAsync(client, cluster, cancellationToken));

    private static string NameOf(JsonObject resource) => (string)resource["metadata"]!["name"]!;

    /// <summary>KubernetesClient returns custom objects as JsonElement.</summary>
    private static JsonObject ToJson(object body) => body switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText())!.AsObject(),
        JsonObject json => json,
        _ => JsonSerializer.SerializeToNode(body)!.AsObject(),
    };

    /// <summary>
    /// Kubernetes failures as provider failures. 422 (the CRD refused the object) and 403 are
    /// permanent: retrying the same request cannot succeed, and the server's message says why.
    /// </summary>
    private static async Task<T> CallAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
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
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // KubernetesClient's own request timeout, not the caller giving up.
            throw new ProviderException($"{what}: timed out", transient: true, e);
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
