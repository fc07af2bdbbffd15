extern alias controllers;

using System.Collections.Concurrent;
using controllers::ClusterPlatform.Controllers.Api;
using ClusterPlatform.Tests.Status;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>
/// A controller's connection to the real Api in a test: it counts the cluster reads, records each status
/// report's answer, and can hold a request at a chosen point, so an interleaving is the test's, not the
/// scheduler's.
/// </summary>
internal sealed class ControllerWire() : DelegatingHandler(new SocketsHttpHandler())
{
    /// <summary>The controllers' Api client over this wire, with the tokens the test Api trusts.</summary>
    public ControllerApiClient Client(ApiServer api) => new(new OneClient(this, api.Anonymous().BaseAddress!), new ControllerTestTokens());

    public bool HoldFirstReport { get; init; }

    public bool HoldFirstClusterRead { get; init; }

    /// <summary>Runs before each status report is sent, with its count (1 for the first).</summary>
    public Func<int, Task>? BeforeReport { get; init; }

    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<(HttpStatusCode Status, string Code)> ReportQueue { get; } = new();

    public List<(HttpStatusCode Status, string Code)> Reports => [.. ReportQueue];

    public int ClusterReads => clusterReads;

    private int clusterReads;
    private int reports;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var isReport = request.Method == HttpMethod.Put && path.EndsWith("/status", StringComparison.Ordinal);
        var isClusterRead = request.Method == HttpMethod.Get && path.StartsWith("/api/v1/clusters/", StringComparison.Ordinal) && !path.Contains("/nodepools", StringComparison.Ordinal);
        var report = isReport ? Interlocked.Increment(ref reports) : 0;
        if (isReport && BeforeReport is { } before)
        {
            await before(report);
        }

        if (report == 1 && HoldFirstReport)
        {
            Held.SetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (isClusterRead && Interlocked.Increment(ref clusterReads) == 1 && HoldFirstClusterRead)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            Held.SetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }

        if (isReport)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            ReportQueue.Enqueue((response.StatusCode, response.IsSuccessStatusCode ? "" : JsonNode.Parse(body)!["code"].Text()));
        }

        return response;
    }

    /// <summary>The tokens the test Api trusts, one per controller as its pods would present.</summary>
    private sealed class ControllerTestTokens : IControllerTokens
    {
        public ValueTask<string?> TokenForAsync(string controller, CancellationToken cancellationToken) =>
            ValueTask.FromResult<string?>(TestTokens.Create(controller, null, "controller"));
    }

    /// <summary>The controllers' named client, on a given wire and base address.</summary>
    private sealed class OneClient(HttpMessageHandler wire, Uri baseAddress) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(wire, disposeHandler: false) { BaseAddress = baseAddress };
    }
}
