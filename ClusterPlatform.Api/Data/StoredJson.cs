namespace ClusterPlatform.Api.Data;

/// <summary>
/// Typed values to and from the JSON text of jsonb columns. The options are the ones ASP.NET uses for
/// responses (camelCase), so what is stored and what is returned agree.
/// </summary>
internal static class StoredJson
{
    public static readonly JsonSerializerOptions Options = JsonSerializerOptions.Web;

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new InvalidOperationException($"Stored JSON is not a {typeof(T).Name}.");
}
