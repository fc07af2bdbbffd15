using System.Security.Cryptography;

namespace ClusterPlatform.AppHost;

internal static class ControllerCredentials
{
    /// <summary>
    /// A local run needs no manual step for the controllers' credentials: the AppHost makes a signing
    /// key for this run, the Api trusts it (as a second development key, with its own issuer, beside the one of
    /// <c>dotnet user-jwts</c>), and the Controllers mint their own tokens with it. The console's local
    /// sign-in signs people's tokens with the same key, the same way. Run mode only; a deployment uses
    /// Google-signed tokens for the controllers and the OIDC authority's for people.
    /// </summary>
    public static void WithLocalRunCredentials(this IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> controllers,
        IResourceBuilder<ProjectResource> console)
    {
        if (!api.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return;
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        api.WithEnvironment("Authentication__Schemes__Bearer__ValidIssuers__0", DevelopmentTokens.Issuer)
            .WithEnvironment("Authentication__Schemes__Bearer__ValidIssuers__1", DevelopmentTokens.LocalRunIssuer)
            .WithEnvironment("Authentication__Schemes__Bearer__SigningKeys__1__Issuer", DevelopmentTokens.LocalRunIssuer)
            .WithEnvironment("Authentication__Schemes__Bearer__SigningKeys__1__Value", key);
        controllers.WithEnvironment("ControllerAuth__DevelopmentSigningKey", key);
        console.WithEnvironment("Console__LocalSignIn__SigningKey", key);
    }
}
