using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// The rules of the query and path parameters (<c>Data/ListQuery.cs</c>, force deletes, fleet names),
/// which the generator knows only as types.
/// </summary>
internal static class QueryRules
{
    public static OpenApiOptions AddQueryRules(this OpenApiOptions options) =>
        options.AddOperationTransformer((operation, context, _) =>
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.Schema is not OpenApiSchema schema)
                {
                    continue;
                }

                switch (parameter.Name)
                {
                    case "limit":
                        schema.Range(1, ListQuery.MaxLimit);
                        schema.Default = ListQuery.DefaultLimit;
                        break;
                    case "phase":
                        schema.Enum = OpenApiSchemas.Enum(Phases.All).Enum;
                        break;
                    case "continue":
                        parameter.Description = "The opaque cursor of the previous page's `continue`.";
                        schema.MaxLength = 64;
                        break;
                    case "labelSelector":
                        parameter.Description = "Kubernetes label selector: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`; comma means AND.";
                        // Bounded by the request line, not by a rule of its own.
                        schema.MaxLength = 8192;
                        break;
                    case "reason":
                        parameter.Description = "Required with `force=true`: why, for the audit trail.";
                        schema.MinLength = 1;
                        schema.MaxLength = DeleteRequests.MaxForceReasonLength;
                        break;
                    case "force":
                        parameter.Description = "Admins only: remove at once (204) instead of the soft delete (202).";
                        break;
                    case "name" when parameter.In == ParameterLocation.Path:
                        parameter.Schema = SchemaRules.Name(FleetRequests.MaxNameLength);
                        break;
                }
            }

            return Task.CompletedTask;
        });
}
