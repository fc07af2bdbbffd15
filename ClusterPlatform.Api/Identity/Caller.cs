using System.Security.Claims;
using ClusterPlatform.Api.Errors;

namespace ClusterPlatform.Api.Identity;

/// <summary>
/// Who is calling, as API.md's "Identities and roles" defines it: the subject, the <c>org</c> claim
/// and the roles. Endpoints take it as a parameter; it binds from the authenticated principal.
/// </summary>
public sealed record Caller(string Subject, string? Organization, IReadOnlySet<string> Roles)
{
    public bool IsAdmin => Roles.Contains(ApiRoles.Admin);
    public bool IsController => Roles.Contains(ApiRoles.Controller);

    /// <summary>The organization reads are confined to; null means every organization (admins and controllers).</summary>
    public string? ReadScope => IsAdmin || IsController ? null : Organization;

    /// <summary>
    /// The organization writes are confined to; null only for admins. Kept apart from <see cref="ReadScope"/>
    /// so a token that is both a controller and a user cannot write outside its own organization.
    /// </summary>
    public string? WriteScope => IsAdmin ? null : Organization;

    /// <summary>The organization a new resource belongs to: always the caller's own.</summary>
    public string OwningOrganization => Organization
        ?? throw ApiException.Forbidden("organization-required", "The token has no org claim, so it cannot create resources.");

    public static Caller From(ClaimsPrincipal user)
    {
        var roles = user.FindAll(ApiClaims.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var org = user.FindFirst(ApiClaims.Organization)?.Value;
        // Every scheme refuses a token without exactly one subject (TokenClaims), so an authenticated caller has one.
        var subject = user.FindFirst(ApiClaims.Subject)?.Value
            ?? throw new InvalidOperationException("An authenticated principal without a subject reached an endpoint.");
        return new Caller(subject, string.IsNullOrWhiteSpace(org) ? null : org, roles);
    }

    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(From(context.User));
}

public static class ApiRoles
{
    public const string Admin = "admin";
    public const string User = "user";
    public const string Viewer = "viewer";
    public const string Controller = "controller";
}

public static class ApiClaims
{
    public const string Role = "role";
    public const string Organization = "org";
    public const string Subject = "sub";
}
