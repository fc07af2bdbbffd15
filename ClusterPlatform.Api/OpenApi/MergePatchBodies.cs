using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// A PATCH body is an RFC 7386 merge patch over <c>{labels, spec}</c>, not a whole document: every
/// member may be left out, and <c>null</c> removes a member (a label) or restores an optional field's
/// default. Each PATCH's body schema is derived from the PUT body's, once per component
/// (<c>&lt;Name&gt;Patch</c>): nothing required, and every inline member also <c>null</c>. The merged
/// document is then validated like a PUT body, so rules that span members still apply after merging.
/// </summary>
internal static class MergePatchBodies
{
    private const string Suffix = "Patch";

    public static OpenApiOptions AddMergePatchBodies(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            foreach (var operation in document.Paths.Values.OfType<OpenApiPathItem>()
                         .SelectMany(p => p.Operations ?? [])
                         .Where(o => o.Key == HttpMethod.Patch)
                         .Select(o => o.Value))
            {
                if (operation.RequestBody?.Content?.TryGetValue(RequestBody.MergePatch, out var media) == true && media.Schema is { } schema)
                {
                    media.Schema = Patch(document, schema);
                }
            }

            return Task.CompletedTask;
        });

    private static IOpenApiSchema Patch(OpenApiDocument document, IOpenApiSchema schema)
    {
        if (schema is OpenApiSchemaReference { Reference.Id: { } id })
        {
            var name = id + Suffix;
            var schemas = document.Components!.Schemas!;
            if (!schemas.ContainsKey(name))
            {
                // Registered before its members are patched, so a schema that refers to itself ends.
                var patched = new OpenApiSchema();
                schemas[name] = patched;
                Fill(document, patched, document.Component(id), nullable: false);
                patched.Description = $"A merge patch (RFC 7386) of {id}.";
            }

            return new OpenApiSchemaReference(name, document);
        }

        var copy = new OpenApiSchema();
        Fill(document, copy, schema, nullable: true);
        return copy;
    }

    private static void Fill(OpenApiDocument document, OpenApiSchema target, IOpenApiSchema source, bool nullable)
    {
        target.Type = source.Type is { } type && nullable ? type | JsonSchemaType.Null : source.Type;
        target.Format = source.Format;
        target.Description = source.Description;
        target.Pattern = source.Pattern;
        target.MinLength = source.MinLength;
        target.MaxLength = source.MaxLength;
        target.Minimum = source.Minimum;
        target.Maximum = source.Maximum;
        target.MinItems = source.MinItems;
        target.MaxItems = source.MaxItems;
        target.MaxProperties = source.MaxProperties;
        target.Enum = source.Enum is { } values && nullable && !values.Any(v => v is null) ? [.. values, null!] : source.Enum;
        target.Items = source.Items;
        target.PropertyNames = (source as OpenApiSchema)?.PropertyNames;
        target.AdditionalPropertiesAllowed = source.AdditionalPropertiesAllowed;
        target.AdditionalProperties = source.AdditionalProperties is { } additional ? Patch(document, additional) : null;
        target.Properties = source.Properties?.ToDictionary(p => p.Key, p => Patch(document, p.Value));
        target.OneOf = source.OneOf?.Select(s => Patch(document, s)).ToList();
    }
}
