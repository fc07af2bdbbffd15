using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace ClusterPlatform.Tests.Google;

/// <summary>
/// One of Google's discovery documents (see Discovery/README.md): its REST methods, each with the
/// path it answers on and the parameters it takes, and its schemas. The fake Google server routes by
/// it, so a request our code builds by hand reaches a handler only if Google would route it too.
/// </summary>
internal sealed class DiscoveryDocument
{
    private DiscoveryDocument(string name, JsonObject document)
    {
        Name = name;
        Schemas = new DiscoverySchemas(name, document["schemas"]!.AsObject());
        GlobalParameters = document["parameters"]!.AsObject();
        ServicePath = (string?)document["servicePath"] ?? "";
        Methods = [.. MethodsOf(document).Select(method => new DiscoveryMethod(method, ServicePath))];
    }

    /// <summary>The file's name without extension, e.g. <c>iam.v1</c>.</summary>
    public string Name { get; }

    /// <summary>Prefix of every method's path (Compute's <c>compute/v1/</c>; empty for the others).</summary>
    public string ServicePath { get; }

    public IReadOnlyList<DiscoveryMethod> Methods { get; }

    /// <summary>Query parameters every method of the API accepts (<c>alt</c>, <c>fields</c>, <c>key</c>, …).</summary>
    public JsonObject GlobalParameters { get; }

    public DiscoverySchemas Schemas { get; }

    /// <summary>Loads Discovery/&lt;name&gt;.json from beside this source file, so no project item is needed to ship it.</summary>
    public static DiscoveryDocument Load(string name, [CallerFilePath] string sourceFile = "") =>
        new(name, JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(sourceFile)!, "Discovery", $"{name}.json")))!.AsObject());

    /// <summary>The method this HTTP method and raw (still escaped) path call, with its path parameters unescaped.</summary>
    public (DiscoveryMethod Method, IReadOnlyDictionary<string, string> PathParameters)? Match(string httpMethod, string rawPath) =>
        Methods.Where(method => method.HttpMethod == httpMethod)
            .Select(method => (Method: method, Parameters: method.Match(rawPath)))
            .Where(match => match.Parameters is not null)
            .Select(match => ((DiscoveryMethod, IReadOnlyDictionary<string, string>)?)(match.Method, match.Parameters!))
            .FirstOrDefault();

    private static IEnumerable<JsonObject> MethodsOf(JsonObject node) =>
        (node["methods"]?.AsObject().Select(method => method.Value!.AsObject()) ?? [])
            .Concat((node["resources"]?.AsObject() ?? []).SelectMany(resource => MethodsOf(resource.Value!.AsObject())));
}

/// <summary>A discovery method: <c>id</c>, <c>httpMethod</c>, <c>path</c> (an RFC 6570 template), <c>parameters</c>, <c>request</c>, <c>response</c>.</summary>
internal sealed partial class DiscoveryMethod
{
    private readonly Regex path;
    private readonly Dictionary<string, Regex> pathPatterns = new(StringComparer.Ordinal);

    public DiscoveryMethod(JsonObject method, string servicePath)
    {
        Id = (string)method["id"]!;
        HttpMethod = (string)method["httpMethod"]!;
        Parameters = method["parameters"]?.AsObject() ?? [];
        RequestSchema = (string?)method["request"]?["$ref"];
        ResponseSchema = (string?)method["response"]?["$ref"];
        Template = servicePath + (string)method["path"]!;

        foreach (var (name, parameter) in Parameters.Where(p => (string?)p.Value!["location"] == "path"))
        {
            // Compute's patterns come unanchored ("[a-z](?:…)?|[1-9]…"), the others anchored; both mean the whole value.
            if ((string?)parameter!["pattern"] is { } pattern)
            {
                pathPatterns[name] = new Regex($"^(?:{pattern.TrimStart('^').TrimEnd('$')})$", RegexOptions.CultureInvariant);
            }
        }

        // {name} is one escaped segment; {+name} (reserved expansion) may span segments, e.g. v1/{+name}
        // with name = projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com.
        var regex = new System.Text.StringBuilder("^/");
        var literalStart = 0;
        foreach (Match expression in TemplateExpression().Matches(Template))
        {
            regex.Append(Regex.Escape(Template[literalStart..expression.Index]))
                .Append($"(?<{expression.Groups["name"].Value}>{(expression.Groups["reserved"].Success ? ".+" : "[^/]+")})");
            literalStart = expression.Index + expression.Length;
        }

        path = new Regex(regex.Append(Regex.Escape(Template[literalStart..])).Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    public string Id { get; }

    public string HttpMethod { get; }

    /// <summary>The full path template below the API's root, e.g. <c>compute/v1/projects/{project}/regions/{region}</c>.</summary>
    public string Template { get; }

    public JsonObject Parameters { get; }

    public string? RequestSchema { get; }

    public string? ResponseSchema { get; }

    /// <summary>
    /// The unescaped path parameters when the raw path fits the template and every parameter its
    /// pattern; otherwise null, as Google answers 404 for a path no method has.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Match(string rawPath)
    {
        var match = path.Match(rawPath);
        if (!match.Success)
        {
            return null;
        }

        var values = Parameters.Where(p => (string?)p.Value!["location"] == "path")
            .ToDictionary(p => p.Key, p => Uri.UnescapeDataString(match.Groups[p.Key].Value), StringComparer.Ordinal);
        return values.All(value => value.Value.Length > 0 && (!pathPatterns.TryGetValue(value.Key, out var pattern) || pattern.IsMatch(value.Value)))
            ? values
            : null;
    }

    [GeneratedRegex(@"\{(?<reserved>\+)?(?<name>[A-Za-z0-9_]+)}", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateExpression();
}
