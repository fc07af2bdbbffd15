using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// Hostile bodies, made from each valid body of <see cref="BadInputTests.Targets"/> by
/// editing its JSON text, since a JsonNode cannot hold an unpaired surrogate, invalid UTF-8 or a
/// duplicate name: each string token of the text (names and values, in objects and arrays) in turn,
/// and each object in turn.
/// </summary>
internal static partial class HostileInputs
{
    /// <summary>JSON text put inside a string token, whole or after its content: each is valid JSON syntax.</summary>
    private static readonly string[] UnpairedSurrogates = [@"\ud800", @"\udc00", @"a\udc00\ud800b"];

    /// <summary>Raw bytes that are not UTF-8: a byte never used, an overlong '/', an encoded surrogate, a cut-off sequence.</summary>
    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]];

    /// <summary>What a merge patch may never carry, even as null ("remove"): the server-owned fields, and unknown ones.</summary>
    private static readonly string[] NotPatchable =
        ["status", "generation", "id", "kind", "href", "organization", "createdAt", "updatedAt", "createdBy", "deletionTimestamp", "unknownField"];

    private const string Marker = "~hostile~";

    public static IEnumerable<(string Who, Func<HttpRequestMessage> Make, string? Code)> Generate(JsonObject cluster, JsonObject pool)
    {
        foreach (var (who, method, path, valid, mediaType) in BadInputTests.Targets(cluster, pool))
        {
            // A report's data is stored as jsonb, anything in it: give it a string, a nested one and an array.
            var body = valid.ContainsKey("conditions")
                ? With(valid, "data", new JsonObject { ["note"] = "x", ["deep"] = new JsonObject { ["k"] = "v" }, ["list"] = new JsonArray("a") })
                : valid;
            var json = body.ToJsonString();
            foreach (Match token in StringToken().Matches(json))
            {
                var (start, length) = (token.Index + 1, token.Length - 2); // the content, inside the quotes
                var content = json.Substring(start, length);
                foreach (var surrogate in UnpairedSurrogates)
                {
                    yield return (who, () => Text(method, path, Splice(json, start, length, surrogate), mediaType), "malformed-json");
                    yield return (who, () => Text(method, path, Splice(json, start, length, content + surrogate), mediaType), "malformed-json");
                }

                yield return (who, () => Text(method, path, Splice(json, start, length, @"\u0000"), mediaType), "invalid-character");
                yield return (who, () => Text(method, path, Splice(json, start, length, content + @"\u0000"), mediaType), "invalid-character");
                foreach (var bytes in InvalidUtf8)
                {
                    yield return (who, () => Bytes(method, path, Splice(json, start, length, content + Marker), bytes, mediaType), "malformed-json");
                }
            }

            foreach (var target in ObjectsOf(body))
            {
                yield return (who, () => Text(method, path, WithDuplicate(body, target), mediaType), "malformed-json");
            }

            if (method == HttpMethod.Patch || (method == HttpMethod.Put && !valid.ContainsKey("conditions")))
            {
                foreach (var name in NotPatchable)
                {
                    yield return (who, () => Text(method, path, new JsonObject { [name] = null }.ToJsonString(), mediaType), "validation-failed");
                    yield return (who, () => Text(method, path, With(valid, name, null).ToJsonString(), mediaType), "validation-failed");
                }
            }
        }
    }

    private static JsonObject With(JsonObject valid, string name, JsonNode? value)
    {
        var copy = valid.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    private static string Splice(string json, int start, int length, string content) => string.Concat(json.AsSpan(0, start), content, json.AsSpan(start + length));

    private static HttpRequestMessage Text(HttpMethod method, string path, string json, string mediaType) => BadInputTests.Raw(method, path, json, mediaType);

    /// <summary>The body's UTF-8 with <paramref name="bytes"/> where the marker is: bytes no string can carry.</summary>
    private static HttpRequestMessage Bytes(HttpMethod method, string path, string json, byte[] bytes, string mediaType)
    {
        var at = json.IndexOf(Marker, StringComparison.Ordinal);
        byte[] raw = [.. Encoding.UTF8.GetBytes(json[..at]), .. bytes, .. Encoding.UTF8.GetBytes(json[(at + Marker.Length)..])];
        var content = new ByteArrayContent(raw);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return new HttpRequestMessage(method, path) { Content = content };
    }

    private static IEnumerable<JsonObject> ObjectsOf(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => ObjectsOf(p.Value)).Prepend(o),
        JsonArray a => a.SelectMany(ObjectsOf),
        _ => [],
    };

    /// <summary>
    /// The body's text with <paramref name="target"/>'s first member written twice, value and all, so a
    /// parser that keeps the last (or the first) would see a valid request; an empty object gets a
    /// label-like pair twice.
    /// </summary>
    private static string WithDuplicate(JsonNode? node, JsonObject target) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.Select(p => $"{JsonSerializer.Serialize(p.Key)}:{WithDuplicate(p.Value, target)}")
            .Concat(ReferenceEquals(o, target) ? [o.Count == 0 ? "\"env\":\"a\",\"env\":\"b\"" : $"{JsonSerializer.Serialize(o.First().Key)}:{o.First().Value?.ToJsonString() ?? "null"}"] : [])) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(i => WithDuplicate(i, target))) + "]",
        _ => node?.ToJsonString() ?? "null",
    };

    // A JSON string token: its quotes and what is between them (escapes included).
    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringToken();
}
