using ClusterPlatform.WebConsole.SignIn;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Kiota.Abstractions.Authentication;

namespace ClusterPlatform.WebConsole.Api;

/// <summary>
/// The signed-in user's own Api token (<see cref="ConsoleClaims.ApiToken"/>, inside the session cookie),
/// read from the circuit's <see cref="AuthenticationStateProvider"/> on every request, so a request never
/// carries a token the session no longer holds and the console has no privilege of its own. Kiota's
/// <see cref="AllowedHostsValidator"/> keeps it to the Api's host, as StaticTokenProvider does for cpctl.
/// </summary>
public sealed class SignedInUserTokenProvider(AuthenticationStateProvider authentication, Uri apiUrl) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new([apiUrl.Host]);

    /// <exception cref="ApiProblemException">Signed out (the session holds no token): the pages show it as the Api's 401.</exception>
    public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        if (!AllowedHostsValidator.IsUrlHostValid(uri))
        {
            return "";
        }

        var state = await authentication.GetAuthenticationStateAsync();
        return state.User.FindFirst(ConsoleClaims.ApiToken)?.Value ?? throw ApiProblemException.SignedOut();
    }
}
