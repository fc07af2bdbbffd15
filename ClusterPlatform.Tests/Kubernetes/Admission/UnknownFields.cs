namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>
/// Finds and removes fields the schema does not declare, as the API server's pruning does
/// (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go): objects under
/// <c>x-kubernetes-preserve-unknown-fields: true</c> keep unknown fields; an
/// <c>x-kubernetes-embedded-resource</c> keeps apiVersion, kind and metadata; the root keeps
/// apiVersion, kind and metadata. The caller refuses the object when fieldValidation=Strict.
/// </summary>
internal static class UnknownFields
{
    /// <summary>Removes unknown fields and returns their paths, e.g. "spec.platform.gcp.color".</summary>
    public static List<string> Prune(JsonObject root, JsonObject schema)
    {
        var found = new List<string>();
        foreach (var (name, child) in root.ToList())
        {
            if (name is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            Walk(root, name, child, SchemaNode.Child(schema, name), SchemaNode.PreservesUnknownFields(schema), name, found);
        }

        return found;
    }

    private static void Walk(JsonNode parent, string name, JsonNode? value, JsonObject? schema, bool parentPreserves, string path, List<string> found)
    {
        if (schema is null)
        {
            if (!parentPreserves)
            {
                found.Add(path);
                ((JsonObject)parent).Remove(name);
            }

            return;
        }

        switch (value)
        {
            case JsonObject obj:
                var preserves = SchemaNode.PreservesUnknownFields(schema);
                foreach (var (childName, child) in obj.ToList())
                {
                    if (SchemaNode.IsEmbeddedResource(schema) && childName is "apiVersion" or "kind" or "metadata")
                    {
                        continue;
                    }

                    var childPath = SchemaNode.Properties(schema) is null && SchemaNode.AdditionalProperties(schema) is not null
                        ? SchemaNode.Key(path, childName)
                        : SchemaNode.Field(path, childName);
                    Walk(obj, childName, child, SchemaNode.Child(schema, childName), preserves, childPath, found);
                }

                break;
            case JsonArray array when SchemaNode.Items(schema) is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array, i.ToString(System.Globalization.CultureInfo.InvariantCulture), array[i], items, SchemaNode.PreservesUnknownFields(schema), SchemaNode.Index(path, i), found);
                }

                break;
        }
    }
}
