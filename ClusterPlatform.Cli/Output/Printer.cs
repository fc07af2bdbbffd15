using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions.Serialization;
using YamlDotNet.Serialization;

namespace ClusterPlatform.Cli.Output;

/// <summary>
/// Writes a resource or a list in the chosen format. json and yaml are the Api's own wire form, as the
/// generated client's serializer writes it (fields the Api sent as null are left out).
/// </summary>
public sealed class Printer(TextWriter output, OutputFormat format)
{
    // Relaxed escaping: this is text for a terminal or a jq pipe, not for an HTML page, and the default
    // encoder would print every timestamp's "+00:00" as "\u002B00:00".
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public TextWriter Out => output;

    public OutputFormat Format => format;

    /// <summary>One resource: <paramref name="table"/> for people, the wire JSON otherwise.</summary>
    public async Task WriteAsync<T>(T resource, Func<T, TextTable> table) where T : IParsable
    {
        ArgumentNullException.ThrowIfNull(table);
        if (format == OutputFormat.Table)
        {
            table(resource).WriteTo(output);
            return;
        }

        Write(await ToJsonAsync(resource));
    }

    /// <summary>A list (every page): a table of rows, or <c>{"kind": …List, "items": [...]}</c>.</summary>
    public async Task WriteListAsync<T>(string kind, IReadOnlyList<T> items, TextTable table, Func<T, string?[]> row) where T : IParsable
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(row);
        if (format == OutputFormat.Table)
        {
            foreach (var item in items)
            {
                table.Add(row(item));
            }

            table.WriteTo(output);
            return;
        }

        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(await ToJsonAsync(item));
        }

        Write(new JsonObject { ["kind"] = kind, ["items"] = array });
    }

    private static async Task<JsonNode> ToJsonAsync<T>(T resource) where T : IParsable =>
        JsonNode.Parse(await KiotaJsonSerializer.SerializeAsStringAsync(resource, serializeOnlyChangedValues: false))!;

    public void WriteNode(JsonNode node) => Write(node);

    private void Write(JsonNode node)
    {
        if (format == OutputFormat.Json)
        {
            output.WriteLine(node.ToJsonString(Indented));
            return;
        }

        var yaml = new SerializerBuilder().WithQuotingNecessaryStrings().Build();
        output.Write(yaml.Serialize(ToPlain(node)));
    }

    /// <summary>JSON as dictionaries, lists and scalars, which YamlDotNet writes as YAML maps, sequences and scalars.</summary>
    private static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : v.GetValue<double>(),
            _ => null,
        },
        _ => node.ToJsonString(),
    };
}
