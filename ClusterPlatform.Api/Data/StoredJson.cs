using System.Buffers;

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

    /// <summary>
    /// A jsonb column's text written as the value of the property just named, without parsing it into
    /// objects: PostgreSQL only ever returns valid JSON, so only the spaces its output puts after
    /// <c>:</c> and <c>,</c> are dropped (outside strings), and the response stays as compact as the
    /// serializer writes it.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter json, string stored)
    {
        var rented = ArrayPool<char>.Shared.Rent(stored.Length);
        try
        {
            var length = 0;
            var (inString, escaped) = (false, false);
            foreach (var c in stored)
            {
                if (inString)
                {
                    // Inside a string every character counts; an escaped quote does not end it.
                    (inString, escaped) = escaped ? (true, false) : (c != '"', c == '\\');
                }
                else if (c is ' ' or '\t' or '\n' or '\r')
                {
                    continue;
                }
                else if (c == '"')
                {
                    inString = true;
                }

                rented[length++] = c;
            }

            json.WriteRawValue(rented.AsSpan(0, length), skipInputValidation: true);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
