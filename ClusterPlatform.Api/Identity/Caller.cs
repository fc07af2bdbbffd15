using System.Globalization;
using System.Security.Claims;

namespace ClusterPlatform.Api.Identity;

/// <summary>
/// Who is calling, as docs/api.md's "Identities and roles" defines it: the subject, the <c>org</c> claim
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

    /// <summary>This caller as one string no other caller gives (<see cref="KeyOf"/>).</summary>
    public string Key => KeyOf(Subject, Organization);

    /// <summary>
    /// Subject and organization as one string, for what is kept per caller (idempotency scopes, rate
    /// limit buckets). A plain <c>sub|org</c> let subject <c>a|b</c> of organization <c>c</c> and subject
    /// <c>a</c> of organization <c>b|c</c> be one caller; subjects may carry any separator (Auth0's are
    /// <c>auth0|123</c>). So when either part has a <c>|</c>, both carry their lengths
    /// (<c>3:a|b|1:c</c>), which reads back one way only. Otherwise the plain form stays: it has exactly
    /// one <c>|</c>, a length-prefixed key at least two, so they never meet, and what was stored under
    /// the plain form (idempotency keys) still matches. No organization is the empty part
    /// (organizations are never empty, see <see cref="From"/>).
    /// </summary>
    public static string KeyOf(string subject, string? organization)
    {
        organization ??= "";
        return subject.Contains('|', StringComparison.Ordinal) || organization.Contains('|', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"{subject.Length}:{subject}|{organization.Length}:{organization}")
            : $"{subject}|{organization}";
    }

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
