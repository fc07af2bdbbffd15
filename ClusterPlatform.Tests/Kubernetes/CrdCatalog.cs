using System.Collections.Concurrent;
using System.Globalization;
using ClusterPlatform.Tests.Kubernetes.Cel;
using YamlDotNet.RepresentationModel;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>The management cluster's OpenShift feature set, which picks HyperShift's CRD manifests.</summary>
public enum FeatureSet
{
    Default,
    TechPreviewNoUpgrade,
}

/// <summary>One installed CRD: its definition as JSON and the served version's openAPIV3Schema.</summary>
internal sealed record Crd(string Plural, string Kind, string Group, string Version, JsonObject Definition, JsonObject Schema)
{
    public string Name => $"{Plural}.{Group}";
}

/// <summary>
/// HyperShift's published CRDs (Kubernetes/Crds, copied from openshift/hypershift at
/// 3ee9615567acffaf3e3ee25c2ca2942d650565cf, cmd/install/assets/crds/hypershift-operator/zz_generated.crd-manifests/),
/// read once per process, with every CEL rule parsed up front so that an unreadable rule is loud.
/// </summary>
internal static class CrdCatalog
{
    private static readonly ConcurrentDictionary<(string Plural, FeatureSet Set), Crd> Loaded = new();
    private static readonly ConcurrentDictionary<string, CelExpr> Rules = new(StringComparer.Ordinal);

    public static Crd Get(string plural, FeatureSet featureSet) => Loaded.GetOrAdd((plural, featureSet), key => Load(FileName(key.Plural, key.Set)));

    /// <summary>The parsed rule, cached by its text (the same rule recurs across the four files).</summary>
    public static CelExpr Rule(string rule) => Rules.GetOrAdd(rule, CelParser.Parse);

    public static string FileName(string plural, FeatureSet featureSet) => (plural, featureSet) switch
    {
        ("hostedclusters", _) => $"hostedclusters-Hypershift-{featureSet}.crd.yaml",
        ("nodepools", _) => $"nodepools-{featureSet}.crd.yaml",
        // Not feature-gated: one manifest for every feature set (cmd/install/assets/crds/hypershift-operator/).
        ("certificatesigningrequestapprovals" or "certificaterevocationrequests", _) => $"certificates.hypershift.openshift.io_{plural}.yaml",
        _ => throw new ArgumentOutOfRangeException(nameof(plural), plural, "HyperShift publishes no such CRD here"),
    };

    private static Crd Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Kubernetes", "Crds", fileName);
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        var definition = ToJson(yaml.Documents[0].RootNode)!.AsObject();
        var spec = definition["spec"]!;
        var version = spec["versions"]!.AsArray().Single(v => (bool)v!["served"]! && (bool)v["storage"]!)!;
        var schema = version["schema"]!["openAPIV3Schema"]!.AsObject();
        ParseRules(schema);
        return new Crd((string)spec["names"]!["plural"]!, (string)spec["names"]!["kind"]!, (string)spec["group"]!, (string)version["name"]!, definition, schema);
    }

    private static void ParseRules(JsonNode schema)
    {
        foreach (var rule in RuleTexts(schema))
        {
            Rule(rule);
        }
    }

    /// <summary>The text of every x-kubernetes-validations rule anywhere under <paramref name="node"/>.</summary>
    public static IEnumerable<string> RuleTexts(JsonNode? node) => node switch
    {
        JsonObject obj => (obj["x-kubernetes-validations"]?.AsArray() ?? []).Select(r => (string)r!["rule"]!)
            .Concat(obj.SelectMany(child => RuleTexts(child.Value))),
        JsonArray array => array.SelectMany(RuleTexts),
        _ => [],
    };

    /// <summary>
    /// YAML to JSON as Kubernetes' sigs.k8s.io/yaml reads it (YAML 1.1 core scalars): a plain scalar
    /// may be null, a bool, an integer or a float; a quoted one is always a string.
    /// </summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar => PlainScalar(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new NotSupportedException($"YAML node {node.NodeType}"),
    };

    private static JsonValue? PlainScalar(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Any(char.IsDigit) => JsonValue.Create(d),
        _ => JsonValue.Create(text),
    };
}
