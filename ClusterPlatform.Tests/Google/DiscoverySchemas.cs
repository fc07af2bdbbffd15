using System.Globalization;
using System.Text.Json;

namespace ClusterPlatform.Tests.Google;

/// <summary>
/// Checks JSON against a discovery document's <c>schemas</c>: field names (an object takes only its
/// <c>properties</c>, or anything under <c>additionalProperties</c>), JSON types, enums, and the
/// 64-bit integer formats that Google sends as strings. So a fake's answer, or our request body,
/// cannot use a field or type that the real API does not have.
/// </summary>
internal sealed class DiscoverySchemas(string api, JsonObject schemas)
{
    /// <summary>Every way <paramref name="value"/> departs from schema <paramref name="schemaId"/>; empty when it fits.</summary>
    public IReadOnlyList<string> Violations(string schemaId, JsonNode? value)
    {
        var violations = new List<string>();
        Check(new JsonObject { ["$ref"] = schemaId }, value, schemaId, violations);
        return violations;
    }

    private void Check(JsonNode schema, JsonNode? value, string at, List<string> violations)
    {
        if ((string?)schema["$ref"] is { } reference)
        {
            if (schemas[reference] is not { } referenced)
            {
                violations.Add($"{api}: {at}: schema {reference} is not in the document");
                return;
            }

            schema = referenced;
        }

        if (value is null)
        {
            return; // JSON null and an absent field both mean "unset" to Google's JSON mapping.
        }

        var type = (string?)schema["type"];
        switch (type)
        {
            case "object":
                CheckObject(schema, value, at, violations);
                break;
            case "array" when value is JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Check(schema["items"]!, array[i], $"{at}[{i}]", violations);
                }

                break;
            case "string" when value.GetValueKind() == JsonValueKind.String:
                CheckString(schema, (string)value!, at, violations);
                break;
            case "integer" when value.GetValueKind() == JsonValueKind.Number && decimal.IsInteger(value.GetValue<decimal>()):
            case "number" when value.GetValueKind() == JsonValueKind.Number:
            case "boolean" when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
            case "any":
                break;
            default:
                violations.Add($"{api}: {at}: expected {type}, got {value.GetValueKind()} {value.ToJsonString()}");
                break;
        }
    }

    private void CheckObject(JsonNode schema, JsonNode value, string at, List<string> violations)
    {
        if (value is not JsonObject fields)
        {
            violations.Add($"{api}: {at}: expected object, got {value.GetValueKind()}");
            return;
        }

        var properties = schema["properties"]?.AsObject();
        foreach (var (name, field) in fields)
        {
            if (properties?[name] is { } property)
            {
                Check(property, field, $"{at}.{name}", violations);
            }
            else if (schema["additionalProperties"] is { } additional)
            {
                Check(additional, field, $"{at}[{name}]", violations);
            }
            else
            {
                violations.Add($"{api}: {at}: no field {name} in schema {(string?)schema["id"] ?? "(inline)"}");
            }
        }
    }

    private void CheckString(JsonNode schema, string value, string at, List<string> violations)
    {
        if (schema["enum"] is JsonArray allowed && !allowed.Any(option => (string?)option == value))
        {
            violations.Add($"{api}: {at}: {value} is not one of {string.Join(", ", allowed)}");
        }

        // Google's JSON mapping sends 64-bit integers as strings (Compute's ids, Resource Manager's project numbers).
        var wellFormed = (string?)schema["format"] switch
        {
            "int64" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "uint64" => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            _ => true,
        };
        if (!wellFormed)
        {
            violations.Add($"{api}: {at}: {value} is not a {(string?)schema["format"]}");
        }
    }
}
