using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

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
        [typeof(ClusterSpec)] = ["networking", "upgradePolicy"],
        [typeof(UpgradePolicy)] = ["automaticPatchUpgrades", "maintenanceWindow"],
        [typeof(ReleaseSpec)] = ["channelGroup"],
        [typeof(NetworkingSpec)] = ["machineCidr", "podCidr", "serviceCidr"],
        [typeof(ClusterCreateRequest)] = ["labels"],
        [typeof(ClusterUpdateRequest)] = ["labels"],
        // Exactly one of replicas and autoscaling: each may be absent.
        [typeof(NodePoolSpec)] = ["replicas", "diskSizeGb", "version", "autoscaling", "management"],
        [typeof(NodePoolManagement)] = ["upgradeType", "maxSurge", "maxUnavailable"],
        [typeof(NodePoolCreateRequest)] = ["labels"],
        [typeof(NodePoolUpdateRequest)] = ["labels"],
        // version: absent is an unconditional report.
        [typeof(StatusReportRequest)] = ["data", "version"],
        [typeof(ConditionReport)] = ["message"],
        // Credentials: ttl absent takes the default; each report carries what its status needs (Credentials/CredentialReports.cs).
        [typeof(CredentialRequest)] = ["ttl"],
        [typeof(CredentialIssuanceReport)] = ["certificate", "caBundle", "apiUrl", "message"],
        [typeof(RevocationReport)] = ["message"],
    };

    /// <summary>
    /// The same fields may also be sent as an explicit <c>null</c>, which the Api reads as left out
    /// (JsonFields.Child). Run after the schema rules, which replace some of these properties, so the
    /// null is added to the final schema: a type gains <c>null</c>, a reference becomes "it or null".
    /// </summary>
    public static OpenApiOptions AllowExplicitNulls(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            foreach (var (type, fields) in Optional)
            {
                if (document.Components?.Schemas?.TryGetValue(type.Name, out var component) != true || component is not OpenApiSchema schema)
                {
                    continue;
                }

                foreach (var field in fields)
                {
                    IOpenApiSchema? property = null;
                    if (schema.Properties?.TryGetValue(field, out property) != true)
                    {
                        continue;
                    }

                    switch (property)
                    {
                        case OpenApiSchema { Type: { } fieldType } inline:
                            inline.Type = fieldType | JsonSchemaType.Null;
                            break;
                        case OpenApiSchemaReference reference:
                            schema.Properties![field] = new OpenApiSchema { OneOf = [reference, new OpenApiSchema { Type = JsonSchemaType.Null }] };
                            break;
                    }
                }
            }

            return Task.CompletedTask;
        });

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
