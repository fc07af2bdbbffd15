extern alias controllers;

using System.Security.Cryptography;
using System.Text;
using ClusterPlatform.Tests.Kubernetes;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// The real provider, through KubernetesClient, against a fake management cluster that admits
/// HyperShift objects with HyperShift's own published CRDs (schema, defaults and CEL rules) and
/// keeps deleted objects until their finalizers clear. Every test ends with nothing refused.
/// </summary>
public sealed class HyperShiftManagementClusterProviderTests
{
    private const string PullSecretJson = """{"auths":{"quay.io":{"auth":"dGVzdDp0ZXN0"}}}""";
    private const string HostedClusters = "hostedclusters";
    private const string CapgImage = "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:7c3e1d2f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f";
    private const string NodePools = "nodepools";

    // One file for the class: its content never changes.
    private static readonly string PullSecretFile = WritePullSecret();

    private static string WritePullSecret()
    {
        var path = Path.Combine(Path.GetTempPath(), $"clusterplatform-pull-secret-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, PullSecretJson);
        return path;
    }

    private sealed class Harness(FakeKubeApiServer kube, LocalApiServer server, HyperShiftManagementClusterProvider provider) : IAsyncDisposable
    {
        public FakeKubeApiServer Kube => kube;

        public Uri Endpoint => server.BaseAddress;

        public HyperShiftManagementClusterProvider Provider => provider;

        /// <summary>The server's own request log ("METHOD /path?query -> status"), reads included.</summary>
        public IReadOnlyList<string> Log => server.Log;

        /// <summary>
        /// Nothing the provider sent was refused: every object passed the CRDs' admission. A 409
        /// AlreadyExists is the create-only key Secrets' way of finding the key made before.
        /// </summary>
        public void AssertNothingRefused()
        {
            var refused = kube.Refused.Where(r => r is not { Method: "POST", Reason: "AlreadyExists" }).ToList();
            Assert.True(refused.Count == 0, string.Join(Environment.NewLine, refused.Select(r => $"{r.Method} {r.Path} -> {r.Code} {r.Reason}: {r.Message}")));
        }

        /// <summary>What HyperShift does once it has looked at a HostedCluster: Available at the object's generation.</summary>
        public void HyperShiftReportsAvailable(HostedClusterRef cluster, string host = "api.alpha.acme.example.com")
        {
            var generation = (long)kube.Get(cluster.Namespace, HostedClusters, cluster.Name)!["metadata"]!["generation"]!;
            kube.SetStatus(cluster.Namespace, HostedClusters, cluster.Name, JsonNode.Parse("""
                {"conditions":[{"type":"Available","status":"True","reason":"AsExpected","message":"The hosted control plane is available",
                                "observedGeneration":GENERATION,"lastTransitionTime":"2026-12-01T10:00:00Z"}],
                 "controlPlaneEndpoint":{"host":"HOST","port":443},
                 "version":{"history":[{"state":"Completed","version":"4.22.3","image":"IMAGE","startedTime":"2026-12-01T09:50:00Z",
                                        "completionTime":"2026-12-01T10:00:00Z","verified":true}],
                            "desired":{"image":"IMAGE","version":"4.22.3"},"availableUpdates":null,"observedGeneration":GENERATION}}
                """.Replace("GENERATION", generation.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                   .Replace("HOST", host, StringComparison.Ordinal).Replace("IMAGE", HyperShiftInputs.ReleaseImage, StringComparison.Ordinal))!.AsObject());
        }

        public async ValueTask DisposeAsync()
        {
            provider.Dispose();
            await server.DisposeAsync();
        }
    }

    private static async Task<Harness> StartAsync(FeatureSet featureSet = FeatureSet.TechPreviewNoUpgrade, string? pullSecret = null)
    {
        var kube = new FakeKubeApiServer(featureSet);
        var server = await LocalApiServer.StartAsync(kube.Map);
        // A smaller key than production's 4096 bits keeps the tests quick; the shape is the same.
        var options = new ManagementClusterOptions
        {
            PullSecretPath = pullSecret ?? PullSecretFile,
            SigningKeyBits = 2048,
            CapiProviderGcpImages = { ["4.22.3"] = CapgImage },
        };
        return new Harness(kube, server, new HyperShiftManagementClusterProvider(options, _ => Task.FromResult("test-token")));
    }

    private static HostedClusterInput Alpha(params NodePoolInput[] pools) =>
        HyperShiftInputs.Cluster("alpha", pools.Length == 0 ? [HyperShiftInputs.Pool("workers")] : pools);

    [Fact]
    public async Task Apply_sends_what_the_GCP_guide_sends_and_the_TechPreview_CRDs_admit_all_of_it()
    {
        await using var h = await StartAsync();
        var cluster = Alpha(HyperShiftInputs.Pool("workers"), HyperShiftInputs.Pool("infra") with { Autoscaling = new(1, 5), Replicas = null });
        var ns = cluster.Ref.Namespace;

        await h.Provider.EnsureSigningKeyAsync(h.Endpoint, cluster.ClusterId, cluster.Ref, cluster.Infrastructure.IssuerUrl, Cancellation);
        var status = await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);

        h.AssertNothingRefused();
        Assert.True(status.Exists);
        Assert.False(status.Available);
        Assert.Equal(new Dictionary<string, string?> { ["clusterplatform.io/cluster-id"] = cluster.ClusterId.ToString(), ["clusterplatform.io/hosted-cluster"] = "alpha" },
            h.Kube.NamespaceLabels(ns));
        var hostedCluster = h.Kube.Get(ns, HostedClusters, "alpha")!;
        Assert.Equal("baseline", (string?)hostedCluster["metadata"]!["annotations"]!["hypershift.openshift.io/pod-security-admission-label-override"]);
        var spec = hostedCluster["spec"]!;
        Assert.Equal(HyperShiftInputs.ReleaseImage, (string?)spec["release"]!["image"]);
        Assert.Equal(cluster.ClusterId.ToString(), (string?)spec["clusterID"]);
        Assert.Equal("alpha-1a2b3", (string?)spec["infraID"]);
        Assert.Equal("https://hypershift-alpha-1a2b3-oidc", (string?)spec["issuerURL"]);
        Assert.Equal("alpha-sa-token-issuer-key", (string?)spec["serviceAccountSigningKey"]!["name"]);
        Assert.Equal("TechPreviewNoUpgrade", (string?)spec["configuration"]!["featureGate"]!["featureSet"]);
        Assert.Equal("alpha-etcd-encryption-key", (string?)spec["secretEncryption"]!["aescbc"]!["activeKey"]!["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"GCP","gcp":{"project":"acme-prod-123","region":"us-central1",
              "networkConfig":{"network":{"name":"alpha-1a2b3-network"},"privateServiceConnectSubnet":{"name":"alpha-1a2b3-subnet"}},
              "endpointAccess":"PublicAndPrivate",
              "workloadIdentity":{"projectNumber":"123456789012","poolID":"alpha-1a2b3-wi-pool","providerID":"alpha-1a2b3-k8s-provider",
                "serviceAccountsEmails":{"nodePool":"alpha-1a2b3-nodepool-mgmt@acme-prod-123.iam.gserviceaccount.com",
                  "controlPlane":"alpha-1a2b3-ctrlplane-op@acme-prod-123.iam.gserviceaccount.com",
                  "cloudController":"alpha-1a2b3-cloud-controller@acme-prod-123.iam.gserviceaccount.com",
                  "storage":"alpha-1a2b3-gcp-pd-csi@acme-prod-123.iam.gserviceaccount.com",
                  "imageRegistry":"alpha-1a2b3-image-registry@acme-prod-123.iam.gserviceaccount.com",
                  "network":"alpha-1a2b3-cloud-network@acme-prod-123.iam.gserviceaccount.com"}}}}
            """), spec["platform"]), spec["platform"]!.ToJsonString());
        Assert.Equal(CapgImage, (string?)hostedCluster["metadata"]!["annotations"]!["hypershift.openshift.io/capi-provider-gcp-image"]);
        // The guide's external-DNS publishing, sorted as hypershift sorts it: API and OAuth routes with the claimed names.
        Assert.Equal(["APIServer:Route:api.alpha.acme.example.com", "Ignition:Route:", "Konnectivity:Route:", "OAuthServer:Route:oauth.alpha.acme.example.com"],
            spec["services"]!.AsArray().Select(s => $"{s!["service"]}:{s["servicePublishingStrategy"]!["type"]}:{s["servicePublishingStrategy"]!["route"]?["hostname"]}"));
        // Defaults the CRD applies were applied, not sent: etcd is required by the schema and defaulted by it.
        Assert.Equal("Managed", (string?)spec["etcd"]!["managementType"]);

        var pullSecret = h.Kube.Secret(ns, "pull-secret")!;
        Assert.Equal("kubernetes.io/dockerconfigjson", (string?)pullSecret["type"]);
        Assert.Equal(PullSecretJson, Encoding.UTF8.GetString(Convert.FromBase64String((string)pullSecret["data"]![".dockerconfigjson"]!)));
        Assert.Equal(32, Convert.FromBase64String((string)h.Kube.Secret(ns, "alpha-etcd-encryption-key")!["data"]!["key"]!).Length);

        var workers = h.Kube.Get(ns, NodePools, "alpha-workers")!["spec"]!;
        Assert.Equal(("alpha", 3), ((string?)workers["clusterName"], (int)workers["replicas"]!));
        Assert.Equal(HyperShiftInputs.ReleaseImage, (string?)workers["release"]!["image"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"GCP","gcp":{"machineType":"n2-standard-4","zone":"us-central1-a","subnet":"alpha-1a2b3-subnet","bootDisk":{"diskSizeGB":128}}}
            """), RemoveDefaults(workers["platform"]!)), workers["platform"]!.ToJsonString());
        var infra = h.Kube.Get(ns, NodePools, "alpha-infra")!["spec"]!;
        Assert.Equal((1, 5, null), ((int)infra["autoScaling"]!["min"]!, (int)infra["autoScaling"]!["max"]!, infra["replicas"]));
        Assert.Equal(["infra", "workers"], status.NodePools.Select(p => p.Name));
    }

    [Fact]
    public async Task A_management_cluster_with_the_Default_feature_set_is_detected_reported_and_never_sent_an_object()
    {
        await using var h = await StartAsync(FeatureSet.Default);

        var failure = await Assert.ThrowsAsync<ProviderException>(() => h.Provider.ApplyAsync(h.Endpoint, Alpha(), Cancellation));

        Assert.False(failure.Transient);
        Assert.Contains("Default feature set", failure.Message, StringComparison.Ordinal);
        Assert.Contains("hypershift install --tech-preview-no-upgrade", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Kube.Requests, r => r.IsWrite || r.Method == "DELETE");
        Assert.Contains("GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/hostedclusters.hypershift.openshift.io -> 200", h.Log);
    }

    [Fact]
    public async Task The_objects_are_exactly_what_the_Default_CRDs_would_refuse_so_the_check_is_needed()
    {
        // Proof that the fake tells the feature sets apart with upstream's own schemas: the same
        // objects go to a TechPreview cluster fine, and the Default CRD refuses the GCP platform.
        // (The provider checked the CRD once and remembers it; the cluster is "reinstalled" under it.)
        await using var techPreview = await StartAsync();
        await techPreview.Provider.ApplyAsync(techPreview.Endpoint, Alpha(), Cancellation);
        techPreview.AssertNothingRefused();

        techPreview.Kube.FeatureSet = FeatureSet.Default;
        var refused = await Assert.ThrowsAsync<ProviderException>(() => techPreview.Provider.ApplyAsync(techPreview.Endpoint, Alpha(), Cancellation));
        Assert.False(refused.Transient);
        // Strict field validation: the Default schema has no platform.gcp at all.
        Assert.Contains(techPreview.Kube.Refused, r => r.Path.Contains("/hostedclusters/", StringComparison.Ordinal)
            && r.Message!.Contains(".spec.platform.gcp: field not declared in schema", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_release_that_needs_its_CAPG_image_named_is_refused_for_good_until_it_is_configured()
    {
        await using var h = await StartAsync();

        var failure = await Assert.ThrowsAsync<ProviderException>(() => h.Provider.ApplyAsync(h.Endpoint, Alpha() with { ReleaseVersion = "4.23.1" }, Cancellation));

        Assert.False(failure.Transient);
        Assert.Contains("CapiProviderGcpImages:4.23.1", failure.Message, StringComparison.Ordinal);
        Assert.Contains("oc adm release info <release image> --image-for=cluster-api-provider-gcp", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Kube.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task A_management_cluster_without_HyperShift_is_a_permanent_failure()
    {
        await using var h = await StartAsync();
        h.Kube.UninstallCrd(HostedClusters);

        var failure = await Assert.ThrowsAsync<ProviderException>(() => h.Provider.ApplyAsync(h.Endpoint, Alpha(), Cancellation));

        Assert.False(failure.Transient);
        Assert.Contains("HyperShift is not installed", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Kube.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task A_node_pool_switches_from_replicas_to_autoscaling_and_back_and_never_carries_both()
    {
        await using var h = await StartAsync();
        var ns = Alpha().Ref.Namespace;
        var fixedSize = HyperShiftInputs.Pool("workers", replicas: 3);
        var autoscaled = fixedSize with { Replicas = null, Autoscaling = new(2, 6) };

        await h.Provider.ApplyAsync(h.Endpoint, Alpha(fixedSize), Cancellation);
        await h.Provider.ApplyAsync(h.Endpoint, Alpha(autoscaled), Cancellation);
        var scaling = h.Kube.Get(ns, NodePools, "alpha-workers")!["spec"]!;
        await h.Provider.ApplyAsync(h.Endpoint, Alpha(fixedSize), Cancellation);
        var back = h.Kube.Get(ns, NodePools, "alpha-workers")!["spec"]!;

        h.AssertNothingRefused();
        Assert.Null(scaling["replicas"]);
        Assert.Equal((2, 6), ((int)scaling["autoScaling"]!["min"]!, (int)scaling["autoScaling"]!["max"]!));
        Assert.Null(back["autoScaling"]);
        Assert.Equal(3, (int)back["replicas"]!);
    }

    [Fact]
    public async Task Fields_another_manager_owns_survive_an_apply()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);
        h.Kube.SetFinalizers(cluster.Ref.Namespace, HostedClusters, "alpha", FakeKubeApiServer.HyperShiftFinalizer, "example.com/backup");

        await h.Provider.ApplyAsync(h.Endpoint, cluster with { ReleaseImage = HyperShiftInputs.ReleaseImage.Replace("1f5c", "2f5c", StringComparison.Ordinal) }, Cancellation);

        h.AssertNothingRefused();
        var stored = h.Kube.Get(cluster.Ref.Namespace, HostedClusters, "alpha")!;
        Assert.Contains("example.com/backup", stored["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        Assert.StartsWith("quay.io/openshift-release-dev/ocp-release@sha256:2f5c", (string?)stored["spec"]!["release"]!["image"], StringComparison.Ordinal);
        Assert.Equal(2L, (long)stored["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task Available_counts_only_at_the_hosted_clusters_current_generation()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);
        h.HyperShiftReportsAvailable(cluster.Ref);
        var available = await h.Provider.GetStatusAsync(h.Endpoint, cluster.Ref, Cancellation);

        // A spec change: HyperShift has not looked at generation 2 yet, so its Available is stale.
        var changed = await h.Provider.ApplyAsync(h.Endpoint, cluster with { ReleaseImage = HyperShiftInputs.ReleaseImage.Replace("1f5c", "3f5c", StringComparison.Ordinal) }, Cancellation);
        h.HyperShiftReportsAvailable(cluster.Ref);
        var caughtUp = await h.Provider.GetStatusAsync(h.Endpoint, cluster.Ref, Cancellation);

        Assert.True(available.Available);
        Assert.Equal(new ControlPlaneEndpoint("api.alpha.acme.example.com", 443), available.ControlPlaneEndpoint);
        Assert.Equal("https://api.alpha.acme.example.com", available.ApiUrl);
        Assert.Equal("https://console-openshift-console.apps.alpha.acme.example.com", available.ConsoleUrl);
        Assert.Equal(available.ConsoleUrl, available.AvailableConsoleUrl);
        Assert.Equal([new ReleaseHistoryEntry("4.22.3", HyperShiftInputs.ReleaseImage, "Completed", new DateTime(2026, 12, 1, 9, 50, 0, DateTimeKind.Utc), new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc))],
            available.Version!.History);
        Assert.Equal(2, changed.Generation);
        Assert.False(changed.Available);
        // The endpoint stays published; the console is named only while Available.
        Assert.Equal("https://api.alpha.acme.example.com", changed.ApiUrl);
        Assert.Null(changed.AvailableConsoleUrl);
        Assert.True(changed.Progressing);
        Assert.Equal("HostedCluster generation 2 not yet observed (Available is from generation 1)", changed.Message);
        Assert.True(caughtUp.Available);
        h.AssertNothingRefused();
    }

    [Fact]
    public async Task HyperShifts_own_conditions_decide_progressing_and_degraded_a_failing_rollout_included_with_its_message()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);
        h.Kube.SetStatus(cluster.Ref.Namespace, HostedClusters, "alpha", JsonNode.Parse("""
            {"conditions":[
              {"type":"Available","status":"False","reason":"WaitingForAvailable","message":"Waiting for hosted control plane to be healthy","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"},
              {"type":"Progressing","status":"True","reason":"AsExpected","message":"HostedCluster is deploying","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"},
              {"type":"ReconciliationSucceeded","status":"True","reason":"ReconciliatonSucceeded","message":"","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"}]}
            """)!.AsObject());
        var deploying = await h.Provider.GetStatusAsync(h.Endpoint, cluster.Ref, Cancellation);
        h.Kube.SetStatus(cluster.Ref.Namespace, HostedClusters, "alpha", JsonNode.Parse("""
            {"conditions":[
              {"type":"Available","status":"False","reason":"WaitingForAvailable","message":"Waiting","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"},
              {"type":"ValidReleaseImage","status":"False","reason":"InvalidImage","message":"failed to look up release image metadata: manifest unknown","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"}]}
            """)!.AsObject());
        var broken = await h.Provider.GetStatusAsync(h.Endpoint, cluster.Ref, Cancellation);
        // A failing version rollout while the control plane serves: HyperShift inverts the CVO's Failing=True
        // into ClusterVersionSucceeding=False (hostedcluster_controller.go), and its reason is the CVO's.
        h.Kube.SetStatus(cluster.Ref.Namespace, HostedClusters, "alpha", JsonNode.Parse("""
            {"conditions":[
              {"type":"Available","status":"True","reason":"AsExpected","message":"The hosted control plane is available","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"},
              {"type":"ClusterVersionSucceeding","status":"False","reason":"ClusterOperatorDegraded","message":"Cluster operator kube-apiserver is degraded","observedGeneration":1,"lastTransitionTime":"2026-12-02T10:30:00Z"}]}
            """)!.AsObject());
        var failing = await h.Provider.GetStatusAsync(h.Endpoint, cluster.Ref, Cancellation);

        Assert.Equal((false, true, false), (deploying.Available, deploying.Progressing, deploying.Degraded));
        Assert.Equal("WaitingForAvailable: Waiting for hosted control plane to be healthy", deploying.Message);
        Assert.Equal((false, false, true), (broken.Available, broken.Progressing, broken.Degraded));
        Assert.Equal("ValidReleaseImage: InvalidImage: failed to look up release image metadata: manifest unknown", broken.Message);
        Assert.Equal((true, false, true), (failing.Available, failing.Progressing, failing.Degraded));
        Assert.Equal(("ClusterVersionSucceeding", "ClusterOperatorDegraded"), (failing.Problem!.Type, failing.Problem.Reason));
        Assert.Equal("ClusterVersionSucceeding: ClusterOperatorDegraded: Cluster operator kube-apiserver is degraded", failing.Message);
    }

    [Fact]
    public async Task Node_pool_management_reaches_the_NodePool_as_HyperShift_reads_it_and_the_CRD_admits_it()
    {
        await using var h = await StartAsync();
        var replace = HyperShiftInputs.Pool("workers") with { Upgrade = new NodePoolUpgrade("Replace", "1", "25%") };
        var inPlace = HyperShiftInputs.Pool("infra") with { Upgrade = new NodePoolUpgrade("InPlace", null, "10%") };

        await h.Provider.ApplyAsync(h.Endpoint, Alpha(replace, inPlace), Cancellation);

        h.AssertNothingRefused();
        var ns = Alpha().Ref.Namespace;
        // IntOrString: "1" goes as the number 1, "25%" as a string (the CRD's x-kubernetes-int-or-string).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"upgradeType":"Replace","replace":{"strategy":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":"25%"}},"autoRepair":false}
            """), h.Kube.Get(ns, NodePools, "alpha-workers")!["spec"]!["management"]), h.Kube.Get(ns, NodePools, "alpha-workers")!["spec"]!["management"]!.ToJsonString());
        // InPlace has no replace settings of its own; the CRD defaults replace, as a real API server would.
        var inPlaceManagement = h.Kube.Get(ns, NodePools, "alpha-infra")!["spec"]!["management"]!;
        Assert.Equal(("InPlace", "10%"), (inPlaceManagement["upgradeType"].Text(), inPlaceManagement["inPlace"]!["maxUnavailable"].Text()));
    }

    [Fact]
    public async Task A_pools_upgrade_type_cannot_change_the_CRD_refuses_it_for_good()
    {
        await using var h = await StartAsync();
        var pool = HyperShiftInputs.Pool("workers") with { Upgrade = new NodePoolUpgrade("Replace", "1", "0") };
        await h.Provider.ApplyAsync(h.Endpoint, Alpha(pool), Cancellation);

        var refused = await Assert.ThrowsAsync<ProviderException>(() =>
            h.Provider.ApplyAsync(h.Endpoint, Alpha(pool with { Upgrade = new NodePoolUpgrade("InPlace", null, "1") }), Cancellation));

        Assert.False(refused.Transient);
        Assert.Contains("UpgradeType is immutable", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_whole_version_history_and_each_node_pools_version_are_read_as_HyperShift_writes_them()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);
        const string next = "quay.io/openshift-release-dev/ocp-release@sha256:2222222222222222222222222222222222222222222222222222222222222222";
        // An upgrade under way, as HyperShift writes it: the new entry first, Partial, its version not read
        // yet; the one before Completed, its completion time set when the next started (the CRD's words).
        h.Kube.SetStatus(cluster.Ref.Namespace, HostedClusters, "alpha", JsonNode.Parse($$$"""
            {"conditions":[
              {"type":"Available","status":"True","reason":"AsExpected","message":"The hosted control plane is available","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"},
              {"type":"ClusterVersionProgressing","status":"True","reason":"FromClusterVersion","message":"Working towards 4.22.4: 106 of 829 done (12% complete)","observedGeneration":1,"lastTransitionTime":"2026-12-02T10:00:00Z"}],
             "version":{"desired":{"image":"{{{next}}}","version":""},"availableUpdates":null,"observedGeneration":1,
               "history":[
                 {"state":"Partial","image":"{{{next}}}","version":"","startedTime":"2026-12-02T10:00:00Z","completionTime":null,"verified":false},
                 {"state":"Completed","image":"{{{HyperShiftInputs.ReleaseImage}}}","version":"4.22.3","startedTime":"2026-12-01T09:50:00Z","completionTime":"2026-12-02T10:00:00Z","verified":true}]}}
            """)!.AsObject());
        h.Kube.SetStatus(cluster.Ref.Namespace, NodePools, "alpha-workers", JsonNode.Parse("""
            {"replicas":3,"version":"4.22.3","conditions":[{"type":"Ready","status":"True","reason":"AsExpected","message":"","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"}]}
            """)!.AsObject());

        var status = await h.Provider.GetStatusAsync(h.Endpoint, cluster.Ref, Cancellation);

        Assert.Equal(new ReleaseVersionStatus(next, "", status.Version!.History), status.Version);
        Assert.Equal(
            [
                new ReleaseHistoryEntry("", next, "Partial", new DateTime(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc), null),
                new ReleaseHistoryEntry("4.22.3", HyperShiftInputs.ReleaseImage, "Completed", new DateTime(2026, 12, 1, 9, 50, 0, DateTimeKind.Utc), new DateTime(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc)),
            ],
            status.Version.History);
        Assert.Equal((true, true, false), (status.Available, status.Progressing, status.Degraded));
        Assert.Equal("Working towards 4.22.4: 106 of 829 done (12% complete)", status.RolloutMessage);
        Assert.Equal("4.22.3", Assert.Single(status.NodePools).Version);
    }

    [Fact]
    public async Task A_status_HyperShift_could_not_write_is_refused_by_the_fake_as_the_CRD_refuses_it()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);

        // startedTime, image, state, verified and completionTime are required in a history entry.
        var refused = Assert.Throws<ArgumentException>(() => h.Kube.SetStatus(cluster.Ref.Namespace, HostedClusters, "alpha", JsonNode.Parse("""
            {"version":{"desired":{"image":"x","version":"4.22.3"},"availableUpdates":null,"observedGeneration":1,"history":[{"state":"Completed","version":"4.22.3"}]}}
            """)!.AsObject()));

        Assert.Contains("status.version.history[0].startedTime: Required value", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_pool_is_ready_only_at_its_own_generation()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);
        var ready = JsonNode.Parse("""{"replicas":3,"conditions":[{"type":"Ready","status":"True","reason":"AsExpected","message":"","observedGeneration":1,"lastTransitionTime":"2026-12-01T10:00:00Z"}]}""")!.AsObject();
        h.Kube.SetStatus(cluster.Ref.Namespace, NodePools, "alpha-workers", ready);
        var before = Assert.Single((await h.Provider.GetStatusAsync(h.Endpoint, cluster.Ref, Cancellation)).NodePools);

        var scaled = await h.Provider.ApplyAsync(h.Endpoint, Alpha(HyperShiftInputs.Pool("workers", replicas: 5)), Cancellation);

        Assert.Equal(("workers", 3, true), (before.Name, before.Replicas, before.Ready));
        var after = Assert.Single(scaled.NodePools);
        Assert.Equal((2L, false), (after.Generation, after.Ready));
        h.AssertNothingRefused();
    }

    [Fact]
    public async Task A_node_pool_removed_from_the_input_is_deleted()
    {
        await using var h = await StartAsync();
        await h.Provider.ApplyAsync(h.Endpoint, Alpha(HyperShiftInputs.Pool("workers"), HyperShiftInputs.Pool("infra")), Cancellation);

        var status = await h.Provider.ApplyAsync(h.Endpoint, Alpha(HyperShiftInputs.Pool("workers")), Cancellation);

        Assert.Equal(["workers"], status.NodePools.Select(p => p.Name));
        Assert.Null(h.Kube.Get(Alpha().Ref.Namespace, NodePools, "alpha-infra"));
        h.AssertNothingRefused();
    }

    [Fact]
    public async Task Delete_waits_reconcile_after_reconcile_for_slow_finalizers_and_leaves_nothing_behind()
    {
        await using var h = await StartAsync();
        var cluster = Alpha(HyperShiftInputs.Pool("workers"), HyperShiftInputs.Pool("infra"));
        await h.Provider.EnsureSigningKeyAsync(h.Endpoint, cluster.ClusterId, cluster.Ref, cluster.Infrastructure.IssuerUrl, Cancellation);
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);
        h.Kube.FinalizerReconciles = 4;

        var progress = new List<DeletionProgress>();
        do
        {
            progress.Add(await h.Provider.DeleteAsync(h.Endpoint, cluster.Ref, Cancellation));
            Assert.True(progress.Count < 20, "deletion never finished");
        }
        while (!progress[^1].Gone);

        Assert.True(progress.Count > 2, $"deleted in {progress.Count} reconciles; the finalizers should have held it");
        Assert.Contains(progress, p => p.Remaining.Contains("HostedCluster alpha"));
        Assert.Contains(progress, p => p.Remaining.Any(r => r.StartsWith("namespace ", StringComparison.Ordinal)));
        Assert.Empty(h.Kube.Objects);
        Assert.True((await h.Provider.DeleteAsync(h.Endpoint, cluster.Ref, Cancellation)).Gone);
        Assert.False((await h.Provider.GetStatusAsync(h.Endpoint, cluster.Ref, Cancellation)).Exists);
        h.AssertNothingRefused();
    }

    [Fact]
    public async Task Delete_removes_the_namespace_when_the_hosted_cluster_is_already_gone_or_was_never_applied()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        // Environment validation made the key; the HostedCluster was never applied.
        await h.Provider.EnsureSigningKeyAsync(h.Endpoint, cluster.ClusterId, cluster.Ref, cluster.Infrastructure.IssuerUrl, Cancellation);

        for (var reconcile = 1; !(await h.Provider.DeleteAsync(h.Endpoint, cluster.Ref, Cancellation)).Gone; reconcile++)
        {
            Assert.True(reconcile < 20, "deletion never finished");
        }

        Assert.Empty(h.Kube.Objects);
    }

    [Fact]
    public async Task Delete_waits_for_the_namespaces_other_finalizers()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);
        h.Kube.SetFinalizers(null, "namespaces", cluster.Ref.Namespace, "example.com/audit");

        for (var i = 0; i < 5; i++)
        {
            Assert.False((await h.Provider.DeleteAsync(h.Endpoint, cluster.Ref, Cancellation)).Gone);
        }

        Assert.Equal([cluster.Ref.Namespace], h.Kube.Namespaces);
        h.Kube.SetFinalizers(null, "namespaces", cluster.Ref.Namespace);
        Assert.True((await h.Provider.DeleteAsync(h.Endpoint, cluster.Ref, Cancellation)).Gone);
        Assert.Empty(h.Kube.Objects);
    }

    [Fact]
    public async Task The_signing_key_is_made_once_and_its_private_half_stays_on_the_management_cluster()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        var issuer = cluster.Infrastructure.IssuerUrl;

        var first = await h.Provider.EnsureSigningKeyAsync(h.Endpoint, cluster.ClusterId, cluster.Ref, issuer, Cancellation);
        var requestsAfterFirst = h.Kube.Requests.Count;
        var second = await h.Provider.EnsureSigningKeyAsync(h.Endpoint, cluster.ClusterId, cluster.Ref, issuer, Cancellation);

        Assert.Equal(first, second);
        // The second call reads the public JWKS only: it neither makes a key nor reads the private one back.
        Assert.DoesNotContain(h.Kube.Requests.Skip(requestsAfterFirst), r => r.Path.Contains("/secrets", StringComparison.Ordinal));
        Assert.Contains(h.Kube.Requests.Skip(requestsAfterFirst), r => r.Path.Contains("/configmaps/", StringComparison.Ordinal));
        var pem = Encoding.ASCII.GetString(Convert.FromBase64String((string)h.Kube.Secret(cluster.Ref.Namespace, "alpha-sa-token-issuer-key")!["data"]!["key"]!));
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", pem, StringComparison.Ordinal); // PKCS#1, as openssl genrsa -traditional
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        var kid = Convert.ToBase64String(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(kid, first.KeyId);
        var jwk = JsonNode.Parse(first.Jwks)!["keys"]!.AsArray().Single()!;
        Assert.Equal(("RSA", "RS256", "sig", kid), ((string?)jwk["kty"], (string?)jwk["alg"], (string?)jwk["use"], (string?)jwk["kid"]));
        Assert.Null(jwk["d"]);
        Assert.Equal(first.Jwks, (string?)h.Kube.ConfigMap(cluster.Ref.Namespace, "alpha-sa-token-issuer-jwks")!["data"]!["jwks.json"]);
        Assert.Equal(issuer, first.IssuerUrl);
        h.AssertNothingRefused();
    }

    [Fact]
    public async Task A_lost_jwks_is_rebuilt_from_the_existing_key_never_replaced()
    {
        await using var h = await StartAsync();
        var cluster = Alpha();
        var first = await h.Provider.EnsureSigningKeyAsync(h.Endpoint, cluster.ClusterId, cluster.Ref, cluster.Infrastructure.IssuerUrl, Cancellation);
        var secretBefore = h.Kube.Secret(cluster.Ref.Namespace, "alpha-sa-token-issuer-key")!["data"]!.ToJsonString();
        using (var http = new HttpClient())
        {
            (await http.DeleteAsync(new Uri(h.Endpoint, $"api/v1/namespaces/{cluster.Ref.Namespace}/configmaps/alpha-sa-token-issuer-jwks"), Cancellation)).EnsureSuccessStatusCode();
        }

        var again = await h.Provider.EnsureSigningKeyAsync(h.Endpoint, cluster.ClusterId, cluster.Ref, cluster.Infrastructure.IssuerUrl, Cancellation);

        Assert.Equal(first.KeyId, again.KeyId);
        Assert.Equal(secretBefore, h.Kube.Secret(cluster.Ref.Namespace, "alpha-sa-token-issuer-key")!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task The_simulated_provider_stores_exactly_the_objects_the_real_provider_applies()
    {
        await using var h = await StartAsync();
        var cluster = Alpha(HyperShiftInputs.Pool("workers"), HyperShiftInputs.Pool("infra") with { Autoscaling = new(1, 5), Replicas = null });
        await h.Provider.ApplyAsync(h.Endpoint, cluster, Cancellation);
        var simulation = SimulatedProviderTests.Simulation();
        await simulation.ApplyAsync(h.Endpoint, cluster, Cancellation);

        h.AssertNothingRefused();
        foreach (var (kind, plural) in new[] { ("HostedCluster", HostedClusters), ("NodePool", NodePools) })
        {
            var sent = h.Kube.Admitted.Where(r => r.Path.Contains($"/{plural}/", StringComparison.Ordinal)).Select(r => r.Body!).ToList();
            var simulated = simulation.Objects.Where(o => o.Key.Kind == kind).Select(o => o.Value).ToList();
            Assert.Equal(sent.Count, simulated.Count);
            foreach (var stored in simulated)
            {
                var body = sent.Single(s => (string?)s["metadata"]!["name"] == (string?)stored["metadata"]!["name"]);
                Assert.True(JsonNode.DeepEquals(body["spec"], stored["spec"]), $"{kind}: sent {body["spec"]!.ToJsonString()}, simulated {stored["spec"]!.ToJsonString()}");
                Assert.True(JsonNode.DeepEquals(body["metadata"]!["labels"], stored["metadata"]!["labels"]));
            }
        }
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
        using var provider = new HyperShiftManagementClusterProvider(new ManagementClusterOptions { CapiProviderGcpImages = { ["4.22.3"] = CapgImage } }, _ => Task.FromResult("test-token"));

        var failure = await Assert.ThrowsAsync<ProviderException>(() => provider.ApplyAsync(server.BaseAddress, Alpha(), Cancellation));

        Assert.False(failure.Transient);
        Assert.Contains("PullSecretPath", failure.Message, StringComparison.Ordinal);
        Assert.Null(kube.Get(Alpha().Ref.Namespace, HostedClusters, "alpha"));
    }

    /// <summary>The NodePool CRD defaults some GCP fields (e.g. the boot disk type); compare only what was sent.</summary>
    private static JsonNode RemoveDefaults(JsonNode platform)
    {
        var copy = platform.DeepClone();
        var gcp = copy["gcp"]!.AsObject();
        foreach (var key in gcp.Select(p => p.Key).Except(["machineType", "zone", "subnet", "bootDisk"]).ToList())
        {
            gcp.Remove(key);
        }

        var disk = gcp["bootDisk"]!.AsObject();
        foreach (var key in disk.Select(p => p.Key).Except(["diskSizeGB"]).ToList())
        {
            disk.Remove(key);
        }

        return copy;
    }
}
