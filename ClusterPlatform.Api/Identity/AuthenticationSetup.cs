using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace ClusterPlatform.Api.Identity;

/// <summary>JWT bearer authentication and the authorization policies of API.md's role table.</summary>
internal static class AuthenticationSetup
{
    public const string ReadPolicy = "read";
    public const string WritePolicy = "write";
    public const string ReportPolicy = "report";
    public const string AdminPolicy = "admin";

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

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                // Keep claim names as they are on the wire: "role", "org", "sub".
                options.MapInboundClaims = false;
                options.TokenValidationParameters.RoleClaimType = ApiClaims.Role;
                options.TokenValidationParameters.NameClaimType = ApiClaims.Subject;
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(ReadPolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(ctx =>
                ctx.User.IsInRole(ApiRoles.Admin) || ctx.User.IsInRole(ApiRoles.Controller)
                || ((ctx.User.IsInRole(ApiRoles.User) || ctx.User.IsInRole(ApiRoles.Viewer)) && HasOrganization(ctx))))
            .AddPolicy(WritePolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(ctx =>
                ctx.User.IsInRole(ApiRoles.Admin) || (ctx.User.IsInRole(ApiRoles.User) && HasOrganization(ctx))))
            .AddPolicy(ReportPolicy, policy => policy.RequireRole(ApiRoles.Controller, ApiRoles.Admin))
            .AddPolicy(AdminPolicy, policy => policy.RequireRole(ApiRoles.Admin));

        return services;
    }

    private static bool HasOrganization(AuthorizationHandlerContext ctx) =>
        !string.IsNullOrWhiteSpace(ctx.User.FindFirst(ApiClaims.Organization)?.Value);
}
