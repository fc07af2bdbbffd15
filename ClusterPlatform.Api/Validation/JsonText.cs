using System.Text.Json;
using ClusterPlatform.Api.Errors;

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
        Walk(root, "$", nuls);
        if (nuls.Any)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "invalid-character", "The request is invalid",
                "The body contains the NUL character (U+0000), which the API cannot store.", nuls.ToDictionary());
        }
    }

    private static void Walk(JsonElement element, string path, ValidationErrors nuls)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = Decode(() => property.Name, path);
                    var child = JsonFields.Join(path, name.Replace("\0", "\\u0000", StringComparison.Ordinal));
                    if (name.Contains('\0', StringComparison.Ordinal))
                    {
                        nuls.Add(child, "the field name must not contain U+0000");
                    }

                    Walk(property.Value, child, nuls);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{index++}]", nuls);
                }

                break;
            case JsonValueKind.String:
                if (Decode(element.GetString, path)!.Contains('\0', StringComparison.Ordinal))
                {
                    nuls.Add(path, "must not contain U+0000");
                }

                break;
        }
    }

    private static string Decode(Func<string?> read, string path)
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
