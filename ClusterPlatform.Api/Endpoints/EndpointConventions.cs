using ClusterPlatform.Api.Identity;

namespace ClusterPlatform.Api.Endpoints;

/// <summary>Authorization and the problem responses every read or write endpoint can return, declared once for the OpenAPI document.</summary>
internal static class EndpointConventions
{
    public static RouteHandlerBuilder Reads(this RouteHandlerBuilder endpoint) => endpoint
        .RequireAuthorization(AuthenticationSetup.ReadPolicy)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder Writes(this RouteHandlerBuilder endpoint, params int[] more)
    {
        endpoint
            .RequireAuthorization(AuthenticationSetup.WritePolicy)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        foreach (var status in more)
        {
            endpoint.ProducesProblem(status);
        }

        return endpoint;
    }

    public static RouteHandlerBuilder Reports(this RouteHandlerBuilder endpoint) => endpoint
        .RequireAuthorization(AuthenticationSetup.ReportPolicy)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    public static RouteHandlerBuilder Admins(this RouteHandlerBuilder endpoint) => endpoint
        .RequireAuthorization(AuthenticationSetup.AdminPolicy)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>Statuses of endpoints that take a JSON body.</summary>
    public static readonly int[] BodyProblems = [StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType];
}
