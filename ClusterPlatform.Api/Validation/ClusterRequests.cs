using System.Text.Json;
using ClusterPlatform.Api.Configuration;
using ClusterPlatform.Contracts;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Api.Validation;

/// <summary>Turns cluster request bodies into typed requests, reporting every violation of API.md's rules at once.</summary>
internal sealed class ClusterRequests(IOptions<PlatformOptions> options)
{
    // OpenShift's defaults; a careful API fills what the client may reasonably leave out.
    public static readonly NetworkingSpec DefaultNetworking = new("10.0.0.0/16", "10.128.0.0/14", "172.30.0.0/16");
    public const string DefaultNetwork = "default";

    private static readonly string[] CreateFields = ["name", "labels", "spec"];
    private static readonly string[] SpecFields = ["gcp", "release", "networking", "dns"];
    private static readonly string[] GcpFields = ["projectId", "region", "network"];
    private static readonly string[] ReleaseFields = ["version"];
    private static readonly string[] NetworkingFields = ["machineCidr", "podCidr", "serviceCidr"];
    private static readonly string[] DnsFields = ["baseDomain"];

    public ClusterCreateRequest ParseCreate(JsonElement root)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", CreateFields))
        {
            fields.Errors.ThrowIfAny();
        }

        var name = fields.String(root, "name", "$", required: true);
        FieldRules.Name(name, "$.name", 3, 40, fields.Errors);
        var labels = ParseLabels(fields, root);
        var spec = ParseSpec(fields, root);
        fields.Errors.ThrowIfAny();
        return new ClusterCreateRequest(name!, labels, spec!);
    }

    /// <summary>A PUT body, or a merge-patched document: <c>{labels, spec}</c>; <c>name</c> may appear only unchanged.</summary>
    public ClusterUpdateRequest ParseUpdate(JsonElement root, string currentName)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", CreateFields))
        {
            fields.Errors.ThrowIfAny();
        }

        Immutable(fields, root, "name", currentName);
        var labels = ParseLabels(fields, root);
        var spec = ParseSpec(fields, root);
        fields.Errors.ThrowIfAny();
        return new ClusterUpdateRequest(labels, spec!);
    }

    internal static void Immutable(JsonFields fields, JsonElement root, string name, string current)
    {
        var given = fields.String(root, name, "$", required: false);
        if (given is not null && given != current)
        {
            fields.Errors.Add($"$.{name}", "is immutable");
        }
    }

    internal static Dictionary<string, string> ParseLabels(JsonFields fields, JsonElement root)
    {
        var labels = fields.StringMap(root, "labels", "$");
        FieldRules.Labels(labels, "$.labels", fields.Errors);
        return labels;
    }

    private ClusterSpec? ParseSpec(JsonFields fields, JsonElement root)
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
            var projectId = fields.String(g, "projectId", "$.spec.gcp", required: true);
            var region = fields.String(g, "region", "$.spec.gcp", required: true);
            var network = fields.String(g, "network", "$.spec.gcp", required: false) ?? DefaultNetwork;
            FieldRules.ProjectIdRule(projectId, "$.spec.gcp.projectId", fields.Errors);
            FieldRules.Region(region, "$.spec.gcp.region", platform.SupportedRegions, fields.Errors);
            FieldRules.Network(network, "$.spec.gcp.network", fields.Errors);
            gcp = new GcpSpec(projectId!, region!, network, "", "");
        }

        ReleaseSpec? release = null;
        if (fields.Object(spec, "release", path, required: true, ReleaseFields) is { } r)
        {
            var version = fields.String(r, "version", "$.spec.release", required: true);
            FieldRules.ReleaseVersion(version, "$.spec.release.version", platform.SupportedVersions, fields.Errors);
            release = new ReleaseSpec(version!);
        }

        var networking = DefaultNetworking;
        if (fields.Object(spec, "networking", path, required: false, NetworkingFields) is { } n)
        {
            networking = new NetworkingSpec(
                fields.String(n, "machineCidr", "$.spec.networking", required: false) ?? DefaultNetworking.MachineCidr,
                fields.String(n, "podCidr", "$.spec.networking", required: false) ?? DefaultNetworking.PodCidr,
                fields.String(n, "serviceCidr", "$.spec.networking", required: false) ?? DefaultNetworking.ServiceCidr);
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
