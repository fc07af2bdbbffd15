using ClusterPlatform.Tests.Kubernetes.Admission;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>
/// Every CEL rule of the published CRDs, evaluated on an object that fills every field of the
/// schema: a rule may pass or fail on these made-up values, but none may hit a gap of the interpreter
/// (NotSupportedException), which would make admission refuse with 500 instead of judging.
/// </summary>
public sealed class CrdRuleCoverageTests
{
    [Theory]
    [InlineData("hostedclusters", FeatureSet.Default)]
    [InlineData("hostedclusters", FeatureSet.TechPreviewNoUpgrade)]
    [InlineData("nodepools", FeatureSet.Default)]
    [InlineData("nodepools", FeatureSet.TechPreviewNoUpgrade)]
    [InlineData("certificaterevocationrequests", FeatureSet.Default)]
    public void Every_rule_evaluates_on_a_fully_populated_object_on_create_and_update(string plural, FeatureSet featureSet)
    {
        var schema = CrdCatalog.Get(plural, featureSet).Schema;
        var full = (JsonObject)Populate(schema, "", depth: 0)!;

        var onCreate = CelValidation.Validate(full, null, hasOld: false, schema);
        var onUpdate = CelValidation.Validate(full, full.DeepClone(), hasOld: true, schema);

        Assert.DoesNotContain(onCreate.Concat(onUpdate), e => e.Body.Contains("no such overload", StringComparison.Ordinal));
    }

    /// <summary>
    /// A value for every declared field: the first enum value, or a value of the schema's type; strings
    /// look like what their field name says (CIDR, URL, IP, duration) so that the rules reach the
    /// Kubernetes libraries instead of failing on the first parse.
    /// </summary>
    private static JsonNode? Populate(JsonObject schema, string name, int depth)
    {
        if (schema["enum"] is JsonArray values)
        {
            return values[0]?.DeepClone();
        }

        return SchemaNode.Type(schema) switch
        {
            "object" when SchemaNode.Properties(schema) is { } properties && depth < 12 =>
                new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, Populate((JsonObject)p.Value!, p.Key, depth + 1)))),
            "object" when SchemaNode.AdditionalProperties(schema) is { } values2 && depth < 12 => new JsonObject { ["key"] = Populate(values2, name, depth + 1) },
            "object" => new JsonObject(),
            "array" when SchemaNode.Items(schema) is { } items && depth < 12 => new JsonArray(Populate(items, name, depth + 1)),
            "array" => new JsonArray(),
            "integer" => 1,
            "number" => 1.5,
            "boolean" => false,
            _ when SchemaNode.IsIntOrString(schema) => 1,
            _ => SampleString(name, (string?)schema["format"]),
        };
    }

    private static string SampleString(string name, string? format) => (name.ToLowerInvariant(), format) switch
    {
        (_, "date-time") => "2026-01-01T00:00:00Z",
        (_, "duration") => "5m",
        (var n, _) when n.Contains("cidr", StringComparison.Ordinal) => "10.0.0.0/16",
        (var n, _) when n.Contains("url", StringComparison.Ordinal) || n.Contains("endpoint", StringComparison.Ordinal) => "https://example.com/path",
        (var n, _) when n.Contains("timeout", StringComparison.Ordinal) || n.Contains("duration", StringComparison.Ordinal) => "10m",
        (var n, _) when n.Contains("ip", StringComparison.Ordinal) || n.Contains("address", StringComparison.Ordinal) => "10.0.0.1",
        _ => "a",
    };
}
