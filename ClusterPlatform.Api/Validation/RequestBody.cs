using System.Buffers;
using System.IO.Pipelines;
using System.Text.Unicode;
using Microsoft.Net.Http.Headers;

namespace ClusterPlatform.Api.Validation;

/// <summary>A request body read within the size limit and parsed as JSON. <c>Raw</c> is kept for idempotency hashing.</summary>
internal sealed record JsonBody(JsonElement Root, byte[] Raw);

/// <summary>
/// Reads request bodies itself instead of letting model binding do it, so that the API can enforce
/// the 64 KiB limit (413), the content type (415), and report every unknown or malformed field at
/// once instead of stopping at the first deserialization error.
/// </summary>
internal static class RequestBody
{
    public const int MaxBytes = 64 * 1024;
    public const string Json = "application/json";
    public const string MergePatch = "application/merge-patch+json";

    public static async Task<JsonBody> ReadJsonAsync(HttpRequest request, string mediaType, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw ApiException.UnsupportedMediaType(mediaType);
        }

        if (request.ContentLength > MaxBytes)
        {
            throw ApiException.PayloadTooLarge(MaxBytes);
        }

        var raw = await ReadBoundedAsync(request.BodyReader, ct);
        // RFC 8259 requires UTF-8 between systems; System.Text.Json only finds invalid bytes inside a
        // string when the string is read, so the whole body is checked here, before anything reads it.
        if (!Utf8.IsValid(raw))
        {
            throw JsonText.Malformed("the body is not valid UTF-8.");
        }

        JsonElement root;
        try
        {
            // Duplicate names are refused at every level: a proxy or log that reads the first of two
            // would see another request than the Api, which (like System.Text.Json) would take the last.
            using var document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw JsonText.Malformed(e.Message);
        }
        catch (InvalidOperationException)
        {
            // The duplicate check decodes names while parsing, so an unpaired surrogate in one surfaces here.
            throw JsonText.Malformed("a field name is not valid Unicode (an unpaired surrogate escape).");
        }

        JsonText.Check(root);
        return new JsonBody(root, raw);
    }

    private static async Task<byte[]> ReadBoundedAsync(PipeReader reader, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (buffer.Length > MaxBytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw ApiException.PayloadTooLarge(MaxBytes);
            }

            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }

            // Examined everything, consumed nothing: the pipe keeps buffering until the body ends.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
