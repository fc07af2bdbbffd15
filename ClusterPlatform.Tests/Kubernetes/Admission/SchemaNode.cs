using System.Text.Json;

namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>
/// Reads a structural openAPIV3Schema node (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/structural.go)
/// and writes field paths the way the API server writes them: "spec.services[0].service", "spec.labels[key]".
/// </summary>
internal static class SchemaNode
{
    public static string? Type(JsonObject schema) => (string?)schema["type"];

    public static JsonObject? Properties(JsonObject schema) => schema["properties"] as JsonObject;

    public static JsonObject? Items(JsonObject schema) => schema["items"] as JsonObject;

    /// <summary>The schema of a map's values; additionalProperties may also be a bare true.</summary>
    public static JsonObject? AdditionalProperties(JsonObject schema) => schema["additionalProperties"] switch
    {
        JsonObject o => o,
        JsonValue v when v.GetValueKind() == JsonValueKind.True => [],
        _ => null,
    };

    public static bool Flag(JsonObject schema, string name) => schema[name] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    public static bool PreservesUnknownFields(JsonObject schema) => Flag(schema, "x-kubernetes-preserve-unknown-fields");

    public static bool IsEmbeddedResource(JsonObject schema) => Flag(schema, "x-kubernetes-embedded-resource");

    public static bool IsIntOrString(JsonObject schema) => Flag(schema, "x-kubernetes-int-or-string");

    public static bool IsNullable(JsonObject schema) => Flag(schema, "nullable");

    /// <summary>"atomic" unless the schema says "set" or "map" (apiextensions' default for lists).</summary>
    public static string ListType(JsonObject schema) => (string?)schema["x-kubernetes-list-type"] ?? "atomic";

    /// <summary>An object replaced and owned as a whole (x-kubernetes-map-type: atomic), like an atomic list.</summary>
    public static bool IsAtomicMap(JsonObject schema) => (string?)schema["x-kubernetes-map-type"] == "atomic";

    public static IReadOnlyList<string> ListMapKeys(JsonObject schema) =>
        schema["x-kubernetes-list-map-keys"]?.AsArray().Select(k => (string)k!).ToList() ?? [];

    /// <summary>The schema of property <paramref name="name"/> of an object, or of a map's values, or null if unknown.</summary>
    public static JsonObject? Child(JsonObject schema, string name) =>
        Properties(schema)?[name] as JsonObject ?? AdditionalProperties(schema);

    public static string Field(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    public static string Index(string path, int index) => $"{path}[{index}]";

    public static string Key(string path, string key) => $"{path}[{key}]";

    /// <summary>The JSON kind a value has, in the schema's type words.</summary>
    public static string KindOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsInteger(v) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    /// <summary>Whether a JSON number is integral, whichever CLR type backs the node (parsed text, int, long, double).</summary>
    public static bool IsInteger(JsonValue value) => value.GetValueKind() == JsonValueKind.Number
        && double.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
        && d == Math.Floor(d) && Math.Abs(d) < 9.2e18;
}
