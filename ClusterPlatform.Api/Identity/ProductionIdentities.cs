using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace ClusterPlatform.Api.Identity;

/// <summary>
/// Turns a validated production token into the claims the Api reads (<see cref="ApiClaims"/>):
/// <c>sub</c>, <c>org</c> and <c>role</c>. Whatever the token itself says about these is dropped
/// first, so a token cannot grant itself a role its source does not.
/// </summary>
internal static class ProductionIdentities
{
    /// <summary>
    /// The roles a user token's roles claim can grant. Not <c>controller</c>: that role reads every
    /// organization and reports status, and only a listed service account gets it
    /// (<see cref="MapServiceAccount"/>), so a group named "controller" in the identity provider
    /// grants nothing.
    /// </summary>
    private static readonly HashSet<string> UserRoles = new([ApiRoles.Admin, ApiRoles.User, ApiRoles.Viewer], StringComparer.Ordinal);

    /// <summary>A listed, verified service account becomes its controller; any other keeps no role (403 everywhere).</summary>
    public static void MapServiceAccount(TokenValidatedContext context, IReadOnlyDictionary<string, string> controllersByAccount)
    {
        var token = context.Principal!;
        var email = token.FindFirst("email")?.Value;
        var verified = string.Equals(token.FindFirst("email_verified")?.Value, "true", StringComparison.OrdinalIgnoreCase);
        var claims = new List<Claim>();
        if (email is not null && verified && controllersByAccount.TryGetValue(email, out var controller))
        {
            claims.Add(new Claim(ApiClaims.Subject, controller));
            claims.Add(new Claim(ApiClaims.Role, ApiRoles.Controller));
        }
        else
        {
            // Authenticated (Google signed it for us) but not authorized: kept apart from a bad token's 401.
            claims.Add(new Claim(ApiClaims.Subject, email ?? token.FindFirst(ApiClaims.Subject)!.Value));
        }

        context.Principal = Principal(claims, GoogleServiceAccountOptions.Scheme);
    }

    /// <summary>The subject stays; organization and roles come from the configured claims.</summary>
    public static void MapUser(TokenValidatedContext context, OidcUserOptions options)
    {
        var token = context.Principal!;
        var claims = new List<Claim> { new(ApiClaims.Subject, token.FindFirst(ApiClaims.Subject)!.Value) };
        if (token.FindFirst(options.OrganizationClaim)?.Value is { Length: > 0 } organization)
        {
            claims.Add(new Claim(ApiClaims.Organization, organization));
        }

        claims.AddRange(token.FindAll(options.RolesClaim).Select(c => c.Value).Where(UserRoles.Contains).Distinct(StringComparer.Ordinal)
            .Select(role => new Claim(ApiClaims.Role, role)));
        context.Principal = Principal(claims, OidcUserOptions.Scheme);
    }

    private static ClaimsPrincipal Principal(IEnumerable<Claim> claims, string scheme) =>
        new(new ClaimsIdentity(claims, scheme, ApiClaims.Subject, ApiClaims.Role));

    public static AuthenticationBuilder AddGoogleServiceAccounts(this AuthenticationBuilder authentication, GoogleServiceAccountOptions options)
    {
        var controllersByAccount = options.ControllersByAccount();
        return authentication.AddJwtBearer(GoogleServiceAccountOptions.Scheme, jwt =>
        {
            jwt.MetadataAddress = options.MetadataAddress;
            jwt.TokenValidationParameters.ValidIssuers = GoogleServiceAccountOptions.Issuers;
            Validate(jwt, options.Audience, options.RequireHttpsMetadata, ApiClaims.Organization, context => MapServiceAccount(context, controllersByAccount));
        });
    }

    public static AuthenticationBuilder AddOidcUsers(this AuthenticationBuilder authentication, OidcUserOptions options) =>
        authentication.AddJwtBearer(OidcUserOptions.Scheme, jwt =>
        {
            jwt.Authority = options.Authority;
            if (options.MetadataAddress is { Length: > 0 } metadata)
            {
                jwt.MetadataAddress = metadata;
            }

            jwt.TokenValidationParameters.ValidIssuer = options.Authority;
            Validate(jwt, options.Audience, options.RequireHttpsMetadata, options.OrganizationClaim, context => MapUser(context, options));
        });

    /// <summary>
    /// What both production schemes share: wire claim names, the audience, the token's own identity
    /// claims checked (<see cref="TokenClaims"/>) before the claim mapping. The skew is set for every scheme in one place.
    /// </summary>
    private static void Validate(JwtBearerOptions jwt, string? audience, bool requireHttpsMetadata, string organizationClaim, Action<TokenValidatedContext> map)
    {
        jwt.MapInboundClaims = false;
        jwt.RequireHttpsMetadata = requireHttpsMetadata;
        jwt.TokenValidationParameters.ValidAudience = audience;
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (TokenClaims.Check(context, organizationClaim))
                {
                    map(context);
                }

                return Task.CompletedTask;
            },
        };
    }
}
