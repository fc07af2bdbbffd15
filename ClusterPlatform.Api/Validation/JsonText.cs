namespace ClusterPlatform.Api.Validation;

/// <summary>
/// Decodes every string of a parsed body, property names included, once, at the edge. A string with
/// an unpaired surrogate (<c>"\ud800"</c>) parses, but reading it throws; without this walk that
/// throw happened deep in validation, as a 500. A NUL (U+0000) reads fine but PostgreSQL can store it
/// in neither <c>text</c> nor <c>jsonb</c>, so it would fail there, also as a 500. Names count too:
/// label keys are stored, and unknown names are echoed in error messages.
/// </summary>
internal static class JsonText
{
    public static void Check(JsonElement root)
    {
        var nuls = new ValidationErrors();
        var numbers = new ValidationErrors();
        Walk(root, new JsonPath(null, "$"), nuls, numbers);
        if (nuls.Any)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "invalid-character", "The request is invalid",
                "The body contains the NUL character (U+0000), which the API cannot store.", nuls.ToDictionary());
        }

        numbers.ThrowIfAny();
    }

    /// <summary>
    /// A path built only when a fault is found: making every member's path up front cost a body of
    /// long names and many items a gigabyte of strings.
    /// </summary>
    private sealed record JsonPath(JsonPath? Parent, string? Name, int Index = -1)
    {
        public override string ToString() => Parent is null ? Name!
            : Name is null ? $"{Parent}[{Index}]"
            : JsonFields.Join(Parent.ToString(), Name);
    }

    private static void Walk(JsonElement element, JsonPath path, ValidationErrors nuls, ValidationErrors numbers)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = Decode(() => property.Name, path);
                    var child = new JsonPath(path, name.Replace("\0", "\\u0000", StringComparison.Ordinal));
                    if (name.Contains('\0', StringComparison.Ordinal))
                    {
                        nuls.Add(child.ToString(), "the field name must not contain U+0000");
                    }

                    Walk(property.Value, child, nuls, numbers);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, new JsonPath(path, null, index++), nuls, numbers);
                }

                break;
            case JsonValueKind.String:
                if (Decode(element.GetString, path)!.Contains('\0', StringComparison.Ordinal))
                {
                    nuls.Add(path.ToString(), "must not contain U+0000");
                }

                break;
            case JsonValueKind.Number when !Storable(element):
                numbers.Add(path.ToString(), "must be a number a double can hold (magnitude at most about 1.8e308, not below 5e-324 unless zero)");
                break;
        }
    }

    /// <summary>
    /// A number PostgreSQL's jsonb stores and JSON clients read back as a double. Without this,
    /// <c>1e999999</c> in a status report's data failed the insert ("value overflows numeric
    /// format") as a 500, and <c>1e131071</c> was stored in 50 bytes and read back as 131,072 digits.
    /// </summary>
    private static bool Storable(JsonElement number)
    {
        if (!number.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            return false;
        }

        // An underflow to zero: a non-zero mantissa that a double cannot hold.
        var raw = number.GetRawText();
        var mantissa = raw.AsSpan(0, raw.IndexOfAny('e', 'E') is var e and >= 0 ? e : raw.Length);
        return value != 0 || mantissa.IndexOfAnyInRange('1', '9') < 0;
    }

    private static string Decode(Func<string?> read, JsonPath path)
    {
        try
        {
            return read() ?? "";
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json's message names the fault (invalid UTF-8, a missing low surrogate);
            // the path says where. Not an error of the server, so nothing is logged as one.
            throw Malformed($"a string in {path} is not valid Unicode (invalid UTF-8 or an unpaired surrogate escape).");
        }
    }

    public static ApiException Malformed(string why) =>
        ApiException.BadRequest("malformed-json", $"The body is not valid JSON: {why}");
}
