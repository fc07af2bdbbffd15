using System.Text.Json;
using ClusterPlatform.Tests.Kubernetes.Cel;

namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>
/// Evaluates <c>x-kubernetes-validations</c> as k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go
/// does: at every node that has rules and a value, with <c>self</c> bound to the value and, on update,
/// <c>oldSelf</c> to the correlated old value. Old values correlate through object properties, map
/// values and x-kubernetes-list-type=map items (by their keys), never through atomic or set lists.
/// A transition rule (one that names oldSelf) runs only when an old value correlates, unless the rule
/// sets optionalOldSelf, in which case oldSelf is an optional. Failures read
/// "field: Invalid value: \"object\": message" (or "failed rule: RULE" without a message); evaluation
/// errors read "ERROR evaluating rule: RULE". A rule this interpreter cannot evaluate throws.
/// </summary>
internal static class CelValidation
{
    public static List<FieldError> Validate(JsonNode? self, JsonNode? oldSelf, bool hasOld, JsonObject schema)
    {
        var errors = new List<FieldError>();
        Walk(self, oldSelf, hasOld, schema, "", errors);
        return errors;
    }

    private static void Walk(JsonNode? self, JsonNode? old, bool hasOld, JsonObject schema, string path, List<FieldError> errors)
    {
        if (self is null)
        {
            return;
        }

        Evaluate(self, old, hasOld, schema, path, errors);
        switch (self)
        {
            case JsonObject obj:
                var isMap = SchemaNode.Properties(schema) is null;
                foreach (var (name, child) in obj)
                {
                    if ((path.Length == 0 && name == "metadata") || SchemaNode.Child(schema, name) is not { } childSchema)
                    {
                        continue;
                    }

                    var oldChild = hasOld && old is JsonObject oldObj && oldObj.TryGetPropertyValue(name, out var o) ? o : null;
                    var childHasOld = hasOld && old is JsonObject oo && oo.ContainsKey(name);
                    Walk(child, oldChild, childHasOld, childSchema, isMap ? SchemaNode.Key(path, name) : SchemaNode.Field(path, name), errors);
                }

                break;
            case JsonArray array when SchemaNode.Items(schema) is { } items:
                var keys = SchemaNode.ListType(schema) == "map" ? SchemaNode.ListMapKeys(schema) : null;
                for (var i = 0; i < array.Count; i++)
                {
                    var oldItem = keys is not null && hasOld && old is JsonArray oldArray
                        ? oldArray.FirstOrDefault(candidate => keys.All(k => JsonNode.DeepEquals(candidate?[k], array[i]?[k])))
                        : null;
                    Walk(array[i], oldItem, oldItem is not null, items, SchemaNode.Index(path, i), errors);
                }

                break;
        }
    }

    private static void Evaluate(JsonNode self, JsonNode? old, bool hasOld, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["x-kubernetes-validations"] is not JsonArray rules)
        {
            return;
        }

        var type = SchemaNode.Type(schema) ?? (SchemaNode.IsIntOrString(schema) ? "integer-or-string" : "object");
        var selfValue = ToCel(self, schema);
        var oldValue = hasOld ? ToCel(old, schema) : null;
        foreach (var ruleNode in rules)
        {
            var rule = (JsonObject)ruleNode!;
            var text = (string)rule["rule"]!;
            if (rule["messageExpression"] is not null)
            {
                throw new NotSupportedException($"messageExpression at {path}: not implemented by this fake");
            }

            var expr = CrdCatalog.Rule(text);
            var optionalOldSelf = SchemaNode.Flag(rule, "optionalOldSelf");
            var transition = NamesOldSelf(expr);
            if (transition && !hasOld && !optionalOldSelf)
            {
                continue; // Kubernetes skips transition rules without a correlated old value
            }

            var variables = new Dictionary<string, object?> { ["self"] = selfValue };
            if (transition)
            {
                variables["oldSelf"] = optionalOldSelf ? (hasOld ? CelOptional.Of(oldValue) : CelOptional.None) : oldValue;
            }

            var field = (string?)rule["fieldPath"] is { } fieldPath ? path + fieldPath : path;
            field = field.TrimStart('.');
            try
            {
                if (CelInterpreter.Evaluate(expr, variables) is not true and var result)
                {
                    if (result is not false)
                    {
                        throw new NotSupportedException($"rule at {path} gave {CelValues.TypeName(result)}, not bool: {text}");
                    }

                    errors.Add(FieldError.ForRule(field, (string?)rule["reason"], type, (string?)rule["message"] is { Length: > 0 } message ? message : $"failed rule: {text}"));
                }
            }
            catch (CelRuntimeException e)
            {
                errors.Add(FieldError.Invalid(field, type, $"{e.Message} evaluating rule: {text}"));
            }
        }
    }

    private static bool NamesOldSelf(CelExpr expr) => expr.DescendantsAndSelf().Any(e => e is CelIdent { Name: "oldSelf" });

    /// <summary>
    /// JSON to CEL as k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model and
    /// k8s.io/apiserver/pkg/cel/common/values.go type it: integer to int, number to double,
    /// int-or-string to whichever it holds, objects and maps to maps, arrays to lists.
    /// </summary>
    public static object? ToCel(JsonNode? value, JsonObject? schema)
    {
        switch (value)
        {
            case null:
                return null;
            case JsonObject obj:
                return obj.ToDictionary(p => (object)p.Key, p => ToCel(p.Value, schema is null ? null : SchemaNode.Child(schema, p.Key)));
            case JsonArray array:
                var items = schema is null ? null : SchemaNode.Items(schema);
                return array.Select(item => ToCel(item, items)).ToList();
        }

        var scalar = (JsonValue)value;
        return scalar.GetValueKind() switch
        {
            JsonValueKind.String => (string)scalar!,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when (schema is null || SchemaNode.Type(schema) != "number") && SchemaNode.IsInteger(scalar) =>
                long.Parse(scalar.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture),
            JsonValueKind.Number => double.Parse(scalar.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }
}
