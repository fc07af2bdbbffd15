using System.Globalization;
using System.Text.Json;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>
/// One validation error, worded as k8s.io/apimachinery/pkg/util/validation/field/errors.go words it:
/// <see cref="Field"/> is the path ("spec.services[0].servicePublishingStrategy"), <see cref="Body"/>
/// the part after "field: " ("Required value", "Invalid value: \"object\": ...").
/// </summary>
public sealed record FieldError(string Reason, string Field, string Body)
{
    public override string ToString() => $"{Field}: {Body}";

    public static FieldError Required(string field) => new("FieldValueRequired", field, "Required value");

    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<JsonNode?> supported) =>
        new("FieldValueNotSupported", field, $"Unsupported value: {Render(value)}: supported values: {string.Join(", ", supported.Select(Render))}");

    public static FieldError Invalid(string field, JsonNode? value, string detail) => new("FieldValueInvalid", field, $"Invalid value: {Render(value)}: {detail}");

    public static FieldError TypeInvalid(string field, JsonNode? value, string detail) => new("FieldValueTypeInvalid", field, $"Invalid value: {Render(value)}: {detail}");

    public static FieldError TooLong(string field, long max) => new("FieldValueTooLong", field, $"Too long: may not be more than {max} bytes");

    public static FieldError TooMany(string field, int actual, long max) => new("FieldValueTooMany", field, $"Too many: {actual}: must have at most {max} items");

    public static FieldError Duplicate(string field, JsonNode? value) => new("FieldValueDuplicate", field, $"Duplicate value: {Render(value)}");

    public static FieldError Forbidden(string field, string detail) => new("FieldValueForbidden", field, $"Forbidden: {detail}");

    /// <summary>A CEL rule's failure, with the rule's reason if it names one (apiextensions' fieldErrorForReason).</summary>
    public static FieldError ForRule(string field, string? reason, string schemaType, string message) => reason switch
    {
        "FieldValueRequired" => new(reason, field, $"Required value: {message}"),
        "FieldValueForbidden" => Forbidden(field, message),
        "FieldValueDuplicate" => new(reason, field, $"Duplicate value: {Render(schemaType)}: {message}"),
        _ => Invalid(field, schemaType, message),
    };

    /// <summary>Quotes like Go's %q: only quotes, backslashes and control characters escaped.</summary>
    private static readonly JsonSerializerOptions GoQuoting = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Values as Go's %#v prints them in these messages: strings quoted, numbers bare.</summary>
    private static string Render(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize((string)v!, GoQuoting),
        JsonValue v => v.ToJsonString(),
        JsonArray a => string.Create(CultureInfo.InvariantCulture, $"[]interface {{}}{{{a.Count} items}}"),
        _ => "map[string]interface {}{...}",
    };
}
