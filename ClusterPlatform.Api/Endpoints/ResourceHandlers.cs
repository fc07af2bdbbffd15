using ClusterPlatform.Contracts;
using ClusterPlatform.Api.Data;
using ClusterPlatform.Api.Errors;
using ClusterPlatform.Api.Identity;
using ClusterPlatform.Api.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClusterPlatform.Api.Endpoints;

/// <summary>
/// The request flow clusters and node pools share: conditional GET, list pages, idempotent create,
/// replace, merge patch and soft delete. The per-kind API classes only parse bodies and map rows.
/// </summary>
internal sealed class ResourceHandlers<T>(ResourceKind kind, Func<ResourceRow, T> map, Func<T, string> hrefOf, string listKind)
{
    public async Task<Results<Ok<T>, StatusCodeHttpResult>> GetAsync(Guid id, Caller caller, HttpContext http, ResourceStore store, CancellationToken ct)
    {
        var row = await store.FindAsync(kind, id, caller.ReadScope, ct) ?? throw ApiException.NotFound(kind.Name, id);
        http.Response.Headers.ETag = row.ETag;
        if (EntityTags.NoneMatchHits(http.Request.Headers.IfNoneMatch, row.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(map(row));
    }

    public async Task<Ok<ResourceList<T>>> ListAsync(ListQuery query, ResourceStore store, CancellationToken ct)
    {
        var (rows, next) = await store.ListAsync(kind, query, ct);
        return TypedResults.Ok(new ResourceList<T>(listKind, rows.Select(map).ToList(), next is { } n ? ListQuery.EncodeCursor(n) : null));
    }

    public async Task<Created<T>> CreateAsync(HttpContext http, JsonBody body, Caller caller, NewResource resource, ResourceStore store, CancellationToken ct)
    {
        var key = IdempotencyKey.From(http.Request.Headers[IdempotencyKey.Header].FirstOrDefault(), caller, kind, body.Raw);
        // A repeat gets the row the first create returned, so its response is the first one: it names that
        // resource, not the id generated for this request.
        var row = await store.CreateAsync(kind, resource, key, ct);
        http.Response.Headers.ETag = row.ETag;
        var created = map(row);
        return TypedResults.Created(hrefOf(created), created);
    }

    public async Task<Ok<T>> UpdateAsync(Guid id, HttpContext http, Caller caller, ResourceStore store,
        Func<ResourceRow, (string Labels, string Spec)> change, CancellationToken ct)
    {
        var row = await store.UpdateAsync(kind, id, caller.WriteScope, http.Request.Headers.IfMatch, caller.Subject, change, ct);
        http.Response.Headers.ETag = row.ETag;
        return TypedResults.Ok(map(row));
    }

    public async Task<Results<Accepted<T>, NoContent>> DeleteAsync(Guid id, bool? force, string? reason, HttpContext http, Caller caller,
        ResourceStore store, CancellationToken ct)
    {
        if (force == true)
        {
            // Admin only, with a reason for the audit trail; the resource is gone when this returns.
            if (!caller.IsAdmin)
            {
                throw ApiException.Forbidden("force-delete-forbidden", "Only an admin may force a delete.");
            }

            // The reason is stored in the audit trail, as PostgreSQL text, which cannot hold U+0000.
            if (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxForceReasonLength || reason.Contains('\0', StringComparison.Ordinal))
            {
                throw ApiException.BadRequest("invalid-reason", $"A force delete needs a reason of 1–{MaxForceReasonLength} characters, without U+0000.");
            }

            await store.ForceDeleteAsync(kind, id, http.Request.Headers.IfMatch, caller.Subject, reason, ct);
            return TypedResults.NoContent();
        }

        var row = await store.DeleteAsync(kind, id, caller.WriteScope, http.Request.Headers.IfMatch, caller.Subject, ct);
        http.Response.Headers.ETag = row.ETag;
        return TypedResults.Accepted(ResourceMapper.Href(kind, row.Id), map(row));
    }

    /// <summary>A controller's report (or an admin's on its behalf); the response is the new aggregated status.</summary>
    public async Task<Ok<ResourceStatus>> ReportStatusAsync(Guid id, HttpContext http, Caller caller, StatusStore statuses, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        var report = StatusReportRequests.Parse(body.Root);
        if (!caller.IsAdmin && report.Controller != caller.Subject)
        {
            throw ApiException.Forbidden("controller-mismatch", $"This token may report only as '{caller.Subject}', not as '{report.Controller}'.");
        }

        return TypedResults.Ok(await statuses.ReportAsync(kind, id, report, caller.Subject, ct));
    }

    public async Task<Ok<StatusReportList>> StatusesAsync(Guid id, Caller caller, ResourceStore store, StatusStore statuses, CancellationToken ct)
    {
        _ = await store.FindAsync(kind, id, caller.ReadScope, ct) ?? throw ApiException.NotFound(kind.Name, id);
        return TypedResults.Ok(new StatusReportList("StatusReportList", await statuses.ReportsAsync(id, ct)));
    }

    public const int MaxForceReasonLength = 1024;
}
