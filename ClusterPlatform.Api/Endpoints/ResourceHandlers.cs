using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Endpoints;

/// <summary>
/// A kind's request bodies as the shared create, replace and patch need them, parsed with the kind's
/// <typeparamref name="TRequests"/> (<c>Validation/</c>): a create body to the new resource, and a
/// replacement document (a PUT body, or the current document with a merge patch applied) to the
/// labels and spec to store.
/// </summary>
/// <param name="BodyFields">The top-level names of a body, the ones a merge patch may set.</param>
/// <remarks>
/// The delegates are asynchronous for the rules that read the database (a cluster's version against
/// the version catalog); a kind whose rules are all in the body passes synchronous ones.
/// </remarks>
internal sealed record ResourceParser<TRequests>(
    IReadOnlyList<string> BodyFields,
    Func<TRequests, JsonElement, Caller, CancellationToken, Task<NewResource>> Create,
    Func<TRequests, JsonElement, ResourceRow, CancellationToken, Task<(string Labels, string Spec)>> Update)
{
    public ResourceParser(IReadOnlyList<string> bodyFields, Func<TRequests, JsonElement, Caller, NewResource> create,
        Func<TRequests, JsonElement, ResourceRow, (string Labels, string Spec)> update)
        : this(bodyFields, (requests, body, caller, _) => Task.FromResult(create(requests, body, caller)),
            (requests, document, current, _) => Task.FromResult(update(requests, document, current)))
    {
    }
}

/// <summary>
/// The request flow clusters and node pools share: conditional GET, list pages, idempotent create,
/// replace, merge patch, soft and force delete, status reports. Every call into the stores is here;
/// <see cref="ResourceEndpoints.MapResource"/> maps these handlers, and the per-kind API classes only
/// describe their kind and map its extra routes. Responses are written from the stored rows by
/// <paramref name="write"/> (<see cref="ResourceJson"/>); <paramref name="map"/> gives the record, for
/// the routes that read a resource's fields.
/// </summary>
internal sealed class ResourceHandlers<T>(ResourceKind kind, Func<ResourceRow, T> map, ResourceWriter write, string listKind)
{
    public ResourceKind Kind => kind;

    public async Task<Results<OkRow<T>, StatusCodeHttpResult>> GetAsync(Guid id, [AsParameters] ResourceServices services)
    {
        var (http, caller, store, _, ct) = services;
        var ifNoneMatch = http.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length > 0)
        {
            // A client revalidating what it has: the version alone answers it, without the row's JSON columns.
            var etag = ResourceRow.ETagOf(await store.FindVersionAsync(kind, id, caller.ReadScope, ct) ?? throw ApiException.NotFound(kind.Name, id));
            if (EntityTags.NoneMatchHits(ifNoneMatch, etag))
            {
                http.Response.Headers.ETag = etag;
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }
        }

        var row = await VisibleRowAsync(id, services);
        http.Response.Headers.ETag = row.ETag;
        return new OkRow<T>(row, write);
    }

    public Task<OkRows<T>> ListAsync([AsParameters] ResourceServices services, [AsParameters] PageParameters page) =>
        ListInAsync(null, services, page);

    /// <summary>The list route of a kind that can be filtered by its cluster (<c>?clusterId=</c>).</summary>
    public Task<OkRows<T>> ListByClusterAsync([FromQuery] Guid? clusterId, [AsParameters] ResourceServices services,
        [AsParameters] PageParameters page) =>
        ListInAsync(clusterId, services, page);

    /// <summary>A page of what the caller may read, of one cluster when <paramref name="clusterId"/> is given.</summary>
    public async Task<OkRows<T>> ListInAsync(Guid? clusterId, ResourceServices services, PageParameters page)
    {
        var (rows, next) = await services.Store.ListAsync(kind, page.For(services.Caller, clusterId), services.Cancellation);
        return new OkRows<T>(listKind, rows, next is { } n ? ListQuery.EncodeCursor(n) : null, write);
    }

    public async Task<CreatedRow<T>> CreateAsync<TRequests>(ResourceServices services, ResourceParser<TRequests> parser, TRequests requests)
    {
        var (http, caller, store, _, ct) = services;
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        var resource = await parser.Create(requests, body.Root, caller, ct);
        var key = IdempotencyKey.From(http.Request.Headers[IdempotencyKey.Header].FirstOrDefault(), caller, kind, body.Raw);
        // A repeat gets the row the first create returned, so its response is the first one: it names that
        // resource, not the id generated for this request.
        var row = await store.CreateAsync(kind, resource, key, ct);
        http.Response.Headers.ETag = row.ETag;
        return new CreatedRow<T>(ResourceMapper.Href(kind, row.Id), row, write);
    }

    public async Task<OkRow<T>> ReplaceAsync<TRequests>(Guid id, ResourceServices services, ResourceParser<TRequests> parser, TRequests requests)
    {
        var body = await RequestBody.ReadJsonAsync(services.Http.Request, RequestBody.Json, services.Cancellation);
        return await UpdateAsync(id, services, current => parser.Update(requests, body.Root, current, services.Cancellation));
    }

    public async Task<OkRow<T>> PatchAsync<TRequests>(Guid id, ResourceServices services, ResourceParser<TRequests> parser, TRequests requests)
    {
        var body = await RequestBody.ReadJsonAsync(services.Http.Request, RequestBody.MergePatch, services.Cancellation);
        return await UpdateAsync(id, services, current =>
            parser.Update(requests, MergePatch.Apply(ResourceMapper.UserDocument(current), body.Root, parser.BodyFields), current, services.Cancellation));
    }

    private async Task<OkRow<T>> UpdateAsync(Guid id, ResourceServices services, Func<ResourceRow, Task<(string Labels, string Spec)>> change)
    {
        var (http, caller, store, _, ct) = services;
        var row = await store.UpdateAsync(kind, id, caller.WriteScope, http.Request.Headers.IfMatch, caller.Subject, change, ct);
        http.Response.Headers.ETag = row.ETag;
        return new OkRow<T>(row, write);
    }

    public async Task<Results<AcceptedRow<T>, NoContent>> DeleteAsync(Guid id, [FromQuery] bool? force, [FromQuery] string? reason,
        [AsParameters] ResourceServices services)
    {
        var (http, caller, store, _, ct) = services;
        if (force == true)
        {
            // Admin only, with a reason for the audit trail; the resource is gone when this returns.
            if (!caller.IsAdmin)
            {
                throw ApiException.Forbidden("force-delete-forbidden", "Only an admin may force a delete.");
            }

            await store.ForceDeleteAsync(kind, id, http.Request.Headers.IfMatch, caller.Subject, DeleteRequests.ForceReason(reason), ct);
            return TypedResults.NoContent();
        }

        var row = await store.DeleteAsync(kind, id, caller.WriteScope, http.Request.Headers.IfMatch, caller.Subject, ct);
        http.Response.Headers.ETag = row.ETag;
        return new AcceptedRow<T>(ResourceMapper.Href(kind, row.Id), row, write);
    }

    /// <summary>A controller's report (or an admin's on its behalf); the response is the new aggregated status.</summary>
    public async Task<OkStored<ResourceStatus>> ReportStatusAsync(Guid id, [AsParameters] ResourceServices services)
    {
        var (http, caller, _, statuses, ct) = services;
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        var report = StatusReportRequests.Parse(body.Root);
        if (!caller.IsAdmin && report.Controller != caller.Subject)
        {
            throw ApiException.Forbidden("controller-mismatch", $"This token may report only as '{caller.Subject}', not as '{report.Controller}'.");
        }

        return new OkStored<ResourceStatus>(await statuses.ReportAsync(kind, id, report, caller.Subject, ct));
    }

    public async Task<Ok<StatusReportList>> StatusesAsync(Guid id, [AsParameters] ResourceServices services)
    {
        await RequireVisibleAsync(id, services);
        return TypedResults.Ok(new StatusReportList("StatusReportList", await services.Statuses.ReportsAsync(id, services.Cancellation)));
    }

    /// <summary>A 404 unless the caller may read the resource; another organization's resource is a 404 like a missing one.</summary>
    public async Task RequireVisibleAsync(Guid id, ResourceServices services) => _ = await VisibleRowAsync(id, services);

    /// <summary>The resource if the caller may read it, else a 404 as <see cref="RequireVisibleAsync"/>.</summary>
    public async Task<T> GetVisibleAsync(Guid id, ResourceServices services) => map(await VisibleRowAsync(id, services));

    /// <summary>The resource in whichever organization it is, or a 404: for routes open only to callers who see them all.</summary>
    public async Task<T> FindAnyAsync(Guid id, ResourceStore store, CancellationToken ct) =>
        map(await store.FindAsync(kind, id, null, ct) ?? throw ApiException.NotFound(kind.Name, id));

    private async Task<ResourceRow> VisibleRowAsync(Guid id, ResourceServices services) =>
        await services.Store.FindAsync(kind, id, services.Caller.ReadScope, services.Cancellation) ?? throw ApiException.NotFound(kind.Name, id);
}
