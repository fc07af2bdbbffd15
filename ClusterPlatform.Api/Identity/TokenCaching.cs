using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ClusterPlatform.Api.Identity;

/// <summary>
/// Puts a <see cref="ValidatedTokens"/> cache in front of every bearer scheme (development, Google
/// service accounts, OIDC users), one cache per scheme so a token one scheme accepted never skips
/// another's validation. A kept token is answered before the scheme reads it; a token the scheme
/// accepted is kept with the principal its <c>OnTokenValidated</c> left (after <see cref="TokenClaims"/>
/// and the claim mapping), so those run once per token.
/// </summary>
internal sealed class TokenCaching(TimeProvider time) : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        var cache = new ValidatedTokens(time);
        var events = options.Events ??= new JwtBearerEvents();
        var received = events.OnMessageReceived;
        var validated = events.OnTokenValidated;
        events.OnMessageReceived = async context =>
        {
            await received(context);
            if (context.Result is null && context.Token is null && BearerToken(context.Request) is { } token && cache.Find(token) is { } kept)
            {
                context.Principal = kept.Principal;
                context.Properties.ExpiresUtc = kept.Expires;
                context.Success();
            }
        };
        events.OnTokenValidated = async context =>
        {
            await validated(context);
            // A refused token (context.Fail) has a result; one without exp is not kept (every scheme requires exp anyway).
            if (context.Result is null && context.Principal is { } principal && context.SecurityToken is JsonWebToken { ValidTo: var exp } jwt
                && exp != DateTime.MinValue && BearerToken(context.Request) is { } token && token == jwt.EncodedToken)
            {
                cache.Remember(token, principal, new DateTimeOffset(exp, TimeSpan.Zero));
            }
        };
    }

    /// <summary>The token as the bearer handler reads it from the Authorization header.</summary>
    private static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.AsSpan(7).Trim() is { IsEmpty: false } token
            ? token.ToString()
            : null;
    }
}
