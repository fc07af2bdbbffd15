using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace ClusterPlatform.WebConsole.Api;

internal static class ConsoleApiRegistration
{
    public static void AddConsoleApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ApiConnection>();
        var http = services.AddHttpClient<ConsoleApi>(http => http.BaseAddress = new Uri(configuration["Console:ApiBaseAddress"] ?? "http://api"));
        foreach (var handler in KiotaHandlers())
        {
            http.AddHttpMessageHandler(() => handler());
        }

        services.Configure<ConsoleOptions>(configuration.GetSection(ConsoleOptions.Section));
        services.Configure<PlatformSettings>(configuration.GetSection(PlatformSettings.Section));
    }

    /// <summary>
    /// The Kiota middleware the console's client needs, inside ServiceDefaults' service discovery and
    /// standard resilience handler (ConfigureHttpClientDefaults). Only headers inspection, which gives
    /// <see cref="ClusterPlatform.Client.ResponseETag"/> its value. Not Kiota's retry handler: the resilience
    /// handler already retries 5xx, 429 and timeouts, and a second layer would multiply the attempts (and a
    /// create's load) under an outage. Not its redirect handler: the Api does not redirect, and
    /// HttpClientHandler follows one itself (dropping the Authorization header). The tests build FakeApi's
    /// client from this list, so what they prove is what runs.
    /// </summary>
    public static IReadOnlyList<Func<DelegatingHandler>> KiotaHandlers() => [() => new HeadersInspectionHandler()];
}
