using ClusterPlatform.Contracts;
using Microsoft.AspNetCore.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// Requests and responses share the spec's schemas, and a record's every property comes out required.
/// The fields a request may leave out (docs/api-decisions.md, "An explicit null for an optional field
/// means its default"), because the Api fills them in or does without, are marked optional here, so the
/// document does not demand them of requests; responses always carry them (their descriptions say so).
/// </summary>
internal static class DefaultedFields
{
    private static readonly Dictionary<Type, string[]> Optional = new()
    {
        [typeof(GcpSpec)] = ["network", "infraId", "subnet"],
        [typeof(ClusterSpec)] = ["networking"],
        [typeof(NetworkingSpec)] = ["machineCidr", "podCidr", "serviceCidr"],
        [typeof(ClusterCreateRequest)] = ["labels"],
        [typeof(ClusterUpdateRequest)] = ["labels"],
        // Exactly one of replicas and autoscaling: each may be absent.
        [typeof(NodePoolSpec)] = ["replicas", "diskSizeGb", "autoscaling"],
        [typeof(NodePoolCreateRequest)] = ["labels"],
        [typeof(NodePoolUpdateRequest)] = ["labels"],
        [typeof(StatusReportRequest)] = ["data"],
        [typeof(ConditionReport)] = ["message"],
    };

    public static OpenApiOptions MarkDefaultedFieldsOptional(this OpenApiOptions options) =>
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (Optional.TryGetValue(context.JsonTypeInfo.Type, out var fields) && schema.Required is { } required)
            {
                foreach (var field in fields)
                {
                    required.Remove(field);
                }
            }

            return Task.CompletedTask;
        });
}
