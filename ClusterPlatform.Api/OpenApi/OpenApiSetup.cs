using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, with the bearer scheme the API requires.</summary>
internal static class OpenApiSetup
{
    private const string Bearer = "Bearer";

    public static IServiceCollection AddApiOpenApi(this IServiceCollection services) => services
        // The Api reads every body itself (Validation/RequestBody.cs) and refuses numbers in strings;
        // the web defaults' AllowReadingFromString made the generator describe each integer as
        // ["integer", "string"] with a digits pattern. Strict says what the Api takes (and writes).
        .ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict)
        .AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "ClusterPlatform API";
                document.Info.Description = "Lifecycle of hosted OpenShift clusters (HyperShift) on Google Cloud. Contract: docs/api.md in the ClusterPlatform repository.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    // Spectral's OWASP rule asks that RFC 8725 be named; what the Api does about it is in docs/api-decisions.md.
                    Description = "A JWT with `role` (admin, user, viewer, controller) and `org` claims, validated as RFC8725 (JSON Web Token Best Current Practices) recommends: "
                        + "signature with the issuer's keys only, issuer, audience and lifetime always checked (30 s clock skew).",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] });
                return Task.CompletedTask;
            });
            // Order matters: the merge patches copy the rules, and the headers follow the statuses.
            options.MarkDefaultedFieldsOptional();
            options.AddSchemaRules();
            options.AddUpgradePolicyRules();
            options.AddCredentialSchemas();
            options.AllowExplicitNulls();
            options.AddQueryRules();
            options.AddProblemSchema();
            options.AddResponseBounds();
            options.AddMergePatchBodies();
            options.AddHttpHeaders();
        });
}
