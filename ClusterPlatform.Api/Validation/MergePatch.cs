using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterPlatform.Api.Errors;

namespace ClusterPlatform.Api.Validation;

/// <summary>JSON Merge Patch (RFC 7386). The result is validated like a PUT body, so a patch can never leave an invalid resource.</summary>
internal static class MergePatch
{
    public static JsonElement Apply(JsonElement target, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("invalid-merge-patch", "A merge patch for this resource must be a JSON object.");
        }

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
