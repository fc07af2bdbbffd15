using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ClusterPlatform.Tests.Topology;
using Microsoft.Playwright;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The whole topology with the console, and a real Chromium (Debian's <c>chromium</c> package, at
/// <see cref="ChromiumPath"/>; Playwright cannot download its own browsers here) driven by Playwright.
/// Screenshots go to <c>artifacts/console/</c> at the repository root, for CI to keep.
/// </summary>
public sealed class ConsoleTopologyFixture : TopologyFixture, IAsyncLifetime, IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser has not started.");

    public Uri ConsoleUrl { get; private set; } = default!;

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "console");

    protected override void Configure(IDistributedApplicationTestingBuilder appHost) =>
        // The local sign-in exists only in Development.
        appHost.CreateResourceBuilder<ProjectResource>(ResourceNames.Console).WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development");

    public new async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"The console's browser tests need Chromium at {ChromiumPath} (apt-get install -y chromium).");
        await base.InitializeAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await WaitUntilHealthyAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Console, timeout.Token);
        ConsoleUrl = App.GetEndpoint(ResourceNames.Console, "http");
        Directory.CreateDirectory(ScreenshotDirectory);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
    }

    public new async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        await base.DisposeAsync();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClusterPlatform.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? AppContext.BaseDirectory;
    }
}
