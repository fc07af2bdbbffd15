using ClusterPlatform.Api.Versions;

namespace ClusterPlatform.Api.Validation;

/// <summary>
/// Turns cluster request bodies into typed requests, reporting every violation of docs/api.md's rules at
/// once; <see cref="Releases"/> then checks the release against the version catalog.
/// </summary>
internal sealed class ClusterRequests(IOptions<PlatformOptions> options, ReleaseChecks releases)
{
    public ReleaseChecks Releases => releases;

    // OpenShift's defaults; a careful API fills what the client may reasonably leave out.
    public static readonly NetworkingSpec DefaultNetworking = new("10.0.0.0/16", "10.128.0.0/14", "172.30.0.0/16");

    public const int MaxNameLength = 40;

    /// <summary>The top-level names of a create or update body (and so of a merge patch).</summary>
    public static readonly IReadOnlyList<string> BodyFields = ["name", "labels", "spec"];
    private static readonly string[] SpecFields = ["gcp", "release", "networking", "dns"];
    private static readonly string[] GcpFields = ["projectId", "region", "network", "infraId", "subnet"];
    private const string GcpPath = "$.spec.gcp";
    private static readonly string[] ReleaseFields = ["version", "channelGroup"];
    private static readonly string[] NetworkingFields = ["machineCidr", "podCidr", "serviceCidr"];
    private static readonly string[] DnsFields = ["baseDomain"];

    /// <summary>A create body for the cluster that will have <paramref name="id"/> (its infra id may derive from it).</summary>
    public ClusterCreateRequest ParseCreate(JsonElement root, Guid id)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", BodyFields))
        {
            fields.Errors.ThrowIfAny();
        }

        var name = fields.String(root, "name", "$", required: true);
        FieldRules.Name(name, "$.name", FieldRules.MinNameLength, MaxNameLength, fields.Errors);
        var labels = ParseLabels(fields, root);
        var spec = ParseSpec(fields, root, g => NewGcpNames(fields, g, () => InfraIds.Derive(id, name ?? "")));
        fields.Errors.ThrowIfAny();
        return new ClusterCreateRequest(name!, labels, spec!);
    }

    /// <summary>
    /// A PUT body, or a merge-patched document: <c>{labels, spec}</c>; <c>name</c> and the GCP names
    /// (<c>infraId</c>, <c>network</c>, <c>subnet</c>) may appear only unchanged, and are kept when left out.
    /// The project, region, networks and base domain are immutable too: HyperShift's HostedCluster
    /// CRD refuses a change to any of them (openshift/hypershift 3ee9615567acffaf3e3ee25c2ca2942d650565cf,
    /// api/hypershift/v1beta1/gcp.go "Project is immutable", "Region is immutable";
    /// hostedcluster_types.go "baseDomain is immutable", "clusterNetwork/machineNetwork/serviceNetwork
    /// is immutable"), so accepting one would leave the cluster Degraded for good. Networking left out
    /// of a PUT keeps the current networks.
    /// </summary>
    public ClusterUpdateRequest ParseUpdate(JsonElement root, string currentName, ClusterSpec current)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", BodyFields))
        {
            fields.Errors.ThrowIfAny();
        }

        Immutable(fields, root, "$", "name", currentName);
        var labels = ParseLabels(fields, root);
        var spec = ParseSpec(fields, root, g => KeptGcpNames(fields, g, current.Gcp), current.Networking, current.Release.ChannelGroup);
        if (spec is not null)
        {
            Unchanged(fields.Errors, $"{GcpPath}.projectId", spec.Gcp.ProjectId, current.Gcp.ProjectId);
            Unchanged(fields.Errors, $"{GcpPath}.region", spec.Gcp.Region, current.Gcp.Region);
            Unchanged(fields.Errors, "$.spec.networking.machineCidr", spec.Networking.MachineCidr, current.Networking.MachineCidr);
            Unchanged(fields.Errors, "$.spec.networking.podCidr", spec.Networking.PodCidr, current.Networking.PodCidr);
            Unchanged(fields.Errors, "$.spec.networking.serviceCidr", spec.Networking.ServiceCidr, current.Networking.ServiceCidr);
            Unchanged(fields.Errors, "$.spec.dns.baseDomain", spec.Dns.BaseDomain, current.Dns.BaseDomain);
        }

        fields.Errors.ThrowIfAny();
        return new ClusterUpdateRequest(labels, spec!);
    }

    private static void Unchanged(ValidationErrors errors, string path, string given, string current)
    {
        if (given != current)
        {
            errors.Add(path, "is immutable");
        }
    }

    /// <summary>A field an update may repeat but not change; the value to keep.</summary>
    internal static string Immutable(JsonFields fields, JsonElement parent, string path, string name, string current)
    {
        if (fields.String(parent, name, path, required: false) is { } given)
        {
            Unchanged(fields.Errors, JsonFields.Join(path, name), given, current);
        }

        return current;
    }

    /// <summary>
    /// A create's infra id, network and subnet: as given (validated), else the infra id derived and the
    /// network and subnet <c>hypershift create infra gcp</c> makes for it. Only given values are checked:
    /// the defaults of a valid infra id are valid, and an invalid one is reported once, at its own path.
    /// </summary>
    private static (string InfraId, string Network, string Subnet) NewGcpNames(JsonFields fields, JsonElement gcp, Func<string> derive)
    {
        var infraId = fields.String(gcp, "infraId", GcpPath, required: false);
        var network = fields.String(gcp, "network", GcpPath, required: false);
        var subnet = fields.String(gcp, "subnet", GcpPath, required: false);
        FieldRules.InfraId(infraId, $"{GcpPath}.infraId", fields.Errors);
        FieldRules.GcpName(network, $"{GcpPath}.network", "network", fields.Errors);
        FieldRules.GcpName(subnet, $"{GcpPath}.subnet", "subnet", fields.Errors);
        infraId ??= derive();
        return (infraId, network ?? $"{infraId}-network", subnet ?? $"{infraId}-subnet");
    }

    private static (string InfraId, string Network, string Subnet) KeptGcpNames(JsonFields fields, JsonElement gcp, GcpSpec current) => (
        Immutable(fields, gcp, GcpPath, "infraId", current.InfraId),
        Immutable(fields, gcp, GcpPath, "network", current.Network),
        Immutable(fields, gcp, GcpPath, "subnet", current.Subnet));

    internal static Dictionary<string, string> ParseLabels(JsonFields fields, JsonElement root)
    {
        var labels = fields.StringMap(root, "labels", "$");
        FieldRules.Labels(labels, "$.labels", fields.Errors);
        return labels;
    }

    private ClusterSpec? ParseSpec(JsonFields fields, JsonElement root, Func<JsonElement, (string InfraId, string Network, string Subnet)> gcpNames,
        NetworkingSpec? keptNetworking = null, string keptChannelGroup = ChannelGroups.Stable)
    {
        var platform = options.Value;
        if (fields.Object(root, "spec", "$", required: true, SpecFields) is not { } spec)
        {
            return null;
        }

        const string path = "$.spec";
        GcpSpec? gcp = null;
        if (fields.Object(spec, "gcp", path, required: true, GcpFields) is { } g)
        {
            var projectId = fields.String(g, "projectId", GcpPath, required: true);
            var region = fields.String(g, "region", GcpPath, required: true);
            FieldRules.ProjectIdRule(projectId, $"{GcpPath}.projectId", fields.Errors);
            FieldRules.Region(region, $"{GcpPath}.region", platform.SupportedRegions, fields.Errors);
            var (infraId, network, subnet) = gcpNames(g);
            gcp = new GcpSpec(projectId!, region!, network, infraId, subnet);
        }

        ReleaseSpec? release = null;
        if (fields.Object(spec, "release", path, required: true, ReleaseFields) is { } r)
        {
            var version = fields.String(r, "version", "$.spec.release", required: true);
            FieldRules.ReleaseVersion(version, "$.spec.release.version", platform.SupportedVersions, fields.Errors);
            // Left out: stable on a create, the cluster's own group on a replace.
            var channelGroup = fields.String(r, "channelGroup", "$.spec.release", required: false) ?? keptChannelGroup;
            if (!ChannelGroups.All.Contains(channelGroup))
            {
                fields.Errors.Add("$.spec.release.channelGroup", $"must be one of {string.Join(", ", ChannelGroups.All)}");
            }

            release = new ReleaseSpec(version!, channelGroup);
        }

        var networking = keptNetworking ?? DefaultNetworking;
        if (fields.Object(spec, "networking", path, required: false, NetworkingFields) is { } n)
        {
            networking = new NetworkingSpec(
                fields.String(n, "machineCidr", "$.spec.networking", required: false) ?? networking.MachineCidr,
                fields.String(n, "podCidr", "$.spec.networking", required: false) ?? networking.PodCidr,
                fields.String(n, "serviceCidr", "$.spec.networking", required: false) ?? networking.ServiceCidr);
        }

        ValidateNetworking(networking, fields.Errors);

        DnsSpec? dns = null;
        if (fields.Object(spec, "dns", path, required: true, DnsFields) is { } d)
        {
            var baseDomain = fields.String(d, "baseDomain", "$.spec.dns", required: true);
            FieldRules.BaseDomain(baseDomain, "$.spec.dns.baseDomain", fields.Errors);
            dns = new DnsSpec(baseDomain!);
        }

        return gcp is null || release is null || dns is null ? null : new ClusterSpec(gcp, release, networking, dns);
    }

    /// <summary>Machine /8–/24, pod and service /8–/20, and no two of the three ranges overlapping.</summary>
    private static void ValidateNetworking(NetworkingSpec networking, ValidationErrors errors)
    {
        var ranges = new List<(string Path, Ipv4Cidr Cidr)>();
        foreach (var (field, value, maxPrefix) in new[]
                 {
                     ("machineCidr", networking.MachineCidr, 24),
                     ("podCidr", networking.PodCidr, 20),
                     ("serviceCidr", networking.ServiceCidr, 20),
                 })
        {
            var path = $"$.spec.networking.{field}";
            if (!Ipv4Cidr.TryParse(value, out var cidr, out var error))
            {
                errors.Add(path, error!);
            }
            else if (cidr.Prefix < 8 || cidr.Prefix > maxPrefix)
            {
                errors.Add(path, $"prefix must be between /8 and /{maxPrefix}");
            }
            else
            {
                foreach (var (otherPath, other) in ranges.Where(r => r.Cidr.Overlaps(cidr)))
                {
                    errors.Add(path, $"overlaps {otherPath[(otherPath.LastIndexOf('.') + 1)..]}");
                }

                ranges.Add((path, cidr));
            }
        }
    }
}
