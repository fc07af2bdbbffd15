using ClusterPlatform.Api.Contracts;
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
        var key = IdempotencyKey.From(http.Request.Headers[IdempotencyKey.Header].FirstOrDefault(),
            $"{caller.Subject}|{caller.Organization}", kind, body.Raw);
        var outcome = await store.CreateAsync(kind, resource, key, row => ResourceMapper.Write(map(row)), ct);
        var (etag, created) = outcome.Created is { } row
            ? (row.ETag, map(row))
            : (outcome.Replay!.ETag, ResourceMapper.Read<T>(outcome.Replay.Body));
        http.Response.Headers.ETag = etag;
        // A replayed response names the resource of the first create, not the id generated for this request.
        return TypedResults.Created(hrefOf(created), created);
    }

    public async Task<Ok<T>> UpdateAsync(Guid id, HttpContext http, Caller caller, ResourceStore store,
        Func<ResourceRow, (string Labels, string Spec)> change, CancellationToken ct)
    {
        var row = await store.UpdateAsync(kind, id, caller.WriteScope, http.Request.Headers.IfMatch, change, ct);
        http.Response.Headers.ETag = row.ETag;
        return TypedResults.Ok(map(row));
    }

    public async Task<Accepted<T>> DeleteAsync(Guid id, HttpContext http, Caller caller, ResourceStore store, CancellationToken ct)
    {
        var row = await store.DeleteAsync(kind, id, caller.WriteScope, http.Request.Headers.IfMatch, ct);
        http.Response.Headers.ETag = row.ETag;
        return TypedResults.Accepted(ResourceMapper.Href(kind, row.Id), map(row));
    }
}
