using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace ClusterPlatform.WebConsole.SignIn;

/// <summary>
/// How people sign in to the console. The session is a cookie; the signed-in user's Api token rides
/// inside it (encrypted by ASP.NET Core data protection with the key ring every replica shares,
/// <see cref="SharedKeyRing"/>; never sent to the browser in the clear) as
/// the <see cref="ConsoleClaims.ApiToken"/> claim, so every Api call carries the user's own token and
/// the console has no privilege of its own.
/// Production: OIDC at <c>Authentication:Users:Authority</c> (authorization code with PKCE). Development
/// without an authority: the local sign-in page (<see cref="LocalSignIn"/>).
/// </summary>
internal static class ConsoleSignIn
{
    public const string Section = "Authentication:Users";
    public const string SignInPath = "/signin";
    public const string SignOutPath = "/signout";

    public static void AddConsoleSignIn(this WebApplicationBuilder builder)
    {
        var users = builder.Configuration.GetSection(Section);
        var authority = users["Authority"];
        if (string.IsNullOrWhiteSpace(authority) && !builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException($"{Section}:Authority is required outside Development: the local sign-in exists only there.");
        }

        var oidc = !string.IsNullOrWhiteSpace(authority);
        var authentication = builder.Services.AddAuthentication(options =>
        {
            options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.DefaultChallengeScheme = oidc ? OpenIdConnectDefaults.AuthenticationScheme : CookieAuthenticationDefaults.AuthenticationScheme;
        });
        authentication.AddCookie(options =>
        {
            options.Cookie.Name = "clusterplatform-console";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            options.LoginPath = SignInPath;
            // The session ends with the Api token in it: a session outliving its token would only get 401s.
            options.ExpireTimeSpan = LocalSignIn.TokenLifetime;
            options.SlidingExpiration = false;
        });
        if (oidc)
        {
            authentication.AddOpenIdConnect(options => ConfigureOidc(options, users, authority!));
        }

        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.Configure<LocalSignInOptions>(builder.Configuration.GetSection(LocalSignInOptions.Section));
    }

    private static void ConfigureOidc(OpenIdConnectOptions options, IConfigurationSection users, string authority)
    {
        options.Authority = authority;
        options.ClientId = users["ClientId"];
        options.ClientSecret = users["ClientSecret"];
        options.ResponseType = "code";
        options.UsePkce = true;
        options.RequireHttpsMetadata = !bool.TryParse(users["RequireHttpsMetadata"], out var https) || https;
        options.MapInboundClaims = false;
        options.SaveTokens = false;
        options.Scope.Clear();
        foreach (var scope in (users["Scopes"] ?? "openid profile").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            options.Scope.Add(scope);
        }

        var organizationClaim = users["OrganizationClaim"] ?? ConsoleClaims.Organization;
        var rolesClaim = users["RolesClaim"] ?? "roles";
        options.Events.OnTokenValidated = context =>
        {
            // The Api takes the authority's access token (its audience is the Api's, Authentication:Users:Audience).
            var token = context.TokenEndpointResponse?.AccessToken;
            if (context.Principal is null || string.IsNullOrEmpty(token))
            {
                context.Fail("The authority returned no access token for the Api.");
                return Task.CompletedTask;
            }

            var signedIn = context.Principal;
            var subject = signedIn.FindFirst(ConsoleClaims.Subject)?.Value ?? "";
            var claims = new List<Claim>
            {
                new(ConsoleClaims.ApiToken, token), new(ConsoleClaims.Subject, subject), new(ConsoleClaims.Name, signedIn.FindFirst("name")?.Value ?? subject),
            };
            if (signedIn.FindFirst(organizationClaim)?.Value is { Length: > 0 } organization)
            {
                claims.Add(new Claim(ConsoleClaims.Organization, organization));
            }

            claims.AddRange(signedIn.FindAll(rolesClaim).Select(r => new Claim(ConsoleClaims.Role, r.Value)));
            context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, context.Scheme.Name, ConsoleClaims.Name, ConsoleClaims.Role));
            return Task.CompletedTask;
        };
    }

    /// <summary>
    /// The console's own endpoints. Sign-out is a POST with an anti-forgery token (a form field), so no
    /// other site can sign a user out; <see cref="AntiforgeryRequired"/> refuses a POST without a valid one (400).
    /// </summary>
    public static void MapSignInEndpoints(this WebApplication app)
    {
        var oidc = app.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(OpenIdConnectDefaults.AuthenticationScheme).GetAwaiter().GetResult() is not null;
        app.MapGet(SignInPath, (string? returnUrl) => oidc
            ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalUrl(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme])
            : Results.Redirect($"{LocalSignIn.Path}?returnUrl={Uri.EscapeDataString(LocalUrl(returnUrl))}"))
            .AllowAnonymous();

        app.MapPost(SignOutPath, async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signed-out");
        }).AllowAnonymous().DisableAntiforgery().AddEndpointFilter(AntiforgeryRequired);

        if (app.Environment.IsDevelopment() && !oidc)
        {
            LocalSignIn.Map(app);
        }
    }

    /// <summary>Refuses a form POST whose anti-forgery token is missing or invalid, with 400.</summary>
    internal static async ValueTask<object?> AntiforgeryRequired(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var antiforgery = context.HttpContext.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context.HttpContext))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form's anti-forgery token is missing or invalid.");
        }

        return await next(context);
    }

    /// <summary>Only a path on this site: an open redirect would let a link send a signed-in user anywhere.</summary>
    public static string LocalUrl(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}

/// <summary>The claims of the console's session cookie.</summary>
internal static class ConsoleClaims
{
    public const string ApiToken = "clusterplatform:api-token";
    public const string Name = "name";

    /// <summary>The Api token's subject: a break-glass certificate's subject is derived from it (BreakGlassSubject).</summary>
    public const string Subject = "sub";
    public const string Organization = "org";
    public const string Role = "role";
}
