using System.Text.Json;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Serialization.Json;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// A Contracts record as the console's components get it: serialized as FakeApi answers (the Api's JSON)
/// and read back by the generated client's own JSON parser, so a component test binds exactly the model
/// ConsoleApi would hand it, values the document does not know (an undocumented enum value) included.
/// </summary>
internal static class Wire
{
    public static T As<T>(object record)
        where T : class, IParsable, new()
    {
        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(record, FakeApi.Json));
        return new JsonParseNode(json.RootElement.Clone()).GetObjectValue(_ => new T())!;
    }

    public static List<T> All<T>(IEnumerable<object> records)
        where T : class, IParsable, new() => [.. records.Select(As<T>)];
}
