using System.Globalization;
using System.Text.RegularExpressions;

namespace ClusterPlatform.Api.Validation;

/// <summary>The field rules of docs/api.md's "Validation" section, shared by clusters and node pools.</summary>
internal static partial class FieldRules
{
    public const int MaxLabels = 64;
    public const int MaxLabelNameLength = 63;
    public const int MaxDnsSubdomainLength = 253;
    public const int MinNameLength = 3;

    // The patterns are constants so the OpenAPI document states the same rules (OpenApi/SchemaRules.cs).
    internal const string ResourceNamePattern = "^[a-z]([-a-z0-9]*[a-z0-9])?\\z";
    internal const string ProjectIdPattern = "^[a-z][a-z0-9-]{4,28}[a-z0-9]\\z";
    internal const string GcpResourceNamePattern = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?\\z";
    internal const string InfraIdLengthPattern = "^[a-z][a-z0-9-]{0,11}[a-z0-9]\\z";
    internal const string ReservedInfraIdPrefix = "gcp-";
    internal const string MachineTypePattern = "^[a-z][a-z0-9]*-[a-z0-9]+(-[0-9]+)?\\z";
    internal const string VersionPattern = "^(0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})\\z";
    internal const string LabelNamePattern = "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\\z";
    internal const string DnsLabelPattern = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\z";

    // Every pattern ends in \z, not $: in .NET "$" also matches before a final newline, which would
    // let "prod-east\n" through as a name.

    [GeneratedRegex(ResourceNamePattern)]
    private static partial Regex ResourceName();

    [GeneratedRegex(ProjectIdPattern)]
    private static partial Regex ProjectId();

    [GeneratedRegex(GcpResourceNamePattern)]
    private static partial Regex GcpResourceName();

    // HyperShift names service accounts "<infraId>-cloud-controller" (the longest of the six), whose id
    // its HostedCluster CRD caps at 30 characters, so an infra id has at most 13.
    [GeneratedRegex(InfraIdLengthPattern)]
    private static partial Regex InfraIdPattern();

    [GeneratedRegex(MachineTypePattern)]
    private static partial Regex MachineType();

    [GeneratedRegex(VersionPattern)]
    private static partial Regex Version();

    // Kubernetes label name part and value: alphanumeric at both ends, '-', '_' and '.' inside.
    [GeneratedRegex(LabelNamePattern)]
    private static partial Regex LabelName();

    // RFC 1123 DNS label, lower case.
    [GeneratedRegex(DnsLabelPattern)]
    private static partial Regex DnsLabel();

    public static void Name(string? name, string path, int min, int max, ValidationErrors errors)
    {
        if (name is null)
        {
            return;
        }

        if (name.Length < min || name.Length > max)
        {
            errors.Add(path, $"must be {min}–{max} characters long");
        }

        if (!ResourceName().IsMatch(name))
        {
            errors.Add(path, "must start with a lower-case letter and contain only lower-case letters, digits and '-', not ending with '-'");
        }
    }

    public static void Labels(IReadOnlyDictionary<string, string> labels, string path, ValidationErrors errors)
    {
        if (labels.Count > MaxLabels)
        {
            errors.Add(path, $"must have at most {MaxLabels} labels");
        }

        foreach (var (key, value) in labels)
        {
            var keyPath = JsonFields.Join(path, key);
            if (!IsLabelKey(key))
            {
                errors.Add(keyPath, "key must be a Kubernetes label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends");
            }

            if (value.Length > MaxLabelNameLength || (value.Length > 0 && !LabelName().IsMatch(value)))
            {
                errors.Add(keyPath, "value must be empty or at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends");
            }
        }
    }

    public static bool IsLabelKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0 && !IsDnsSubdomain(key[..slash]))
        {
            return false;
        }

        return name.Length is > 0 and <= MaxLabelNameLength && LabelName().IsMatch(name);
    }

    public static bool IsDnsSubdomain(string value) =>
        value.Length is > 0 and <= MaxDnsSubdomainLength && value.Split('.').All(DnsLabel().IsMatch);

    public static void ProjectIdRule(string? value, string path, ValidationErrors errors)
    {
        if (value is not null && !ProjectId().IsMatch(value))
        {
            errors.Add(path, "must be a GCP project id: 6–30 lower-case letters, digits or '-', starting with a letter and not ending with '-'");
        }
    }

    public static void Region(string? value, string path, IReadOnlyCollection<string> supported, ValidationErrors errors)
    {
        if (value is not null && !supported.Contains(value))
        {
            errors.Add(path, $"must be one of the supported regions: {string.Join(", ", supported)}");
        }
    }

    /// <summary>A GCP resource name (RFC 1035 label): a VPC network or subnet; <paramref name="what"/> names which.</summary>
    public static void GcpName(string? value, string path, string what, ValidationErrors errors)
    {
        if (value is not null && !GcpResourceName().IsMatch(value))
        {
            errors.Add(path, $"must be a GCP {what} name: 1–63 lower-case letters, digits or '-', starting with a letter and not ending with '-'");
        }
    }

    /// <summary>
    /// An infra id for <c>hypershift create infra|iam gcp --infra-id</c>, such that every name HyperShift
    /// derives from it passes the HostedCluster CRD's rules (service account ids 6–30 characters, pool
    /// ids not starting with <c>gcp-</c>, which Google reserves).
    /// </summary>
    public static void InfraId(string? value, string path, ValidationErrors errors)
    {
        if (value is null)
        {
            return;
        }

        if (!InfraIdPattern().IsMatch(value))
        {
            errors.Add(path, "must be 2–13 lower-case letters, digits or '-', starting with a letter and not ending with '-'");
        }

        if (value.StartsWith(ReservedInfraIdPrefix, StringComparison.Ordinal))
        {
            errors.Add(path, "must not start with 'gcp-' (Google reserves it for workload identity pools)");
        }

        if (value.Contains("--", StringComparison.Ordinal))
        {
            errors.Add(path, "must not contain '--'");
        }
    }

    public static void BaseDomain(string? value, string path, ValidationErrors errors)
    {
        if (value is not null && (!IsDnsSubdomain(value) || !value.Contains('.', StringComparison.Ordinal)))
        {
            errors.Add(path, "must be a lower-case DNS domain with at least two labels, e.g. acme.example.com");
        }
    }

    public static void MachineTypeRule(string? value, string path, ValidationErrors errors)
    {
        if (value is not null && !MachineType().IsMatch(value))
        {
            errors.Add(path, "must be a GCP machine type such as n2-standard-4");
        }
    }

    /// <summary><c>MAJOR.MINOR.PATCH</c> whose <c>MAJOR.MINOR</c> is a supported stream.</summary>
    public static void ReleaseVersion(string? value, string path, IReadOnlyCollection<string> supported, ValidationErrors errors)
    {
        if (value is null)
        {
            return;
        }

        var match = Version().Match(value);
        if (!match.Success)
        {
            errors.Add(path, "must be MAJOR.MINOR.PATCH, e.g. 4.22.3");
            return;
        }

        var stream = $"{match.Groups[1].Value}.{match.Groups[2].Value}";
        if (!supported.Contains(stream))
        {
            errors.Add(path, $"minor version {stream} is not supported; supported: {string.Join(", ", supported)}");
        }
    }

    public static void Range(int? value, string path, int min, int max, ValidationErrors errors)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors.Add(path, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"));
        }
    }
}
