namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>
/// Applies the schema's <c>default:</c> values as the API server does when it decodes a custom
/// resource: a property's default is set where its parent object exists and the property is absent
/// (or a null that is not nullable), then defaulting recurses, so defaults inside defaults apply too.
/// Non-nullable nulls without a default are dropped. Mimics
/// k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/algorithm.go (Default) and
/// prunenulls.go (PruneNonNullableNullsWithoutDefaults), kubernetes/kubernetes master.
/// </summary>
internal static class StructuralDefaulting
{
    public static void Apply(JsonNode? value, JsonObject schema)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, propertyNode) in SchemaNode.Properties(schema) ?? [])
                {
                    var property = (JsonObject)propertyNode!;
                    var present = obj.TryGetPropertyValue(name, out var current);
                    if (property["default"] is { } defaultValue && (!present || (current is null && !SchemaNode.IsNullable(property))))
                    {
                        obj[name] = defaultValue.DeepClone();
                    }
                    else if (present && current is null && !SchemaNode.IsNullable(property))
                    {
                        obj.Remove(name);
                    }
                }

                foreach (var (name, child) in obj.ToList())
                {
                    if (SchemaNode.Child(schema, name) is { } childSchema)
                    {
                        Apply(child, childSchema);
                    }
                }

                break;
            case JsonArray array when SchemaNode.Items(schema) is { } items:
                foreach (var item in array)
                {
                    Apply(item, items);
                }

                break;
        }
    }
}
