using System.Globalization;
using System.Text.Json;
using ClusterPlatform.Tests.Kubernetes.Cel;

namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>
/// The OpenAPI v3 checks the API server makes on a custom resource: type (with nullable and
/// int-or-string), required, enum, pattern, min/maxLength, min/maxItems, min/maxProperties,
/// minimum/maximum, the formats Kubernetes checks, anyOf, and list-type set/map uniqueness.
/// Messages follow k8s.io/kube-openapi/pkg/validation/errors and the apiextensions conversion in
/// k8s.io/apiextensions-apiserver/pkg/apiserver/validation/validation.go; uniqueness follows
/// k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype/validation.go.
/// </summary>
internal static class SchemaValidation
{
    /// <summary>Validates a whole object; the root schema declares apiVersion, kind and metadata like any property.</summary>
    public static List<FieldError> Validate(JsonObject root, JsonObject schema)
    {
        var errors = new List<FieldError>();
        CheckObject(root, schema, "", errors);
        return errors;
    }

    private static void Check(JsonNode? value, JsonObject schema, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            if (!SchemaNode.IsNullable(schema))
            {
                errors.Add(FieldError.TypeInvalid(path, null, $"{path} in body must be of type {SchemaNode.Type(schema) ?? "object"}: \"null\""));
            }

            return;
        }

        if (!TypeMatches(value, schema))
        {
            var expected = SchemaNode.IsIntOrString(schema) ? "integer,string" : SchemaNode.Type(schema);
            errors.Add(FieldError.TypeInvalid(path, value, $"{path} in body must be of type {expected}: \"{SchemaNode.KindOf(value)}\""));
            return;
        }

        if (schema["anyOf"] is JsonArray anyOf && !anyOf.Any(branch => Passes(value, (JsonObject)branch!, path)))
        {
            var first = new List<FieldError>();
            Check(value, (JsonObject)anyOf[0]!, path, first);
            errors.AddRange(first.Count > 0 ? first : [FieldError.Invalid(path, value, $"{path} in body must match at least one schema in anyOf")]);
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add(FieldError.NotSupported(path, value, allowed));
        }

        switch (value)
        {
            case JsonObject obj:
                CheckObject(obj, schema, path, errors);
                break;
            case JsonArray array:
                CheckArray(array, schema, path, errors);
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String:
                CheckString((string)scalar!, scalar, schema, path, errors);
                break;
            case JsonValue number when number.GetValueKind() == JsonValueKind.Number:
                CheckNumber(Number(number), number, schema, path, errors);
                break;
        }
    }

    private static bool Passes(JsonNode value, JsonObject schema, string path)
    {
        var errors = new List<FieldError>();
        Check(value, schema, path, errors);
        return errors.Count == 0;
    }

    private static bool TypeMatches(JsonNode value, JsonObject schema)
    {
        var kind = SchemaNode.KindOf(value);
        if (SchemaNode.IsIntOrString(schema))
        {
            return kind is "integer" or "string";
        }

        return SchemaNode.Type(schema) switch
        {
            null => true,
            "number" => kind is "number" or "integer",
            var type => kind == type,
        };
    }

    private static void CheckObject(JsonObject obj, JsonObject schema, string path, List<FieldError> errors)
    {
        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            if (!obj.ContainsKey((string)required!))
            {
                errors.Add(FieldError.Required(SchemaNode.Field(path, (string)required!)));
            }
        }

        if (schema["minProperties"] is { } minProperties && obj.Count < (long)minProperties)
        {
            errors.Add(FieldError.Invalid(path, obj.Count, $"{path} in body should have at least {(long)minProperties} properties"));
        }

        if (schema["maxProperties"] is { } maxProperties && obj.Count > (long)maxProperties)
        {
            errors.Add(FieldError.TooMany(path, obj.Count, (long)maxProperties));
        }

        var isMap = SchemaNode.Properties(schema) is null;
        foreach (var (name, child) in obj)
        {
            if (SchemaNode.Child(schema, name) is { } childSchema)
            {
                Check(child, childSchema, isMap ? SchemaNode.Key(path, name) : SchemaNode.Field(path, name), errors);
            }
        }
    }

    private static void CheckArray(JsonArray array, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["minItems"] is { } minItems && array.Count < (long)minItems)
        {
            errors.Add(FieldError.Invalid(path, array.Count, $"{path} in body should have at least {(long)minItems} items"));
        }

        if (schema["maxItems"] is { } maxItems && array.Count > (long)maxItems)
        {
            errors.Add(FieldError.TooMany(path, array.Count, (long)maxItems));
        }

        if (SchemaNode.Items(schema) is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], items, SchemaNode.Index(path, i), errors);
            }
        }

        switch (SchemaNode.ListType(schema))
        {
            case "set":
                for (var i = 0; i < array.Count; i++)
                {
                    if (array.Take(i).Any(earlier => JsonNode.DeepEquals(earlier, array[i])))
                    {
                        errors.Add(FieldError.Duplicate(SchemaNode.Index(path, i), array[i]));
                    }
                }

                break;
            case "map":
                var keys = SchemaNode.ListMapKeys(schema);
                for (var i = 0; i < array.Count; i++)
                {
                    if (array.Take(i).Any(earlier => keys.All(k => JsonNode.DeepEquals(earlier?[k], array[i]?[k]))))
                    {
                        var key = new JsonObject(keys.Select(k => KeyValuePair.Create(k, array[i]?[k]?.DeepClone())));
                        errors.Add(FieldError.Duplicate(SchemaNode.Index(path, i), key));
                    }
                }

                break;
        }
    }

    private static void CheckString(string text, JsonNode value, JsonObject schema, string path, List<FieldError> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema["maxLength"] is { } maxLength && length > (long)maxLength)
        {
            errors.Add(FieldError.TooLong(path, (long)maxLength));
        }

        if (schema["minLength"] is { } minLength && length < (long)minLength)
        {
            errors.Add(FieldError.Invalid(path, value, $"{path} in body should be at least {(long)minLength} chars long"));
        }

        if (schema["pattern"] is { } pattern && !Re2Regex.Get((string)pattern!).IsMatch(text))
        {
            errors.Add(FieldError.Invalid(path, value, $"{path} in body should match '{(string)pattern!}'"));
        }

        if ((string?)schema["format"] is { } format && !FormatMatches(format, text))
        {
            errors.Add(FieldError.Invalid(path, value, $"{path} in body must be of type {format}: {JsonSerializer.Serialize(text)}"));
        }
    }

    /// <summary>
    /// The string formats the API server checks for CRDs (k8s.io/apiextensions-apiserver/pkg/apiserver/validation/formats.go,
    /// backed by k8s.io/kube-openapi/pkg/validation/strfmt); other formats, and numeric ones, are not checked.
    /// </summary>
    private static bool FormatMatches(string format, string text) => format switch
    {
        "date-time" => Re2Regex.Get(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$").IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => Re2Regex.Get("^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$").IsMatch(text),
        "hostname" => text.Length <= 253 && Re2Regex.Get(@"^[a-zA-Z0-9](?:[-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$").IsMatch(text),
        "uri" => (bool)KubernetesCelLibrary.Global("isURL", [text])!,
        "duration" => KubernetesCelLibrary.ParseDuration(text) is not null
            || Re2Regex.Get(@"^(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$").IsMatch(text),
        "ipv4" => KubernetesCelLibrary.ParseIp(text) is { Family: 4 },
        "ipv6" => KubernetesCelLibrary.ParseIp(text) is { Family: 6 },
        "cidr" => KubernetesCelLibrary.ParseCidr(text) is not null,
        _ => true,
    };

    private static void CheckNumber(double number, JsonNode value, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["minimum"] is { } minimum && (Flag(schema, "exclusiveMinimum") ? number <= Number(minimum) : number < Number(minimum)))
        {
            errors.Add(FieldError.Invalid(path, value, $"{path} in body should be greater than {(Flag(schema, "exclusiveMinimum") ? "" : "or equal to ")}{minimum.ToJsonString()}"));
        }

        if (schema["maximum"] is { } maximum && (Flag(schema, "exclusiveMaximum") ? number >= Number(maximum) : number > Number(maximum)))
        {
            errors.Add(FieldError.Invalid(path, value, $"{path} in body should be less than {(Flag(schema, "exclusiveMaximum") ? "" : "or equal to ")}{maximum.ToJsonString()}"));
        }
    }

    private static bool Flag(JsonObject schema, string name) => SchemaNode.Flag(schema, name);

    /// <summary>A JSON number as double, whichever CLR type backs the node (parsed JSON or YAML-built long).</summary>
    private static double Number(JsonNode number) => double.Parse(number.ToJsonString(), CultureInfo.InvariantCulture);
}
