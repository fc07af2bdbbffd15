using System.Buffers;
using System.Buffers.Text;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClusterPlatform.Api.Identity;

/// <summary>
/// What every bearer scheme (development, Google service accounts, OIDC users) requires of a token
/// beyond its signature: one subject and at most one organization, both plain text, and the same
/// clock skew. A token that fails is refused with 401 (the token, not the caller's rights, is at fault).
/// </summary>
internal static class TokenClaims
{
    /// <summary>
    /// The libraries' default of 5 minutes keeps an expired token usable that long; GKE, Google and a
    /// developer's machine keep clocks within milliseconds, so 30 s is ample. One value for every scheme.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Refuses the token in <paramref name="context"/> when its identity claims are unusable, or its
    /// payload names a claim twice; true when it may go on. Without a subject, tokens shared one
    /// "unknown" identity (its rate limit, its idempotency keys); with two organizations the first
    /// silently won; a control character in either reached <c>createdBy</c>, the audit actor and the
    /// logs, where a newline forges a line.
    /// </summary>
    public static bool Check(TokenValidatedContext context, string organizationClaim)
    {
        var problem = RepeatedName(context.SecurityToken) ?? Problem(context.Principal!, organizationClaim);
        if (problem is null)
        {
            return true;
        }

        // The reason goes to the log and (in Development only) WWW-Authenticate; never the token.
        context.Fail(problem);
        return false;
    }

    /// <summary>
    /// A payload such as <c>{"org":"a","org":"b"}</c> is signed as it stands, and the token library
    /// keeps one of the two silently; whoever else reads the token (a gateway, an audit) may keep the
    /// other. Read once more, with duplicates refused, like the Api's request bodies.
    /// </summary>
    private static string? RepeatedName(SecurityToken token)
    {
        if (token is not JsonWebToken jwt)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.EncodedPayload), new JsonDocumentOptions { AllowDuplicateProperties = false });
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return "The token's payload names a claim more than once.";
        }
    }

    private static string? Problem(ClaimsPrincipal token, string organizationClaim)
    {
        var subjects = token.FindAll(ApiClaims.Subject).ToList();
        if (subjects is not [{ Value: var subject }] || string.IsNullOrWhiteSpace(subject))
        {
            return "The token must carry exactly one non-empty 'sub' claim.";
        }

        if (!IsPlainText(subject))
        {
            return "The token's 'sub' claim contains control characters.";
        }

        var organizations = token.FindAll(organizationClaim).ToList();
        if (organizations.Count > 1)
        {
            return $"The token carries {organizations.Count} '{organizationClaim}' claims; a token acts for one organization.";
        }

        return organizations is [{ Value: var organization }] && !IsPlainText(organization)
            ? $"The token's '{organizationClaim}' claim contains control characters."
            : null;
    }

    /// <summary>
    /// No control character (C0, DEL, C1), no line or paragraph separator (log viewers break lines on
    /// them), and no unpaired surrogate (not text at all, and PostgreSQL refuses to store it).
    /// </summary>
    private static bool IsPlainText(string value)
    {
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var length) != OperationStatus.Done
                || Rune.IsControl(rune) || rune.Value is 0x2028 or 0x2029)
            {
                return false;
            }

            rest = rest[length..];
        }

        return true;
    }
}
