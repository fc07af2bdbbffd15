using System.Text;
using System.Text.Json;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Serialization.Json;
using YamlDotNet.Serialization;

namespace ClusterPlatform.Cli;

/// <summary>
/// <c>-f file</c>: a request body as YAML or JSON (JSON is YAML), read into the generated model so the
/// flags can override its fields. YAML goes through JSON and Kiota's own parser: the field names are
/// the wire's, and a field the model does not know is kept and sent, for the Api to refuse.
/// </summary>
public static class RequestFiles
{
    public static async Task<T> ReadAsync<T>(FileInfo file, ParsableFactory<T> factory, CancellationToken cancellationToken) where T : IParsable
    {
        ArgumentNullException.ThrowIfNull(file);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        }
        catch (IOException e)
        {
            throw new CliException($"Cannot read {file.FullName}: {e.Message}");
        }

        object? document;
        try
        {
            document = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(text);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new CliException($"{file.Name} is not YAML or JSON: {e.Message}");
        }

        var json = JsonSerializer.Serialize(document);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var node = await new JsonParseNodeFactory().GetRootParseNodeAsync("application/json", stream, cancellationToken);
        return node.GetObjectValue(factory) ?? throw new CliException($"{file.Name} holds no object.");
    }
}
