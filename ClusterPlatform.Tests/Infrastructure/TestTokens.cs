using System.Security.Cryptography;
using ClusterPlatform.AppHost;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// Real signed JWTs shaped like <c>dotnet user-jwts</c>'s, with a key made for this test run, so the
/// Api's own JWT validation runs in every test.
/// </summary>
public static class TestTokens
{
    public static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    /// <summary>The Api configuration that trusts these tokens.</summary>
    public static IReadOnlyDictionary<string, string?> ApiSettings() => DevelopmentTokens.ApiSettings(Key);

    public static string Create(string subject, string? organization, params string[] roles) =>
        Create(subject, organization, roles, DateTime.UtcNow.AddHours(1));

    public static string Create(string subject, string? organization, IEnumerable<string> roles, DateTime expires) =>
        DevelopmentTokens.Create(Key, subject, organization, roles, expires);
}
