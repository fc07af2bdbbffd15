using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using ClusterPlatform.Contracts;
using k8s;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// A person's journey through the console in a real Chromium against the whole topology (Api,
/// controllers on simulated providers, PostgreSQL, the emulator): local sign-in, a create refused
/// then fixed, Ready without a reload, a node pool scaled, an upgrade, a break-glass credential
/// issued, downloaded and revoked, delete and gone; and a user of
/// another organization who sees none of it. Every wait is Playwright's auto-retrying expectation.
/// </summary>
public sealed class ConsoleJourneyTests(ConsoleTopologyFixture fixture) : IClassFixture<ConsoleTopologyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_user_creates_watches_scales_upgrades_and_deletes_a_cluster_and_another_organization_sees_none_of_it()
    {
        var organization = Unique("org");
        var name = Unique("web");
        await using var context = await NewContextAsync(1280, 800);
        var page = await context.NewPageAsync();

        await SignInAsync(page, "ada", organization, "user", screenshot: "sign-in");
        await Expect(page.Locator("#no-clusters")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
        await ScreenshotAsync(page, "clusters-empty");

        // The create form: first refused by the Api (a bad project id), the message on its field and nothing lost.
        await page.Locator("#create-cluster").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/clusters/new$"));
        await Expect(page.Locator("#version option")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("#version")).Not.ToHaveValueAsync("");
        await page.Locator("#cluster-name input").FillAsync(name);
        await page.Locator("#project-id input").FillAsync("Not_A_Project");
        await page.Locator("#base-domain input").FillAsync("acme.example.com");
        await page.Locator("#labels input").FillAsync("env=journey");
        await page.Locator("#region").SelectOptionAsync("europe-west1");
        // The oldest version offered (newest come first), so there is an upgrade to take later.
        var oldest = await page.Locator("#version option").Last.GetAttributeAsync("value");
        await page.Locator("#version").SelectOptionAsync(oldest!);
        await page.Locator("#submit-create").ClickAsync();
        await Expect(page.Locator("#project-id-errors")).ToContainTextAsync("GCP project id", new() { Timeout = Ms(Patience) });
        await Expect(page.Locator(".problem")).ToContainTextAsync("Request id");
        await Expect(page.Locator("#cluster-name input")).ToHaveValueAsync(name);
        await Expect(page.Locator("#region")).ToHaveValueAsync("europe-west1");
        await ScreenshotAsync(page, "create-validation-error");

        await page.Locator("#project-id input").FillAsync("acme-journey-1");
        await page.Locator("#submit-create").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/clusters/[0-9a-f-]{36}$"), new() { Timeout = Ms(Patience) });
        var clusterUrl = page.Url;

        // Ready without a reload: a marker set on this document must survive until Ready shows.
        await page.EvaluateAsync("() => window.journeyMarker = 'same-document'");
        await Expect(page.Locator("#overview-phase")).ToHaveTextAsync("Ready", new() { Timeout = Ms(Patience) });
        Assert.Equal("same-document", await page.EvaluateAsync<string>("() => window.journeyMarker"));
        await Expect(page.Locator("#overview")).ToContainTextAsync($"https://api.{name}.acme.example.com");
        var apiUrl = await page.Locator($"#overview a[href^='https://api.{name}.']").GetAttributeAsync("href");
        await ScreenshotAsync(page, "cluster-overview");

        await page.Locator("#tab-controllers").ClickAsync();
        await Expect(page.Locator("[data-controller='placement-controller']")).ToBeVisibleAsync();
        await Expect(page.Locator("#timeline li")).Not.ToHaveCountAsync(0);
        await ScreenshotAsync(page, "cluster-controllers");

        // A second user, of another organization, while the cluster exists: nothing of it, not even by its URL.
        await using (var other = await NewContextAsync(1280, 800))
        {
            var otherPage = await other.NewPageAsync();
            await SignInAsync(otherPage, "bob", Unique("other"), "user");
            await Expect(otherPage.Locator("#no-clusters")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
            await Expect(otherPage.Locator($"tr[data-cluster='{name}']")).ToHaveCountAsync(0);
            await otherPage.GotoAsync(clusterUrl);
            await InteractiveAsync(otherPage);
            await Expect(otherPage.Locator("#cluster-gone")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
            await ScreenshotAsync(otherPage, "other-organization");
        }

        // Scale the node pool in place.
        await page.Locator("#tab-nodepools").ClickAsync();
        var pool = page.Locator("[data-pool='workers']");
        await Expect(pool).ToContainTextAsync("2 replicas", new() { Timeout = Ms(Patience) });
        await page.Locator("#pool-workers-replicas input").FillAsync("3");
        await page.Locator("#pool-workers-apply").ClickAsync();
        await Expect(pool.Locator(".pool-head")).ToContainTextAsync("3 replicas", new() { Timeout = Ms(Patience) });
        await ScreenshotAsync(page, "cluster-node-pools");

        // Upgrade to the first offered version, confirmed, and watch it roll out.
        await page.Locator("#tab-upgrades").ClickAsync();
        var offer = page.Locator("#upgrades li").First;
        await Expect(offer).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
        var target = await offer.GetAttributeAsync("data-version");
        await offer.Locator("fluent-button").ClickAsync();
        await Expect(page.Locator("#upgrade-dialog")).ToContainTextAsync(target!);
        await ScreenshotAsync(page, "cluster-upgrade-confirm");
        await page.Locator("#confirm-upgrade").ClickAsync();
        await page.Locator("#tab-overview").ClickAsync();
        await Expect(page.Locator("#overview-version")).ToContainTextAsync($"desired {target}", new() { Timeout = Ms(Patience) });
        await Expect(page.Locator("#overview-version")).ToContainTextAsync($"current {target}", new() { Timeout = Ms(Patience) });

        // A break-glass credential: the browser makes the key and CSR, the row goes Pending -> Issued by itself,
        // and the kubeconfig downloaded carries the browser's key for the certificate the platform had signed.
        await page.Locator("#tab-access").ClickAsync();
        await Expect(page.Locator("#no-credentials")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
        await page.Locator("#request-credential").ClickAsync();
        var row = page.Locator("#credentials tbody tr").First;
        await Expect(row).ToHaveAttributeAsync("data-status", CredentialStates.Issued, new() { Timeout = Ms(Patience) });
        await ScreenshotAsync(page, "cluster-access");
        var download = await page.RunAndWaitForDownloadAsync(() => row.Locator(".download-kubeconfig").ClickAsync());
        AssertKubeconfig(await File.ReadAllTextAsync((await download.PathAsync())!), apiUrl!, "ada");

        await page.Locator("#revoke-credentials").ClickAsync();
        await Expect(page.Locator("#revoke-dialog")).ToBeVisibleAsync();
        await page.Locator("#confirm-revoke").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-status", CredentialStates.Revoked, new() { Timeout = Ms(Patience) });
        await Expect(page.Locator("#revocation")).ToContainTextAsync(RevocationStates.Completed, new() { Timeout = Ms(Patience) });
        await ScreenshotAsync(page, "cluster-access-revoked");

        // The audit trail: the create, the pool's scale and the upgrade, each by this user.
        await page.Locator("#tab-history").ClickAsync();
        await page.Locator("#load-history").ClickAsync();
        await Expect(page.Locator("#history tbody tr").First).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
        await Expect(page.Locator("#history")).ToContainTextAsync("ada");
        await ScreenshotAsync(page, "cluster-history");

        // Delete with the typed name, then gone from the detail and from the list.
        await page.Locator("#delete-cluster").ClickAsync();
        await Expect(page.Locator("#confirm-delete")).ToHaveAttributeAsync("disabled", new Regex(".*"));
        await page.Locator("#delete-confirm-name input").FillAsync(name);
        await ScreenshotAsync(page, "cluster-delete-confirm");
        await page.Locator("#confirm-delete").ClickAsync();
        await Expect(page.Locator("#cluster-gone")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
        await page.GotoAsync(new Uri(fixture.ConsoleUrl, "/clusters").ToString());
        await InteractiveAsync(page);
        await Expect(page.Locator("#no-clusters")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
        await Expect(page.Locator($"tr[data-cluster='{name}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_admin_sees_the_fleet_and_every_page_fits_390_pixels_and_the_dark_theme()
    {
        await using var context = await NewContextAsync(1280, 800);
        var page = await context.NewPageAsync();
        await SignInAsync(page, "root", Unique("ops"), "admin");
        await page.Locator("nav >> text=Fleet").ClickAsync();
        await Expect(page.Locator("[data-management-cluster]").First).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
        await Expect(page.Locator("[data-management-cluster] fluent-progress").First).ToBeVisibleAsync();
        await ScreenshotAsync(page, "fleet");

        await page.Locator("#theme-toggle").ClickAsync();
        await Expect(page.Locator("#theme-toggle")).ToContainTextAsync("Light theme");
        await page.GotoAsync(new Uri(fixture.ConsoleUrl, "/clusters").ToString());
        await InteractiveAsync(page);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Clusters", new() { Timeout = Ms(Patience) });
        await ScreenshotAsync(page, "clusters-dark");

        await using var phone = await NewContextAsync(390, 844);
        var small = await phone.NewPageAsync();
        await SignInAsync(small, "root", Unique("ops"), "admin");
        foreach (var (path, shot) in new[] { ("/clusters", "clusters-390"), ("/clusters/new", "create-390"), ("/fleet", "fleet-390") })
        {
            await small.GotoAsync(new Uri(fixture.ConsoleUrl, path).ToString());
            await InteractiveAsync(small);
            await Expect(small.Locator("h1")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
            // No layout break: nothing wider than the viewport (a page that scrolls sideways is broken at this width).
            var width = await small.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(width <= 390, $"{path} is {width} px wide at a 390 px viewport.");
            await ScreenshotAsync(small, shot);
        }
    }

    private Task<IBrowserContext> NewContextAsync(int width, int height) =>
        fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = fixture.ConsoleUrl.ToString(), AcceptDownloads = true,
        });

    /// <summary>
    /// The downloaded kubeconfig parses as one, names the cluster's API URL, and its user's certificate is
    /// the break-glass subject of <paramref name="user"/> with the private key filled in by the browser.
    /// </summary>
    private static void AssertKubeconfig(string text, string apiUrl, string user)
    {
        var config = KubernetesYaml.Deserialize<k8s.KubeConfigModels.K8SConfiguration>(text);
        var context = config.Contexts.Single(c => c.Name == config.CurrentContext).ContextDetails;
        Assert.Equal(apiUrl.TrimEnd('/'), config.Clusters.Single(c => c.Name == context.Cluster).ClusterEndpoint.Server.TrimEnd('/'));
        var credentials = config.Users.Single(u => u.Name == context.User).UserCredentials;
        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(
            Encoding.ASCII.GetString(Convert.FromBase64String(credentials.ClientCertificateData))
                .Split("-----", StringSplitOptions.RemoveEmptyEntries)[1].ReplaceLineEndings("")));
        Assert.Equal(BreakGlassSubject.DistinguishedName(user), certificate.SubjectName.Name);
        Assert.Null(credentials.ClientKey);
        using var key = ECDsa.Create();
        key.ImportFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(credentials.ClientKeyData)));
        using var publicKey = certificate.GetECDsaPublicKey()!;
        Assert.Equal(publicKey.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Any page of the console sends a signed-out person to the local sign-in; the form returns them.</summary>
    private async Task SignInAsync(IPage page, string user, string organization, string role, string? screenshot = null)
    {
        await page.GotoAsync(new Uri(fixture.ConsoleUrl, "/clusters").ToString());
        await Expect(page).ToHaveURLAsync(new Regex("/signin/local"), new() { Timeout = Ms(Patience) });
        await page.GetByLabel("User name").FillAsync(user);
        await page.GetByLabel("Organization").FillAsync(organization);
        await page.GetByLabel("Role").SelectOptionAsync(role);
        if (screenshot is not null)
        {
            await ScreenshotAsync(page, screenshot);
        }

        await page.Locator("#sign-in").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/clusters$"), new() { Timeout = Ms(Patience) });
        await Expect(page.Locator("#signed-in-as")).ToContainTextAsync(organization, new() { Timeout = Ms(Patience) });
        await InteractiveAsync(page);
    }

    /// <summary>
    /// Waits for the page's circuit: a page loaded in full is prerendered first, and a click or a typed
    /// value before the circuit runs is lost.
    /// </summary>
    private static async Task InteractiveAsync(IPage page) =>
        await Expect(page.Locator(".shell[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });

    private static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleTopologyFixture.ScreenshotDirectory, $"{name}.png"), FullPage = true });

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
