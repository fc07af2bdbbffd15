using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace ClusterPlatform.Api.Endpoints;

/// <summary>
/// A response whose body is written from stored rows (<see cref="ResourceJson"/>) rather than serialized
/// from records; <typeparamref name="T"/> is only the type the OpenAPI document gives the body, as
/// <c>Ok&lt;T&gt;</c>, <c>Created&lt;T&gt;</c> and <c>Accepted&lt;T&gt;</c> do, with their status and content type.
/// </summary>
internal abstract class RowResult(int status, string? location) : IResult, IStatusCodeHttpResult
{
    private const string ContentType = "application/json; charset=utf-8";

    public int? StatusCode => status;

    protected abstract void Write(Utf8JsonWriter json);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        if (location is not null)
        {
            response.Headers.Location = location;
        }

        response.ContentType = ContentType;
        await using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            Write(json);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    protected static void Document(EndpointBuilder builder, int status, Type type) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, type, ["application/json"]));
}

/// <summary>200 with one resource.</summary>
internal sealed class OkRow<T>(ResourceRow row, ResourceWriter writer) : RowResult(StatusCodes.Status200OK, null), IEndpointMetadataProvider
{
    protected override void Write(Utf8JsonWriter json) => writer(json, row);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Document(builder, StatusCodes.Status200OK, typeof(T));
}

/// <summary>201 with the created resource and its <c>Location</c>.</summary>
internal sealed class CreatedRow<T>(string location, ResourceRow row, ResourceWriter writer)
    : RowResult(StatusCodes.Status201Created, location), IEndpointMetadataProvider
{
    protected override void Write(Utf8JsonWriter json) => writer(json, row);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Document(builder, StatusCodes.Status201Created, typeof(T));
}

/// <summary>202 with the resource being deleted and its <c>Location</c>.</summary>
internal sealed class AcceptedRow<T>(string location, ResourceRow row, ResourceWriter writer)
    : RowResult(StatusCodes.Status202Accepted, location), IEndpointMetadataProvider
{
    protected override void Write(Utf8JsonWriter json) => writer(json, row);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Document(builder, StatusCodes.Status202Accepted, typeof(T));
}

/// <summary>
/// 200 with a body stored as the Api shows it (a resource's aggregated status, as <c>status::text</c>), copied
/// through (<see cref="StoredJson.WriteValue"/>) so it is the same text a GET of the resource gives.
/// </summary>
internal sealed class OkStored<T>(string stored) : RowResult(StatusCodes.Status200OK, null), IEndpointMetadataProvider
{
    protected override void Write(Utf8JsonWriter json) => StoredJson.WriteValue(json, stored);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Document(builder, StatusCodes.Status200OK, typeof(T));
}

/// <summary>200 with a page of resources (<see cref="ResourceList{T}"/>).</summary>
internal sealed class OkRows<T>(string listKind, IReadOnlyList<ResourceRow> rows, string? next, ResourceWriter writer)
    : RowResult(StatusCodes.Status200OK, null), IEndpointMetadataProvider
{
    protected override void Write(Utf8JsonWriter json) => ResourceJson.WriteList(json, listKind, rows, next, writer);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Document(builder, StatusCodes.Status200OK, typeof(ResourceList<T>));
}
