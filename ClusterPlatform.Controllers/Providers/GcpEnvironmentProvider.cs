using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using static ClusterPlatform.Controllers.Providers.GoogleRest;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The checks of <see cref="GcpEnvironmentChecks"/> against Google's REST APIs, called by hand
/// because Google's client libraries are not available here. Every path, query parameter and field
/// is Google's discovery document's (googleapis/discovery-artifact-manager, discoveries/&lt;api&gt;.json:
/// cloudresourcemanager.v3, serviceusage.v1, dns.v1 and iam.v1 at 0ca43a0ba91ff08b029b5a49262b0b07e7685c27
/// or later, compute.v1 at 81903829f3f448c2f64bc292a9109464fccab48f), and the tests' fake of Google
/// enforces those documents (ClusterPlatform.Tests/Google/Discovery). The permissions tested are the
/// caller's own: the platform's service account, whose credentials this process runs with.
/// </summary>
internal sealed class GcpEnvironmentProvider(HttpClient http, IOptions<ProviderOptions> options) : IGcpEnvironmentProvider
{
    private GcpOptions Gcp => options.Value.Gcp;

    public async Task<GcpEnvironmentReport> ValidateAsync(GcpEnvironmentRequest request, CancellationToken cancellationToken)
    {
        string? projectNumber = null;
        var project = await CheckAsync(GcpEnvironmentChecks.ProjectReachable, async () =>
        {
            (var check, projectNumber) = await ProjectAsync(request.ProjectId, cancellationToken);
            return check;
        });
        if (!project.Passed)
        {
            return new GcpEnvironmentReport([project]);
        }

        var checks = await Task.WhenAll(
            CheckAsync(GcpEnvironmentChecks.ApisEnabled, () => ApisAsync(request.ProjectId, cancellationToken)),
            CheckAsync(GcpEnvironmentChecks.CpuQuota, () => QuotaAsync(request, cancellationToken)),
            CheckAsync(GcpEnvironmentChecks.IamPermissions, () => PermissionsAsync(request.ProjectId, cancellationToken)),
            CheckAsync(GcpEnvironmentChecks.BaseDomainZone, () => BaseDomainZoneAsync(request.BaseDomain, cancellationToken)),
            CheckAsync(GcpEnvironmentChecks.NetworkAndSubnet, () => NetworkAsync(request, cancellationToken)),
            CheckAsync(GcpEnvironmentChecks.WorkloadIdentity, () => WorkloadIdentityAsync(request, cancellationToken)));
        return new GcpEnvironmentReport([project, .. checks], projectNumber);
    }

    /// <summary>
    /// Runs one check so that Google failing to answer it fails only that check, with Google's own
    /// message, and the others still report.
    /// </summary>
    private static async Task<GcpEnvironmentCheck> CheckAsync(string name, Func<Task<GcpEnvironmentCheck>> check)
    {
        try
        {
            return await check();
        }
        catch (ProviderException e)
        {
            return new GcpEnvironmentCheck(name, false, e.Message, e.Transient);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidCastException or System.Text.Json.JsonException)
        {
            // An answer of an unexpected shape (a field of another type): this check cannot decide,
            // the others still report. Not transient: asking again gets the same answer.
            return new GcpEnvironmentCheck(name, false, $"{name}: Google's answer could not be read: {e.Message}");
        }
    }

    private async Task<(GcpEnvironmentCheck Check, string? ProjectNumber)> ProjectAsync(string projectId, CancellationToken cancellationToken)
    {
        // Google answers 403 for a project that does not exist as well as for one we may not see,
        // so both read as "not reachable".
        var (status, body) = await SendAsync(http, HttpMethod.Get, new Uri(Gcp.ResourceManagerUrl, $"v3/projects/{Escape(projectId)}"),
            null, $"get project {projectId}", cancellationToken, 403, 404);
        var state = (string?)body?["state"];
        // Resource Manager v3 names a project by its number: "projects/123456789".
        var number = ((string?)body?["name"])?.Split('/') is ["projects", var n] && n.All(char.IsAsciiDigit) ? n : null;
        GcpEnvironmentCheck check = status switch
        {
            403 or 404 => new(GcpEnvironmentChecks.ProjectReachable, false, $"project {projectId} does not exist or the platform's service account cannot access it"),
            _ when state != "ACTIVE" => new(GcpEnvironmentChecks.ProjectReachable, false, $"project {projectId} is not active (state {state})"),
            _ => new(GcpEnvironmentChecks.ProjectReachable, true, $"project {projectId} is reachable"),
        };
        return (check, number);
    }

    private async Task<GcpEnvironmentCheck> ApisAsync(string projectId, CancellationToken cancellationToken)
    {
        var names = string.Join('&', GcpEnvironmentChecks.RequiredApis.Select(api => $"names={Escape($"projects/{projectId}/services/{api}")}"));
        var (_, body) = await SendAsync(http, HttpMethod.Get, new Uri(Gcp.ServiceUsageUrl, $"v1/projects/{Escape(projectId)}/services:batchGet?{names}"),
            null, $"get services of project {projectId}", cancellationToken);

        // Service names come back with the project number, so match on the service's own name.
        var enabled = (body?["services"] as JsonArray ?? [])
            .Where(service => (string?)service?["state"] == "ENABLED")
            .Select(service => ((string?)service?["name"])?.Split('/')[^1])
            .ToHashSet(StringComparer.Ordinal);
        var disabled = GcpEnvironmentChecks.RequiredApis.Where(api => !enabled.Contains(api)).ToList();
        return disabled.Count == 0
            ? new(GcpEnvironmentChecks.ApisEnabled, true, "required APIs are enabled")
            : new(GcpEnvironmentChecks.ApisEnabled, false, $"APIs not enabled in project {projectId}: {string.Join(", ", disabled)}");
    }

    private async Task<GcpEnvironmentCheck> QuotaAsync(GcpEnvironmentRequest request, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(http, HttpMethod.Get,
            new Uri(Gcp.ComputeUrl, $"compute/v1/projects/{Escape(request.ProjectId)}/regions/{Escape(request.Region)}"),
            null, $"get region {request.Region}", cancellationToken, 404);
        if (status == 404)
        {
            return new(GcpEnvironmentChecks.CpuQuota, false, $"region {request.Region} does not exist in project {request.ProjectId}");
        }

        // The regional "CPUS" quota; families with their own metric (N2_CPUS, C2_CPUS, ...) are not checked yet.
        var cpus = (body?["quotas"] as JsonArray ?? []).FirstOrDefault(quota => (string?)quota?["metric"] == "CPUS");
        if (cpus is null)
        {
            return new(GcpEnvironmentChecks.CpuQuota, false, $"region {request.Region} reports no CPUS quota");
        }

        var free = (double)cpus["limit"]! - (double)(cpus["usage"] ?? 0);
        var message = $"CPU quota in {request.Region} has {free.ToString("0.##", CultureInfo.InvariantCulture)} vCPUs free, {request.RequiredVcpus} needed";
        return new(GcpEnvironmentChecks.CpuQuota, free >= request.RequiredVcpus, message);
    }

    private async Task<GcpEnvironmentCheck> PermissionsAsync(string projectId, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["permissions"] = new JsonArray([.. GcpEnvironmentChecks.RequiredPermissions.Select(p => (JsonNode?)p)]) };
        var (_, granted) = await SendAsync(http, HttpMethod.Post, new Uri(Gcp.ResourceManagerUrl, $"v3/projects/{Escape(projectId)}:testIamPermissions"),
            body, $"test permissions in project {projectId}", cancellationToken);

        // The answer lists only the granted subset, and omits the field when none is granted.
        var held = (granted?["permissions"] as JsonArray ?? []).Select(p => (string?)p).ToHashSet(StringComparer.Ordinal);
        var missing = GcpEnvironmentChecks.RequiredPermissions.Where(p => !held.Contains(p)).ToList();
        return missing.Count == 0
            ? new(GcpEnvironmentChecks.IamPermissions, true, "service account has the required permissions")
            : new(GcpEnvironmentChecks.IamPermissions, false, $"service account lacks permissions in project {projectId}: {string.Join(", ", missing)}");
    }

    /// <summary>
    /// HyperShift's ExternalDNS publishes the cluster's API and OAuth names in a public zone of the
    /// base domain (setup-management-cluster.md, "DNS Zone Configuration", <c>--visibility=public</c>),
    /// and so does the platform's own DNS provider. A private zone of the same name answers only
    /// inside VPC networks, so it does not count.
    /// </summary>
    private async Task<GcpEnvironmentCheck> BaseDomainZoneAsync(string baseDomain, CancellationToken cancellationToken)
    {
        var dnsProject = Gcp.DnsProjectId;
        if (dnsProject.Length == 0)
        {
            return new(GcpEnvironmentChecks.BaseDomainZone, false, "the platform's DNS project is not configured (Providers:Gcp:DnsProjectId)");
        }

        // managedZones.list's dnsName filter takes the zone's absolute name, with its final dot.
        var dnsName = $"{baseDomain.TrimEnd('.')}.";
        var zones = new List<JsonNode>();
        string? pageToken = null;
        do
        {
            var page = pageToken is null ? "" : $"&pageToken={Escape(pageToken)}";
            var (_, body) = await SendAsync(http, HttpMethod.Get,
                new Uri(Gcp.DnsUrl, $"dns/v1/projects/{Escape(dnsProject)}/managedZones?dnsName={Escape(dnsName)}{page}"),
                null, $"list managed zones of {dnsName} in project {dnsProject}", cancellationToken);
            zones.AddRange((body?["managedZones"] as JsonArray ?? []).OfType<JsonNode>().Where(zone => (string?)zone["dnsName"] == dnsName));
            pageToken = (string?)body?["nextPageToken"];
        }
        while (!string.IsNullOrEmpty(pageToken));

        // A zone is public unless created otherwise (gcloud's --visibility defaults to public).
        var publicZone = zones.FirstOrDefault(zone => ((string?)zone["visibility"] ?? "public") == "public");
        if (publicZone is not null)
        {
            return new(GcpEnvironmentChecks.BaseDomainZone, true, $"base domain {baseDomain} has public managed zone {(string?)publicZone["name"]} in project {dnsProject}");
        }

        var fix = GcpEnvironmentChecks.CreateZoneCommand(dnsProject, baseDomain);
        return zones.Count == 0
            ? new(GcpEnvironmentChecks.BaseDomainZone, false, $"base domain {baseDomain} has no managed zone in project {dnsProject}; create a public one with: {fix}")
            : new(GcpEnvironmentChecks.BaseDomainZone, false,
                $"base domain {baseDomain} has only private managed zones in project {dnsProject} ({string.Join(", ", zones.Select(zone => (string?)zone["name"]))}), "
                + $"which do not count because the cluster's names must resolve from the Internet; create a public one with: {fix}");
    }

    /// <summary>
    /// The network and subnet the nodes and the Private Service Connect endpoint use
    /// (create-gcp-hosted-cluster.md, <c>--network</c>, <c>--subnet</c>); <c>hypershift create infra gcp</c>
    /// creates them as &lt;infra-id&gt;-network and &lt;infra-id&gt;-subnet (cmd/infra/gcp/networking.go).
    /// </summary>
    private async Task<GcpEnvironmentCheck> NetworkAsync(GcpEnvironmentRequest request, CancellationToken cancellationToken)
    {
        if (request.Network.Length == 0 || request.Subnet.Length == 0)
        {
            return new(GcpEnvironmentChecks.NetworkAndSubnet, false, "the cluster names no network or no subnet");
        }

        var project = Escape(request.ProjectId);
        var networkCall = SendAsync(http, HttpMethod.Get, new Uri(Gcp.ComputeUrl, $"compute/v1/projects/{project}/global/networks/{Escape(request.Network)}"),
            null, $"get network {request.Network}", cancellationToken, 404);
        var subnetCall = SendAsync(http, HttpMethod.Get,
            new Uri(Gcp.ComputeUrl, $"compute/v1/projects/{project}/regions/{Escape(request.Region)}/subnetworks/{Escape(request.Subnet)}"),
            null, $"get subnet {request.Subnet} in {request.Region}", cancellationToken, 404);
        var (networkStatus, _) = await networkCall;
        var (subnetStatus, subnet) = await subnetCall;

        var missing = new List<string>();
        if (networkStatus == 404)
        {
            missing.Add($"network {request.Network} does not exist in project {request.ProjectId}");
        }

        if (subnetStatus == 404)
        {
            missing.Add($"subnet {request.Subnet} does not exist in region {request.Region} of project {request.ProjectId}");
        }

        if (missing.Count > 0)
        {
            // The command only makes the names it derives from the infra id.
            var defaults = request.Network == request.Names.Network && request.Subnet == request.Names.Subnet;
            return new(GcpEnvironmentChecks.NetworkAndSubnet, false,
                string.Join(", ", missing) + (defaults ? $"; create them with: {GcpEnvironmentChecks.CreateInfraCommand(request)}" : ""));
        }

        // A subnetwork's "network" is the network's URL: https://www.googleapis.com/compute/v1/projects/<p>/global/networks/<n>.
        var subnetNetwork = (string?)subnet?["network"] ?? "";
        var expected = $"projects/{request.ProjectId}/global/networks/{request.Network}";
        return subnetNetwork.EndsWith($"/{expected}", StringComparison.Ordinal) || subnetNetwork == expected
            ? new(GcpEnvironmentChecks.NetworkAndSubnet, true, $"subnet {request.Subnet} in {request.Region} is in network {request.Network}")
            : new(GcpEnvironmentChecks.NetworkAndSubnet, false,
                $"subnet {request.Subnet} in {request.Region} is in network {subnetNetwork.Split('/')[^1]}, not in the cluster's network {request.Network}");
    }

    /// <summary>
    /// What <c>hypershift create iam gcp</c> makes (create-gcp-iam.md; cmd/infra/gcp/iam.go): the
    /// pool, the OIDC provider given the cluster's issuer and JWKS inline, and the six service
    /// accounts. iam.go treats a DELETED or disabled pool or provider, another issuer or another JWKS
    /// as needing repair (ensurePoolUsable, ensureProviderUsable), and so does this check.
    /// </summary>
    private async Task<GcpEnvironmentCheck> WorkloadIdentityAsync(GcpEnvironmentRequest request, CancellationToken cancellationToken)
    {
        var names = request.Names;
        if (names.InfraId.Length == 0 || request.SigningKey.IssuerUrl.Length == 0 || request.SigningKey.KeyId.Length == 0)
        {
            return new(GcpEnvironmentChecks.WorkloadIdentity, false, "the cluster has no infra id or no service-account signing key yet, so its workload identity cannot be checked");
        }

        var poolPath = $"v1/projects/{Escape(request.ProjectId)}/locations/global/workloadIdentityPools/{Escape(names.WorkloadIdentityPoolId)}";
        var poolCall = GetIamAsync(poolPath, $"get workload identity pool {names.WorkloadIdentityPoolId}", cancellationToken);
        var providerCall = GetIamAsync($"{poolPath}/providers/{Escape(names.WorkloadIdentityProviderId)}",
            $"get workload identity provider {names.WorkloadIdentityProviderId}", cancellationToken);
        var accountCalls = names.ServiceAccounts.Values.Select(email =>
            GetIamAsync($"v1/projects/{Escape(request.ProjectId)}/serviceAccounts/{Escape(email)}", $"get service account {email}", cancellationToken)).ToList();

        var problems = new List<string>();
        problems.AddRange(Usable("workload identity pool", names.WorkloadIdentityPoolId, await poolCall));
        var provider = await providerCall;
        problems.AddRange(Usable("workload identity provider", names.WorkloadIdentityProviderId, provider));
        if (provider is not null)
        {
            problems.AddRange(Trust(names.WorkloadIdentityProviderId, provider["oidc"], request.SigningKey));
        }

        var accounts = names.ServiceAccounts.Values.Zip(await Task.WhenAll(accountCalls)).ToList();
        var absent = accounts.Where(account => account.Second is null).Select(account => account.First).ToList();
        var disabled = accounts.Where(account => (bool?)account.Second?["disabled"] == true).Select(account => account.First).ToList();
        if (absent.Count > 0)
        {
            problems.Add($"service accounts do not exist: {string.Join(", ", absent)}");
        }

        if (disabled.Count > 0)
        {
            problems.Add($"service accounts are disabled: {string.Join(", ", disabled)}");
        }

        return problems.Count == 0
            ? new(GcpEnvironmentChecks.WorkloadIdentity, true,
                $"workload identity pool {names.WorkloadIdentityPoolId} and provider {names.WorkloadIdentityProviderId} trust the cluster's signing key {request.SigningKey.KeyId}, and its {accounts.Count} service accounts exist")
            : new(GcpEnvironmentChecks.WorkloadIdentity, false,
                $"workload identity in project {request.ProjectId} is not ready: {string.Join(", ", problems)}; create or repair it with: {GcpEnvironmentChecks.CreateIamCommand(request)}");
    }

    /// <summary>An IAM resource, or null when it does not exist (404).</summary>
    private async Task<JsonNode?> GetIamAsync(string path, string what, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(http, HttpMethod.Get, new Uri(Gcp.IamUrl, path), null, what, cancellationToken, 404);
        return status == 404 ? null : body;
    }

    /// <summary>A pool or provider is usable when it exists, is ACTIVE (not soft-deleted) and not disabled.</summary>
    private static IEnumerable<string> Usable(string kind, string id, JsonNode? resource)
    {
        if (resource is null)
        {
            yield return $"{kind} {id} does not exist";
            yield break;
        }

        if ((string?)resource["state"] is var state && state != "ACTIVE")
        {
            yield return $"{kind} {id} is {state ?? "in no state"}";
        }

        if ((bool?)resource["disabled"] == true)
        {
            yield return $"{kind} {id} is disabled";
        }
    }

    /// <summary>
    /// The provider must accept this cluster's tokens: its issuer, and its key among the inline JWKS.
    /// A key's kid is the SHA-256 of its public key (create-gcp-iam.md, "Generate RSA Keypair"), so
    /// the same kid means the same key.
    /// </summary>
    private static IEnumerable<string> Trust(string providerId, JsonNode? oidc, ServiceAccountSigningKey key)
    {
        if (oidc is null)
        {
            yield return $"workload identity provider {providerId} is not an OIDC provider";
            yield break;
        }

        if ((string?)oidc["issuerUri"] is var issuer && issuer != key.IssuerUrl)
        {
            yield return $"workload identity provider {providerId} trusts issuer {issuer}, not the cluster's {key.IssuerUrl}";
        }

        if (!KeyIds((string?)oidc["jwksJson"]).Contains(key.KeyId))
        {
            yield return $"workload identity provider {providerId} does not trust the cluster's signing key {key.KeyId}";
        }
    }

    /// <summary>The <c>kid</c>s of a JWKS document; none when it is absent or not JSON.</summary>
    private static HashSet<string> KeyIds(string? jwks)
    {
        try
        {
            return jwks is null
                ? []
                : (JsonNode.Parse(jwks)?["keys"] as JsonArray ?? []).Select(jwk => (string?)jwk?["kid"]).OfType<string>().ToHashSet(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
