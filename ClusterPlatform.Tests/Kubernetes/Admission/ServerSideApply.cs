using System.Globalization;

namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>One metadata.managedFields entry: what a manager owns after an Apply or an Update.</summary>
internal sealed record ManagedFieldsEntry(string Manager, string Operation, string ApiVersion, FieldSet Fields);

/// <summary>
/// Server-side apply and field ownership as sigs.k8s.io/structured-merge-diff/v4 (merge/update.go)
/// and k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager do it, for the cases the provider meets:
/// the applied configuration merges into the live object key by key (list-type map items by key,
/// set items by value, other lists atomic); fields the manager applied before and no longer applies
/// are removed unless another manager owns them; a field another manager owns with a different
/// value is a conflict unless force=true, which takes it over. Any other write (create, PUT, the
/// fake's helpers acting as HyperShift) is an Update: its manager takes the fields it changed.
/// Ownership lives in metadata.managedFields in the real fieldsV1 format.
/// </summary>
internal static class ServerSideApply
{
    public sealed record ApplyResult(JsonObject Merged, IReadOnlyList<string> Conflicts);

    public static ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, JsonObject? schema)
    {
        var entries = live is null ? [] : Read(live);
        var previous = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply")?.Fields ?? FieldSet.Empty;
        var applying = FieldSet.Of(applied, schema);
        var merged = live is null ? Strip(applied) : (JsonObject)Merge(live, Strip(applied), schema)!;

        var conflicts = new List<string>();
        var others = new List<ManagedFieldsEntry>();
        foreach (var entry in entries.Where(e => !(e.Manager == manager && e.Operation == "Apply")))
        {
            var contested = entry.Fields.Leaves.Where(l => applying.Contains(l) && live is not null && !JsonNode.DeepEquals(At(live, l), At(applied, l))).ToList();
            if (contested.Count > 0 && !force)
            {
                conflicts.AddRange(contested.Select(l => $"conflict with \"{entry.Manager}\"{(entry.Operation == "Update" ? $" using {entry.ApiVersion}" : "")}: {Describe(l)}"));
            }

            others.Add(entry with { Fields = entry.Fields.Except(contested) });
        }

        if (conflicts.Count > 0)
        {
            return new ApplyResult(live!, conflicts);
        }

        var ownedByOthers = others.Aggregate(FieldSet.Empty, (all, e) => all.Union(e.Fields));
        foreach (var leaf in previous.Except(applying).Except(ownedByOthers.Leaves).Leaves.OrderByDescending(l => l.Length))
        {
            Remove(merged, leaf, applying.Union(ownedByOthers));
        }

        // Entries keep their order, the applier's in its old place, so that a repeated apply is a no-op.
        var mine = new ManagedFieldsEntry(manager, "Apply", (string?)applied["apiVersion"] ?? "v1", applying);
        var ordered = entries.Select(e => e.Manager == manager && e.Operation == "Apply" ? mine : others.Single(o => o.Manager == e.Manager && o.Operation == e.Operation)).ToList();
        Write(merged, [.. ordered.Where(e => !e.Fields.IsEmpty), .. ordered.Contains(mine) ? [] : new[] { mine }]);
        return new ApplyResult(merged, conflicts);
    }

    /// <summary>Records a non-apply write: <paramref name="manager"/> takes every leaf that is new or changed; leaves that vanished are owned by no one.</summary>
    public static void RecordUpdate(JsonObject? old, JsonObject updated, string manager, JsonObject? schema)
    {
        var entries = old is null ? [] : Read(old);
        var now = FieldSet.Of(updated, schema);
        var before = old is null ? FieldSet.Empty : FieldSet.Of(old, schema);
        var changed = now.Leaves.Where(l => !before.Contains(l) || !JsonNode.DeepEquals(At(old!, l), At(updated, l))).ToList();
        // A leaf stays owned while its path exists, even when defaulting filled an owned {} in since.
        FieldSet Present(FieldSet fields) => fields.Intersect(fields.Leaves.Where(l => At(updated, l) is not null));
        var mine = new ManagedFieldsEntry(manager, "Update", (string?)updated["apiVersion"] ?? "v1",
            Present(entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update")?.Fields ?? FieldSet.Empty)
                .Union(now.Intersect(changed)));
        var ordered = entries
            .Select(e => e.Manager == manager && e.Operation == "Update" ? mine : e with { Fields = Present(e.Fields.Except(changed)) })
            .ToList();
        Write(updated, [.. ordered.Where(e => !e.Fields.IsEmpty), .. ordered.Contains(mine) || mine.Fields.IsEmpty ? [] : new[] { mine }]);
    }

    public static List<ManagedFieldsEntry> Read(JsonObject obj) =>
        (obj["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(e => new ManagedFieldsEntry((string)e["manager"]!, (string)e["operation"]!, (string?)e["apiVersion"] ?? "v1", FieldSet.FromFieldsV1(e["fieldsV1"] as JsonObject)))
            .ToList();

    private static void Write(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var time = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var metadata = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        metadata["managedFields"] = new JsonArray([.. entries.Select(e => new JsonObject
        {
            ["manager"] = e.Manager,
            ["operation"] = e.Operation,
            ["apiVersion"] = e.ApiVersion,
            ["time"] = time,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = e.Fields.ToFieldsV1(),
        })]);
    }

    /// <summary>An applied configuration without what the server ignores from it (managedFields, resourceVersion, status).</summary>
    private static JsonObject Strip(JsonObject applied)
    {
        var copy = applied.DeepClone().AsObject();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            metadata.Remove("managedFields");
            metadata.Remove("resourceVersion");
        }

        return copy;
    }

    private static JsonNode? Merge(JsonNode? live, JsonNode? applied, JsonObject? schema)
    {
        switch (live, applied)
        {
            case (JsonObject l, JsonObject a) when schema is null || !SchemaNode.IsAtomicMap(schema):
                var result = l.DeepClone().AsObject();
                foreach (var (name, value) in a)
                {
                    var childSchema = schema is null ? null : SchemaNode.Child(schema, name);
                    result[name] = result.TryGetPropertyValue(name, out var existing) ? Merge(existing, value, childSchema) : value?.DeepClone();
                }

                return result;
            case (JsonArray l, JsonArray a) when schema is not null && SchemaNode.ListType(schema) == "set":
                return new JsonArray([.. l.Select(i => i?.DeepClone()), .. a.Where(i => !l.Any(e => JsonNode.DeepEquals(e, i))).Select(i => i?.DeepClone())]);
            case (JsonArray l, JsonArray a) when schema is not null && SchemaNode.ListType(schema) == "map":
                var keys = SchemaNode.ListMapKeys(schema);
                var items = SchemaNode.Items(schema);
                var merged = l.Select(i => i?.DeepClone()).ToList();
                foreach (var item in a.OfType<JsonObject>())
                {
                    var index = merged.FindIndex(e => e is JsonObject o && FieldSet.ItemKey(o, keys) == FieldSet.ItemKey(item, keys));
                    if (index >= 0)
                    {
                        merged[index] = Merge(merged[index], item, items);
                    }
                    else
                    {
                        merged.Add(item.DeepClone());
                    }
                }

                return new JsonArray([.. merged]);
            default:
                return applied?.DeepClone();
        }
    }

    /// <summary>The value at a leaf path, or null when absent.</summary>
    public static JsonNode? At(JsonNode root, string leaf)
    {
        JsonNode? node = root;
        foreach (var element in FieldSet.Split(leaf))
        {
            node = Step(node, element);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private static JsonNode? Step(JsonNode? node, string element) => (node, element[..2]) switch
    {
        (JsonObject o, "f:") => o[element[2..]],
        (JsonArray a, "k:") => a.FirstOrDefault(i => i is JsonObject item && JsonNode.Parse(element[2..]) is JsonObject key && key.All(k => JsonNode.DeepEquals(item[k.Key], k.Value))),
        (JsonArray a, "v:") => a.FirstOrDefault(i => JsonNode.DeepEquals(i, JsonNode.Parse(element[2..]))),
        _ => null,
    };

    /// <summary>Removes a leaf, then every ancestor left holding nothing anyone still owns.</summary>
    private static void Remove(JsonObject root, string leaf, FieldSet stillOwned)
    {
        var elements = FieldSet.Split(leaf);
        for (var depth = elements.Length; depth > 0; depth--)
        {
            var path = FieldSet.Join(elements.Take(depth));
            if (depth < elements.Length && stillOwned.Covers(path))
            {
                return;
            }

            var parent = depth == 1 ? root : At(root, FieldSet.Join(elements.Take(depth - 1)));
            var target = Step(parent, elements[depth - 1]);
            switch (parent)
            {
                case JsonObject o:
                    o.Remove(elements[depth - 1][2..]);
                    break;
                case JsonArray a when target is not null:
                    a.Remove(target);
                    break;
            }
        }
    }

    /// <summary>A leaf as the API server prints it in conflicts: ".spec.replicas", ".spec.services[service=\"APIServer\"]".</summary>
    private static string Describe(string leaf) => string.Concat(FieldSet.Split(leaf).Select(e => e[..2] switch
    {
        "f:" => "." + e[2..],
        "k:" => "[" + string.Join(",", JsonNode.Parse(e[2..])!.AsObject().Select(k => $"{k.Key}={k.Value?.ToJsonString()}")) + "]",
        _ => "[=" + e[2..] + "]",
    }));
}
