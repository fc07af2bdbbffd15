using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace ClusterPlatform.Tests.Api.Conformance;

/// <summary>One request and its response, as sent to and answered by the real Api.</summary>
public sealed record Exchange(
    HttpMethod Method,
    string PathAndQuery,
    IReadOnlyDictionary<string, string> RequestHeaders,
    string? RequestContentType,
    string? RequestBody,
    int Status,
    IReadOnlyDictionary<string, string> ResponseHeaders,
    string? ResponseContentType,
    string ResponseBody);

/// <summary>
/// Checks real exchanges against the Api's OpenAPI 3.1 document, the way a validating proxy (Prism) does,
/// with JsonSchema.Net evaluating the document's schemas as JSON Schema 2020-12, the dialect OpenAPI 3.1
/// uses: the request's parameters, headers and body must be allowed by its operation; the response's
/// status must be declared, its declared required headers present, every header it sends that the API
/// defines declared and valid, and its body of a declared media type and valid against that schema.
/// </summary>
public sealed partial class OpenApiDocumentValidator
{
    private static readonly Uri BaseUri = new("https://clusterplatform.test/openapi/v1.json");

    /// <summary>The headers the API defines; sent without being declared, they are undocumented.</summary>
    private static readonly string[] RequestHeadersOfTheApi = ["Idempotency-Key", "If-Match", "If-None-Match", "X-Request-Id"];

    private static readonly string[] ResponseHeadersOfTheApi = ["ETag", "Location", "Retry-After", "X-Request-Id", "WWW-Authenticate"];

    private readonly JsonElement document;
    private readonly BuildOptions build;
    private readonly EvaluationOptions evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    private readonly List<(Regex Pattern, string Template)> paths;

    public OpenApiDocumentValidator(JsonElement document)
    {
        this.document = document;
        var registry = new SchemaRegistry();
        registry.Register(BaseUri, new JsonElementBaseDocument(document, BaseUri));
        build = new BuildOptions { SchemaRegistry = registry };
        // OpenAPI 3.1, Paths Object: "concrete (non-templated) paths would be matched before their templated
        // counterparts", so …/credentials/work before …/credentials/{credentialId}: fewer parameters first.
        paths = [.. document.GetProperty("paths").EnumerateObject().Select(p =>
                (Pattern: new Regex("^" + TemplateParameter().Replace(Regex.Escape(p.Name).Replace("\\{", "{", StringComparison.Ordinal), "[^/]+") + "$"), Template: p.Name))
            .OrderBy(p => TemplateParameter().Count(p.Template))];
    }

    /// <summary>Where the request breaks the document: empty when the document allows it.</summary>
    public List<string> RequestViolations(Exchange exchange)
    {
        var problems = new List<string>();
        if (Operation(exchange, problems) is not { } found)
        {
            return problems;
        }

        var (pointer, operation) = found;
        var parameters = Parameters(pointer, operation);
        var query = exchange.PathAndQuery.Contains('?', StringComparison.Ordinal) ? exchange.PathAndQuery[(exchange.PathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (Uri.UnescapeDataString(pair.Split('=')[0]), Uri.UnescapeDataString(pair.Contains('=', StringComparison.Ordinal) ? pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..] : ""));
            CheckParameter(parameters, "query", name, value, problems);
        }

        foreach (var (name, value) in exchange.RequestHeaders.Where(h => RequestHeadersOfTheApi.Contains(h.Key, StringComparer.OrdinalIgnoreCase)))
        {
            CheckParameter(parameters, "header", name, value, problems);
        }

        foreach (var required in parameters.Where(p => p.Value.Required && p.Value.In == "query" && !query.Contains(p.Value.Name + "=", StringComparison.Ordinal)))
        {
            problems.Add($"query parameter {required.Value.Name} is required");
        }

        if (operation.TryGetProperty("requestBody", out var requestBody))
        {
            if (exchange.RequestBody is null)
            {
                if (requestBody.TryGetProperty("required", out var r) && r.GetBoolean())
                {
                    problems.Add("the request body is required");
                }
            }
            else
            {
                var media = MediaType(exchange.RequestContentType);
                if (!requestBody.GetProperty("content").TryGetProperty(media, out _))
                {
                    problems.Add($"request media type {media} is not declared");
                }
                else
                {
                    Check($"{pointer}/requestBody/content/{Escape(media)}/schema", JsonDocument.Parse(exchange.RequestBody).RootElement, "request body", problems);
                }
            }
        }
        else if (exchange.RequestBody is not null)
        {
            problems.Add("the operation declares no request body");
        }

        return problems;
    }

    /// <summary>Where the response breaks the document: empty when it matches.</summary>
    public List<string> ResponseViolations(Exchange exchange)
    {
        var problems = new List<string>();
        if (Operation(exchange, problems) is not { } found)
        {
            return problems;
        }

        var (pointer, operation) = found;
        var status = exchange.Status.ToString(CultureInfo.InvariantCulture);
        if (!operation.GetProperty("responses").TryGetProperty(status, out var response))
        {
            problems.Add($"status {status} is not declared");
            return problems;
        }

        var responsePointer = $"{pointer}/responses/{status}";
        var declared = response.TryGetProperty("headers", out var headers)
            ? headers.EnumerateObject().ToDictionary(h => h.Name, h => Resolve(h.Value, $"{responsePointer}/headers/{Escape(h.Name)}"), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, (JsonElement Header, string Pointer)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, (header, headerPointer)) in declared)
        {
            if (!exchange.ResponseHeaders.TryGetValue(name, out var value))
            {
                if (header.TryGetProperty("required", out var required) && required.GetBoolean())
                {
                    problems.Add($"required response header {name} is missing");
                }

                continue;
            }

            Check($"{headerPointer}/schema", Typed(header.GetProperty("schema"), value), $"response header {name}", problems);
        }

        foreach (var name in exchange.ResponseHeaders.Keys.Where(h => ResponseHeadersOfTheApi.Contains(h, StringComparer.OrdinalIgnoreCase) && !declared.ContainsKey(h)))
        {
            problems.Add($"response header {name} is not declared for {status}");
        }

        var hasContent = response.TryGetProperty("content", out var content);
        if (exchange.ResponseBody.Length == 0)
        {
            if (hasContent)
            {
                problems.Add($"status {status} declares a body, and none came");
            }

            return problems;
        }

        var media = MediaType(exchange.ResponseContentType);
        if (!hasContent || !content.TryGetProperty(media, out _))
        {
            problems.Add($"response media type {media} is not declared for {status}");
            return problems;
        }

        Check($"{responsePointer}/content/{Escape(media)}/schema", JsonDocument.Parse(exchange.ResponseBody).RootElement, "response body", problems);
        return problems;
    }

    /// <summary>Whether the document has a path for the request at all (a 405 answers a path without the method).</summary>
    public bool HasPath(string path) => paths.Any(p => p.Pattern.IsMatch(path));

    /// <summary>Every operation of the document, as <c>METHOD /template</c>.</summary>
    public IEnumerable<string> Operations() => document.GetProperty("paths").EnumerateObject()
        .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name is "get" or "put" or "post" or "patch" or "delete")
            .Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"));

    /// <summary>The operation an exchange went to, as <c>METHOD /template</c>.</summary>
    public string OperationOf(Exchange exchange) =>
        $"{exchange.Method.Method} {paths.FirstOrDefault(p => p.Pattern.IsMatch(exchange.PathAndQuery.Split('?')[0])).Template}";

    private (string Pointer, JsonElement Operation)? Operation(Exchange exchange, List<string> problems)
    {
        var path = exchange.PathAndQuery.Split('?')[0];
        var template = paths.FirstOrDefault(p => p.Pattern.IsMatch(path)).Template;
        if (template is null)
        {
            problems.Add($"no path of the document matches {path}");
            return null;
        }

        var method = exchange.Method.Method.ToLowerInvariant();
        if (!document.GetProperty("paths").GetProperty(template).TryGetProperty(method, out var operation))
        {
            problems.Add($"{template} has no {method} operation");
            return null;
        }

        return ($"/paths/{Escape(template)}/{method}", operation);
    }

    private sealed record Parameter(string Name, string In, bool Required, JsonElement Schema, string SchemaPointer);

    private Dictionary<string, Parameter> Parameters(string pointer, JsonElement operation)
    {
        var found = new Dictionary<string, Parameter>(StringComparer.OrdinalIgnoreCase);
        if (!operation.TryGetProperty("parameters", out var list))
        {
            return found;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var (parameter, parameterPointer) = Resolve(item, $"{pointer}/parameters/{index++}");
            var name = parameter.GetProperty("name").GetString()!;
            var location = parameter.GetProperty("in").GetString()!;
            found[$"{location}:{name}"] = new Parameter(name, location,
                parameter.TryGetProperty("required", out var required) && required.GetBoolean(), parameter.GetProperty("schema"), $"{parameterPointer}/schema");
        }

        return found;
    }

    private void CheckParameter(Dictionary<string, Parameter> parameters, string location, string name, string value, List<string> problems)
    {
        if (!parameters.TryGetValue($"{location}:{name}", out var parameter))
        {
            problems.Add($"{location} parameter {name} is not declared");
            return;
        }

        Check(parameter.SchemaPointer, Typed(parameter.Schema, value), $"{location} parameter {name}", problems);
    }

    /// <summary>A parameter or header as the JSON value its schema describes (OpenAPI's simple style).</summary>
    private static JsonElement Typed(JsonElement schema, string value)
    {
        var type = schema.TryGetProperty("type", out var t) ? t.ToString() : "";
        JsonNode? node = type switch
        {
            _ when type.Contains("integer", StringComparison.Ordinal) && long.TryParse(value, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ when type.Contains("boolean", StringComparison.Ordinal) && bool.TryParse(value, out var flag) => JsonValue.Create(flag),
            _ => JsonValue.Create(value),
        };
        return JsonSerializer.SerializeToElement(node);
    }

    /// <summary>Follows a <c>$ref</c> into <c>#/components/…</c>.</summary>
    private (JsonElement Element, string Pointer) Resolve(JsonElement element, string pointer)
    {
        if (!element.TryGetProperty("$ref", out var reference))
        {
            return (element, pointer);
        }

        var target = reference.GetString()!.TrimStart('#');
        var resolved = document;
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            resolved = resolved.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return (resolved, target);
    }

    private void Check(string pointer, JsonElement instance, string what, List<string> problems)
    {
        // A pointer in a URI fragment is percent-encoded ("+" of "problem+json" would otherwise be read as a space).
        var fragment = string.Join('/', pointer.Split('/').Select(Uri.EscapeDataString));
        var schema = JsonSchema.FromText($$"""{"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "{{BaseUri}}#{{fragment}}"}""", build);
        var result = schema.Evaluate(instance, evaluation);
        if (!result.IsValid)
        {
            var details = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"));
            problems.Add($"{what} fails {pointer}: {string.Join("; ", details)}");
        }
    }

    private static string MediaType(string? contentType) => (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex TemplateParameter();
}
