namespace ClusterPlatform.Api.Validation;

/// <summary>
/// Reads typed fields out of a parsed body while recording every violation: wrong types, missing
/// required fields and fields the contract does not define (docs/api.md: those are rejected, not ignored).
/// </summary>
internal sealed class JsonFields(ValidationErrors errors)
{
    /// <summary>Fields the server owns. A body that carries them is rejected with a message that says why.</summary>
    private static readonly HashSet<string> ServerOwned =
        ["status", "generation", "id", "kind", "href", "organization", "createdAt", "updatedAt", "createdBy", "deletionTimestamp"];

    public ValidationErrors Errors { get; } = errors;

    /// <summary>Checks that <paramref name="element"/> is an object with only <paramref name="allowed"/> fields.</summary>
    public bool IsObject(JsonElement element, string path, IReadOnlyCollection<string> allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Errors.Add(path, "must be an object");
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                Errors.Add(Join(path, property.Name), ServerOwned.Contains(property.Name)
                    ? "is set by the server and cannot be written"
                    : "is not a known field");
            }
        }

        return true;
    }

    /// <summary>The named child object, or null when absent, null or not an object (each reported as fits).</summary>
    public JsonElement? Object(JsonElement parent, string name, string path, bool required, IReadOnlyCollection<string> allowed)
    {
        var child = Child(parent, name, path, required);
        return child is { } c && IsObject(c, Join(path, name), allowed) ? c : null;
    }

    public string? String(JsonElement parent, string name, string path, bool required)
    {
        var child = Child(parent, name, path, required);
        if (child is not { } c)
        {
            return null;
        }

        if (c.ValueKind != JsonValueKind.String)
        {
            Errors.Add(Join(path, name), "must be a string");
            return null;
        }

        return c.GetString();
    }

    public int? Int(JsonElement parent, string name, string path, bool required)
    {
        var child = Child(parent, name, path, required);
        if (child is not { } c)
        {
            return null;
        }

        if (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out var value))
        {
            Errors.Add(Join(path, name), "must be an integer");
            return null;
        }

        return value;
    }

    public Guid? Uuid(JsonElement parent, string name, string path, bool required)
    {
        var text = String(parent, name, path, required);
        if (text is null)
        {
            return null;
        }

        if (!Guid.TryParse(text, out var id))
        {
            Errors.Add(Join(path, name), "must be a UUID");
            return null;
        }

        return id;
    }

    /// <summary>A string-to-string map such as <c>labels</c>; absent or null reads as empty.</summary>
    public Dictionary<string, string> StringMap(JsonElement parent, string name, string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var child = Child(parent, name, path, required: false);
        if (child is not { } c)
        {
            return map;
        }

        if (c.ValueKind != JsonValueKind.Object)
        {
            Errors.Add(Join(path, name), "must be an object of strings");
            return map;
        }

        foreach (var property in c.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                Errors.Add(Join(Join(path, name), property.Name), "must be a string");
                continue;
            }

            map[property.Name] = property.Value.GetString()!;
        }

        return map;
    }

    /// <summary>The named property; null (and "is required" when required) if it is absent or JSON null.</summary>
    public JsonElement? Child(JsonElement parent, string name, string path, bool required)
    {
        if (parent.TryGetProperty(name, out var child) && child.ValueKind != JsonValueKind.Null)
        {
            return child;
        }

        if (required)
        {
            Errors.Add(Join(path, name), "is required");
        }

        return null;
    }

    public static string Join(string path, string name) => $"{path}.{name}";
}
