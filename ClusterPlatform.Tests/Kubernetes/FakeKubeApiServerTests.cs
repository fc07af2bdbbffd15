using System.Text;
using ClusterPlatform.Tests.Providers;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>The fake management cluster over HTTP, on the paths and content types KubernetesClient uses.</summary>
public sealed class FakeKubeApiServerTests
{
    private const string HostedClusters = "apis/hypershift.openshift.io/v1beta1/namespaces/clusters/hostedclusters";
    private const string NodePools = "apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools";
    private const string Apply = "?fieldManager=cluster-platform&force=true&fieldValidation=Strict";

    private sealed class Cluster(FakeKubeApiServer kube, LocalApiServer server, HttpClient http) : IAsyncDisposable
    {
        public FakeKubeApiServer Kube => kube;

        public async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body = null, string contentType = "application/json")
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, contentType);
            }

            using var response = await http.SendAsync(request, Cancellation);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!.AsObject();
            return response.StatusCode == HttpStatusCode.InternalServerError
                ? throw new InvalidOperationException((string?)answer["message"]) // a gap or bug of the fake: loud
                : (response.StatusCode, answer);
        }

        public Task<(HttpStatusCode Code, JsonObject Body)> ApplyAsync(string path, JsonObject body, string query = Apply) =>
            SendAsync(HttpMethod.Patch, path + query, body, "application/apply-patch+yaml");

        public async Task<HttpStatusCode> CodeAsync(HttpMethod method, string path) => (await SendAsync(method, path)).Code;

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await server.DisposeAsync();
        }
    }

    private static async Task<Cluster> StartAsync(FeatureSet featureSet = FeatureSet.TechPreviewNoUpgrade)
    {
        var kube = new FakeKubeApiServer(featureSet);
        var server = await LocalApiServer.StartAsync(kube.Map);
        var cluster = new Cluster(kube, server, new HttpClient { BaseAddress = server.BaseAddress });
        var (code, _) = await cluster.ApplyAsync("api/v1/namespaces/clusters", Namespace("clusters"), "?fieldManager=cluster-platform&force=true");
        Assert.Equal(HttpStatusCode.Created, code);
        return cluster;
    }

    private static JsonObject Namespace(string name) => new() { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };

    /// <summary>Reads until <paramref name="done"/> holds, each read being one of HyperShift's reconciles; bounded, never sleeping.</summary>
    private static async Task<int> ReadUntilAsync(Cluster cluster, string path, Func<HttpStatusCode, bool> done)
    {
        for (var reads = 1; reads <= 20; reads++)
        {
            if (done(await cluster.CodeAsync(HttpMethod.Get, path)))
            {
                return reads;
            }
        }

        throw new InvalidOperationException($"{path} never reached the expected state");
    }

    [Fact]
    public async Task Server_side_apply_creates_a_gcp_hosted_cluster_with_defaults_generation_and_hypershift_finalizer()
    {
        await using var cluster = await StartAsync();

        var (code, created) = await cluster.ApplyAsync($"{HostedClusters}/example", HyperShiftSamples.GcpHostedCluster());

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal(1, (long)created["metadata"]!["generation"]!);
        Assert.Equal([FakeKubeApiServer.HyperShiftFinalizer], created["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        Assert.Equal("https://kubernetes.default.svc", (string?)created["spec"]!["issuerURL"]);
        Assert.Contains(created["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "cluster-platform" && (string?)m["operation"] == "Apply");
        Assert.Empty(cluster.Kube.Refused);
        Assert.Single(cluster.Kube.Admitted, r => r.Path.StartsWith("/" + HostedClusters, StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_manager_switching_a_node_pool_from_replicas_to_autoScaling_by_apply_leaves_no_replicas()
    {
        await using var cluster = await StartAsync();
        var pool = HyperShiftSamples.GcpNodePool();
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync($"{NodePools}/example-workers", pool)).Code);
        var autoscaled = pool.DeepClone().AsObject();
        autoscaled["spec"]!.AsObject().Remove("replicas");
        autoscaled["spec"]!["autoScaling"] = new JsonObject { ["min"] = 1, ["max"] = 3 };

        var (code, body) = await cluster.ApplyAsync($"{NodePools}/example-workers", autoscaled);

        Assert.Equal(HttpStatusCode.OK, code);
        var stored = cluster.Kube.Get("clusters", "nodepools", "example-workers")!;
        Assert.Null(stored["spec"]!["replicas"]);
        Assert.Equal(3, (long)stored["spec"]!["autoScaling"]!["max"]!);
        Assert.Equal(2, (long)stored["metadata"]!["generation"]!);
        Assert.Equal((string?)body["metadata"]!["resourceVersion"], (string?)stored["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task A_field_another_manager_owns_survives_the_applier_dropping_it_and_then_fails_the_crd_rule()
    {
        await using var cluster = await StartAsync();
        var pool = HyperShiftSamples.GcpNodePool();
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync($"{NodePools}/example-workers", pool)).Code);
        var (_, live) = await cluster.SendAsync(HttpMethod.Get, $"{NodePools}/example-workers");
        live["spec"]!["replicas"] = 5; // an operator scales the pool with a plain update: it now owns spec.replicas
        Assert.Equal(HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Put, $"{NodePools}/example-workers?fieldManager=kubectl-scale", live)).Code);
        var autoscaled = pool.DeepClone().AsObject();
        autoscaled["spec"]!.AsObject().Remove("replicas");
        autoscaled["spec"]!["autoScaling"] = new JsonObject { ["min"] = 1, ["max"] = 3 };

        var (code, status) = await cluster.ApplyAsync($"{NodePools}/example-workers", autoscaled);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("NodePool.hypershift.openshift.io \"example-workers\" is invalid: spec: Invalid value: \"object\": Both replicas or autoScaling should not be set", (string?)status["message"]);
        Assert.Equal(5, (long)cluster.Kube.Get("clusters", "nodepools", "example-workers")!["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task Reapplying_the_same_configuration_is_a_no_op_that_keeps_resourceVersion_and_generation()
    {
        await using var cluster = await StartAsync();
        var (_, first) = await cluster.ApplyAsync($"{HostedClusters}/example", HyperShiftSamples.GcpHostedCluster());

        var (code, second) = await cluster.ApplyAsync($"{HostedClusters}/example", HyperShiftSamples.GcpHostedCluster());

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal((string?)first["metadata"]!["resourceVersion"], (string?)second["metadata"]!["resourceVersion"]);
        Assert.Equal(1, (long)second["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task Applying_a_value_another_manager_owns_without_force_is_a_conflict_and_with_force_takes_it_over()
    {
        await using var cluster = await StartAsync();
        var pool = HyperShiftSamples.GcpNodePool();
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync($"{NodePools}/example-workers", pool)).Code);
        var (_, live) = await cluster.SendAsync(HttpMethod.Get, $"{NodePools}/example-workers");
        live["spec"]!["replicas"] = 5;
        Assert.Equal(HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Put, $"{NodePools}/example-workers?fieldManager=kubectl-scale", live)).Code);

        var (conflictCode, conflict) = await cluster.ApplyAsync($"{NodePools}/example-workers", pool, "?fieldManager=cluster-platform&fieldValidation=Strict");
        var (forcedCode, forced) = await cluster.ApplyAsync($"{NodePools}/example-workers", pool);

        Assert.Equal(HttpStatusCode.Conflict, conflictCode);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-scale\" using hypershift.openshift.io/v1beta1: .spec.replicas", (string?)conflict["message"]);
        Assert.Equal(".spec.replicas", (string?)conflict["details"]!["causes"]![0]!["field"]);
        Assert.Equal(HttpStatusCode.OK, forcedCode);
        Assert.Equal(2, (long)forced["spec"]!["replicas"]!);
        Assert.DoesNotContain(forced["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "kubectl-scale");
    }

    [Fact]
    public async Task A_refused_object_answers_a_422_status_with_causes_and_is_not_stored()
    {
        await using var cluster = await StartAsync();
        var hostedCluster = HyperShiftSamples.GcpHostedCluster();
        var emails = hostedCluster["spec"]!["platform"]!["gcp"]!["workloadIdentity"]!["serviceAccountsEmails"]!.AsObject();
        emails.Remove("imageRegistry");

        var (code, status) = await cluster.ApplyAsync($"{HostedClusters}/example", hostedCluster);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Equal(422, (int)status["code"]!);
        Assert.StartsWith("HostedCluster.hypershift.openshift.io \"example\" is invalid: [spec.platform.gcp.workloadIdentity.serviceAccountsEmails.imageRegistry: Required value, ", (string?)status["message"], StringComparison.Ordinal);
        Assert.Equal(new JsonObject { ["name"] = "example", ["group"] = "hypershift.openshift.io", ["kind"] = "HostedCluster" }.ToJsonString(),
            new JsonObject { ["name"] = status["details"]!["name"]!.DeepClone(), ["group"] = status["details"]!["group"]!.DeepClone(), ["kind"] = status["details"]!["kind"]!.DeepClone() }.ToJsonString());
        Assert.Contains(status["details"]!["causes"]!.AsArray(), c => (string?)c!["reason"] == "FieldValueRequired" && (string?)c["field"] == "spec.platform.gcp.workloadIdentity.serviceAccountsEmails.imageRegistry");
        Assert.Null(cluster.Kube.Get("clusters", "hostedclusters", "example"));
        Assert.Single(cluster.Kube.Refused);
    }

    [Fact]
    public async Task An_unknown_field_under_strict_validation_is_a_bad_request()
    {
        await using var cluster = await StartAsync();
        var hostedCluster = HyperShiftSamples.GcpHostedCluster();
        hostedCluster["spec"]!["platform"]!["gcp"]!["colour"] = "blue";

        var (applyCode, applied) = await cluster.ApplyAsync($"{HostedClusters}/example", hostedCluster);
        var (postCode, posted) = await cluster.SendAsync(HttpMethod.Post, HostedClusters + "?fieldValidation=Strict", hostedCluster);

        Assert.Equal(HttpStatusCode.BadRequest, applyCode);
        Assert.Contains(".spec.platform.gcp.colour: field not declared in schema", (string?)applied["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, postCode);
        Assert.EndsWith("strict decoding error: unknown field \"spec.platform.gcp.colour\"", (string?)posted["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Default_feature_set_cluster_refuses_gcp_and_serves_its_own_crd()
    {
        await using var cluster = await StartAsync(FeatureSet.Default);
        var hostedCluster = HyperShiftSamples.GcpHostedCluster();
        hostedCluster["spec"]!["platform"]!.AsObject().Remove("gcp");

        var (code, status) = await cluster.ApplyAsync($"{HostedClusters}/example", hostedCluster);
        var (crdCode, crd) = await cluster.SendAsync(HttpMethod.Get, "apis/apiextensions.k8s.io/v1/customresourcedefinitions/hostedclusters.hypershift.openshift.io");
        cluster.Kube.UninstallCrd("nodepools");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("spec.platform.type: Unsupported value: \"GCP\"", (string?)status["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, crdCode);
        Assert.DoesNotContain("\"GCP\"", crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["platform"]!["properties"]!["type"]!["enum"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await cluster.CodeAsync(HttpMethod.Get, "apis/apiextensions.k8s.io/v1/customresourcedefinitions/nodepools.hypershift.openshift.io"));
        Assert.Equal(HttpStatusCode.NotFound, (await cluster.ApplyAsync($"{NodePools}/example-workers", HyperShiftSamples.GcpNodePool())).Code);
    }

    [Fact]
    public async Task Replace_needs_the_current_resourceVersion_and_never_writes_status_while_SetStatus_keeps_generation()
    {
        await using var cluster = await StartAsync();
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync($"{NodePools}/example-workers", HyperShiftSamples.GcpNodePool())).Code);
        cluster.Kube.SetStatus("clusters", "nodepools", "example-workers", new JsonObject { ["replicas"] = 2 });
        var (_, live) = await cluster.SendAsync(HttpMethod.Get, $"{NodePools}/example-workers");
        var stale = live.DeepClone().AsObject();
        stale["metadata"]!["resourceVersion"] = "1";
        live["spec"]!["replicas"] = 4;
        live["status"] = new JsonObject { ["replicas"] = 99 };

        var (staleCode, conflict) = await cluster.SendAsync(HttpMethod.Put, $"{NodePools}/example-workers", stale);
        var (code, replaced) = await cluster.SendAsync(HttpMethod.Put, $"{NodePools}/example-workers", live);

        Assert.Equal(HttpStatusCode.Conflict, staleCode);
        Assert.Equal("Conflict", (string?)conflict["reason"]);
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(2, (long)replaced["status"]!["replicas"]!);
        Assert.Equal(2, (long)replaced["metadata"]!["generation"]!);
        Assert.Equal(4, (long)replaced["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task Create_of_an_existing_object_is_AlreadyExists_and_lists_filter_by_label()
    {
        await using var cluster = await StartAsync();
        var pool = HyperShiftSamples.GcpNodePool();
        pool["metadata"]!["labels"] = new JsonObject { ["pool"] = "workers" };
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, NodePools, pool)).Code);
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, NodePools, HyperShiftSamples.GcpNodePool("example-infra"))).Code);

        var (again, status) = await cluster.SendAsync(HttpMethod.Post, NodePools, pool);
        var (_, list) = await cluster.SendAsync(HttpMethod.Get, NodePools + "?labelSelector=pool%3Dworkers");

        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("AlreadyExists", (string?)status["reason"]);
        Assert.Equal("nodepools.hypershift.openshift.io \"example-workers\" already exists", (string?)status["message"]);
        var (_, everywhere) = await cluster.SendAsync(HttpMethod.Get, "apis/hypershift.openshift.io/v1beta1/nodepools");
        Assert.Equal(["example-workers"], list["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));
        Assert.Equal(2, everywhere["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_deleted_hosted_cluster_lingers_with_a_deletionTimestamp_until_hypershift_finalizes_it()
    {
        await using var cluster = await StartAsync();
        cluster.Kube.FinalizerReconciles = 2;
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync($"{HostedClusters}/example", HyperShiftSamples.GcpHostedCluster())).Code);

        var (code, deleting) = await cluster.SendAsync(HttpMethod.Delete, $"{HostedClusters}/example");
        var reads = await ReadUntilAsync(cluster, $"{HostedClusters}/example", c => c == HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal(3, reads); // two reads still see it, the third finds it gone
        Assert.DoesNotContain(cluster.Kube.Objects, o => (string?)o["kind"] == "HostedCluster");
    }

    [Fact]
    public async Task Deleting_a_hosted_cluster_deletes_its_node_pools_and_waits_for_them()
    {
        await using var cluster = await StartAsync();
        cluster.Kube.FinalizerReconciles = 1;
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync($"{HostedClusters}/example", HyperShiftSamples.GcpHostedCluster())).Code);
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync($"{NodePools}/example-workers", HyperShiftSamples.GcpNodePool())).Code);
        cluster.Kube.SetFinalizers("clusters", "nodepools", "example-workers", FakeKubeApiServer.HyperShiftFinalizer, "example.com/drain");

        Assert.Equal(HttpStatusCode.OK, await cluster.CodeAsync(HttpMethod.Delete, $"{HostedClusters}/example"));
        var (_, pools) = await cluster.SendAsync(HttpMethod.Get, NodePools);
        await ReadUntilAsync(cluster, $"{HostedClusters}/example", c => c == HttpStatusCode.OK && cluster.Kube.Get("clusters", "nodepools", "example-workers")?["metadata"]!["finalizers"]!.AsArray().Count == 1);

        Assert.NotNull(pools["items"]![0]!["metadata"]!["deletionTimestamp"]);
        Assert.Equal(HttpStatusCode.OK, await cluster.CodeAsync(HttpMethod.Get, $"{HostedClusters}/example")); // held by its pool's drain
        cluster.Kube.SetFinalizers("clusters", "nodepools", "example-workers");
        Assert.Equal(HttpStatusCode.NotFound, await cluster.CodeAsync(HttpMethod.Get, $"{HostedClusters}/example"));
        Assert.Equal(["clusters"], cluster.Kube.Objects.Select(o => (string?)o["metadata"]!["name"]));
    }

    [Fact]
    public async Task A_terminating_namespace_refuses_new_content_and_goes_once_its_objects_are_gone()
    {
        await using var cluster = await StartAsync();
        cluster.Kube.FinalizerReconciles = 1;
        var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "pull-secret" }, ["stringData"] = new JsonObject { [".dockerconfigjson"] = "{}" } };
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync("api/v1/namespaces/clusters/secrets/pull-secret", secret, "?fieldManager=cluster-platform&force=true")).Code);
        Assert.Equal(HttpStatusCode.Created, (await cluster.ApplyAsync($"{HostedClusters}/example", HyperShiftSamples.GcpHostedCluster())).Code);

        var (code, terminating) = await cluster.SendAsync(HttpMethod.Delete, "api/v1/namespaces/clusters");
        var configMap = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "late" } };
        var (forbidden, refusal) = await cluster.ApplyAsync("api/v1/namespaces/clusters/configmaps/late", configMap, "?fieldManager=cluster-platform&force=true");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Terminating", (string?)terminating["status"]!["phase"]);
        Assert.Null(cluster.Kube.Secret("clusters", "pull-secret"));
        Assert.NotNull(cluster.Kube.Get("clusters", "hostedclusters", "example")!["metadata"]!["deletionTimestamp"]);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Equal("configmaps \"late\" is forbidden: unable to create new content in namespace clusters because it is being terminated", (string?)refusal["message"]);
        await ReadUntilAsync(cluster, "api/v1/namespaces/clusters", c => c == HttpStatusCode.NotFound);
        Assert.Empty(cluster.Kube.Objects);
    }

    [Fact]
    public async Task A_pull_secret_of_type_dockerconfigjson_needs_its_key_like_the_core_validation()
    {
        await using var cluster = await StartAsync();
        var secret = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret", ["type"] = "kubernetes.io/dockerconfigjson",
            ["metadata"] = new JsonObject { ["name"] = "pull-secret" }, ["data"] = new JsonObject { ["config.json"] = "e30=" },
        };

        var (code, status) = await cluster.SendAsync(HttpMethod.Post, "api/v1/namespaces/clusters/secrets", secret);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Secret \"pull-secret\" is invalid: data[.dockerconfigjson]: Required value", (string?)status["message"]);
    }

    [Fact]
    public async Task A_namespace_finalizer_of_another_controller_holds_an_empty_namespace_until_cleared()
    {
        await using var cluster = await StartAsync();
        cluster.Kube.SetFinalizers(null, "namespaces", "clusters", "example.com/cleanup");

        Assert.Equal(HttpStatusCode.OK, await cluster.CodeAsync(HttpMethod.Delete, "api/v1/namespaces/clusters"));
        Assert.Equal(HttpStatusCode.OK, await cluster.CodeAsync(HttpMethod.Get, "api/v1/namespaces/clusters"));
        cluster.Kube.SetFinalizers(null, "namespaces", "clusters");

        Assert.Equal(HttpStatusCode.NotFound, await cluster.CodeAsync(HttpMethod.Get, "api/v1/namespaces/clusters"));
        Assert.Equal(HttpStatusCode.NotFound, (await cluster.ApplyAsync("api/v1/namespaces/clusters/secrets/x", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "x" } }, "?fieldManager=a")).Code);
    }
}
