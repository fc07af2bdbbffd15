using ClusterPlatform.Tests.Kubernetes.Admission;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>Admission against HyperShift's own published CRDs (Kubernetes/Crds), without HTTP.</summary>
public sealed class CrdAdmissionTests
{
    private static Crd HostedClusters(FeatureSet set = FeatureSet.TechPreviewNoUpgrade) => CrdCatalog.Get("hostedclusters", set);

    private static Crd NodePools(FeatureSet set = FeatureSet.TechPreviewNoUpgrade) => CrdCatalog.Get("nodepools", set);

    private static AdmissionResult Admit(Crd crd, JsonObject obj, JsonObject? old = null, bool strict = true) => CrdAdmission.Admit(crd, obj, old, strict);

    private static string[] Fields(AdmissionResult result) => [.. result.Errors.Select(e => e.Field)];

    [Fact]
    public void Upstream_gcp_fixture_is_admitted_by_the_TechPreviewNoUpgrade_crd()
    {
        var result = Admit(HostedClusters(), HyperShiftSamples.GcpHostedCluster());

        Assert.True(result.Admitted, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Upstream_gcp_fixture_is_refused_by_the_Default_crd_which_lists_no_GCP_platform()
    {
        var result = Admit(HostedClusters(FeatureSet.Default), HyperShiftSamples.GcpHostedCluster(), strict: false);

        var type = Assert.Single(result.Errors, e => e.Field == "spec.platform.type");
        Assert.Equal("FieldValueNotSupported", type.Reason);
        Assert.StartsWith("Unsupported value: \"GCP\": supported values: \"AWS\", \"Azure\"", type.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Gcp_node_pool_is_refused_by_the_Default_node_pool_crd()
    {
        var result = Admit(NodePools(FeatureSet.Default), HyperShiftSamples.GcpNodePool(), strict: false);

        Assert.Contains(result.Errors, e => e.Field == "spec.platform.type" && e.Reason == "FieldValueNotSupported");
    }

    [Fact]
    public void Default_crd_under_strict_validation_names_platform_gcp_an_unknown_field()
    {
        var result = Admit(HostedClusters(FeatureSet.Default), HyperShiftSamples.GcpHostedCluster());

        Assert.Equal(["spec.platform.gcp"], result.UnknownFields);
    }

    [Fact]
    public void Gcp_service_account_emails_without_imageRegistry_and_network_are_required_values()
    {
        var cluster = HyperShiftSamples.GcpHostedCluster();
        var emails = cluster["spec"]!["platform"]!["gcp"]!["workloadIdentity"]!["serviceAccountsEmails"]!.AsObject();
        emails.Remove("imageRegistry");
        emails.Remove("network");

        var result = Admit(HostedClusters(), cluster);

        Assert.Contains(result.Errors, e => e == FieldError.Required("spec.platform.gcp.workloadIdentity.serviceAccountsEmails.imageRegistry"));
        Assert.Contains(result.Errors, e => e == FieldError.Required("spec.platform.gcp.workloadIdentity.serviceAccountsEmails.network"));
    }

    [Fact]
    public void Service_account_of_another_project_fails_the_gcp_cel_rule_at_platform_gcp()
    {
        var cluster = HyperShiftSamples.GcpHostedCluster();
        cluster["spec"]!["platform"]!["gcp"]!["workloadIdentity"]!["serviceAccountsEmails"]!["storage"] = "storage@other-project-9.iam.gserviceaccount.com";

        var result = Admit(HostedClusters(), cluster);

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.platform.gcp: Invalid value: \"object\": storage service account must belong to the same project", error.ToString());
    }

    [Fact]
    public void NodePool_with_both_replicas_and_autoScaling_is_refused_with_the_crd_message()
    {
        var pool = HyperShiftSamples.GcpNodePool();
        pool["spec"]!["autoScaling"] = new JsonObject { ["min"] = 1, ["max"] = 3 };

        var result = Admit(NodePools(), pool);

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec: Invalid value: \"object\": Both replicas or autoScaling should not be set", error.ToString());
    }

    [Fact]
    public void NodePool_sample_is_admitted_and_its_management_and_gcp_defaults_are_applied()
    {
        var result = Admit(NodePools(), HyperShiftSamples.GcpNodePool());

        Assert.True(result.Admitted, string.Join("\n", result.Errors));
        var spec = result.Object["spec"]!;
        Assert.Equal("RollingUpdate", (string?)spec["management"]!["replace"]!["strategy"]);
        Assert.Equal(1, (int)spec["management"]!["replace"]!["rollingUpdate"]!["maxSurge"]!);
        Assert.Equal("Standard", (string?)spec["platform"]!["gcp"]!["provisioningModel"]);
    }

    [Fact]
    public void HostedCluster_without_etcd_networking_and_policies_gets_the_crd_defaults()
    {
        var cluster = HyperShiftSamples.GcpHostedCluster();
        var spec = cluster["spec"]!.AsObject();
        spec.Remove("etcd");
        spec.Remove("networking");
        spec.Remove("controllerAvailabilityPolicy");

        var result = Admit(HostedClusters(), cluster);

        Assert.True(result.Admitted, string.Join("\n", result.Errors));
        var defaulted = result.Object["spec"]!;
        Assert.Equal("Managed", (string?)defaulted["etcd"]!["managementType"]);
        Assert.Equal("8Gi", (string?)defaulted["etcd"]!["managed"]!["storage"]!["persistentVolume"]!["size"]);
        Assert.Equal("10.132.0.0/14", (string?)defaulted["networking"]!["clusterNetwork"]![0]!["cidr"]);
        Assert.Equal("HighlyAvailable", (string?)defaulted["controllerAvailabilityPolicy"]);
        Assert.Equal("https://kubernetes.default.svc", (string?)defaulted["issuerURL"]);
    }

    [Fact]
    public void Changing_services_on_update_is_refused_as_immutable()
    {
        var old = Admit(HostedClusters(), HyperShiftSamples.GcpHostedCluster()).Object;
        var updated = old.DeepClone().AsObject();
        updated["spec"]!["services"]![1]!["servicePublishingStrategy"]!["type"] = "LoadBalancer";

        var result = Admit(HostedClusters(), updated, old);

        Assert.Contains(result.Errors, e => e.ToString() == "spec: Invalid value: \"object\": Services is immutable. Changes might result in unpredictable and disruptive behavior.");
    }

    [Fact]
    public void Changing_the_gcp_project_on_update_is_refused_while_an_unrelated_change_is_admitted()
    {
        var old = Admit(HostedClusters(), HyperShiftSamples.GcpHostedCluster()).Object;
        var moved = old.DeepClone().AsObject();
        moved["spec"]!["platform"]!["gcp"]!["project"] = "test-project-456";
        var relabelled = old.DeepClone().AsObject();
        relabelled["spec"]!["fips"] = false;
        relabelled["metadata"]!["labels"] = new JsonObject { ["team"] = "a" };

        var refused = Admit(HostedClusters(), moved, old);
        var admitted = Admit(HostedClusters(), relabelled, old);

        Assert.Contains(refused.Errors, e => e.ToString() == "spec.platform.gcp.project: Invalid value: \"string\": Project is immutable");
        Assert.True(admitted.Admitted, string.Join("\n", admitted.Errors));
    }

    [Fact]
    public void Transition_rules_are_not_evaluated_on_create()
    {
        // "secretEncryption cannot be removed once configured" names oldSelf: a create without secretEncryption passes it.
        var cluster = HyperShiftSamples.GcpHostedCluster();
        cluster["spec"]!.AsObject().Remove("secretEncryption");

        Assert.True(Admit(HostedClusters(), cluster).Admitted);
    }

    [Fact]
    public void Removing_secretEncryption_on_update_is_refused_by_its_transition_rule()
    {
        var old = Admit(HostedClusters(), HyperShiftSamples.GcpHostedCluster()).Object;
        var updated = old.DeepClone().AsObject();
        updated["spec"]!.AsObject().Remove("secretEncryption");

        var result = Admit(HostedClusters(), updated, old);

        Assert.Contains(result.Errors, e => e.ToString() == "spec: Invalid value: \"object\": secretEncryption cannot be removed once configured");
    }

    [Fact]
    public void Schema_violations_use_the_api_server_field_paths_and_reasons()
    {
        var cluster = HyperShiftSamples.GcpHostedCluster();
        cluster["spec"]!["services"]![0]!.AsObject().Remove("servicePublishingStrategy");
        cluster["spec"]!["platform"]!["gcp"]!["endpointAccess"] = "Sideways";
        cluster["spec"]!["fips"] = "yes";

        var result = Admit(HostedClusters(), cluster);

        Assert.Contains(result.Errors, e => e == FieldError.Required("spec.services[0].servicePublishingStrategy"));
        Assert.Contains(result.Errors, e => e.Field == "spec.platform.gcp.endpointAccess" && e.Reason == "FieldValueNotSupported");
        Assert.Contains(result.Errors, e => e.Field == "spec.fips" && e.Reason == "FieldValueTypeInvalid");
    }

    [Fact]
    public void Duplicate_keys_in_a_list_type_map_are_refused()
    {
        var pool = HyperShiftSamples.GcpNodePool();
        pool["spec"]!["platform"]!["gcp"]!["resourceLabels"] = JsonNode.Parse("""[{"key":"team","value":"a"},{"key":"team","value":"b"}]""");

        var result = Admit(NodePools(), pool);

        var error = Assert.Single(result.Errors);
        Assert.Equal("FieldValueDuplicate", error.Reason);
        Assert.Equal("spec.platform.gcp.resourceLabels[1]", error.Field);
    }

    [Fact]
    public void Unknown_fields_are_errors_under_strict_and_pruned_silently_otherwise()
    {
        var cluster = HyperShiftSamples.GcpHostedCluster();
        cluster["spec"]!["platform"]!["gcp"]!["colour"] = "blue";
        cluster["spec"]!["services"]![2]!["extra"] = true;

        var strict = Admit(HostedClusters(), cluster);
        var lax = Admit(HostedClusters(), cluster, strict: false);

        Assert.Equal(["spec.services[2].extra", "spec.platform.gcp.colour"], strict.UnknownFields.Order(StringComparer.Ordinal).Reverse());
        Assert.True(lax.Admitted, string.Join("\n", lax.Errors));
        Assert.Null(lax.Object["spec"]!["platform"]!["gcp"]!["colour"]);
    }

    [Fact]
    public void Configuration_rules_run_the_url_and_duration_libraries()
    {
        var cluster = HyperShiftSamples.GcpHostedCluster();
        cluster["spec"]!["configuration"] = JsonNode.Parse("""
            {
              "oauth": { "tokenConfig": { "accessTokenInactivityTimeout": "100s" } },
              "authentication": {
                "type": "OIDC",
                "oidcProviders": [{
                  "name": "corp",
                  "issuer": { "issuerURL": "https://sso.example.com/realms/x?tenant=1", "audiences": ["openshift"] },
                  "claimMappings": { "username": { "claim": "email" } }
                }]
              }
            }
            """);

        var result = Admit(HostedClusters(), cluster);

        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.Field == "spec.configuration.oauth" && e.Body.Contains("300", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Field == "spec.configuration.authentication.oidcProviders[0].issuer.issuerURL");
    }

    [Fact]
    public void Overlapping_cluster_and_service_networks_fail_the_networking_rule()
    {
        var cluster = HyperShiftSamples.GcpHostedCluster();
        cluster["spec"]!["networking"]!["serviceNetwork"]![0]!["cidr"] = "10.132.0.0/14";

        var result = Admit(HostedClusters(), cluster);

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.networking: Invalid value: \"object\": CIDR ranges in machineNetwork, clusterNetwork, and serviceNetwork must be unique and non-overlapping", error.ToString());
    }
}
