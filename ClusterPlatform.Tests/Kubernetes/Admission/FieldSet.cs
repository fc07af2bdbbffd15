namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>
/// The fields a manager owns, as paths of fieldsV1 elements (sigs.k8s.io/structured-merge-diff/v4
/// fieldpath: "f:name" a field, "k:{...}" a list-type=map item by its keys, "v:..." a set item).
/// Only leaves are members (scalars, atomic lists, empty objects, set items); a path's ancestors are
/// implied. Lists are atomic unless the schema says x-kubernetes-list-type set or map, and objects
/// marked x-kubernetes-map-type atomic are one leaf, as in
/// structured-merge-diff's schema conversion (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager).
/// </summary>
internal sealed class FieldSet
{
    private const char Separator = '\u001f';

    /// <summary>Server-owned or identity fields that field managers never own.</summary>
    private static readonly HashSet<string> UntrackedMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink",
    };

    private readonly HashSet<string> leaves;

    private FieldSet(HashSet<string> leaves) => this.leaves = leaves;

    public static FieldSet Empty => new([]);

    public IReadOnlyCollection<string> Leaves => leaves;

    public bool IsEmpty => leaves.Count == 0;

    /// <summary>Every leaf of an object, outside apiVersion, kind, status and server-owned metadata.</summary>
    public static FieldSet Of(JsonObject obj, JsonObject? schema)
    {
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in obj)
        {
            if (name is "apiVersion" or "kind" or "status")
            {
                continue;
            }

            if (name == "metadata" && value is JsonObject metadata)
            {
                foreach (var (field, child) in metadata)
                {
                    if (!UntrackedMetadata.Contains(field))
                    {
                        Collect(child, null, [$"f:metadata", $"f:{field}"], leaves);
                    }
                }

                continue;
            }

            Collect(value, schema is null ? null : SchemaNode.Child(schema, name), [$"f:{name}"], leaves);
        }

        return new FieldSet(leaves);
    }

    private static void Collect(JsonNode? value, JsonObject? schema, List<string> path, HashSet<string> leaves)
    {
        switch (value)
        {
            case JsonObject obj when obj.Count > 0 && !(schema is not null && SchemaNode.IsAtomicMap(schema)):
                foreach (var (name, child) in obj)
                {
                    Collect(child, schema is null ? null : SchemaNode.Child(schema, name), [.. path, $"f:{name}"], leaves);
                }

                break;
            case JsonArray array when schema is not null && SchemaNode.ListType(schema) == "set":
                foreach (var item in array)
                {
                    leaves.Add(Join([.. path, $"v:{item?.ToJsonString() ?? "null"}"]));
                }

                break;
            case JsonArray array when schema is not null && SchemaNode.ListType(schema) == "map" && SchemaNode.Items(schema) is { } items:
                var keys = SchemaNode.ListMapKeys(schema);
                foreach (var item in array.OfType<JsonObject>())
                {
                    Collect(item, items, [.. path, ItemKey(item, keys)], leaves);
                }

                break;
            default:
                leaves.Add(Join(path));
                break;
        }
    }

    /// <summary>"k:{"name":"x"}" with the keys in schema order, as structured-merge-diff writes it.</summary>
    public static string ItemKey(JsonObject item, IReadOnlyList<string> keys) =>
        "k:" + new JsonObject(keys.Where(item.ContainsKey).Select(k => KeyValuePair.Create(k, item[k]?.DeepClone()))).ToJsonString();

    public bool Contains(string leaf) => leaves.Contains(leaf);

    /// <summary>Whether any leaf lies at or under <paramref name="path"/>.</summary>
    public bool Covers(string path) => leaves.Any(l => l == path || l.StartsWith(path + Separator, StringComparison.Ordinal));

    public FieldSet Union(FieldSet other) => new([.. leaves.Union(other.leaves)]);

    public FieldSet Except(FieldSet other) => new([.. leaves.Except(other.leaves)]);

    public FieldSet Except(IEnumerable<string> other) => new([.. leaves.Except(other)]);

    public FieldSet Intersect(IEnumerable<string> other) => new([.. leaves.Intersect(other)]);

    public static string Join(IEnumerable<string> elements) => string.Join(Separator, elements);

    public static string[] Split(string path) => path.Split(Separator);

    /// <summary>The set in metadata.managedFields' fieldsV1 format: nested objects of path elements, "." marking a list item itself.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var leaf in leaves.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var element in Split(leaf))
            {
                if (node[element] is not JsonObject next)
                {
                    next = element.StartsWith("k:", StringComparison.Ordinal) ? new JsonObject { ["."] = new JsonObject() } : [];
                    node[element] = next;
                }

                node = next;
            }
        }

        return root;
    }

    /// <summary>Reads a fieldsV1 object back: its leaves are the nodes with no children but ".".</summary>
    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonObject node, List<string> path)
        {
            var children = node.Where(c => c.Key != ".").ToList();
            if (children.Count == 0 && path.Count > 0)
            {
                leaves.Add(Join(path));
            }

            foreach (var (element, child) in children)
            {
                Walk((JsonObject)child!, [.. path, element]);
            }
        }

        if (fields is not null)
        {
            Walk(fields, []);
        }

        return new FieldSet(leaves);
    }
}
