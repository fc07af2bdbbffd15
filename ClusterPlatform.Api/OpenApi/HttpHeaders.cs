using ClusterPlatform.Api.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// The headers of docs/api.md and docs/api-decisions.md, on the operations that use them. Which operation
/// takes or returns which header follows from the statuses its endpoint declares
/// (<c>Endpoints/EndpointConventions.cs</c>), so each fact has one home: an operation that can answer
/// 304 takes <c>If-None-Match</c>, one that can answer 412 takes <c>If-Match</c>, a create (201) takes
/// <c>Idempotency-Key</c>; a create and a soft delete (202) return <c>Location</c>; resources come with their <c>ETag</c>; 429 and 503
/// say <c>Retry-After</c>; every response carries <c>X-Request-Id</c>, and every operation may answer 500 and 503.
/// </summary>
internal static class HttpHeaders
{
    private const string ETag = "ETag";
    private const string Location = "Location";
    private const string RetryAfter = "Retry-After";
    private const string WwwAuthenticate = "WWW-Authenticate";
    private const string AllowOrigin = "Access-Control-Allow-Origin";
    private const string IfMatch = "If-Match";
    private const string IfNoneMatch = "If-None-Match";

    /// <summary>Strong ETags, <c>"&lt;n&gt;"</c> (docs/api-decisions.md, Updates).</summary>
    private const string ETagPattern = "^\"[0-9]+\"$";

    public static OpenApiOptions AddHttpHeaders(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            AddComponents(document);
            foreach (var path in document.Paths.Values.OfType<OpenApiPathItem>())
            {
                foreach (var operation in path.Operations?.Values.ToList() ?? [])
                {
                    Describe(document, operation);
                }
            }

            return Task.CompletedTask;
        });

    private static void AddComponents(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        document.Components.Parameters ??= new Dictionary<string, IOpenApiParameter>();
        var headers = document.Components.Headers;
        headers[RequestLogging.Header] = Header("The request id: the caller's own when it was 1–128 characters of `[A-Za-z0-9._:-]`, else one the Api made (the trace id).",
            OpenApiSchemas.String(128, "^[A-Za-z0-9._:-]+$", 1));
        headers[ETag] = Header("The resource's strong ETag, `\"<n>\"`; send it back in `If-Match` or `If-None-Match`.", OpenApiSchemas.String(22, ETagPattern));
        headers[Location] = Header("The resource's path.", new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference", MaxLength = 128 });
        headers[RetryAfter] = Header("Whole seconds to wait before retrying, at least 1.",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        // Only in answer to an allowed Origin (Http:Cors:AllowedOrigins; in Development also http://localhost:*), so never required.
        headers[AllowOrigin] = new OpenApiHeader
        {
            Description = "The caller's Origin, when it is one of the configured origins (CORS).",
            Schema = OpenApiSchemas.String(2048, "^https?://"),
        };
        headers[WwwAuthenticate] = Header("The bearer challenge (RFC 6750).", OpenApiSchemas.String(1024, "^Bearer"));

        var parameters = document.Components.Parameters;
        parameters[RequestLogging.Header] = Parameter(RequestLogging.Header,
            "Correlates the request in logs and is echoed back when it is 1–128 characters of `[A-Za-z0-9._:-]`; any other value is replaced by one the Api makes.",
            OpenApiSchemas.String(1024));
        parameters[IfMatch] = Parameter(IfMatch, "Apply only if the resource's ETag matches (`*` matches any existing resource); otherwise 412.",
            OpenApiSchemas.String(1024, "^(\\*|(W/)?\"[^\"]*\"(\\s*,\\s*(W/)?\"[^\"]*\")*)$"));
        parameters[IfNoneMatch] = Parameter(IfNoneMatch, "Answer 304 without a body if the resource's ETag matches (weak comparison).",
            OpenApiSchemas.String(1024, "^(\\*|(W/)?\"[^\"]*\"(\\s*,\\s*(W/)?\"[^\"]*\")*)$"));
        parameters[IdempotencyKey.Header] = Parameter(IdempotencyKey.Header,
            "Repeats with the same key and body within 24 hours return the first response; the same key with another body is 422.",
            OpenApiSchemas.String(IdempotencyKey.MaxLength, "^[\\x21-\\x7E]+$", 1));
    }

    private static void Describe(OpenApiDocument document, OpenApiOperation operation)
    {
        var responses = operation.Responses ??= new OpenApiResponses();
        responses.TryAdd("500", Problem(document, "Internal Server Error"));
        // Every operation reads or writes the database, so every one answers 503 while it is
        // unavailable (Errors/DatabaseErrors.cs), as writes also do for a deadlock.
        responses.TryAdd("503", Problem(document, "Service Unavailable"));
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameterReference(RequestLogging.Header, document));
        if (responses.ContainsKey("304"))
        {
            operation.Parameters.Add(new OpenApiParameterReference(IfNoneMatch, document));
        }

        if (responses.ContainsKey("412"))
        {
            operation.Parameters.Add(new OpenApiParameterReference(IfMatch, document));
        }

        if (responses.ContainsKey("201"))
        {
            operation.Parameters.Add(new OpenApiParameterReference(IdempotencyKey.Header, document));
        }

        foreach (var (status, response) in responses)
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }

            var headers = concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            headers[RequestLogging.Header] = new OpenApiHeaderReference(RequestLogging.Header, document);
            headers[AllowOrigin] = new OpenApiHeaderReference(AllowOrigin, document);
            if (status == "304" || (status is "200" or "201" or "202" && IsResource(concrete)))
            {
                headers[ETag] = new OpenApiHeaderReference(ETag, document);
            }

            // A create says where the resource is; so does a soft delete (202), whose resource stays readable.
            if (status is "201" or "202")
            {
                headers[Location] = new OpenApiHeaderReference(Location, document);
            }

            if (status is "429" or "503")
            {
                headers[RetryAfter] = new OpenApiHeaderReference(RetryAfter, document);
            }

            if (status == "401")
            {
                headers[WwwAuthenticate] = new OpenApiHeaderReference(WwwAuthenticate, document);
            }
        }
    }

    /// <summary>A cluster or node pool body: what carries an ETag (a status report's answer or a list does not).</summary>
    private static bool IsResource(OpenApiResponse response) =>
        response.Content?.Values.Any(c => c.Schema is OpenApiSchemaReference { Reference.Id: "Cluster" or "NodePool" }) == true;

    private static OpenApiResponse Problem(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
        },
    };

    private static OpenApiHeader Header(string description, OpenApiSchema schema) => new()
    {
        Description = description,
        Required = true,
        Schema = schema,
    };

    private static OpenApiParameter Parameter(string name, string description, OpenApiSchema schema) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Description = description,
        Required = false,
        Schema = schema,
    };
}
