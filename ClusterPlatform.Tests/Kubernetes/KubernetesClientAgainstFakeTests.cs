using ClusterPlatform.Tests.Providers;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>
/// KubernetesClient 21.0.8, the provider's client, against the fake: its server-side apply requests
/// (apply-patch+yaml with a JSON body, fieldManager, force, fieldValidation) are read as the server reads them.
/// </summary>
public sealed class KubernetesClientAgainstFakeTests
{
    private const string Group = "hypershift.openshift.io";
    private const string Version = "v1beta1";

    [Fact]
    public async Task Server_side_apply_through_KubernetesClient_creates_and_refuses_like_the_api_server()
    {
        var kube = new FakeKubeApiServer();
        await using var server = await LocalApiServer.StartAsync(kube.Map);
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        var ns = new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = "clusters", Labels = new Dictionary<string, string> { ["team"] = "a" } } };
        var secret = new V1Secret { ApiVersion = "v1", Kind = "Secret", Metadata = new V1ObjectMeta { Name = "example-pull-secret" }, StringData = new Dictionary<string, string> { [".dockerconfigjson"] = "{\"auths\":{}}" } };
        var invalidPool = HyperShiftSamples.GcpNodePool();
        invalidPool["spec"]!["autoScaling"] = new JsonObject { ["min"] = 1, ["max"] = 2 };

        await client.CoreV1.PatchNamespaceAsync(new V1Patch(ns, V1Patch.PatchType.ApplyPatch), "clusters", fieldManager: "cluster-platform", force: true, cancellationToken: Cancellation);
        await client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(secret, V1Patch.PatchType.ApplyPatch), "example-pull-secret", "clusters", fieldManager: "cluster-platform", force: true, cancellationToken: Cancellation);
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(HyperShiftSamples.GcpHostedCluster(), V1Patch.PatchType.ApplyPatch),
            Group, Version, "clusters", "hostedclusters", "example", fieldManager: "cluster-platform", fieldValidation: "Strict", force: true, cancellationToken: Cancellation);
        var refusal = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(invalidPool, V1Patch.PatchType.ApplyPatch),
            Group, Version, "clusters", "nodepools", "example-workers", fieldManager: "cluster-platform", fieldValidation: "Strict", force: true, cancellationToken: Cancellation));

        Assert.Equal(new Dictionary<string, string?> { ["team"] = "a" }, kube.NamespaceLabels("clusters"));
        Assert.Equal(Convert.ToBase64String("{\"auths\":{}}"u8.ToArray()), (string?)kube.Secret("clusters", "example-pull-secret")!["data"]![".dockerconfigjson"]);
        Assert.Equal(1, (long)kube.Get("clusters", "hostedclusters", "example")!["metadata"]!["generation"]!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refusal.Response.StatusCode);
        Assert.Contains("Both replicas or autoScaling should not be set", refusal.Response.Content, StringComparison.Ordinal);
        Assert.Equal(3, kube.Admitted.Count);
        Assert.Equal("Invalid", Assert.Single(kube.Refused).Reason);
    }
}
