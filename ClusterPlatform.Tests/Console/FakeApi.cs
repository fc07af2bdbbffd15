using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bunit;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Api;
using ClusterPlatform.WebConsole.SignIn;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The Api as the console's components meet it in bUnit: a real <see cref="ConsoleApi"/> over an
/// <see cref="HttpClient"/> whose handler answers the routes a test sets, in the Api's documented shapes
/// (docs/api.md): camelCase JSON bodies with a strong <c>ETag</c>, RFC 9457 problem+json refusals with
/// the Api's <c>code</c> and <c>traceId</c>, and <c>X-Request-Id</c> on every answer. Every request is
/// kept, so a test can say what the console sent.
/// </summary>
public sealed class FakeApi : HttpMessageHandler
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<(HttpMethod Method, string Path), Func<HttpRequestMessage, Task<HttpResponseMessage>>> routes = [];
    private readonly List<HttpRequestMessage> received = [];
    private int requestCount;

    public IReadOnlyList<HttpRequestMessage> Received
    {
        get
        {
            lock (received)
            {
                return [.. received];
            }
        }
    }

    /// <summary>Registers the signed-in user (with the Api token the console forwards) and a ConsoleApi over this handler.</summary>
    /// <param name="refreshInterval">How often pages poll; by default not within a test, so a test sees exactly the reads it makes.</param>
    public static FakeApi AddTo(BunitContext context, TimeSpan? refreshInterval = null)
    {
        var api = new FakeApi();
        context.AddAuthorization().SetAuthorized("ada").SetClaims(new Claim(ConsoleClaims.ApiToken, "test-token"), new Claim(ConsoleClaims.Subject, "ada"));
        context.Services.AddSingleton<ApiConnection>();
        context.Services.Configure<ConsoleOptions>(o => o.RefreshInterval = refreshInterval ?? TimeSpan.FromHours(1));
        context.Services.AddSingleton(sp => new ConsoleApi(api.Client(), sp.GetRequiredService<AuthenticationStateProvider>(), sp.GetRequiredService<ApiConnection>()));
        return api;
    }

    /// <summary>An HttpClient for the Api at http://api with the console's own Kiota middleware in front of this handler.</summary>
    public HttpClient Client() =>
        new(KiotaClientFactory.ChainHandlersCollectionAndGetFirstLink(this, [.. ConsoleApiRegistration.KiotaHandlers().Select(h => h())])!)
        {
            BaseAddress = new Uri("http://api"),
        };

    public void On(HttpMethod method, string path, Func<HttpRequestMessage, Task<HttpResponseMessage>> answer) => routes[(method, path)] = answer;

    public void On(HttpMethod method, string path, Func<HttpRequestMessage, HttpResponseMessage> answer) => On(method, path, r => Task.FromResult(answer(r)));

    /// <summary>A 200 (or <paramref name="status"/>) with the body as the Api serializes it, and its ETag when it has one.</summary>
    public static HttpResponseMessage Body<T>(T body, HttpStatusCode status = HttpStatusCode.OK, string? etag = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json") };
        if (etag is not null)
        {
            response.Headers.ETag = new EntityTagHeaderValue(etag);
        }

        return response;
    }

    /// <summary>The Api's answer to a GET whose <c>If-None-Match</c> matched: no body, the ETag again.</summary>
    public static HttpResponseMessage NotModified(string etag)
    {
        var response = new HttpResponseMessage(HttpStatusCode.NotModified);
        response.Headers.ETag = new EntityTagHeaderValue(etag);
        return response;
    }

    /// <summary>The Api's refusal: RFC 9457 fields plus <c>code</c>, <c>traceId</c> and, for validation, <c>errors</c> by JSON path.</summary>
    public static HttpResponseMessage Problem(HttpStatusCode status, string code, string title, string? detail, string requestId,
        IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var body = new JsonObject
        {
            ["type"] = $"https://clusterplatform.dev/problems/{code}",
            ["title"] = title,
            ["status"] = (int)status,
            ["code"] = code,
            ["traceId"] = requestId,
        };
        if (detail is not null)
        {
            body["detail"] = detail;
        }

        if (errors is not null)
        {
            body["errors"] = JsonSerializer.SerializeToNode(errors);
        }

        var response = new HttpResponseMessage(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/problem+json") };
        response.Headers.Add("X-Request-Id", requestId);
        return response;
    }

    /// <summary>Not the Api's answer but an HTML page from something in front of it (a load balancer's 502, an ingress's 403 or 413).</summary>
    public static HttpResponseMessage HtmlPage(HttpStatusCode status, string requestId, string html = "<html>proxy</html>")
    {
        var page = new HttpResponseMessage(status) { Content = new StringContent(html, Encoding.UTF8, "text/html") };
        page.Headers.Add("X-Request-Id", requestId);
        return page;
    }

    /// <summary>
    /// The Api's rule for a write with <c>If-Match</c> (docs/api.md, ETags): absent or <c>*</c> matches, a
    /// stale one is 412 <c>precondition-failed</c>. Null when the write may go on.
    /// </summary>
    public static HttpResponseMessage? StaleIfMatch(HttpRequestMessage request, string currentETag)
    {
        var given = request.Headers.IfMatch;
        return given.Count == 0 || given.Any(t => t.Tag == "*" || t.Tag == currentETag)
            ? null
            : Problem(HttpStatusCode.PreconditionFailed, "precondition-failed", "Precondition failed", "The resource changed since it was read", "req-stale");
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (received)
        {
            received.Add(request);
        }

        // docs/api.md, Idempotent creates: a key is 1-255 visible ASCII characters.
        if (request.Headers.TryGetValues("Idempotency-Key", out var keys)
            && keys.Any(k => k.Length is 0 or > 255 || k.Any(c => c is < '!' or > '~')))
        {
            return Problem(HttpStatusCode.BadRequest, "invalid-idempotency-key", "Invalid Idempotency-Key", null, "req-bad-key");
        }

        var path = request.RequestUri!.AbsolutePath;
        var response = routes.TryGetValue((request.Method, path), out var answer)
            ? await answer(request)
            : Problem(HttpStatusCode.NotFound, "not-found", "Not found", $"No route {request.Method} {path} in this test", "req-unrouted");
        if (!response.Headers.Contains("X-Request-Id"))
        {
            response.Headers.Add("X-Request-Id", $"req-{Interlocked.Increment(ref requestCount)}");
        }

        return response;
    }
}

/// <summary>Contracts records as the Api would return them: FakeApi answers with them, and <see cref="Wire"/> reads them into the generated models a component is given.</summary>
internal static class Samples
{
    public static readonly DateTime Now = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);

    public static Cluster Cluster(string name = "prod-1", string phase = Phases.Ready, string? current = "4.22.2", string desired = "4.22.3") => new(
        "Cluster", Guid.CreateVersion7(), "/api/v1/clusters/x", name, "acme", new Dictionary<string, string>(),
        new ClusterSpec(new GcpSpec("acme-prod-123", "us-central1", "n", "i", "s"), new ReleaseSpec(desired, "stable"),
            new NetworkingSpec("10.0.0.0/16", "10.128.0.0/14", "172.30.0.0/16"), new DnsSpec("acme.example.com"), null),
        1, Now, Now, "ada", null,
        new ResourceStatus(phase, 1, [], [], new VersionStatus(current, desired, [])));

    public static Condition Condition(string type, string status, string reason = "AsExpected", string message = "") =>
        new(type, status, reason, message, Now.AddMinutes(-5), 1);

    public static Credential Credential(Guid clusterId, string status, int minutesAgo = 0, string? message = null) => new(
        "Credential", Guid.CreateVersion7(), clusterId, status, $"system:customer-break-glass:ada-{minutesAgo}", "ada",
        Now.AddMinutes(-minutesAgo), Now.AddMinutes(480 - minutesAgo), Message: message);
}
