namespace ClusterPlatform.Api.Endpoints;

/// <summary>
/// Authorization and the problem responses each kind of endpoint can return, declared once for the
/// OpenAPI document. The headers that go with them (If-Match with 412, Retry-After with 429 and 503, …)
/// follow from these statuses in <c>OpenApi/HttpHeaders.cs</c>, which also gives every operation its
/// 500 and its 503 (an unavailable database, and on writes a deadlock).
/// </summary>
internal static class EndpointConventions
{
    /// <summary>Statuses of endpoints that take a JSON body.</summary>
    public static readonly int[] BodyProblems = [StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType];

    /// <summary>What the edge can answer on any endpoint: the rate limiter (429) and the request timeout (504).</summary>
    private static readonly int[] EdgeProblems = [StatusCodes.Status429TooManyRequests, StatusCodes.Status504GatewayTimeout];

    private static readonly int[] Unauthorized = [StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden];

    public static RouteHandlerBuilder Reads(this RouteHandlerBuilder endpoint) => endpoint
        .RequireAuthorization(AuthenticationSetup.ReadPolicy)
        .Problems([StatusCodes.Status400BadRequest, .. Unauthorized, StatusCodes.Status404NotFound, .. EdgeProblems]);

    /// <summary>A read of one resource: with its ETag, and 304 for a matching <c>If-None-Match</c>.</summary>
    public static RouteHandlerBuilder ReadsOne(this RouteHandlerBuilder endpoint) => endpoint
        .Reads()
        .Produces(StatusCodes.Status304NotModified);

    public static RouteHandlerBuilder Writes(this RouteHandlerBuilder endpoint, params int[] more) => endpoint
        .RequireAuthorization(AuthenticationSetup.WritePolicy)
        .ProducesValidationProblem()
        .Problems([.. Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, .. more, .. EdgeProblems]);

    /// <summary>A controller's status report (and an admin's): a JSON body, 409 for a stale report, 422 for a future generation.</summary>
    public static RouteHandlerBuilder Reports(this RouteHandlerBuilder endpoint) => endpoint
        .Controllers()
        .ProducesValidationProblem()
        .Problems([StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, .. BodyProblems, StatusCodes.Status422UnprocessableEntity]);

    /// <summary>Endpoints for controllers and admins; <paramref name="more"/> are their own statuses.</summary>
    public static RouteHandlerBuilder Controllers(this RouteHandlerBuilder endpoint, params int[] more) => endpoint
        .RequireAuthorization(AuthenticationSetup.ControllerOrAdminPolicy)
        .Problems([.. Unauthorized, .. more, .. EdgeProblems]);

    /// <summary>Reads open to the people of an organization and admins, not to controllers (break-glass credentials).</summary>
    public static RouteHandlerBuilder People(this RouteHandlerBuilder endpoint) => endpoint
        .RequireAuthorization(AuthenticationSetup.PeopleReadPolicy)
        .Problems([.. Unauthorized, StatusCodes.Status404NotFound, .. EdgeProblems]);

    /// <summary>A user's write without a body or conflicts (a revocation of a cluster's credentials).</summary>
    public static RouteHandlerBuilder Revokes(this RouteHandlerBuilder endpoint) => endpoint
        .RequireAuthorization(AuthenticationSetup.WritePolicy)
        .Problems([.. Unauthorized, StatusCodes.Status404NotFound, .. EdgeProblems]);

    /// <summary>The operator client's own endpoints (not admins': they carry CSRs and certificates); <paramref name="more"/> are their own statuses.</summary>
    public static RouteHandlerBuilder OperatorClient(this RouteHandlerBuilder endpoint, params int[] more) => endpoint
        .RequireAuthorization(AuthenticationSetup.ControllerPolicy)
        .Problems([.. Unauthorized, .. more, .. EdgeProblems]);

    /// <summary>The operator client's report on a credential or revocation: a JSON body, 409 for a report on one that has moved on.</summary>
    public static RouteHandlerBuilder OperatorClientReport(this RouteHandlerBuilder endpoint) => endpoint
        .OperatorClient([StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, .. BodyProblems])
        .ProducesValidationProblem();

    public static RouteHandlerBuilder Admins(this RouteHandlerBuilder endpoint, params int[] more) => endpoint
        .RequireAuthorization(AuthenticationSetup.AdminPolicy)
        .Problems([.. Unauthorized, .. more, .. EdgeProblems]);

    private static RouteHandlerBuilder Problems(this RouteHandlerBuilder endpoint, int[] statuses)
    {
        foreach (var status in statuses)
        {
            endpoint.ProducesProblem(status);
        }

        return endpoint;
    }
}
