using System.Text;
using System.Text.Json;
using ClusterPlatform.Api.Data;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// <see cref="StoredJson.WriteValue"/> drops the whitespace PostgreSQL's jsonb output puts between tokens and
/// keeps every character of every string, escapes included. (StoredBodyTests check the same through the Api
/// and a real PostgreSQL; these reach the corners a stored resource rarely has.)
/// </summary>
public sealed class StoredJsonCompactTests
{
    [Theory]
    [InlineData("""{"a": 1, "b": [1, 2, {"c": null}]}""", """{"a":1,"b":[1,2,{"c":null}]}""")]
    [InlineData("""{"s": "x y, z: w"}""", """{"s":"x y, z: w"}""")]
    [InlineData("""{"q": "say \"hi, there\" now"}""", """{"q":"say \"hi, there\" now"}""")]
    [InlineData("""{"path": "c:\\", "d": 1}""", """{"path":"c:\\","d":1}""")]
    [InlineData("""{"e": "\\\"", "f": "\u00e9 é \t"}""", """{"e":"\\\"","f":"\u00e9 é \t"}""")]
    [InlineData("""{"": "", " ": " "}""", """{"":""," ":" "}""")]
    [InlineData("[]", "[]")]
    [InlineData("\"plain\"", "\"plain\"")]
    [InlineData(" { \"a\" :\t[ true ,\nfalse ] } ", """{"a":[true,false]}""")]
    public void Whitespace_between_tokens_goes_and_strings_stay_whole(string stored, string expected)
    {
        Assert.Equal(expected, Written(stored));
    }

    [Fact]
    public void Random_documents_keep_their_meaning_and_lose_only_the_spaces_between_tokens()
    {
        var random = new Random(20261206);
        for (var i = 0; i < 500; i++)
        {
            var stored = Document(random, depth: 0);
            var written = Written(stored);

            Assert.True(JsonElement.DeepEquals(Parse(stored), Parse(written)), $"stored: {stored}\nwritten: {written}");
            Assert.Equal(Reformatted(stored), written);
        }
    }

    private static string Written(string stored)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            StoredJson.WriteValue(json, stored);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The expected text, token by token from System.Text.Json's reader: each token's own bytes, nothing between them.</summary>
    private static string Reformatted(string stored)
    {
        var bytes = Encoding.UTF8.GetBytes(stored);
        var reader = new Utf8JsonReader(bytes);
        var output = new StringBuilder();
        var previous = JsonTokenType.None;
        while (reader.Read())
        {
            var opensValue = reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray);
            if (opensValue && previous is not (JsonTokenType.None or JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.PropertyName))
            {
                output.Append(',');
            }

            var raw = Encoding.UTF8.GetString(bytes, (int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
            output.Append(reader.TokenType is JsonTokenType.PropertyName ? raw.TrimEnd(' ', ':') + ":" : raw.TrimEnd(' ', ','));
            previous = reader.TokenType;
        }

        return output.ToString();
    }

    /// <summary>A document as PostgreSQL prints jsonb: a space after every colon and comma, strings with every awkward character.</summary>
    private static string Document(Random random, int depth)
    {
        switch (depth > 2 ? random.Next(3) : random.Next(6))
        {
            case 0:
                return random.Next(3) switch { 0 => "null", 1 => "true", _ => random.Next(-1000, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            case 1:
            case 2:
                return Text(random);
            case 3:
            case 4:
                return "{" + string.Join(", ", Enumerable.Range(0, random.Next(4)).Select(_ => $"{Text(random)}: {Document(random, depth + 1)}")) + "}";
            default:
                return "[" + string.Join(", ", Enumerable.Range(0, random.Next(4)).Select(_ => Document(random, depth + 1))) + "]";
        }
    }

    private static string Text(Random random)
    {
        string[] pieces = [" ", ", ", ": ", "\\\"", "\\\\", "\\n", "\\u00e9", "é", "a", "bc", "{", "]", "\t".Replace("\t", "\\t", StringComparison.Ordinal), new string('x', 40)];
        return "\"" + string.Concat(Enumerable.Range(0, random.Next(6)).Select(_ => pieces[random.Next(pieces.Length)])) + "\"";
    }
}
