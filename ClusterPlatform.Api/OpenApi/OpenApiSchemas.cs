using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>What the document transformers share: finding component schemas and writing the Api's rules as JSON Schema.</summary>
internal static class OpenApiSchemas
{
    /// <summary>A component schema by its generated name (the contract type's name).</summary>
    public static OpenApiSchema Component(this OpenApiDocument document, string name) =>
        document.Components?.Schemas?.TryGetValue(name, out var schema) == true && schema is OpenApiSchema concrete
            ? concrete
            : throw new InvalidOperationException($"The OpenAPI document has no component schema {name}.");

    /// <summary>An inline property schema of a component schema.</summary>
    public static OpenApiSchema Property(this OpenApiSchema schema, string name) =>
        schema.Properties?.TryGetValue(name, out var property) == true && property is OpenApiSchema concrete
            ? concrete
            : throw new InvalidOperationException($"The schema has no inline property {name}.");

    /// <summary>Replaces (or adds) a property's schema.</summary>
    public static void SetProperty(this OpenApiSchema schema, string name, IOpenApiSchema property)
    {
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties[name] = property;
    }

    public static void Optional(this OpenApiSchema schema, params string[] names)
    {
        foreach (var name in names)
        {
            schema.Required?.Remove(name);
        }
    }

    /// <summary>
    /// The Api's .NET patterns in ECMA-262, the dialect JSON Schema uses. They end in <c>\z</c> (in .NET
    /// <c>$</c> also matches before a final newline); in ECMA-262 without the multiline flag <c>$</c> is
    /// exactly the end of the input, so the two say the same.
    /// </summary>
    public static string Ecma(string dotnetPattern) => dotnetPattern.Replace("\\z", "$", StringComparison.Ordinal);

    /// <summary>A pattern's body without its anchors, to compose it into a larger pattern.</summary>
    public static string Body(string dotnetPattern) => dotnetPattern.TrimStart('^')[..^"\\z".Length];

    public static OpenApiSchema String(int? maxLength = null, string? pattern = null, int? minLength = null, string? description = null) => new()
    {
        Type = JsonSchemaType.String,
        MaxLength = maxLength,
        MinLength = minLength,
        Pattern = pattern,
        Description = description,
    };

    public static OpenApiSchema Enum(IEnumerable<string> values, JsonSchemaType type = JsonSchemaType.String) => new()
    {
        Type = type,
        Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))],
    };

    public static void Range(this OpenApiSchema schema, long minimum, long maximum)
    {
        schema.Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        schema.Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
