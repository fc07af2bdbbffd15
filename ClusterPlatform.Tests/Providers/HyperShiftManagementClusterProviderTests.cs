extern alias controllers;

using ClusterPlatform.Tests.Infrastructure;
using System.Text.Json.Nodes;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>The real provider, through KubernetesClient, against a local server playing the Kubernetes API.</summary>
public sealed class HyperShiftManagementClusterProviderTests
{
    private const string PullSecretJson = """{"auths":{"quay.io":{"auth":"dGVzdDp0ZXN0"}}}""";

    // One file for the class: its content never changes.
    private static readonly string PullSecretFile = WritePullSecret();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static string WritePullSecret()
    {
        var path = Path.Combine(Path.GetTempPath(), $"clusterplatform-pull-secret-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, PullSecretJson);
        return path;
    }

    private static async Task<(FakeKubeApiServer Kube, LocalApiServer Server, HyperShiftManagementClusterProvider Provider)> StartAsync()
    {
        var kube = new FakeKubeApiServer();
        var server = await LocalApiServer.StartAsync(kube.Map);
        return (kube, server, new HyperShiftManagementClusterProvider(new ManagementClusterOptions { PullSecretPath = PullSecretFile }, _ => Task.FromResult("test-token")));
    }

    [Fact]
    public async Task Apply_creates_the_namespace_the_hosted_cluster_and_one_node_pool_per_pool_with_mapped_spec()
    {
        var (kube, server, provider) = await StartAsync();
        await using var _ = server;
        using var __ = provider;
        var cluster = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"), HyperShiftInputs.Pool("infra", replicas: 2) with { Autoscaling = new(1, 5), Replicas = null });

        var status = await provider.ApplyAsync(server.BaseAddress, cluster, Cancellation);

        Assert.True(status.Exists);
        Assert.False(status.Available);
        Assert.Equal(["clusters-alpha"], kube.Namespaces);
        Assert.Equal(new Dictionary<string, string?> { ["clusterplatform.io/cluster-id"] = cluster.ClusterId.ToString(), ["clusterplatform.io/hosted-cluster"] = "alpha" },
            kube.NamespaceLabels("clusters-alpha"));
        var spec = kube.Get("clusters-alpha", "hostedclusters", "alpha")!["spec"]!;
        Assert.Equal("quay.io/openshift-release-dev/ocp-release:4.17.3-multi", (string?)spec["release"]!["image"]);
        Assert.Equal("acme.example.com", (string?)spec["dns"]!["baseDomain"]);
        Assert.Equal("10.128.0.0/14", (string?)spec["networking"]!["clusterNetwork"]![0]!["cidr"]);
        Assert.Equal("172.30.0.0/16", (string?)spec["networking"]!["serviceNetwork"]![0]!["cidr"]);
        Assert.Equal("10.0.0.0/16", (string?)spec["networking"]!["machineNetwork"]![0]!["cidr"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"GCP","gcp":{"project":"acme-prod-123","region":"us-central1",
              "networkConfig":{"network":{"name":"default"},"privateServiceConnectSubnet":{"name":"default-psc"}},
              "endpointAccess":"PublicAndPrivate",
              "workloadIdentity":{"projectNumber":"123456789012","poolID":"hypershift-pool","providerID":"hypershift-oidc",
                "serviceAccountsEmails":{"nodePool":"hypershift-nodepool@acme-prod-123.iam.gserviceaccount.com",
                  "controlPlane":"hypershift-control-plane@acme-prod-123.iam.gserviceaccount.com",
                  "cloudController":"hypershift-cloud-controller@acme-prod-123.iam.gserviceaccount.com",
                  "storage":"hypershift-storage@acme-prod-123.iam.gserviceaccount.com"}}}}
            """), spec["platform"]), spec["platform"]!.ToJsonString());
        Assert.Equal("pull-secret", (string?)spec["pullSecret"]!["name"]);
        var pullSecret = kube.Secret("clusters-alpha", "pull-secret")!;
        Assert.Equal("kubernetes.io/dockerconfigjson", (string?)pullSecret["type"]);
        Assert.Equal(PullSecretJson, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)pullSecret["data"]![".dockerconfigjson"]!)));
        var workers = kube.Get("clusters-alpha", "nodepools", "alpha-workers")!["spec"]!;
        Assert.Equal(("alpha", 3), ((string?)workers["clusterName"], (int)workers["replicas"]!));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"GCP","gcp":{"machineType":"n2-standard-4","zone":"us-central1-a","subnet":"default-nodes","bootDisk":{"diskSizeGB":128}}}
            """), workers["platform"]), workers["platform"]!.ToJsonString());
        var infra = kube.Get("clusters-alpha", "nodepools", "alpha-infra")!["spec"]!;
        Assert.Equal((1, 5, null), ((int)infra["autoScaling"]!["min"]!, (int)infra["autoScaling"]!["max"]!, infra["replicas"]));
        Assert.Equal(["infra", "workers"], status.NodePools.Select(p => p.Name));
    }

    [Fact]
    public async Task An_update_that_hits_a_resource_version_conflict_rereads_and_succeeds_keeping_fields_it_does_not_own()
    {
        var (kube, server, provider) = await StartAsync();
        await using var _ = server;
        using var __ = provider;
        var cluster = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"));
        await provider.ApplyAsync(server.BaseAddress, cluster, Cancellation);
        kube.SetStatus("clusters-alpha", "hostedclusters", "alpha", new JsonObject());
        var defaulted = kube.Get("clusters-alpha", "hostedclusters", "alpha")!;

        kube.ConcurrentWriteBeforeNextReplace = true;
        await provider.ApplyAsync(server.BaseAddress, cluster with { ReleaseImage = HyperShiftInputs.ReleaseImage.Replace("1f5c", "2f5c", StringComparison.Ordinal) }, Cancellation);

        Assert.Contains("PUT /apis/hypershift.openshift.io/v1beta1/namespaces/clusters-alpha/hostedclusters/alpha -> 409", server.Log);
        Assert.Contains("PUT /apis/hypershift.openshift.io/v1beta1/namespaces/clusters-alpha/hostedclusters/alpha -> 200", server.Log);
        var stored = kube.Get("clusters-alpha", "hostedclusters", "alpha")!;
        Assert.Equal("quay.io/openshift-release-dev/ocp-release:4.17.5-multi", (string?)stored["spec"]!["release"]!["image"]);
        Assert.NotEqual((string?)defaulted["metadata"]!["resourceVersion"], (string?)stored["metadata"]!["resourceVersion"]);
        Assert.Equal("quay.io/openshift-release-dev/ocp-release:4.17.5-multi", (string?)kube.Get("clusters-alpha", "nodepools", "alpha-workers")!["spec"]!["release"]!["image"]);
    }

    [Fact]
    public async Task Status_is_read_from_the_hosted_cluster_and_node_pool_conditions()
    {
        var (kube, server, provider) = await StartAsync();
        await using var _ = server;
        using var __ = provider;
        var cluster = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"));
        await provider.ApplyAsync(server.BaseAddress, cluster, Cancellation);
        kube.SetStatus("clusters-alpha", "hostedclusters", "alpha", JsonNode.Parse("""
            {"conditions":[{"type":"Available","status":"True","reason":"AsExpected","message":"The hosted control plane is available"},
                           {"type":"Degraded","status":"False","reason":"AsExpected","message":""}]}
            """)!.AsObject());
        kube.SetStatus("clusters-alpha", "nodepools", "alpha-workers", JsonNode.Parse("""
            {"replicas":3,"conditions":[{"type":"Ready","status":"True","reason":"AsExpected","message":""}]}
            """)!.AsObject());

        var status = await provider.GetStatusAsync(server.BaseAddress, cluster.Ref, Cancellation);

        Assert.True(status.Available);
        Assert.Equal("AsExpected: The hosted control plane is available", status.Message);
        var pool = Assert.Single(status.NodePools);
        Assert.Equal(("workers", 3, true), (pool.Name, pool.Replicas, pool.Ready));
    }

    [Fact]
    public async Task A_node_pool_removed_from_the_input_is_deleted()
    {
        var (kube, server, provider) = await StartAsync();
        await using var _ = server;
        using var __ = provider;
        var cluster = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"), HyperShiftInputs.Pool("infra"));
        await provider.ApplyAsync(server.BaseAddress, cluster, Cancellation);

        var status = await provider.ApplyAsync(server.BaseAddress, cluster with { NodePools = [HyperShiftInputs.Pool("workers")] }, Cancellation);

        Assert.Equal(["workers"], status.NodePools.Select(p => p.Name));
        Assert.Null(kube.Get("clusters-alpha", "nodepools", "alpha-infra"));
    }

    [Fact]
    public async Task Delete_reports_not_gone_while_finalizers_hold_then_gone_after_404_and_removes_the_namespace()
    {
        var (kube, server, provider) = await StartAsync();
        await using var _ = server;
        using var __ = provider;
        var cluster = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"));
        await provider.ApplyAsync(server.BaseAddress, cluster, Cancellation);
        kube.ReadsUntilDeleted = 1;

        Assert.False((await provider.DeleteAsync(server.BaseAddress, cluster.Ref, Cancellation)).Gone);
        Assert.True((await provider.DeleteAsync(server.BaseAddress, cluster.Ref, Cancellation)).Gone);

        Assert.Contains("GET /apis/hypershift.openshift.io/v1beta1/namespaces/clusters-alpha/hostedclusters/alpha -> 404", server.Log);
        Assert.Empty(kube.Namespaces);
        Assert.False((await provider.GetStatusAsync(server.BaseAddress, cluster.Ref, Cancellation)).Exists);
        Assert.True((await provider.DeleteAsync(server.BaseAddress, cluster.Ref, Cancellation)).Gone);
    }

    [Fact]
    public async Task An_unreachable_management_cluster_is_a_transient_failure()
    {
        using var provider = new HyperShiftManagementClusterProvider(new ManagementClusterOptions(), _ => Task.FromResult("test-token"));

        var failure = await Assert.ThrowsAsync<ProviderException>(() =>
            provider.GetStatusAsync(new Uri("http://127.0.0.1:1/"), new HostedClusterRef("ns", "alpha"), Cancellation));

        Assert.True(failure.Transient);
    }

    [Fact]
    public async Task Without_a_configured_pull_secret_apply_fails_permanently_and_creates_no_hosted_cluster()
    {
        var kube = new FakeKubeApiServer();
        await using var server = await LocalApiServer.StartAsync(kube.Map);
        using var provider = new HyperShiftManagementClusterProvider(new ManagementClusterOptions(), _ => Task.FromResult("test-token"));

        var failure = await Assert.ThrowsAsync<ProviderException>(() =>
            provider.ApplyAsync(server.BaseAddress, HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers")), Cancellation));

        Assert.False(failure.Transient);
        Assert.Contains("PullSecretPath", failure.Message, StringComparison.Ordinal);
        Assert.Null(kube.Get("clusters-alpha", "hostedclusters", "alpha"));
    }
}
