using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// Mints real signed JWTs the way <c>dotnet user-jwts</c> does (HS256, issuer <c>dotnet-user-jwts</c>),
/// with a key made for this test run, so the Api's own JWT validation runs in every test.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "dotnet-user-jwts";
    public const string Audience = "http://localhost:5080";

    public static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    /// <summary>The Api configuration that trusts these tokens, as user-jwts writes it.</summary>
    public static IReadOnlyDictionary<string, string?> ApiSettings(string prefix = "") => new Dictionary<string, string?>
    {
        [$"{prefix}Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
        [$"{prefix}Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
        [$"{prefix}Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
        [$"{prefix}Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(Key),
    };

    public static string Create(string subject, string? organization, params string[] roles) =>
        Create(subject, organization, roles, DateTime.UtcNow.AddHours(1));

    public static string Create(string subject, string? organization, IEnumerable<string> roles, DateTime expires)
    {
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        if (organization is not null)
        {
            claims.Add(new Claim("org", organization));
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = Issuer,
            Audience = Audience,
            NotBefore = expires.AddHours(-2),
            Expires = expires,
            IssuedAt = expires.AddHours(-2),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Key), SecurityAlgorithms.HmacSha256),
        });
    }
}
