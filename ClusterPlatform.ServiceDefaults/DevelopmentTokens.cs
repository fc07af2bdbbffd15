using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClusterPlatform;

/// <summary>
/// Tokens shaped like <c>dotnet user-jwts</c>'s (HS256, issuer <c>dotnet-user-jwts</c>, audience the
/// Api's local URL), signed with a key the caller makes, and the Api settings that trust them. The Api
/// accepts such tokens only in Development. Used wherever a local Api is started without a person
/// to run user-jwts: the controllers of a local run (the AppHost hands them and the Api a key made
/// for the run), the tests and the benchmark.
/// </summary>
public static class DevelopmentTokens
{
    public const string Issuer = "dotnet-user-jwts";

    /// <summary>
    /// The issuer of the tokens the Controllers of a local run mint with the AppHost's per-run key.
    /// It must differ from <see cref="Issuer"/>: ASP.NET Core keeps one development signing key per issuer.
    /// </summary>
    public const string LocalRunIssuer = "clusterplatform-local-run";
    public const string Audience = "http://localhost:5080";

    /// <summary>The Api configuration (as configuration keys) that trusts tokens signed with <paramref name="key"/>.</summary>
    public static IReadOnlyDictionary<string, string?> ApiSettings(byte[] key) => new Dictionary<string, string?>
    {
        ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(key),
    };

    public static string Create(byte[] key, string subject, string? organization, IEnumerable<string> roles, DateTime expires, string issuer = Issuer)
    {
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        if (organization is not null)
        {
            claims.Add(new Claim("org", organization));
        }

        // Issued a little in the past (before expiry, for the tests' already expired tokens).
        var now = DateTime.UtcNow;
        var issued = (expires < now ? expires : now).AddMinutes(-5);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = issuer,
            Audience = Audience,
            NotBefore = issued,
            IssuedAt = issued,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }
}
