using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// Red Hat's update service (the Cincinnati policy engine behind api.openshift.com) on its real path,
/// holding a small multi-arch and amd64 4.21/4.22 graph. It answers the way the policy engine does at
/// openshift/cincinnati@49c914f804a1910ad3170b7724188643d404e49b, checked in the order
/// policy-engine/src/graph.rs applies them:
/// <list type="number">
/// <item>Accept (commons/src/lib.rs validate_content_type): absent is fine and answered as
/// <c>application/vnd.redhat.cincinnati.v1+json</c>; otherwise the whole header value must equal
/// <c>*</c>, <c>*/*</c>, <c>application/*</c>, <c>application/json</c> or
/// <c>application/vnd.redhat.cincinnati.v1+json</c> (it is no full Accept parser, so a list such as
/// <c>application/json, text/plain</c> is refused), else 406 <c>invalid_content_type</c>.</item>
/// <item>The mandatory <c>channel</c> (dist/openshift/cincinnati-deployment.yaml), else 400
/// <c>missing_params</c> (commons/src/lib.rs ensure_query_params).</item>
/// <item>The channel filter's regex, else 400 <c>invalid_params</c>; then the arch filter's, with
/// <c>amd64</c> when absent (cincinnati/src/plugins/internal/channel_filter.rs, arch_filter.rs).</item>
/// </list>
/// Other query parameters are passed to the plugins, which ignore the ones they do not know, so
/// they are ignored here too; an unknown channel is a 200 with no nodes. Nodes are served as the
/// filters leave them: the channel list kept in metadata, the arch key and the version's arch build
/// suffix gone. Errors are <c>{"kind","value"}</c> (commons/src/errors.rs); other paths are a bare 404.
/// </summary>
public sealed partial class FakeUpdateGraph
{
    public const string GraphPath = "/api/upgrades_info/v1/graph";

    private const string ChannelsKey = "io.openshift.upgrades.graph.release.channels";
    private const string V1MediaType = "application/vnd.redhat.cincinnati.v1+json";

    private readonly Lock gate = new();
    private readonly List<Release> releases = [];
    // 4.22.1 -> 4.22.3 is also the conditional edge below: the policy engine draws conditional edges
    // from edges the graph has and leaves them in edges (cincinnati/src/plugins/internal/edge_add_remove.rs,
    // add_conditional_edges), so a client must take them out itself.
    private readonly List<(string From, string To)> edges =
    [
        ("4.21.9", "4.22.1"), ("4.21.9", "4.22.2"), ("4.22.0-rc.2", "4.22.0"), ("4.22.0", "4.22.1"),
        ("4.22.0", "4.22.2"), ("4.22.1", "4.22.2"), ("4.22.1", "4.22.3"), ("4.22.2", "4.22.3"),
    ];

    private int graphRequests;

    public FakeUpdateGraph()
    {
        foreach (var arch in new[] { "multi", "amd64" })
        {
            Publish("4.21.9", arch, "candidate-4.21,candidate-4.22,fast-4.21,fast-4.22,stable-4.21,stable-4.22");
            Publish("4.22.0-rc.2", arch, "candidate-4.22");
            Publish("4.22.0", arch, "candidate-4.22,fast-4.22,stable-4.22");
            Publish("4.22.1", arch, "candidate-4.22,fast-4.22,stable-4.22");
            Publish("4.22.2", arch, "candidate-4.22,fast-4.22,stable-4.22");
            // Not yet promoted to stable.
            Publish("4.22.3", arch, "candidate-4.22,fast-4.22");
        }
    }

    private sealed record Release(string Version, string Arch, string Payload, string Channels);

    /// <summary>Graph requests that reached the service, answered or not.</summary>
    public int GraphRequests => Volatile.Read(ref graphRequests);

    /// <summary>When set, every graph request gets this bare status, like a failing service behind its load balancer.</summary>
    public int? OutageStatus { get; set; }

    /// <summary>When set, answers wait for it, so callers can be made to overlap.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>The pull spec by digest this graph serves for a release: a stable, made-up digest per version and arch.</summary>
    public static string PayloadOf(string version, string arch) =>
        $"quay.io/openshift-release-dev/ocp-release@sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"fake-update-graph {version} {arch}")))}";

    /// <param name="channels">Comma-separated, as the release's channel metadata.</param>
    /// <param name="payload">Defaults to <see cref="PayloadOf"/>.</param>
    public void Publish(string version, string arch, string channels, string? payload = null)
    {
        lock (gate)
        {
            releases.Add(new Release(version, arch, payload ?? PayloadOf(version, arch), channels));
        }
    }

    /// <summary>Adds an edge, served in every channel that holds both releases.</summary>
    public void Connect(string from, string to)
    {
        lock (gate)
        {
            edges.Add((from, to));
        }
    }

    public void Map(WebApplication app)
    {
        app.MapGet(GraphPath, (Delegate)ServeAsync);
        // The policy engine also serves the unversioned path (policy-engine/src/main.rs).
        app.MapGet("/api/upgrades_info/graph", (Delegate)ServeAsync);
    }

    [GeneratedRegex(@"^[0-9a-z\-\.]+$")]
    private static partial Regex ChannelPattern();

    [GeneratedRegex(@"^[0-9a-z]+$")]
    private static partial Regex ArchPattern();

    private async Task<IResult> ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref graphRequests);
        if (Hold is { } hold)
        {
            await hold.Task;
        }

        if (OutageStatus is { } status)
        {
            return Results.StatusCode(status);
        }

        if (Negotiate(context.Request.Headers.Accept) is not { } contentType)
        {
            return Error(406, "invalid_content_type", "invalid Content-Type requested");
        }

        var query = context.Request.Query;
        if (!query.ContainsKey("channel"))
        {
            return Error(400, "missing_params", "mandatory client parameters missing: channel");
        }

        var channel = query["channel"].ToString();
        if (!ChannelPattern().IsMatch(channel))
        {
            return Error(400, "invalid_params", $"invalid client parameters: channel '{channel}' does not match regex '{ChannelPattern()}'");
        }

        var arch = query.ContainsKey("arch") ? query["arch"].ToString() : "amd64";
        if (!ArchPattern().IsMatch(arch))
        {
            return Error(400, "invalid_params", $"invalid client parameters: arch '{arch}' does not match regex '{ArchPattern()}'");
        }

        return Results.Text(Graph(channel, arch).ToJsonString(), contentType, statusCode: 200);
    }

    /// <summary>The media type to answer with, or null for 406.</summary>
    private static string? Negotiate(Microsoft.Extensions.Primitives.StringValues accept)
    {
        if (accept.Count == 0)
        {
            return V1MediaType;
        }

        var value = accept[0];
        string[] acceptable = ["*", "*/*", "application/json", V1MediaType, "application/*"];
        return !acceptable.Contains(value, StringComparer.Ordinal) ? null
            : value!.Split('/').Contains("*") ? "application/json"
            : value;
    }

    private JsonObject Graph(string channel, string arch)
    {
        List<Release> served;
        lock (gate)
        {
            served = [.. releases.Where(r => r.Arch == arch && r.Channels.Split(',').Any(c => c.Trim() == channel))];
        }

        var index = served.Select((release, i) => (release.Version, i)).ToDictionary(p => p.Version, p => p.i, StringComparer.Ordinal);
        return new JsonObject
        {
            // VersionedGraph: 1 for both media types (cincinnati/src/plugins/internal/versioned_graph.rs).
            ["version"] = 1,
            ["nodes"] = new JsonArray([.. served.Select(release => new JsonObject
            {
                ["version"] = release.Version,
                ["payload"] = release.Payload,
                ["metadata"] = new JsonObject
                {
                    [ChannelsKey] = release.Channels,
                    ["io.openshift.upgrades.graph.release.manifestref"] = release.Payload[(release.Payload.IndexOf('@', StringComparison.Ordinal) + 1)..],
                    ["url"] = $"https://access.redhat.com/errata/RHBA-2026:{1000 + index[release.Version]}",
                },
            })]),
            ["edges"] = new JsonArray([.. EdgesNow()
                .Where(e => index.ContainsKey(e.From) && index.ContainsKey(e.To))
                .Select(e => new JsonArray(index[e.From], index[e.To]))]),
            ["conditionalEdges"] = index.ContainsKey("4.22.1") && index.ContainsKey("4.22.3")
                ? new JsonArray(new JsonObject
                {
                    ["edges"] = new JsonArray(new JsonObject { ["from"] = "4.22.1", ["to"] = "4.22.3" }),
                    ["risks"] = new JsonArray(new JsonObject
                    {
                        ["url"] = "https://issues.redhat.com/browse/OCPBUGS-00000",
                        ["name"] = "FakeRisk",
                        ["message"] = "Clusters on 4.22.1 with a made-up condition may lose a made-up thing.",
                        ["matchingRules"] = new JsonArray(new JsonObject { ["type"] = "Always" }),
                    }),
                })
                : new JsonArray(),
        };
    }

    private List<(string From, string To)> EdgesNow()
    {
        lock (gate)
        {
            return [.. edges];
        }
    }

    private static IResult Error(int status, string kind, string value) => Results.Json(new { kind, value }, statusCode: status);
}
