using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// The problem body every error carries (docs/api.md: <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>,
/// a stable <c>code</c> and <c>traceId</c>; <c>Errors/ProblemExceptionHandler.Customize</c> fills them for
/// every problem, ASP.NET's own 401, 404 and 405 included). The generated ProblemDetails schemas know only
/// RFC 9457's optional members.
/// </summary>
internal static class ProblemSchema
{
    private static readonly string[] Members = ["type", "title", "status", "detail", "code", "traceId"];

    public static OpenApiOptions AddProblemSchema(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            Complete(document.Component("ProblemDetails"));
            var validation = document.Component("HttpValidationProblemDetails");
            Complete(validation);
            validation.Description = "A 400: with `code: validation-failed`, every violated rule in `errors`, keyed by the JSON path of its field.";
            var errors = validation.Property("errors");
            // A path repeats the names the client sent (label keys, unknown fields), so it is bounded
            // only by the body it came in.
            errors.PropertyNames = OpenApiSchemas.String(Validation.RequestBody.MaxBytes, "^\\$");
            ((OpenApiSchema)errors.AdditionalProperties!).MinItems = 1;
            return Task.CompletedTask;
        });

    private static void Complete(OpenApiSchema problem)
    {
        problem.Description ??= "An RFC 9457 problem (`application/problem+json`).";
        problem.SetProperty("type", new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" });
        problem.SetProperty("title", OpenApiSchemas.String());
        problem.SetProperty("status", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599" });
        problem.SetProperty("detail", OpenApiSchemas.String());
        problem.SetProperty("instance", OpenApiSchemas.String());
        problem.SetProperty("code", OpenApiSchemas.String(64, "^[a-z]+(-[a-z]+)*$", description: "A stable, machine-readable code, e.g. `not-found`, `validation-failed`, `rate-limited`."));
        problem.SetProperty("traceId", OpenApiSchemas.String(64, description: "The W3C trace id of the request, to find it in the logs."));
        problem.Required = new HashSet<string>(Members);
    }
}
