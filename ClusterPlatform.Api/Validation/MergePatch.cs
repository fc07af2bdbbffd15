using System.Text.Json.Nodes;

namespace ClusterPlatform.Api.Validation;

/// <summary>JSON Merge Patch (RFC 7386). The result is validated like a PUT body, so a patch can never leave an invalid resource.</summary>
internal static class MergePatch
{
    /// <summary>
    /// Merges <paramref name="patch"/> into <paramref name="target"/>. The patch's own top-level names
    /// must be <paramref name="fields"/>, the names a PUT body may carry: merging alone would drop a
    /// <c>{"status": null}</c> or <c>{"organization": null}</c> (null removes, and the document has no
    /// such member), and the merged result would pass, though docs/api.md refuses server-owned fields in any body.
    /// </summary>
    public static JsonElement Apply(JsonElement target, JsonElement patch, IReadOnlyCollection<string> fields)
    {
        if (patch.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("invalid-merge-patch", "A merge patch for this resource must be a JSON object.");
        }

        var names = new JsonFields(new ValidationErrors());
        names.IsObject(patch, "$", fields);
        names.Errors.ThrowIfAny();

        var merged = Merge(JsonNode.Parse(target.GetRawText()), JsonNode.Parse(patch.GetRawText()));
        return JsonSerializer.SerializeToElement(merged);
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch;
        }

        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patchObject.ToList())
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var existing = result[name];
                var merged = Merge(existing, value.DeepClone());
                if (!ReferenceEquals(merged, existing))
                {
                    result[name] = merged;
                }
            }
        }

        return result;
    }
}
