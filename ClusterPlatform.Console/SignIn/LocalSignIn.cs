using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.WebConsole.SignIn;

/// <summary>
/// <c>Console:LocalSignIn</c>: the key a local run signs users' tokens with. The AppHost makes one per
/// run and gives the same one to the Api (which trusts it under <see cref="DevelopmentTokens.LocalRunIssuer"/>)
/// and the Controllers; base64 of at least 32 bytes.
/// </summary>
internal sealed class LocalSignInOptions
{
    public const string Section = "Console:LocalSignIn";

    public string? SigningKey { get; set; }
}

/// <summary>
/// Development only (mapped nowhere else, so 404): the person picks a name, an organization and a role,
/// and the console signs an Api token for them with the AppHost's per-run key, exactly as the
/// Controllers of a local run sign theirs (<see cref="DevelopmentTokens.Create"/>).
/// </summary>
internal static partial class LocalSignIn
{
    /// <summary>The page with the form.</summary>
    public const string Path = "/signin/local";

    /// <summary>Where the form posts (apart from the page: Razor component pages take form POSTs to their own route too).</summary>
    public const string PostPath = "/signin/local/session";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(8);
    public static readonly IReadOnlyList<string> Roles = ["user", "viewer", "admin"];

    public static void Map(WebApplication app) =>
        app.MapPost(PostPath, SignInAsync).AllowAnonymous().DisableAntiforgery().AddEndpointFilter(ConsoleSignIn.AntiforgeryRequired);

    private static async Task<IResult> SignInAsync(HttpContext context, IOptions<LocalSignInOptions> options)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var user = form["user"].ToString().Trim();
        var organization = form["organization"].ToString().Trim();
        var role = form["role"].ToString();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!NamePattern().IsMatch(user))
        {
            errors["user"] = ["A user name is 1–63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }

        if (!NamePattern().IsMatch(organization))
        {
            errors["organization"] = ["An organization is 1–63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }

        if (!Roles.Contains(role, StringComparer.Ordinal))
        {
            errors["role"] = [$"The role is one of {string.Join(", ", Roles)}."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        if (!TryReadKey(options.Value.SigningKey, out var key))
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: $"The local sign-in has no signing key ({LocalSignInOptions.Section}:SigningKey): start the console from the AppHost.");
        }

        var token = DevelopmentTokens.Create(key, user, organization, [role], DateTime.UtcNow + TokenLifetime, DevelopmentTokens.LocalRunIssuer);
        var identity = new ClaimsIdentity(
            [new(ConsoleClaims.Name, user), new(ConsoleClaims.Subject, user), new(ConsoleClaims.Organization, organization), new(ConsoleClaims.Role, role), new(ConsoleClaims.ApiToken, token)],
            CookieAuthenticationDefaults.AuthenticationScheme, ConsoleClaims.Name, ConsoleClaims.Role);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.LocalRedirect(ConsoleSignIn.LocalUrl(form["returnUrl"].ToString()));
    }

    private static bool TryReadKey(string? text, out byte[] key)
    {
        key = [];
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return false;
        }

        return key.Length >= 32;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();
}
