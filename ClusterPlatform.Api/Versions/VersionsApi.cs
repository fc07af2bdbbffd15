using ClusterPlatform.Api.Endpoints;
using ClusterPlatform.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Versions;

/// <summary>
/// <c>/api/v1/versions</c>: the version catalog (anyone who may read lists it; admins enable and
/// disable versions). The contract is docs/api.md "Versions". Answers come from PostgreSQL only.
/// </summary>
internal static class VersionsApi
{
    public static RouteGroupBuilder MapVersionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/versions").WithTags("Versions");
        // The fleet's timeout: both are small admin-curated tables read straight from PostgreSQL.
        group.WithRequestTimeout(EndpointGroups.Fleet);
        group.MapGet("/", ListVersions).WithName(nameof(ListVersions)).WithSummary("List the OpenShift versions of a channel group")
            .Reads();
        group.MapPut("/{version}", PutVersion).WithName(nameof(PutVersion)).WithSummary("Enable or disable a version in every channel group (admins)")
            .Accepts<OpenShiftVersionUpdate>(RequestBody.Json)
            .Admins([StatusCodes.Status404NotFound, .. EndpointConventions.BodyProblems]).ProducesValidationProblem();
        return group;
    }

    private static async Task<Ok<ResourceList<OpenShiftVersion>>> ListVersions(VersionCatalogStore store, CancellationToken cancellation, string? channelGroup = null)
    {
        var chosen = channelGroup ?? ChannelGroups.Stable;
        if (!ChannelGroups.All.Contains(chosen))
        {
            throw ApiException.BadRequest("invalid-channel-group", $"channelGroup must be one of {string.Join(", ", ChannelGroups.All)}.");
        }

        return TypedResults.Ok(new ResourceList<OpenShiftVersion>("VersionList", await store.ListAsync(chosen, cancellation), null));
    }

    private static async Task<Ok<OpenShiftVersionUpdate>> PutVersion(string version, HttpContext http, Caller caller, VersionCatalogStore store, CancellationToken cancellation)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, cancellation);
        var enabled = ParseEnabled(body.Root);
        if (!await store.SetEnabledAsync(version, enabled, caller.Subject, cancellation))
        {
            throw ApiException.NotFound("version-not-found", $"The catalog has no version {version}.");
        }

        return TypedResults.Ok(new OpenShiftVersionUpdate(enabled));
    }

    private static bool ParseEnabled(JsonElement root)
    {
        var errors = new ValidationErrors();
        var fields = new JsonFields(errors);
        if (fields.IsObject(root, "$", ["enabled"]))
        {
            if (!root.TryGetProperty("enabled", out var value))
            {
                errors.Add("$.enabled", "is required");
            }
            else if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add("$.enabled", "must be true or false");
            }
        }

        errors.ThrowIfAny();
        return root.GetProperty("enabled").GetBoolean();
    }
}
