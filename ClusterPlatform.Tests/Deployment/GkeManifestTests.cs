using System.ComponentModel.DataAnnotations;
using System.Globalization;
using ClusterPlatform.Api.Configuration;
using ClusterPlatform.Api.Identity;
using ClusterPlatform.Api.Versions;
using ClusterPlatform.AppHost.Deployment;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace ClusterPlatform.Tests.Deployment;

/// <summary>
/// The GKE manifests the AppHost generates: they render, parse into typed models, and hold
/// the invariants a production deployment needs, and they agree with the Aspire manifest.
/// </summary>
public sealed class GkeManifestTests(GkeManifestsFixture gke) : IClassFixture<GkeManifestsFixture>
{
    private const string Api = "api";
    private const string Console = "console";
    private static readonly string[] Workloads = [Api, Console, .. ControllerNames.All];

    [Fact]
    public void The_base_and_the_example_overlay_render_with_kubectl_kustomize()
    {
        Assert.True(gke.RenderedBase.ExitCode == 0, gke.RenderedBase.Output);
        Assert.True(gke.RenderedOverlay.ExitCode == 0, gke.RenderedOverlay.Output);
        // The overlay puts every parameter in place: nothing of the base's placeholders is left.
        Assert.DoesNotContain("set-by-parameter-", gke.RenderedOverlay.Output, StringComparison.Ordinal);
        Assert.Contains("set-by-parameter-", gke.RenderedBase.Output, StringComparison.Ordinal);
        Assert.Contains("Wrote the GKE manifests", gke.PublishOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rendered_document_parses_into_a_typed_model()
    {
        var kinds = gke.Objects.Select(o => ((IKubernetesObject)o).Kind).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int>
        {
            ["Namespace"] = 1,
            ["ServiceAccount"] = 6,
            ["ConfigMap"] = 4,
            ["Deployment"] = 6,
            ["Service"] = 2,
            ["HorizontalPodAutoscaler"] = 1,
            ["PodDisruptionBudget"] = 6,
            ["Ingress"] = 2,
            ["ManagedCertificate"] = 2,
            ["BackendConfig"] = 2,
            ["FrontendConfig"] = 2,
        }, kinds);
        Assert.All(gke.Objects.OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace),
            o => Assert.Equal("clusterplatform", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void Every_pod_is_non_root_read_only_without_capabilities_with_resources_probes_and_zone_spread()
    {
        Assert.Equal(Workloads.Order(), gke.All<V1Deployment>().Select(d => d.Metadata.Name).Order());
        foreach (var deployment in gke.All<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            var name = deployment.Metadata.Name;
            Assert.True(pod.SecurityContext.RunAsNonRoot, name);
            Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
            Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
            Assert.NotEqual(true, pod.AutomountServiceAccountToken);
            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                var where = $"{name}/{container.Name}";
                Assert.True(container.SecurityContext.ReadOnlyRootFilesystem, where);
                Assert.False(container.SecurityContext.AllowPrivilegeEscalation, where);
                Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
                Assert.Null(container.SecurityContext.Capabilities.Add);
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(container.Resources.Requests.ContainsKey(resource), $"{where} requests no {resource}");
                    Assert.True(container.Resources.Limits.ContainsKey(resource), $"{where} has no {resource} limit");
                }

                Assert.NotNull(container.LivenessProbe);
                Assert.NotNull(container.StartupProbe);
            }

            var app = Assert.Single(pod.Containers);
            Assert.Equal("/health", app.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/alive", app.LivenessProbe.HttpGet.Path);
            Assert.Equal("http", app.ReadinessProbe.HttpGet.Port.Value);
            Assert.Equal(8080, Assert.Single(app.Ports).ContainerPort);
            Assert.Contains(pod.TopologySpreadConstraints, c => c.TopologyKey == "topology.kubernetes.io/zone"
                && c.LabelSelector.MatchLabels.All(l => deployment.Spec.Template.Metadata.Labels[l.Key] == l.Value));
            Assert.All(deployment.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, deployment.Spec.Template.Metadata.Labels[l.Key]));
        }
    }

    [Fact]
    public void Each_workload_has_its_own_service_account_annotated_for_workload_identity()
    {
        var parameters = gke.ConfigMap("clusterplatform-parameters").Data;
        var accounts = gke.All<V1ServiceAccount>().ToDictionary(a => a.Metadata.Name);
        foreach (var workload in Workloads)
        {
            Assert.Equal(workload, gke.Deployment(workload).Spec.Template.Spec.ServiceAccountName);
            var google = accounts[workload].Metadata.Annotations["iam.gke.io/gcp-service-account"];
            Assert.Equal(parameters[$"{workload}-service-account"], google);
            Assert.EndsWith(".iam.gserviceaccount.com", google, StringComparison.Ordinal);
        }

        Assert.Equal(Workloads.Length, accounts.Values.Select(a => a.Metadata.Annotations["iam.gke.io/gcp-service-account"]).Distinct().Count());
    }

    [Fact]
    public void The_api_runs_behind_an_autoscaler_and_an_https_ingress()
    {
        var api = gke.Deployment(Api);
        var podLabels = api.Spec.Template.Metadata.Labels;

        var autoscaler = Assert.Single(gke.All<V2HorizontalPodAutoscaler>());
        Assert.Equal(("Deployment", Api), (autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
        Assert.True(autoscaler.Spec.MinReplicas >= 2);
        Assert.True(autoscaler.Spec.MaxReplicas > autoscaler.Spec.MinReplicas);

        AssertBehindHttpsIngress(Api, GkeManifestsFixture.ConfiguredHost);
    }

    [Fact]
    public void The_console_has_its_own_https_ingress_with_session_affinity_and_the_apis_regions_and_authority()
    {
        var health = AssertBehindHttpsIngress(Console, gke.ConfigMap("clusterplatform-parameters").Data["console-host"]);
        // A Blazor circuit lives on one pod: the load balancer keeps each person on theirs.
        var affinity = (IDictionary<object, object>)health.Spec["sessionAffinity"];
        Assert.Equal("GENERATED_COOKIE", affinity["affinityType"].ToString());

        var container = gke.Deployment(Console).Spec.Template.Spec.Containers.Single();
        var env = container.Env.ToDictionary(e => e.Name);
        Assert.Equal("http://api", env["services__api__http__0"].Value);
        Assert.Equal("oidc-authority", env["Authentication__Users__Authority"].ValueFrom.ConfigMapKeyRef.Key);
        Assert.Equal("console-oidc-client-id", env["Authentication__Users__ClientId"].ValueFrom.ConfigMapKeyRef.Key);
        Assert.DoesNotContain(env.Keys, n => n.Contains("LocalSignIn", StringComparison.Ordinal));
        var settings = gke.All<V1ConfigMap>().Single(c => c.Metadata.Name == container.EnvFrom.Single().ConfigMapRef.Name).Data;
        var apiSettings = gke.All<V1ConfigMap>().Single(c => c.Metadata.Name == gke.Deployment(Api).Spec.Template.Spec.Containers.Single().EnvFrom.Single().ConfigMapRef.Name).Data;
        Assert.Equal(apiSettings.Where(s => s.Key.StartsWith("Platform__SupportedRegions__", StringComparison.Ordinal)).OrderBy(s => s.Key),
            settings.Where(s => s.Key.StartsWith("Platform__SupportedRegions__", StringComparison.Ordinal)).OrderBy(s => s.Key));
    }

    /// <summary>The workload's Service selects its pods, and its Ingress serves the host over HTTPS only with a managed certificate; returns its BackendConfig.</summary>
    private GkeManifestsFixture.CustomResource AssertBehindHttpsIngress(string workload, string host)
    {
        var podLabels = gke.Deployment(workload).Spec.Template.Metadata.Labels;
        var service = Assert.Single(gke.All<V1Service>(), s => s.Metadata.Name == workload);
        Assert.All(service.Spec.Selector, l => Assert.Equal(l.Value, podLabels[l.Key]));
        Assert.Equal("http", Assert.Single(service.Spec.Ports).TargetPort.Value);

        var ingress = Assert.Single(gke.All<V1Ingress>(), i => i.Metadata.Name == workload);
        var rule = Assert.Single(ingress.Spec.Rules);
        Assert.Equal(host, rule.Host);
        Assert.Equal(service.Metadata.Name, Assert.Single(rule.Http.Paths).Backend.Service.Name);
        var certificate = Assert.Single(gke.All<GkeManifestsFixture.CustomResource>(), r => r.Kind == "ManagedCertificate" && r.Metadata.Name == workload);
        Assert.Equal(certificate.Metadata.Name, ingress.Metadata.Annotations["networking.gke.io/managed-certificates"]);
        Assert.Equal([host], ((IEnumerable<object>)certificate.Spec["domains"]).Select(d => d.ToString()));
        var frontend = gke.All<GkeManifestsFixture.CustomResource>().Single(r => r.Kind == "FrontendConfig" && r.Metadata.Name == workload);
        Assert.Equal(frontend.Metadata.Name, ingress.Metadata.Annotations["networking.gke.io/v1beta1.FrontendConfig"]);
        Assert.Contains("redirectToHttps", frontend.Spec.Keys);
        var health = gke.All<GkeManifestsFixture.CustomResource>().Single(r => r.Kind == "BackendConfig" && r.Metadata.Name == workload);
        var check = (IDictionary<object, object>)health.Spec["healthCheck"];
        Assert.Equal(("/health", "8080"), (check["requestPath"].ToString(), check["port"].ToString()));
        return health;
    }

    [Theory]
    [InlineData(Api, "clusterdb")]
    [InlineData(Console, "consoledb")]
    public void The_api_and_the_console_each_reach_their_own_database_through_a_native_auth_proxy_sidecar_with_iam_authentication_and_no_password(string workload, string database)
    {
        var pod = gke.Deployment(workload).Spec.Template.Spec;
        var proxy = Assert.Single(pod.InitContainers);
        Assert.Equal("Always", proxy.RestartPolicy);
        Assert.StartsWith("gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.", proxy.Image, StringComparison.Ordinal);
        Assert.Contains("--auto-iam-authn", proxy.Args);
        var instance = gke.EnvironmentOf(proxy)["CLOUD_SQL_INSTANCE"];
        Assert.Equal(gke.ConfigMap("clusterplatform-parameters").Data["cloudsql-instance"], instance);
        Assert.Contains($"$(CLOUD_SQL_INSTANCE)", proxy.Args);

        var environment = gke.EnvironmentOf(Assert.Single(pod.Containers));
        var connection = environment[$"ConnectionStrings__{database}"];
        var parameters = gke.ConfigMap("clusterplatform-parameters").Data;
        Assert.Equal($"Host=127.0.0.1;Port=5432;Database={parameters[$"{database}-name"]};Username={parameters[$"{database}-user"]};SSL Mode=Disable", connection);
        // The console holds no privilege over tenant data: it is never given the Api's database.
        Assert.Single(environment.Keys, k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
        Assert.DoesNotContain("Password", connection, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_workload_runs_two_or_more_replicas_rolled_without_unavailability_under_a_disruption_budget_and_apart()
    {
        var budgets = gke.All<V1PodDisruptionBudget>().ToList();
        foreach (var name in Workloads)
        {
            var deployment = gke.Deployment(name);
            var podLabels = deployment.Spec.Template.Metadata.Labels;
            Assert.True(deployment.Spec.Replicas >= 2, $"{name}: {deployment.Spec.Replicas} replica(s)");
            Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.Equal(0, int.Parse(deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value, CultureInfo.InvariantCulture));
            Assert.True(int.Parse(deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value, CultureInfo.InvariantCulture) >= 1, name);

            // Exactly one budget selects this workload's pods, and it keeps one of them running.
            var budget = Assert.Single(budgets, b => b.Spec.Selector.MatchLabels.All(l => podLabels.TryGetValue(l.Key, out var v) && v == l.Value));
            Assert.Equal(1, int.Parse(budget.Spec.MinAvailable.Value, CultureInfo.InvariantCulture));

            var apart = Assert.Single(deployment.Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
            Assert.Equal("kubernetes.io/hostname", apart.PodAffinityTerm.TopologyKey);
            Assert.Equal(deployment.Spec.Selector.MatchLabels, apart.PodAffinityTerm.LabelSelector.MatchLabels);
        }
    }

    [Fact]
    public void Each_controller_runs_alone_in_its_own_deployment_with_a_grace_period_that_covers_its_graceful_stop()
    {
        var apiEnvironment = gke.EnvironmentOf(gke.Deployment(Api).Spec.Template.Spec.Containers[0]);
        var accounts = gke.All<V1ServiceAccount>().ToDictionary(a => a.Metadata.Name);
        foreach (var controller in ControllerNames.All)
        {
            var deployment = gke.Deployment(controller);
            var environment = gke.EnvironmentOf(deployment.Spec.Template.Spec.Containers[0]);
            Assert.Equal(controller, environment["Controllers__Enabled__0"]);
            Assert.False(environment.ContainsKey("Controllers__Enabled__1"));

            // The Api knows this controller by the account its pods run as.
            Assert.Equal(accounts[controller].Metadata.Annotations["iam.gke.io/gcp-service-account"],
                apiEnvironment[$"Authentication__Google__Controllers__{controller}"]);

            var shutdownGrace = TimeSpan.Parse(environment["Controllers__ShutdownGracePeriod"], CultureInfo.InvariantCulture);
            var halfClose = TimeSpan.FromSeconds(2);
            Assert.True(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds > (shutdownGrace + halfClose).TotalSeconds,
                $"{controller}: {deployment.Spec.Template.Spec.TerminationGracePeriodSeconds} s does not cover a {shutdownGrace} stop");
        }

        var operatorClient = gke.Deployment(ControllerNames.OperatorClient).Spec.Template.Spec;
        var pullSecretPath = gke.EnvironmentOf(operatorClient.Containers[0])["Providers__ManagementClusters__PullSecretPath"];
        var mount = Assert.Single(operatorClient.Containers[0].VolumeMounts, m => pullSecretPath.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("hypershift-pull-secret", operatorClient.Volumes.Single(v => v.Name == mount.Name).Secret.SecretName);
    }

    [Fact]
    public void The_api_gets_every_production_setting_it_reads_and_they_validate()
    {
        var environment = gke.EnvironmentOf(gke.Deployment(Api).Spec.Template.Spec.Containers[0]);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build();

        var platform = configuration.GetSection(PlatformOptions.Section).Get<PlatformOptions>()!;
        Validator.ValidateObject(platform, new ValidationContext(platform), validateAllProperties: true);
        Assert.NotEmpty(platform.SupportedRegions);
        Assert.NotEmpty(platform.SupportedVersions);
        // Every controller the Api waits for has a Deployment to report.
        Assert.Equal(ControllerNames.All.Order(), platform.RequiredControllers.Cluster.Order());
        Assert.Subset(ControllerNames.All.ToHashSet(), platform.RequiredControllers.NodePool.ToHashSet());

        var google = configuration.GetSection(GoogleServiceAccountOptions.Section).Get<GoogleServiceAccountOptions>()!;
        Assert.Equal($"https://{GkeManifestsFixture.ConfiguredHost}", google.Audience);
        Assert.Equal(ControllerNames.All.Order(), google.ControllersByAccount().Values.Order());

        // Production's catalog comes from the real update graph, with settings that pass the Api's start checks.
        var versions = configuration.GetSection(VersionCatalogOptions.Section).Get<VersionCatalogOptions>()!;
        Validator.ValidateObject(versions, new ValidationContext(versions), validateAllProperties: true);
        Assert.Equal(VersionCatalogOptions.Real, versions.Graph);

        foreach (var setting in new[]
        {
            "ConnectionStrings:clusterdb", "PUBSUB_PROJECT_ID", "PubSub:Topic", "Authentication:Users:Authority",
            "Authentication:Users:Audience", "Http:Cors:AllowedOrigins:0", "Reconcile:NotReadyAfter", "Reconcile:ReadyAfter",
        })
        {
            Assert.False(string.IsNullOrWhiteSpace(configuration[setting]), $"{setting} is not set");
        }

        Assert.Null(configuration["PUBSUB_EMULATOR_HOST"]);
        Assert.Equal("true", configuration["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]);
    }

    [Fact]
    public void The_controllers_get_every_production_setting_they_read_and_agree_with_the_api()
    {
        var api = gke.EnvironmentOf(gke.Deployment(Api).Spec.Template.Spec.Containers[0]);
        foreach (var controller in ControllerNames.All)
        {
            var environment = gke.EnvironmentOf(gke.Deployment(controller).Spec.Template.Spec.Containers[0]);
            Assert.Equal("http://api", environment["services__api__http__0"]);
            Assert.Equal(api["Authentication__Google__Audience"], environment["ControllerAuth__Audience"]);
            Assert.Equal(api["PUBSUB_PROJECT_ID"], environment["PUBSUB_PROJECT_ID"]);
            Assert.Equal(api["PubSub__Topic"], environment["PubSub__Topic"]);
            Assert.Equal("Real", environment["Providers__Mode"]);
            Assert.False(string.IsNullOrWhiteSpace(environment["Providers__Gcp__DnsProjectId"]));
            Assert.False(environment.ContainsKey("PUBSUB_EMULATOR_HOST"));
            Assert.False(environment.ContainsKey("ControllerAuth__DevelopmentSigningKey"));
        }
    }

    [Fact]
    public void No_secret_value_is_written_and_secrets_are_only_referenced()
    {
        Assert.All(gke.Files, file => Assert.DoesNotContain(GkeManifestsFixture.Canary, file.Value, StringComparison.Ordinal));
        Assert.DoesNotContain(gke.Objects, o => o is V1Secret);
        foreach (var container in gke.All<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers.Concat(d.Spec.Template.Spec.InitContainers ?? [])))
        {
            Assert.All(container.Env ?? [], variable => Assert.False(
                variable.Value is not null && (variable.Name.Contains("Password", StringComparison.OrdinalIgnoreCase)
                    || variable.Name.Contains("SigningKey", StringComparison.OrdinalIgnoreCase) || variable.Name.Contains("Token", StringComparison.OrdinalIgnoreCase)),
                $"{container.Name} sets {variable.Name} to a literal value"));
        }

        Assert.All(gke.All<V1ConfigMap>().SelectMany(c => c.Data), entry =>
            Assert.DoesNotMatch("(?i)password=|secret=|-----BEGIN", $"{entry.Key}={entry.Value}"));
    }

    [Fact]
    public void The_aspire_manifest_has_the_services_as_projects_the_deployment_as_parameters_and_nothing_local()
    {
        var types = gke.AspireResources.ToDictionary(r => r.Key, r => (string)r.Value!["type"]!);
        var expected = DeploymentParameters.All.ToDictionary(p => p.Name, _ => "parameter.v0");
        expected[ResourceNames.Database] = "value.v0";
        expected[ResourceNames.ConsoleDatabase] = "value.v0";
        expected[ResourceNames.Api] = "project.v0";
        expected[ResourceNames.Controllers] = "project.v0";
        expected[ResourceNames.Console] = "project.v0";
        Assert.Equal(expected.OrderBy(e => e.Key), types.OrderBy(e => e.Key));

        var apiEnv = gke.AspireResources[ResourceNames.Api]!["env"]!.AsObject();
        Assert.Equal("{clusterdb.connectionString}", (string)apiEnv["ConnectionStrings__clusterdb"]!);
        Assert.Equal("{pubsub-project.value}", (string)apiEnv["PUBSUB_PROJECT_ID"]!);
        foreach (var workload in new[] { ResourceNames.Api, ResourceNames.Controllers, ResourceNames.Console })
        {
            var names = gke.AspireResources[workload]!["env"]!.AsObject().Select(e => e.Key).ToList();
            Assert.DoesNotContain("PUBSUB_EMULATOR_HOST", names);
            Assert.DoesNotContain("OTEL_EXPORTER_OTLP_TIMEOUT", names);
            Assert.DoesNotContain(names, n => n.Contains("SigningKey", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_aspire_manifest_and_the_gke_manifests_agree_on_workloads_environment_names_and_parameters()
    {
        var projects = gke.AspireResources.Where(r => (string?)r.Value!["type"] == "project.v0").ToDictionary(r => r.Key, r => r.Value!);
        Assert.Equal([ResourceNames.Api, ResourceNames.Console, ResourceNames.Controllers], projects.Keys.Order());

        // Each Deployment runs one Aspire workload, told apart by the image parameter it runs.
        var parameters = gke.ConfigMap("clusterplatform-parameters").Data;
        var workloadOf = gke.All<V1Deployment>().ToDictionary(d => d.Metadata.Name, d => d.Spec.Template.Spec.Containers[0].Image switch
        {
            var image when image == parameters["api-image"] => ResourceNames.Api,
            var image when image == parameters["controllers-image"] => ResourceNames.Controllers,
            var image when image == parameters["console-image"] => ResourceNames.Console,
            var image => throw new InvalidOperationException($"{d.Metadata.Name} runs {image}, no workload's image"),
        });
        Assert.Equal(projects.Keys.Order(), workloadOf.Values.Distinct().Order());

        foreach (var (deployment, workload) in workloadOf)
        {
            var aspireNames = projects[workload]["env"]!.AsObject().Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
            var container = gke.Deployment(deployment).Spec.Template.Spec.Containers[0];
            var gkeNames = container.Env.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            Assert.Subset(gkeNames, aspireNames);

            // Beyond the Aspire manifest's: parameter helpers, the workload's settings ConfigMap, and
            // what splitting the Controllers into one Deployment each adds.
            var settings = gke.All<V1ConfigMap>().Single(c => c.Metadata.Name == container.EnvFrom.Single().ConfigMapRef.Name).Data.Keys;
            var extra = gkeNames.Except(aspireNames).Where(n => !n.StartsWith("PARAMETER_", StringComparison.Ordinal)).Order().ToList();
            Assert.Equal(workload is ResourceNames.Api or ResourceNames.Console ? [] :
                deployment == ControllerNames.OperatorClient ? ["Controllers__Enabled__0", "Providers__ManagementClusters__PullSecretPath"] : ["Controllers__Enabled__0"], extra);
            Assert.Empty(settings.Intersect(aspireNames));
        }

        var aspireParameters = gke.AspireResources.Where(r => (string?)r.Value!["type"] == "parameter.v0").Select(r => r.Key).Order();
        Assert.Equal(aspireParameters, parameters.Keys.Order());
        Assert.Equal(DeploymentParameters.All.Select(p => p.Name).Order(), parameters.Keys.Order());
    }

    [Fact]
    public void A_manifest_the_generator_does_not_understand_fails_the_publish_instead_of_deploying_a_guess()
    {
        var directory = Path.GetDirectoryName(gke.ManifestPath)!;
        var withWorker = gke.AspireResources.DeepClone().AsObject();
        withWorker["worker"] = withWorker[ResourceNames.Controllers]!.DeepClone();
        var unknownWorkload = Assert.Throws<InvalidDataException>(() =>
            GkeManifests.Generate(AspireManifest.Parse(Wrap(withWorker), directory), _ => null));
        Assert.Contains("worker", unknownWorkload.Message, StringComparison.Ordinal);

        var withHttps = gke.AspireResources.DeepClone().AsObject();
        withHttps[ResourceNames.Controllers]!["env"]!["API_HTTPS"] = "{api.bindings.https.url}";
        var https = Assert.Throws<InvalidDataException>(() => GkeManifests.Generate(AspireManifest.Parse(Wrap(withHttps), directory), _ => null));
        Assert.Contains("https", https.Message, StringComparison.Ordinal);

        var withUnknownParameter = gke.AspireResources.DeepClone().AsObject();
        withUnknownParameter["region"] = System.Text.Json.Nodes.JsonNode.Parse("""{"type":"parameter.v0","value":"{region.inputs.value}","inputs":{"value":{"type":"string"}}}""");
        var parameter = Assert.Throws<InvalidDataException>(() => GkeManifests.Generate(AspireManifest.Parse(Wrap(withUnknownParameter), directory), _ => null));
        Assert.Contains("region", parameter.Message, StringComparison.Ordinal);
    }

    private static string Wrap(System.Text.Json.Nodes.JsonObject resources) => new System.Text.Json.Nodes.JsonObject { ["resources"] = resources }.ToJsonString();
}
