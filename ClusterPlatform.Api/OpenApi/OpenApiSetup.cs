using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, with the bearer scheme the API requires.</summary>
internal static class OpenApiSetup
{
    private const string Bearer = "Bearer";

    public static IServiceCollection AddApiOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "ClusterPlatform API";
                document.Info.Description = "Lifecycle of hosted OpenShift clusters (HyperShift) on Google Cloud. Contract: shared/API.md.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A JWT with `role` (admin, user, viewer, controller) and `org` claims.",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] });
                return Task.CompletedTask;
            });
            options.MarkDefaultedFieldsOptional();
        });
}
