using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ClusterPlatform.Tests.Google;

/// <summary>One call that matched a discovery method: its id (e.g. <c>compute.networks.get</c>), unescaped path parameters, query and body.</summary>
internal sealed record GoogleCall(string MethodId, IReadOnlyDictionary<string, string> Path, IReadOnlyDictionary<string, string[]> Query, JsonNode? Body);

/// <summary>What a handler answers; a 2xx body is checked against the method's response schema.</summary>
internal sealed record GoogleAnswer(int Status, JsonNode? Body)
{
    public static GoogleAnswer Ok(JsonNode body) => new(200, body);

    /// <summary>Google's error body (<c>{"error":{"code","message","status"}}</c>), which GoogleRest reads the message from.</summary>
    public static GoogleAnswer Error(int status, string message) => new(status, new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = status,
            ["message"] = message,
            ["status"] = status switch { 400 => "INVALID_ARGUMENT", 403 => "PERMISSION_DENIED", 404 => "NOT_FOUND", 501 => "UNIMPLEMENTED", _ => "UNAVAILABLE" },
        },
    });
}

/// <summary>
/// A local Google that enforces Google's discovery documents, not our reading of them. Each API is
/// served under its own prefix (<c>/iam.v1/</c>, as if on its own host, see <see cref="BaseAddress"/>),
/// and a request is answered only if it is a method of that API's document: HTTP method and path
/// template with every path parameter fitting its pattern, only declared query parameters (method or
/// global), repeated only where declared, of the declared type, and a body of the request schema.
/// Anything else is recorded in <see cref="Violations"/> and answered as Google would (404 for an
/// unknown path, 400 for a bad parameter), and a handler's successful answer must fit the response
/// schema too. Tests end with <see cref="AssertNoViolations"/>.
/// </summary>
internal sealed class FakeGoogle : IAsyncDisposable
{
    private readonly LocalApiServer server;
    private readonly ConcurrentQueue<string> violations;
    private readonly ConcurrentQueue<string> calls;

    private FakeGoogle(LocalApiServer server, ConcurrentQueue<string> violations, ConcurrentQueue<string> calls)
    {
        this.server = server;
        this.violations = violations;
        this.calls = calls;
    }

    /// <summary>Every departure from the discovery documents so far.</summary>
    public IReadOnlyList<string> Violations => [.. violations];

    /// <summary>Fails the test with every violation in full, one a line.</summary>
    public void AssertNoViolations()
    {
        if (!violations.IsEmpty)
        {
            Assert.Fail($"requests or answers off Google's discovery documents:{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
        }
    }

    /// <summary>The method ids called so far, oldest first.</summary>
    public IReadOnlyList<string> Calls => [.. calls];

    /// <summary>"METHOD /path?query -> status" per request, as <see cref="LocalApiServer"/> logs it.</summary>
    public IReadOnlyList<string> Log => server.Log;

    /// <summary>The root URL of one API, as its <c>rootUrl</c> (e.g. https://iam.googleapis.com/) is for the real one.</summary>
    public Uri BaseAddress(string api) => new(server.BaseAddress, $"{api}/");

    /// <param name="documents">The APIs to serve, by discovery file name (<c>iam.v1</c>, …).</param>
    /// <param name="handlers">Per method id; every id must be a method of a served document.</param>
    public static async Task<FakeGoogle> StartAsync(IEnumerable<string> documents, IReadOnlyDictionary<string, Func<GoogleCall, GoogleAnswer>> handlers)
    {
        var apis = documents.ToDictionary(name => name, name => DiscoveryDocument.Load(name), StringComparer.Ordinal);
        var unknown = handlers.Keys.Where(id => !apis.Values.Any(api => api.Methods.Any(method => method.Id == id))).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"handlers for methods no served discovery document has: {string.Join(", ", unknown)}", nameof(handlers));
        }

        var violations = new ConcurrentQueue<string>();
        var calls = new ConcurrentQueue<string>();
        var server = await LocalApiServer.StartAsync(app => app.Run(context => ServeAsync(context, apis, handlers, violations, calls)));
        return new FakeGoogle(server, violations, calls);
    }

    private static async Task ServeAsync(
        HttpContext context, Dictionary<string, DiscoveryDocument> apis, IReadOnlyDictionary<string, Func<GoogleCall, GoogleAnswer>> handlers,
        ConcurrentQueue<string> violations, ConcurrentQueue<string> calls)
    {
        // The raw target keeps the client's escaping, which is what the path templates are written against.
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var (rawPath, rawQuery) = target.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? (target[..q], target[(q + 1)..]) : (target, "");
        var request = $"{context.Request.Method} {target}";
        var slash = rawPath.IndexOf('/', 1);
        var api = slash > 0 ? apis.GetValueOrDefault(rawPath[1..slash]) : null;
        var match = api?.Match(context.Request.Method, rawPath[slash..]);
        if (api is null || match is not { } found)
        {
            violations.Enqueue($"{request}: no method of {(api?.Name ?? "any served API")} has this HTTP method and path");
            await WriteAsync(context, GoogleAnswer.Error(404, $"The requested URL {rawPath} was not found on this server."));
            return;
        }

        var (method, path) = found;
        var query = ParseQuery(rawQuery);
        var body = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0
            ? await JsonNode.ParseAsync(context.Request.Body)
            : null;
        var problems = QueryViolations(api, method, query).Concat(BodyViolations(api, method, body)).ToList();
        calls.Enqueue(method.Id);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                violations.Enqueue($"{request}: {method.Id}: {problem}");
            }

            await WriteAsync(context, GoogleAnswer.Error(400, string.Join("; ", problems)));
            return;
        }

        if (!handlers.TryGetValue(method.Id, out var handler))
        {
            violations.Enqueue($"{request}: {method.Id} has no handler in this test");
            await WriteAsync(context, GoogleAnswer.Error(501, $"{method.Id} is not faked"));
            return;
        }

        var answer = handler(new GoogleCall(method.Id, path, query, body));
        if (answer.Status is >= 200 and < 300 && method.ResponseSchema is { } schema)
        {
            // Checked as the wire carries it, so a handler's .NET values are judged by their JSON.
            foreach (var problem in api.Schemas.Violations(schema, answer.Body is null ? null : JsonNode.Parse(answer.Body.ToJsonString())))
            {
                violations.Enqueue($"{request}: {method.Id} answered off its response schema: {problem}");
            }
        }

        await WriteAsync(context, answer);
    }

    private static Dictionary<string, string[]> ParseQuery(string rawQuery) => rawQuery
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .GroupBy(pair => Unescape(pair[0]), StringComparer.Ordinal)
        .ToDictionary(group => group.Key, group => group.Select(pair => pair.Length > 1 ? Unescape(pair[1]) : "").ToArray(), StringComparer.Ordinal);

    private static string Unescape(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));

    private static IEnumerable<string> QueryViolations(DiscoveryDocument api, DiscoveryMethod method, Dictionary<string, string[]> query)
    {
        foreach (var (name, values) in query)
        {
            var parameter = method.Parameters[name] is { } own && (string?)own["location"] == "query" ? own : api.GlobalParameters[name];
            if (parameter is null)
            {
                yield return $"query parameter {name} is not declared";
                continue;
            }

            if (values.Length > 1 && (bool?)parameter["repeated"] != true)
            {
                yield return $"query parameter {name} is not repeated but was given {values.Length} times";
            }

            foreach (var value in values.Where(value => !Fits(parameter, value)))
            {
                yield return $"query parameter {name}={value} is not a {(string?)parameter["type"]}{(parameter["enum"] is { } e ? $" of {e.ToJsonString()}" : "")}";
            }
        }

        foreach (var (name, _) in method.Parameters.Where(p => (string?)p.Value!["location"] == "query" && (bool?)p.Value["required"] == true && !query.ContainsKey(p.Key)))
        {
            yield return $"required query parameter {name} is missing";
        }
    }

    private static bool Fits(JsonNode parameter, string value) =>
        (parameter["enum"] is not JsonArray allowed || allowed.Any(option => (string?)option == value))
        && (string?)parameter["type"] switch
        {
            "integer" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "boolean" => value is "true" or "false",
            _ => true,
        };

    private static IEnumerable<string> BodyViolations(DiscoveryDocument api, DiscoveryMethod method, JsonNode? body) =>
        (method.RequestSchema, body) switch
        {
            (null, null) => [],
            (null, _) => ["the method takes no request body"],
            (_, null) => [$"the method takes a {method.RequestSchema} body"],
            var (schema, _) => api.Schemas.Violations(schema, body),
        };

    private static async Task WriteAsync(HttpContext context, GoogleAnswer answer)
    {
        context.Response.StatusCode = answer.Status;
        if (answer.Body is not null)
        {
            context.Response.ContentType = "application/json; charset=UTF-8";
            await context.Response.WriteAsync(answer.Body.ToJsonString(JsonSerializerOptions.Default));
        }
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();
}
