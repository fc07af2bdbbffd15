extern alias controllers;

using controllers::ClusterPlatform.Controllers.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>
/// How the controllers' Api client reads a 409: by the problem document's <c>code</c>, so only the
/// codes it knows mean an outcome, and any other conflict fails the handling (a nack) instead of
/// passing for one of them.
/// </summary>
public sealed class ControllerApiClientTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> disposables = [];

    [Theory]
    [InlineData("stale-report", ReportOutcome.Stale)]
    [InlineData("report-conflict", ReportOutcome.Conflict)]
    public async Task A_report_conflict_is_the_outcome_its_code_names(string code, ReportOutcome outcome)
    {
        var client = await ClientAsync(app => app.MapPut("/api/v1/clusters/{id:guid}/status", () => Conflict(code)));

        Assert.Equal(outcome, await client.ReportClusterStatusAsync(Guid.CreateVersion7(), Report(), Cancellation));
    }

    [Fact]
    public async Task A_report_conflict_with_another_code_or_no_problem_document_fails()
    {
        var client = await ClientAsync(app =>
        {
            app.MapPut("/api/v1/clusters/{id:guid}/status", () => Conflict("resource-deleting"));
            app.MapPut("/api/v1/nodepools/{id:guid}/status", () => Results.Text("\"stale-report\"", statusCode: StatusCodes.Status409Conflict));
        });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.ReportClusterStatusAsync(Guid.CreateVersion7(), Report(), Cancellation));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.ReportNodePoolStatusAsync(Guid.CreateVersion7(), Report(), Cancellation));
    }

    [Fact]
    public async Task A_placement_is_null_only_when_the_region_has_no_capacity()
    {
        var codes = new Queue<string>(["no-capacity", "cluster-deleting"]);
        var client = await ClientAsync(app => app.MapPost("/api/v1/management-clusters/placements/{clusterId:guid}", () => Conflict(codes.Dequeue())));

        Assert.Null(await client.PlaceAsync(ControllerNames.Placement, Guid.CreateVersion7(), Cancellation));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PlaceAsync(ControllerNames.Placement, Guid.CreateVersion7(), Cancellation));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(disposables))
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>A 409 problem document as the Api writes one: its stable code in <c>code</c>.</summary>
    private static IResult Conflict(string code) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["code"] = code });

    private static StatusReportRequest Report() =>
        new(ControllerNames.Placement, 1, [new ConditionReport("Available", "True", "Placed", "Placed.")], null, Version: 0);

    private async Task<ControllerApiClient> ClientAsync(Action<WebApplication> map)
    {
        var api = await LocalApiServer.StartAsync(map);
        disposables.Add(api);
        var services = new ServiceCollection();
        services.AddHttpClient(ControllerApiClient.HttpClientName, client => client.BaseAddress = api.BaseAddress);
        var provider = services.BuildServiceProvider();
        disposables.Add(provider);
        return new ControllerApiClient(provider.GetRequiredService<IHttpClientFactory>(), new NoControllerTokens());
    }
}
