using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace ClusterPlatform.Api.Identity;

/// <summary>JWT bearer authentication and the authorization policies of docs/api.md's role table.</summary>
internal static class AuthenticationSetup
{
    public const string ReadPolicy = "read";
    public const string WritePolicy = "write";
    /// <summary>Controllers and admins: status reports, the fleet list, and placing and releasing clusters.</summary>
    public const string ControllerOrAdminPolicy = "controller-or-admin";
    public const string AdminPolicy = "admin";

    /// <summary>
    /// The people of an organization and admins, not controllers: reads of break-glass credentials,
    /// which no controller has any use for (docs/api.md "Credentials").
    /// </summary>
    public const string PeopleReadPolicy = "people-read";

    /// <summary>Controllers only, not even admins: the operator client's credential work and reports.</summary>
    public const string ControllerPolicy = "controller";

    private const string BearerSection = "Authentication:Schemes:Bearer";

    public static IServiceCollection AddApiAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // Symmetric signing keys are what `dotnet user-jwts` writes. They are a development
        // convenience only; any other environment must validate tokens against a real authority.
        if (!environment.IsDevelopment() && configuration.GetSection($"{BearerSection}:SigningKeys").Exists())
        {
            throw new InvalidOperationException(
                $"{BearerSection}:SigningKeys (dotnet user-jwts development tokens) is configured outside the Development environment. Configure {BearerSection}:Authority instead.");
        }

        var google = configuration.GetSection(GoogleServiceAccountOptions.Section).Get<GoogleServiceAccountOptions>() ?? new();
        var users = configuration.GetSection(OidcUserOptions.Section).Get<OidcUserOptions>() ?? new();
        var authentication = services.AddAuthentication(SelectorScheme)
            // The token's issuer picks the scheme that validates it; an unknown issuer goes to the
            // development scheme, which (without its keys, outside Development) refuses it: 401.
            .AddPolicyScheme(SelectorScheme, "By token issuer", options => options.ForwardDefaultSelector = context => SchemeFor(context, google, users))
            .AddJwtBearer(options =>
            {
                // Keep claim names as they are on the wire: "role", "org", "sub".
                options.MapInboundClaims = false;
                options.TokenValidationParameters.RoleClaimType = ApiClaims.Role;
                options.TokenValidationParameters.NameClaimType = ApiClaims.Subject;
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        TokenClaims.Check(context, ApiClaims.Organization);
                        return Task.CompletedTask;
                    },
                };
            });
        // Every scheme, whoever configured it last: one clock skew, and outside Development no
        // WWW-Authenticate error_description, which told a caller why its token failed (expired,
        // wrong audience, bad signature): help for an attacker probing keys and clocks.
        services.PostConfigureAll<JwtBearerOptions>(options =>
        {
            options.TokenValidationParameters.ClockSkew = TokenClaims.ClockSkew;
            options.IncludeErrorDetails = environment.IsDevelopment();
        });
        // After every scheme's own events are configured: the cache wraps them.
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, TokenCaching>();
        if (google.Audience is { Length: > 0 })
        {
            authentication.AddGoogleServiceAccounts(google);
        }

        if (users.Authority is { Length: > 0 })
        {
            authentication.AddOidcUsers(users);
        }

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(ReadPolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(ctx =>
                ctx.User.IsInRole(ApiRoles.Admin) || ctx.User.IsInRole(ApiRoles.Controller)
                || ((ctx.User.IsInRole(ApiRoles.User) || ctx.User.IsInRole(ApiRoles.Viewer)) && HasOrganization(ctx))))
            .AddPolicy(WritePolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(ctx =>
                ctx.User.IsInRole(ApiRoles.Admin) || (ctx.User.IsInRole(ApiRoles.User) && HasOrganization(ctx))))
            .AddPolicy(ControllerOrAdminPolicy, policy => policy.RequireRole(ApiRoles.Controller, ApiRoles.Admin))
            .AddPolicy(AdminPolicy, policy => policy.RequireRole(ApiRoles.Admin))
            .AddPolicy(PeopleReadPolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(ctx =>
                ctx.User.IsInRole(ApiRoles.Admin) || ((ctx.User.IsInRole(ApiRoles.User) || ctx.User.IsInRole(ApiRoles.Viewer)) && HasOrganization(ctx))))
            .AddPolicy(ControllerPolicy, policy => policy.RequireRole(ApiRoles.Controller));

        return services;
    }

    private const string SelectorScheme = "ByIssuer";

    private static string SchemeFor(HttpContext context, GoogleServiceAccountOptions google, OidcUserOptions users)
    {
        if (google.Audience is not { Length: > 0 } && users.Authority is not { Length: > 0 })
        {
            return JwtBearerDefaults.AuthenticationScheme; // only development tokens: nothing to choose, no token to read twice
        }

        var header = context.Request.Headers.Authorization.ToString();
        var issuer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? UnvalidatedIssuer(header[7..].Trim()) : null;
        return issuer is null ? JwtBearerDefaults.AuthenticationScheme
            : google.Audience is { Length: > 0 } && GoogleServiceAccountOptions.Issuers.Contains(issuer, StringComparer.Ordinal) ? GoogleServiceAccountOptions.Scheme
            : users.Authority is { Length: > 0 } && string.Equals(issuer, users.Authority, StringComparison.Ordinal) ? OidcUserOptions.Scheme
            : JwtBearerDefaults.AuthenticationScheme;
    }

    /// <summary>The issuer a token claims, read without validating anything; null when it is no JWT.</summary>
    private static string? UnvalidatedIssuer(string token)
    {
        try
        {
            return Tokens.CanReadToken(token) ? Tokens.ReadJsonWebToken(token).Issuer : null;
        }
        catch (ArgumentException)
        {
            return null; // three dot-separated parts that are not a JWT; the default scheme answers 401
        }
    }

    // Reads (never validates) a token's issuer, to choose the scheme that validates it.
    private static readonly Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler Tokens = new();

    private static bool HasOrganization(AuthorizationHandlerContext ctx) =>
        !string.IsNullOrWhiteSpace(ctx.User.FindFirst(ApiClaims.Organization)?.Value);
}
