using ClusterPlatform.Api.Endpoints;
using ClusterPlatform.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Credentials;

/// <summary>What a credential handler works with, bound as one <c>[AsParameters]</c> value (as <see cref="ResourceServices"/> is for clusters).</summary>
internal readonly record struct CredentialServices(HttpContext Http, Caller Caller, CredentialStore Credentials, ResourceStore Store, CancellationToken Cancellation);

/// <summary>
/// <c>/api/v1/clusters/{id}/credentials</c>: break-glass credentials (docs/api.md "Credentials"). Users
/// request and revoke them, people of the organization read them, and the operator client finds the
/// work and reports what HyperShift did through the controller-only routes.
/// </summary>
internal static class CredentialsApi
{
    private const string Credentials = "/{id:guid}/credentials";

    public static RouteGroupBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ResourceKind.Cluster.PathBase).WithTags("Credentials");
        group.WithRequestTimeout(EndpointGroups.Clusters);
        group.MapPost(Credentials, RequestCredential).WithName(nameof(RequestCredential))
            .WithSummary("Request a break-glass credential: a certificate for the caller's own CSR (users, admins)")
            .Accepts<CredentialRequest>(RequestBody.Json).Writes(EndpointConventions.BodyProblems);
        group.MapGet(Credentials, ListCredentials).WithName(nameof(ListCredentials))
            .WithSummary("List a cluster's break-glass credentials, newest first, metadata only").People();
        group.MapGet(Credentials + "/{credentialId:guid}", GetCredential).WithName(nameof(GetCredential))
            .WithSummary("Get a break-glass credential; once issued, its certificate and kubeconfig for its requester and admins").People();
        // A literal segment with a colon, as Google's custom methods are written (AIP-136).
        group.MapPost(Credentials + ":revoke", RevokeCredentials).WithName(nameof(RevokeCredentials))
            .WithSummary("Revoke every break-glass credential of the cluster (users, admins)").Revokes();
        group.MapGet(Credentials + "/revocations/{revocationId:guid}", GetCredentialRevocation).WithName(nameof(GetCredentialRevocation))
            .WithSummary("Get a revocation of a cluster's break-glass credentials").People();

        group.MapGet(Credentials + "/work", GetCredentialWork).WithName(nameof(GetCredentialWork))
            .WithSummary("The credential requests and revocations waiting on a cluster (the operator client)")
            .OperatorClient(StatusCodes.Status404NotFound);
        group.MapPut(Credentials + "/{credentialId:guid}/issuance", ReportCredentialIssuance).WithName(nameof(ReportCredentialIssuance))
            .WithSummary("Report a credential issued or failed (the operator client)")
            .Accepts<CredentialIssuanceReport>(RequestBody.Json).OperatorClientReport();
        group.MapPut(Credentials + "/revocations/{revocationId:guid}", ReportCredentialRevocation).WithName(nameof(ReportCredentialRevocation))
            .WithSummary("Report a revocation completed or failed (the operator client)")
            .Accepts<RevocationReport>(RequestBody.Json).OperatorClientReport();
        return group;
    }

    private static async Task<Accepted<Credential>> RequestCredential(Guid id, [AsParameters] CredentialServices services, [FromServices] CredentialRequests requests)
    {
        var (http, caller, credentials, _, ct) = services;
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        var request = requests.Parse(body.Root, caller.Subject);
        var row = await credentials.RequestAsync(id, caller.WriteScope, caller, request, ct) ?? throw ApiException.NotFound(ResourceKind.Cluster.Name, id);
        return TypedResults.Accepted(CredentialPath(id, row.Id), Metadata(row));
    }

    private static async Task<Ok<CredentialList>> ListCredentials(Guid id, [AsParameters] CredentialServices services)
    {
        await VisibleClusterAsync(id, services);
        var rows = await services.Credentials.ListAsync(id, services.Cancellation);
        return TypedResults.Ok(new CredentialList("CredentialList", rows.Select(Metadata).ToList()));
    }

    private static async Task<Ok<Credential>> GetCredential(Guid id, Guid credentialId, [AsParameters] CredentialServices services)
    {
        var cluster = await VisibleClusterAsync(id, services);
        var row = await services.Credentials.FindAsync(id, credentialId, services.Cancellation) ?? throw NotFound("Credential", credentialId);
        // The certificate only while it is usable, and only to whoever asked for it (or an admin): it is
        // half of a cluster-admin login, the other half being the key only the requester has.
        var caller = services.Caller;
        if (row is { Status: CredentialStates.Issued, Certificate: { } certificate, CaBundle: { } caBundle, ApiUrl: { } apiUrl }
            && (caller.IsAdmin || caller.Key == row.RequesterKey))
        {
            return TypedResults.Ok(Metadata(row) with { Certificate = certificate, Kubeconfig = KubeconfigTemplate.Render(cluster.Name, apiUrl, caBundle, certificate) });
        }

        return TypedResults.Ok(Metadata(row));
    }

    private static async Task<Accepted<CredentialRevocation>> RevokeCredentials(Guid id, [AsParameters] CredentialServices services)
    {
        var revocation = await services.Credentials.RevokeAsync(id, services.Caller.WriteScope, services.Caller.Subject, services.Cancellation)
            ?? throw ApiException.NotFound(ResourceKind.Cluster.Name, id);
        return TypedResults.Accepted($"{ResourceKind.Cluster.PathBase}/{id}/credentials/revocations/{revocation.Id}", revocation);
    }

    private static async Task<Ok<CredentialRevocation>> GetCredentialRevocation(Guid id, Guid revocationId, [AsParameters] CredentialServices services)
    {
        await VisibleClusterAsync(id, services);
        return TypedResults.Ok(await services.Credentials.FindRevocationAsync(id, revocationId, services.Cancellation) ?? throw NotFound("Revocation", revocationId));
    }

    private static async Task<Ok<CredentialWork>> GetCredentialWork(Guid id, [AsParameters] CredentialServices services)
    {
        RequireOperatorClient(services.Caller);
        _ = await services.Store.FindAsync(ResourceKind.Cluster, id, null, services.Cancellation) ?? throw ApiException.NotFound(ResourceKind.Cluster.Name, id);
        return TypedResults.Ok(await services.Credentials.WorkAsync(id, services.Cancellation));
    }

    private static async Task<Ok<Credential>> ReportCredentialIssuance(Guid id, Guid credentialId, [AsParameters] CredentialServices services)
    {
        RequireOperatorClient(services.Caller);
        var body = await RequestBody.ReadJsonAsync(services.Http.Request, RequestBody.Json, services.Cancellation);
        var report = CredentialReports.ParseIssuance(body.Root);
        var row = await services.Credentials.ReportIssuanceAsync(id, credentialId, services.Caller.Subject, row => CredentialReports.Decide(row, report), services.Cancellation)
            ?? throw NotFound("Credential", credentialId);
        return TypedResults.Ok(Metadata(row));
    }

    private static async Task<Ok<CredentialRevocation>> ReportCredentialRevocation(Guid id, Guid revocationId, [AsParameters] CredentialServices services)
    {
        RequireOperatorClient(services.Caller);
        var body = await RequestBody.ReadJsonAsync(services.Http.Request, RequestBody.Json, services.Cancellation);
        var report = CredentialReports.ParseRevocation(body.Root);
        return TypedResults.Ok(await services.Credentials.ReportRevocationAsync(id, revocationId, services.Caller.Subject,
            revocation => CredentialReports.Decide(revocation, report), services.Cancellation) ?? throw NotFound("Revocation", revocationId));
    }

    /// <summary>
    /// The cluster, if the caller's organization owns it (any, for admins); else a 404 like a missing one.
    /// The write scope, not the read scope: a token that is a controller and a user reads credentials
    /// of its own organization only.
    /// </summary>
    private static async Task<ResourceRow> VisibleClusterAsync(Guid id, CredentialServices services) =>
        await services.Store.FindAsync(ResourceKind.Cluster, id, services.Caller.WriteScope, services.Cancellation)
        ?? throw ApiException.NotFound(ResourceKind.Cluster.Name, id);

    /// <summary>The operator client relays credentials; no other controller has a reason to see a CSR or report a certificate.</summary>
    private static void RequireOperatorClient(Caller caller)
    {
        if (caller.Subject != ControllerNames.OperatorClient)
        {
            throw ApiException.Forbidden("controller-mismatch", $"Only the {ControllerNames.OperatorClient} carries out credential work.");
        }
    }

    private static ApiException NotFound(string kind, Guid id) => ApiException.NotFound("not-found", $"{kind} {id} does not exist.");

    private static string CredentialPath(Guid clusterId, Guid id) => $"{ResourceKind.Cluster.PathBase}/{clusterId}/credentials/{id}";

    /// <summary>A credential without its certificate or kubeconfig: what lists, reports and everyone but its requester see.</summary>
    private static Credential Metadata(CredentialRow row) => new("Credential", row.Id, row.ClusterId, row.Status, row.Subject, row.RequestedBy,
        row.RequestedAt, row.ExpiresAt, row.IssuedAt, row.RevokedAt, row.Message);
}
