using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace ClusterPlatform.Client;

/// <summary>
/// The ETag of one response of the generated client: add <see cref="Option"/> to a request's options, and
/// after the call <see cref="Value"/> is its <c>ETag</c> header (Kiota's headers-inspection middleware
/// copies the response headers into the option; the typed result carries no headers). The middleware
/// must be in the client's pipeline: <see cref="PlatformApiClientFactory"/>'s own client has it, a caller's
/// <see cref="HttpClient"/> needs <c>HeadersInspectionHandler</c>.
/// </summary>
public sealed class ResponseETag
{
    public HeadersInspectionHandlerOption Option { get; } = new() { InspectResponseHeaders = true };

    public string? Value => Option.ResponseHeaders.TryGetValue("ETag", out var values) ? values.FirstOrDefault() : null;
}
