extern alias controllers;

using ClusterPlatform.Tests.Google;
using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// The real provider against a fake Google that enforces Google's discovery documents
/// (<see cref="FakeGoogle"/>), holding a project prepared as HyperShift's GCP guide says
/// (<see cref="FakeGcpWorld.PreparedFor"/>) with one thing broken per test.
/// </summary>
public sealed class GcpEnvironmentProviderTests
{
    private const string Project = "good-project";
    private const string Region = "us-central1";
    private const string IamCommand =
        "hypershift create iam gcp --infra-id=alpha-1a2b3 --project-id=good-project --oidc-jwks-file=jwks.json --oidc-issuer-url=https://hypershift-alpha-1a2b3-oidc";

    private static GcpEnvironmentRequest Request => GcpRequests.For(Project, Region, 20);

    private sealed record Outcome(GcpEnvironmentReport Report, IReadOnlyList<string> Calls, IReadOnlyList<string> Log)
    {
        public GcpEnvironmentCheck Check(string name) => Assert.Single(Report.Checks, check => check.Name == name);
    }

    /// <summary>Validates against the world and asserts that every request and answer kept to Google's discovery documents.</summary>
    /// <param name="configure">Changes to the endpoints and settings after they point at the fake.</param>
    private static async Task<Outcome> ValidateAsync(FakeGcpWorld world, GcpEnvironmentRequest request, Action<GcpOptions>? configure = null)
    {
        await using var google = await FakeGoogle.StartAsync(FakeGcpWorld.Apis, world.Handlers);
        var options = new ProviderOptions
        {
            Gcp =
            {
                ResourceManagerUrl = google.BaseAddress("cloudresourcemanager.v3"),
                ServiceUsageUrl = google.BaseAddress("serviceusage.v1"),
                ComputeUrl = google.BaseAddress("compute.v1"),
                DnsUrl = google.BaseAddress("dns.v1"),
                IamUrl = google.BaseAddress("iam.v1"),
                DnsProjectId = FakeGcpWorld.DnsProject,
            },
        };
        configure?.Invoke(options.Gcp);

        var report = await new GcpEnvironmentProvider(new HttpClient(), Options.Create(options)).ValidateAsync(request, Cancellation);

        google.AssertNoViolations();
        return new Outcome(report, google.Calls, google.Log);
    }

    /// <summary>The checks other than <paramref name="failed"/> all passed.</summary>
    private static void AssertOnlyFailed(Outcome outcome, string failed)
    {
        Assert.Equal(GcpEnvironmentChecks.All, outcome.Report.Checks.Select(check => check.Name));
        Assert.Equal([failed], outcome.Report.Checks.Where(check => !check.Passed).Select(check => check.Name));
    }

    [Fact]
    public async Task A_project_prepared_as_the_guide_says_passes_every_check()
    {
        var outcome = await ValidateAsync(FakeGcpWorld.PreparedFor(Request), Request);

        Assert.True(outcome.Report.Passed, outcome.Report.Message);
        Assert.Equal(GcpEnvironmentChecks.All, outcome.Report.Checks.Select(check => check.Name));
        Assert.Equal("123456789", outcome.Report.ProjectNumber); // from the project's resource name, projects/123456789
        Assert.False(outcome.Report.Transient);
        Assert.Equal("CPU quota in us-central1 has 20 vCPUs free, 20 needed", outcome.Check(GcpEnvironmentChecks.CpuQuota).Message);
        Assert.Equal("base domain acme.example.com has public managed zone acme-public in project platform-dns", outcome.Check(GcpEnvironmentChecks.BaseDomainZone).Message);
        Assert.Equal("subnet alpha-1a2b3-subnet in us-central1 is in network alpha-1a2b3-network", outcome.Check(GcpEnvironmentChecks.NetworkAndSubnet).Message);
        Assert.Equal(
            "workload identity pool alpha-1a2b3-wi-pool and provider alpha-1a2b3-k8s-provider trust the cluster's signing key test-key-id, and its 6 service accounts exist",
            outcome.Check(GcpEnvironmentChecks.WorkloadIdentity).Message);
        Assert.Equal(6, outcome.Calls.Count(id => id == "iam.projects.serviceAccounts.get"));
        // The guide's APIs, asked in one call.
        Assert.Contains(outcome.Log, r => r.StartsWith(
            "GET /serviceusage.v1/v1/projects/good-project/services:batchGet?names=projects%2Fgood-project%2Fservices%2Fcompute.googleapis.com&"
            + "names=projects%2Fgood-project%2Fservices%2Fdns.googleapis.com&names=projects%2Fgood-project%2Fservices%2Fiam.googleapis.com&"
            + "names=projects%2Fgood-project%2Fservices%2Fiamcredentials.googleapis.com&names=projects%2Fgood-project%2Fservices%2Fcloudresourcemanager.googleapis.com -> 200",
            StringComparison.Ordinal));
        Assert.Contains(outcome.Log, r => r.StartsWith("GET /dns.v1/dns/v1/projects/platform-dns/managedZones?dnsName=acme.example.com. -> 200", StringComparison.Ordinal));
    }

    /// <summary>One thing the guide's preparation leaves, broken: the check that must fail and exactly what it says.</summary>
    private sealed record Breakage(Action<FakeGcpWorld, FakeProject> Break, string Check, string Message);

    private static readonly Dictionary<string, Breakage> Breakages = new(StringComparer.Ordinal)
    {
        ["an API of the guide is disabled"] = new((_, p) => p.EnabledApis.Remove("iamcredentials.googleapis.com"),
            GcpEnvironmentChecks.ApisEnabled, "APIs not enabled in project good-project: iamcredentials.googleapis.com"),
        ["the CPU quota is nearly used"] = new((_, p) => p.CpuQuotas[Region] = (24, 22),
            GcpEnvironmentChecks.CpuQuota, "CPU quota in us-central1 has 2 vCPUs free, 20 needed"),
        ["a read permission is not granted"] = new((_, p) => p.GrantedPermissions.Remove("iam.serviceAccounts.get"),
            GcpEnvironmentChecks.IamPermissions, "service account lacks permissions in project good-project: iam.serviceAccounts.get"),
        ["the base domain has no zone"] = new((w, _) => w.Zones.Clear(),
            GcpEnvironmentChecks.BaseDomainZone,
            "base domain acme.example.com has no managed zone in project platform-dns; create a public one with: "
            + "gcloud dns managed-zones create <zone-name> --project=platform-dns --dns-name=acme.example.com. --visibility=public"),
        ["the base domain has only a private zone"] = new((w, _) => w.Zones[0] = w.Zones[0] with { Name = "acme-private", Visibility = "private" },
            GcpEnvironmentChecks.BaseDomainZone,
            "base domain acme.example.com has only private managed zones in project platform-dns (acme-private), which do not count because the cluster's names "
            + "must resolve from the Internet; create a public one with: gcloud dns managed-zones create <zone-name> --project=platform-dns --dns-name=acme.example.com. --visibility=public"),
        ["the network is missing"] = new((_, p) => p.Networks.Clear(),
            GcpEnvironmentChecks.NetworkAndSubnet,
            "network alpha-1a2b3-network does not exist in project good-project; create them with: "
            + "hypershift create infra gcp --infra-id=alpha-1a2b3 --project-id=good-project --region=us-central1"),
        ["the subnet is missing"] = new((_, p) => p.Subnets.Clear(),
            GcpEnvironmentChecks.NetworkAndSubnet,
            "subnet alpha-1a2b3-subnet does not exist in region us-central1 of project good-project; create them with: "
            + "hypershift create infra gcp --infra-id=alpha-1a2b3 --project-id=good-project --region=us-central1"),
        ["the subnet is in another network"] = new((_, p) => p.Subnets[(Region, "alpha-1a2b3-subnet")] = "default",
            GcpEnvironmentChecks.NetworkAndSubnet, "subnet alpha-1a2b3-subnet in us-central1 is in network default, not in the cluster's network alpha-1a2b3-network"),
        ["the pool is missing"] = new((_, p) => p.Pools.Clear(),
            GcpEnvironmentChecks.WorkloadIdentity,
            "workload identity in project good-project is not ready: workload identity pool alpha-1a2b3-wi-pool does not exist, "
            + $"workload identity provider alpha-1a2b3-k8s-provider does not exist; create or repair it with: {IamCommand}"),
        ["the pool is soft-deleted"] = new((_, p) => p.Pools["alpha-1a2b3-wi-pool"] = new FakePool("DELETED"),
            GcpEnvironmentChecks.WorkloadIdentity,
            $"workload identity in project good-project is not ready: workload identity pool alpha-1a2b3-wi-pool is DELETED; create or repair it with: {IamCommand}"),
        ["the provider is disabled"] = new((_, p) => p.Providers["alpha-1a2b3-k8s-provider"] = p.Providers["alpha-1a2b3-k8s-provider"] with { Disabled = true },
            GcpEnvironmentChecks.WorkloadIdentity,
            $"workload identity in project good-project is not ready: workload identity provider alpha-1a2b3-k8s-provider is disabled; create or repair it with: {IamCommand}"),
        ["the provider trusts another issuer"] = new((_, p) => p.Providers["alpha-1a2b3-k8s-provider"] = p.Providers["alpha-1a2b3-k8s-provider"] with { IssuerUri = "https://issuer.example.com" },
            GcpEnvironmentChecks.WorkloadIdentity,
            "workload identity in project good-project is not ready: workload identity provider alpha-1a2b3-k8s-provider trusts issuer https://issuer.example.com, "
            + $"not the cluster's https://hypershift-alpha-1a2b3-oidc; create or repair it with: {IamCommand}"),
        ["the provider trusts another key"] = new((_, p) => p.Providers["alpha-1a2b3-k8s-provider"] = p.Providers["alpha-1a2b3-k8s-provider"] with
            {
                JwksJson = """{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"another-cluster-key","n":"AQAB","e":"AQAB"}]}""",
            },
            GcpEnvironmentChecks.WorkloadIdentity,
            $"workload identity in project good-project is not ready: workload identity provider alpha-1a2b3-k8s-provider does not trust the cluster's signing key test-key-id; create or repair it with: {IamCommand}"),
        ["two service accounts are missing and one disabled"] = new((_, p) =>
            {
                p.ServiceAccounts.Remove("alpha-1a2b3-gcp-pd-csi@good-project.iam.gserviceaccount.com");
                p.ServiceAccounts.Remove("alpha-1a2b3-cloud-network@good-project.iam.gserviceaccount.com");
                p.ServiceAccounts["alpha-1a2b3-image-registry@good-project.iam.gserviceaccount.com"] = true;
            },
            GcpEnvironmentChecks.WorkloadIdentity,
            "workload identity in project good-project is not ready: service accounts do not exist: alpha-1a2b3-gcp-pd-csi@good-project.iam.gserviceaccount.com, "
            + "alpha-1a2b3-cloud-network@good-project.iam.gserviceaccount.com, service accounts are disabled: alpha-1a2b3-image-registry@good-project.iam.gserviceaccount.com; "
            + $"create or repair it with: {IamCommand}"),
    };

    public static TheoryData<string> BreakageNames => [.. Breakages.Keys];

    [Theory]
    [MemberData(nameof(BreakageNames))]
    public async Task One_broken_thing_fails_its_own_check_only_with_what_and_how_to_fix(string breakage)
    {
        var (breakIt, check, message) = Breakages[breakage];
        var world = FakeGcpWorld.PreparedFor(Request);
        breakIt(world, world.Projects[Project]);

        var outcome = await ValidateAsync(world, Request);

        AssertOnlyFailed(outcome, check);
        Assert.Equal(message, outcome.Report.Message);
        Assert.False(outcome.Report.Transient);
    }

    /// <summary>Every method but projects.get, and the check that calls it.</summary>
    public static TheoryData<string, string> MethodsAndTheirChecks => new()
    {
        { "serviceusage.services.batchGet", GcpEnvironmentChecks.ApisEnabled },
        { "compute.regions.get", GcpEnvironmentChecks.CpuQuota },
        { "cloudresourcemanager.projects.testIamPermissions", GcpEnvironmentChecks.IamPermissions },
        { "dns.managedZones.list", GcpEnvironmentChecks.BaseDomainZone },
        { "compute.networks.get", GcpEnvironmentChecks.NetworkAndSubnet },
        { "compute.subnetworks.get", GcpEnvironmentChecks.NetworkAndSubnet },
        { "iam.projects.locations.workloadIdentityPools.get", GcpEnvironmentChecks.WorkloadIdentity },
        { "iam.projects.locations.workloadIdentityPools.providers.get", GcpEnvironmentChecks.WorkloadIdentity },
        { "iam.projects.serviceAccounts.get", GcpEnvironmentChecks.WorkloadIdentity },
    };

    [Theory]
    [MemberData(nameof(MethodsAndTheirChecks))]
    public async Task A_google_outage_of_one_method_fails_only_its_check_with_googles_message_and_as_transient(string method, string check)
    {
        var world = FakeGcpWorld.PreparedFor(Request);
        world.Failures[method] = GoogleAnswer.Error(503, "The service is currently unavailable.");

        var outcome = await ValidateAsync(world, Request);

        AssertOnlyFailed(outcome, check);
        var failed = outcome.Check(check);
        Assert.True(failed.Transient);
        Assert.EndsWith(": HTTP 503: The service is currently unavailable.", failed.Message, StringComparison.Ordinal);
        Assert.True(outcome.Report.Transient);
        Assert.Equal("123456789", outcome.Report.ProjectNumber);
    }

    [Fact]
    public async Task A_denied_call_fails_its_check_with_googles_message_and_not_as_transient()
    {
        var world = FakeGcpWorld.PreparedFor(Request);
        world.Failures["iam.projects.locations.workloadIdentityPools.get"] =
            GoogleAnswer.Error(403, "Permission 'iam.workloadIdentityPools.get' denied on resource (or it may not exist).");

        var outcome = await ValidateAsync(world, Request);

        AssertOnlyFailed(outcome, GcpEnvironmentChecks.WorkloadIdentity);
        Assert.Equal(
            "get workload identity pool alpha-1a2b3-wi-pool: HTTP 403: Permission 'iam.workloadIdentityPools.get' denied on resource (or it may not exist).",
            outcome.Report.Message);
        Assert.False(outcome.Report.Transient);
    }

    [Fact]
    public async Task An_api_that_cannot_be_reached_fails_only_its_check_as_transient()
    {
        // Nothing listens on port 1 of the loopback address: the connection is refused.
        var outcome = await ValidateAsync(FakeGcpWorld.PreparedFor(Request), Request, gcp => gcp.IamUrl = new Uri("http://127.0.0.1:1/"));

        AssertOnlyFailed(outcome, GcpEnvironmentChecks.WorkloadIdentity);
        var failed = outcome.Check(GcpEnvironmentChecks.WorkloadIdentity);
        Assert.True(failed.Transient);
        Assert.StartsWith("get workload identity pool alpha-1a2b3-wi-pool: ", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_inactive_or_unanswering_project_fails_only_the_reachability_check()
    {
        var missing = await ValidateAsync(FakeGcpWorld.PreparedFor(Request), GcpRequests.For("nobody-project", Region, 4));
        var closingWorld = FakeGcpWorld.PreparedFor(Request);
        closingWorld.Projects[Project].State = "DELETE_REQUESTED";
        var closing = await ValidateAsync(closingWorld, Request);
        var outageWorld = FakeGcpWorld.PreparedFor(Request);
        outageWorld.Failures["cloudresourcemanager.projects.get"] = GoogleAnswer.Error(503, "The service is currently unavailable.");
        var outage = await ValidateAsync(outageWorld, Request);

        Assert.All([missing, closing, outage], outcome =>
        {
            var check = Assert.Single(outcome.Report.Checks);
            Assert.Equal((GcpEnvironmentChecks.ProjectReachable, false), (check.Name, check.Passed));
            Assert.Equal(["cloudresourcemanager.projects.get"], outcome.Calls);
        });
        Assert.Equal("project nobody-project does not exist or the platform's service account cannot access it", missing.Report.Message);
        Assert.Equal("project good-project is not active (state DELETE_REQUESTED)", closing.Report.Message);
        Assert.Equal("get project good-project: HTTP 503: The service is currently unavailable.", outage.Report.Message);
        Assert.True(outage.Report.Transient);
    }

    [Fact]
    public async Task An_unknown_region_fails_the_quota_check_and_the_subnet_lookup()
    {
        var request = GcpRequests.For(Project, "mars-north1", 4);

        var outcome = await ValidateAsync(FakeGcpWorld.PreparedFor(GcpRequests.For(Project, Region, 4)), request);

        Assert.Equal("region mars-north1 does not exist in project good-project", outcome.Check(GcpEnvironmentChecks.CpuQuota).Message);
        Assert.Equal(
            "subnet alpha-1a2b3-subnet does not exist in region mars-north1 of project good-project; create them with: "
            + "hypershift create infra gcp --infra-id=alpha-1a2b3 --project-id=good-project --region=mars-north1",
            outcome.Check(GcpEnvironmentChecks.NetworkAndSubnet).Message);
    }

    [Fact]
    public async Task A_network_and_subnet_named_by_the_customer_are_named_when_missing_without_the_infra_command()
    {
        var request = Request with { Network = "shared-vpc", Subnet = "nodes" };

        var outcome = await ValidateAsync(FakeGcpWorld.PreparedFor(Request), request);

        AssertOnlyFailed(outcome, GcpEnvironmentChecks.NetworkAndSubnet);
        Assert.Equal(
            "network shared-vpc does not exist in project good-project, subnet nodes does not exist in region us-central1 of project good-project",
            outcome.Report.Message);
    }

    [Fact]
    public async Task A_public_zone_on_a_later_page_after_a_private_one_counts()
    {
        var world = FakeGcpWorld.PreparedFor(Request);
        world.Zones.Insert(0, new FakeZone("acme-private", "acme.example.com.", "private"));
        world.Zones.Add(new FakeZone("other", "other.example.com.", "public"));
        world.ZonePageSize = 1;

        var outcome = await ValidateAsync(world, Request);

        Assert.True(outcome.Report.Passed, outcome.Report.Message);
        Assert.Contains(outcome.Log, r => r.StartsWith("GET /dns.v1/dns/v1/projects/platform-dns/managedZones?dnsName=acme.example.com.&pageToken=1 -> 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_configured_dns_project_the_zone_check_fails_and_says_which_setting()
    {
        var outcome = await ValidateAsync(FakeGcpWorld.PreparedFor(Request), Request, gcp => gcp.DnsProjectId = "");

        AssertOnlyFailed(outcome, GcpEnvironmentChecks.BaseDomainZone);
        Assert.Equal("the platform's DNS project is not configured (Providers:Gcp:DnsProjectId)", outcome.Report.Message);
    }

    [Fact]
    public async Task A_cluster_without_infra_id_or_signing_key_fails_workload_identity_without_calling_iam()
    {
        var request = Request with { SigningKey = new ServiceAccountSigningKey("", "", "") };

        var outcome = await ValidateAsync(FakeGcpWorld.PreparedFor(Request), request);

        AssertOnlyFailed(outcome, GcpEnvironmentChecks.WorkloadIdentity);
        Assert.Equal("the cluster has no infra id or no service-account signing key yet, so its workload identity cannot be checked", outcome.Report.Message);
        Assert.DoesNotContain(outcome.Calls, id => id.StartsWith("iam.", StringComparison.Ordinal));
    }
}
