namespace ClusterPlatform.Api.Identity;

/// <summary>
/// <c>Authentication:Google</c>: controllers authenticate with Google-signed OIDC ID tokens of their
/// service accounts. Only listed accounts get the controller role, under the name they map to.
/// </summary>
internal sealed class GoogleServiceAccountOptions
{
    public const string Section = "Authentication:Google";
    public const string Scheme = "Google";

    /// <summary>Google's two spellings of its ID tokens' issuer.</summary>
    public static readonly string[] Issuers = ["https://accounts.google.com", "accounts.google.com"];

    /// <summary>The audience the controllers request their ID tokens for (the Api's URL, say). Unset: no Google tokens are accepted.</summary>
    public string? Audience { get; set; }

    /// <summary>Where Google's signing keys are found (its OIDC discovery document).</summary>
    public string MetadataAddress { get; set; } = "https://accounts.google.com/.well-known/openid-configuration";

    /// <summary>Only a local key server in tests is plain HTTP.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// Controller name to its service account's email, e.g. placement-controller =
    /// placement@proj.iam.gserviceaccount.com. Keyed by controller because configuration keys become
    /// environment variable names, and Kubernetes does not allow an <c>@</c> in those.
    /// </summary>
    public Dictionary<string, string> Controllers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The controller an account acts as; one account serves one controller, so a shared one is refused.</summary>
    public Dictionary<string, string> ControllersByAccount()
    {
        var byAccount = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (controller, account) in Controllers)
        {
            if (!byAccount.TryAdd(account, controller))
            {
                throw new InvalidOperationException(
                    $"{Section}:{nameof(Controllers)} gives {account} to both {byAccount[account]} and {controller}; each controller needs its own service account.");
            }
        }

        return byAccount;
    }
}

/// <summary>
/// <c>Authentication:Users</c>: people (and their tools) sign in at one OIDC authority. The
/// organization and roles come from claims whose names the authority decides.
/// </summary>
internal sealed class OidcUserOptions
{
    public const string Section = "Authentication:Users";
    public const string Scheme = "Users";

    /// <summary>The authority's issuer URL; its discovery document is at /.well-known/openid-configuration. Unset: no user tokens but development ones.</summary>
    public string? Authority { get; set; }

    /// <summary>Overrides the discovery document's address (defaults to the authority's).</summary>
    public string? MetadataAddress { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    public string? Audience { get; set; }

    /// <summary>The claim that carries the caller's organization.</summary>
    public string OrganizationClaim { get; set; } = ApiClaims.Organization;

    /// <summary>The claim (a string or an array) that carries the caller's roles; values other than docs/api.md's roles are ignored.</summary>
    public string RolesClaim { get; set; } = "roles";
}
