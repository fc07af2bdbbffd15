using Microsoft.Kiota.Abstractions.Authentication;

namespace ClusterPlatform.Client;

/// <summary>
/// One fixed bearer token, sent only to the Api's own host: Kiota's <see cref="AllowedHostsValidator"/>
/// keeps it off any other host a redirect or a <c>Location</c> could point at.
/// </summary>
public sealed class StaticTokenProvider(string token, Uri apiUrl) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new([apiUrl.Host]);

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(AllowedHostsValidator.IsUrlHostValid(uri) ? token : "");
}
