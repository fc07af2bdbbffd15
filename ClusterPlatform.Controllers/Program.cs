using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Controllers;
using ClusterPlatform.Controllers.Providers;
using ClusterPlatform.Controllers.Hosting;
using ClusterPlatform.PubSub;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers;

// An explicit entry point, not top-level statements: ASP.NET Core makes a top-level Program public,
// and it would clash with the Api's Program in the tests, which reference both projects.
internal static class Program
{
    private const string MetadataServerClient = "metadata-server";

    /// <summary>The controllers process: one subscription worker per controller, each on its own subscription.</summary>
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddPubSub();
        builder.Services.AddOptions<ControllerOptions>().BindConfiguration(ControllerOptions.Section)
            .Validate(o => o.MaxConcurrency >= 1, $"{ControllerOptions.Section}:{nameof(ControllerOptions.MaxConcurrency)} must be at least 1.")
            .Validate(o => o.HeldMessages >= o.MaxConcurrency,
                $"{ControllerOptions.Section}:{nameof(ControllerOptions.MaxOutstandingMessages)} must be at least {nameof(ControllerOptions.MaxConcurrency)}: a held event is one handled or waiting for a handler.")
            .ValidateOnStart();
        builder.Services.AddOptions<ControllerAuthOptions>().BindConfiguration(ControllerAuthOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        // All subscriptions stop at once, so each half-closes its stream before the process is killed
        // (an orchestrator waits only so long); one after another, the last would wait behind the
        // grace periods of the others.
        builder.Services.Configure<HostOptions>(host => host.ServicesStopConcurrently = true);
        var developmentKey = builder.Configuration.GetSection(ControllerAuthOptions.Section).Get<ControllerAuthOptions>()?.DevelopmentSigningKey;
        if (!string.IsNullOrEmpty(developmentKey) && !builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{ControllerAuthOptions.Section}:{nameof(ControllerAuthOptions.DevelopmentSigningKey)} is a development token source and is refused outside the Development environment.");
        }

        builder.Services.AddHttpClient(MetadataServerClient, (services, http) =>
            http.BaseAddress = new Uri($"http://{services.GetRequiredService<IOptions<ControllerAuthOptions>>().Value.MetadataServerHost}"));
        builder.Services.AddSingleton<IControllerTokens>(services => services.GetRequiredService<IOptions<ControllerAuthOptions>>().Value switch
        {
            { DevelopmentSigningKey: { Length: > 0 } key } => new DevelopmentControllerTokens(Convert.FromBase64String(key), services.GetRequiredService<TimeProvider>()),
            { Audience: { Length: > 0 } audience } => new MetadataServerControllerTokens(
                services.GetRequiredService<IHttpClientFactory>().CreateClient(MetadataServerClient), audience, services.GetRequiredService<TimeProvider>()),
            _ => new NoControllerTokens(),
        });
        // "api" resolves through service discovery to the Api resource's endpoint.
        builder.Services.AddHttpClient(ControllerApiClient.HttpClientName, http => http.BaseAddress = new Uri("http://api"));
        builder.Services.AddSingleton<ControllerApiClient>();

        builder.AddProviders();
        builder.Services.AddSingleton<ControllerMetrics>();
        builder.Services.AddSingleton<ClusterRequeue>();
        builder.Services.AddSingleton<IClusterEventHandler, EnvironmentValidationController>();
        builder.Services.AddSingleton<IClusterEventHandler, PlacementController>();
        builder.Services.AddSingleton<IClusterEventHandler, DnsManagementController>();
        builder.Services.AddSingleton<IClusterEventHandler, OperatorClientController>();
        // One subscription worker per enabled controller, each on the subscription named after it.
        var enabled = builder.Configuration.GetSection(ControllerOptions.Section).Get<ControllerOptions>()?.Enabled is { Count: > 0 } names
            ? names
            : ControllerNames.All;
        if (enabled.Except(ControllerNames.All).FirstOrDefault() is { } unknown)
        {
            throw new InvalidOperationException($"{ControllerOptions.Section}:{nameof(ControllerOptions.Enabled)} names an unknown controller '{unknown}'; known: {string.Join(", ", ControllerNames.All)}.");
        }

        builder.Services.AddSingleton<DeadLetters>();
        foreach (var name in enabled)
        {
            builder.Services.AddSingleton<IHostedService>(services => new SubscriptionWorker(
                services.GetServices<IClusterEventHandler>().Single(handler => handler.ControllerName == name),
                services.GetRequiredService<PubSubAdmin>(),
                services.GetRequiredService<PubSubSubscriber>(),
                services.GetRequiredService<DeadLetters>(),
                services.GetRequiredService<IOptions<ControllerOptions>>(),
                services.GetRequiredService<IOptions<PubSubOptions>>(),
                services.GetRequiredService<ControllerMetrics>(),
                services.GetRequiredService<ILogger<SubscriptionWorker>>()));
        }

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapSimulatedWorld();
        app.Run();
    }
}
