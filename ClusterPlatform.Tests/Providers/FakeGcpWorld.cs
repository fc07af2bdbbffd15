extern alias controllers;

using System.Globalization;
using ClusterPlatform.Tests.Google;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// Customer projects and the platform's DNS project as Google would report them, answering the
/// discovery methods environment validation calls (served by <see cref="FakeGoogle"/>, which checks
/// both the requests and these answers against Google's discovery documents). Tests start from
/// <see cref="PreparedFor"/> and break one thing.
/// </summary>
internal sealed class FakeGcpWorld
{
    public const string DnsProject = "platform-dns";

    /// <summary>The discovery documents of the APIs validation calls.</summary>
    public static readonly IReadOnlyList<string> Apis = ["cloudresourcemanager.v3", "serviceusage.v1", "compute.v1", "dns.v1", "iam.v1"];

    public Dictionary<string, FakeProject> Projects { get; } = new(StringComparer.Ordinal);

    /// <summary>The managed zones of <see cref="DnsProject"/>.</summary>
    public List<FakeZone> Zones { get; } = [];

    /// <summary>managedZones.list answers this many zones a page, so paging can be exercised.</summary>
    public int ZonePageSize { get; set; } = 100;

    /// <summary>Answers that replace a method's own, by method id: an outage or a denial of that one call.</summary>
    public Dictionary<string, GoogleAnswer> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The request's project after the guide's steps: the APIs of create-gcp-infra.md enabled,
    /// <c>hypershift create infra gcp</c> (network, subnet) and <c>hypershift create iam gcp</c>
    /// (pool, provider with the request's issuer and JWKS, six service accounts) run with the
    /// request's infra id, the platform granted what it reads, and a public zone for the base domain.
    /// </summary>
    public static FakeGcpWorld PreparedFor(GcpEnvironmentRequest request)
    {
        var world = new FakeGcpWorld();
        var project = new FakeProject(request.ProjectId, "123456789");
        project.EnabledApis.UnionWith(GcpEnvironmentChecks.RequiredApis);
        project.GrantedPermissions.UnionWith(GcpEnvironmentChecks.RequiredPermissions);
        project.CpuQuotas[request.Region] = (24, 4);
        project.Networks.Add(request.Network);
        project.Subnets[(request.Region, request.Subnet)] = request.Network;
        project.Pools[request.Names.WorkloadIdentityPoolId] = new FakePool();
        project.Providers[request.Names.WorkloadIdentityProviderId] = new FakeProvider(request.SigningKey.IssuerUrl, request.SigningKey.Jwks);
        foreach (var email in request.Names.ServiceAccounts.Values)
        {
            project.ServiceAccounts[email] = false;
        }

        world.Projects[project.Id] = project;
        world.Zones.Add(new FakeZone("acme-public", $"{request.BaseDomain}.", "public"));
        return world;
    }

    public IReadOnlyDictionary<string, Func<GoogleCall, GoogleAnswer>> Handlers => new Dictionary<string, Func<GoogleCall, GoogleAnswer>>(StringComparer.Ordinal)
    {
        ["cloudresourcemanager.projects.get"] = Failable(GetProject),
        ["cloudresourcemanager.projects.testIamPermissions"] = Failable(TestPermissions),
        ["serviceusage.services.batchGet"] = Failable(GetServices),
        ["compute.regions.get"] = Failable(GetRegion),
        ["compute.networks.get"] = Failable(GetNetwork),
        ["compute.subnetworks.get"] = Failable(GetSubnet),
        ["dns.managedZones.list"] = Failable(ListZones),
        ["iam.projects.locations.workloadIdentityPools.get"] = Failable(GetPool),
        ["iam.projects.locations.workloadIdentityPools.providers.get"] = Failable(GetProvider),
        ["iam.projects.serviceAccounts.get"] = Failable(GetServiceAccount),
    };

    private Func<GoogleCall, GoogleAnswer> Failable(Func<GoogleCall, GoogleAnswer> handler) =>
        call => Failures.TryGetValue(call.MethodId, out var failure) ? failure : handler(call);

    // Resource Manager and IAM take resource names ("projects/<id>/…"), Compute and DNS the bare id.
    private FakeProject? Project(string projectId) => Projects.GetValueOrDefault(projectId);

    private FakeProject? ProjectOf(string resourceName) => resourceName.Split('/') is ["projects", var id, ..] ? Project(id) : null;

    private GoogleAnswer GetProject(GoogleCall call) => ProjectOf(call.Path["name"]) is { } project
        ? GoogleAnswer.Ok(new JsonObject
        {
            ["name"] = $"projects/{project.Number}",
            ["projectId"] = project.Id,
            ["state"] = project.State,
            ["displayName"] = project.Id,
        })
        // Resource Manager answers 403, not 404, for a project that does not exist.
        : GoogleAnswer.Error(403, $"Permission denied on resource project {call.Path["name"]}.");

    private GoogleAnswer TestPermissions(GoogleCall call)
    {
        var project = ProjectOf(call.Path["resource"])!;
        var granted = call.Body!["permissions"]!.AsArray().Select(p => (string)p!).Where(project.GrantedPermissions.Contains).ToList();
        // The field is omitted when nothing is granted.
        return GoogleAnswer.Ok(granted.Count == 0 ? new JsonObject() : new JsonObject { ["permissions"] = Strings(granted) });
    }

    private GoogleAnswer GetServices(GoogleCall call)
    {
        var project = ProjectOf(call.Path["parent"])!;
        return GoogleAnswer.Ok(new JsonObject
        {
            ["services"] = new JsonArray([.. call.Query["names"].Select(name => name.Split('/')[^1]).Select(api => (JsonNode)new JsonObject
            {
                // Service Usage names the project by number in its answers.
                ["name"] = $"projects/{project.Number}/services/{api}",
                ["parent"] = $"projects/{project.Number}",
                ["config"] = new JsonObject { ["name"] = api },
                ["state"] = project.EnabledApis.Contains(api) ? "ENABLED" : "DISABLED",
            })]),
        });
    }

    private GoogleAnswer GetRegion(GoogleCall call)
    {
        var (projectId, region) = (call.Path["project"], call.Path["region"]);
        if (Project(projectId)?.CpuQuotas.TryGetValue(region, out var cpus) != true)
        {
            return NotFound($"projects/{projectId}/regions/{region}");
        }

        return GoogleAnswer.Ok(new JsonObject
        {
            ["kind"] = "compute#region",
            ["id"] = "1000",
            ["name"] = region,
            ["status"] = "UP",
            ["selfLink"] = ComputeUrl(projectId, $"regions/{region}"),
            ["quotas"] = new JsonArray(
                new JsonObject { ["metric"] = "SSD_TOTAL_GB", ["limit"] = 500.0, ["usage"] = 0.0 },
                new JsonObject { ["metric"] = "CPUS", ["limit"] = cpus.Limit, ["usage"] = cpus.Usage }),
        });
    }

    private GoogleAnswer GetNetwork(GoogleCall call)
    {
        var (projectId, network) = (call.Path["project"], call.Path["network"]);
        return Project(projectId)?.Networks.Contains(network) == true
            ? GoogleAnswer.Ok(new JsonObject
            {
                ["kind"] = "compute#network",
                ["id"] = "2000",
                ["name"] = network,
                ["autoCreateSubnetworks"] = false,
                ["selfLink"] = ComputeUrl(projectId, $"global/networks/{network}"),
            })
            : NotFound($"projects/{projectId}/global/networks/{network}");
    }

    private GoogleAnswer GetSubnet(GoogleCall call)
    {
        var (projectId, region, subnet) = (call.Path["project"], call.Path["region"], call.Path["subnetwork"]);
        return Project(projectId)?.Subnets.TryGetValue((region, subnet), out var network) == true
            ? GoogleAnswer.Ok(new JsonObject
            {
                ["kind"] = "compute#subnetwork",
                ["id"] = "3000",
                ["name"] = subnet,
                ["ipCidrRange"] = "10.0.0.0/24",
                ["purpose"] = "PRIVATE",
                ["network"] = ComputeUrl(projectId, $"global/networks/{network}"),
                ["region"] = ComputeUrl(projectId, $"regions/{region}"),
                ["selfLink"] = ComputeUrl(projectId, $"regions/{region}/subnetworks/{subnet}"),
            })
            : NotFound($"projects/{projectId}/regions/{region}/subnetworks/{subnet}");
    }

    private GoogleAnswer ListZones(GoogleCall call)
    {
        if (call.Path["project"] != DnsProject)
        {
            return GoogleAnswer.Error(403, $"Forbidden: the caller has no access to project {call.Path["project"]}");
        }

        var matching = Zones.Where(zone => !call.Query.TryGetValue("dnsName", out var dnsName) || zone.DnsName == dnsName[0]).ToList();
        var start = call.Query.TryGetValue("pageToken", out var token) ? int.Parse(token[0], CultureInfo.InvariantCulture) : 0;
        var page = new JsonObject
        {
            ["kind"] = "dns#managedZonesListResponse",
            ["managedZones"] = new JsonArray([.. matching.Skip(start).Take(ZonePageSize).Select((zone, i) => (JsonNode)new JsonObject
            {
                ["kind"] = "dns#managedZone",
                ["id"] = (4000 + start + i).ToString(CultureInfo.InvariantCulture),
                ["name"] = zone.Name,
                ["dnsName"] = zone.DnsName,
                ["visibility"] = zone.Visibility,
                ["nameServers"] = Strings(["ns-cloud-a1.googledomains.com."]),
            })]),
        };
        if (start + ZonePageSize < matching.Count)
        {
            page["nextPageToken"] = (start + ZonePageSize).ToString(CultureInfo.InvariantCulture);
        }

        return GoogleAnswer.Ok(page);
    }

    // IAM answers with the project's number in resource names, as for any resource it returns.
    private GoogleAnswer GetPool(GoogleCall call)
    {
        var name = call.Path["name"];
        var (project, poolId) = (ProjectOf(name), name.Split('/')[^1]);
        return project?.Pools.TryGetValue(poolId, out var pool) == true
            ? GoogleAnswer.Ok(new JsonObject
            {
                ["name"] = $"projects/{project.Number}/locations/global/workloadIdentityPools/{poolId}",
                ["state"] = pool.State,
                ["disabled"] = pool.Disabled,
            })
            : GoogleAnswer.Error(404, $"Requested entity was not found: {name}");
    }

    private GoogleAnswer GetProvider(GoogleCall call)
    {
        var name = call.Path["name"];
        var parts = name.Split('/');
        var project = ProjectOf(name);
        FakeProvider? provider = null;
        if (project is null || !project.Pools.ContainsKey(parts[5]) || !project.Providers.TryGetValue(parts[^1], out provider))
        {
            return GoogleAnswer.Error(404, $"Requested entity was not found: {name}");
        }

        return GoogleAnswer.Ok(new JsonObject
        {
            ["name"] = $"projects/{project.Number}/locations/global/workloadIdentityPools/{parts[5]}/providers/{parts[^1]}",
            ["state"] = provider.State,
            ["disabled"] = provider.Disabled,
            // As cmd/infra/gcp/iam.go (CreateOIDCProvider) creates it.
            ["attributeMapping"] = new JsonObject { ["google.subject"] = "assertion.sub" },
            ["oidc"] = new JsonObject
            {
                ["issuerUri"] = provider.IssuerUri,
                ["allowedAudiences"] = Strings(["openshift"]),
                ["jwksJson"] = provider.JwksJson,
            },
        });
    }

    private GoogleAnswer GetServiceAccount(GoogleCall call)
    {
        var name = call.Path["name"];
        var (project, email) = (ProjectOf(name), name.Split('/')[^1]);
        return project?.ServiceAccounts.TryGetValue(email, out var disabled) == true
            ? GoogleAnswer.Ok(new JsonObject
            {
                ["name"] = $"projects/{project.Id}/serviceAccounts/{email}",
                ["projectId"] = project.Id,
                ["uniqueId"] = "104000000000000000000",
                ["email"] = email,
                ["disabled"] = disabled,
            })
            : GoogleAnswer.Error(404, $"Unknown service account {email}");
    }

    private static GoogleAnswer NotFound(string resource) => GoogleAnswer.Error(404, $"The resource '{resource}' was not found");

    private static string ComputeUrl(string projectId, string path) => $"https://www.googleapis.com/compute/v1/projects/{projectId}/{path}";

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(value => (JsonNode?)value)]);
}

/// <summary>What one customer project holds; <see cref="FakeGcpWorld.PreparedFor"/> fills it as the guide leaves it.</summary>
internal sealed class FakeProject(string id, string number)
{
    public string Id { get; } = id;

    public string Number { get; } = number;

    public string State { get; set; } = "ACTIVE";

    public HashSet<string> EnabledApis { get; } = new(StringComparer.Ordinal);

    public HashSet<string> GrantedPermissions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, (double Limit, double Usage)> CpuQuotas { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Networks { get; } = new(StringComparer.Ordinal);

    /// <summary>(region, subnet name) to the network it is in.</summary>
    public Dictionary<(string Region, string Name), string> Subnets { get; } = [];

    public Dictionary<string, FakePool> Pools { get; } = new(StringComparer.Ordinal);

    /// <summary>The providers of the pools (each test project has one pool).</summary>
    public Dictionary<string, FakeProvider> Providers { get; } = new(StringComparer.Ordinal);

    /// <summary>Email to whether the account is disabled.</summary>
    public Dictionary<string, bool> ServiceAccounts { get; } = new(StringComparer.Ordinal);
}

internal sealed record FakePool(string State = "ACTIVE", bool Disabled = false);

internal sealed record FakeProvider(string IssuerUri, string JwksJson, string State = "ACTIVE", bool Disabled = false);

internal sealed record FakeZone(string Name, string DnsName, string Visibility);
