using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Providers;

public static class ProviderRegistration
{
    /// <summary>
    /// Registers <see cref="IGcpEnvironmentProvider"/>, <see cref="IDnsProvider"/>,
    /// <see cref="IManagementClusterProvider"/> and <see cref="IReleaseImageProvider"/> as chosen by <c>Providers:Mode</c>. The simulated
    /// ones are singletons because their in-memory state is the simulated world.
    /// </summary>
    public static IHostApplicationBuilder AddProviders(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ProviderOptions.Section);
        builder.Services.AddOptions<ProviderOptions>().Bind(section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        var mode = (section.Get<ProviderOptions>() ?? new()).Mode;
        builder.Services.AddReleaseImageProvider(section, mode);

        if (mode == ProviderMode.Simulated)
        {
            builder.Services.AddSingleton<SimulatedFaults>();
            builder.Services.AddSingleton<IGcpEnvironmentProvider, SimulatedGcpEnvironmentProvider>();
            builder.Services.AddSingleton(services => new SimulatedDnsProvider(services.GetRequiredService<SimulatedFaults>()));
            builder.Services.AddSingleton<IDnsProvider>(services => services.GetRequiredService<SimulatedDnsProvider>());
            builder.Services.AddSingleton(services => new SimulatedManagementClusterProvider(
                services.GetRequiredService<IOptions<ProviderOptions>>(), services.GetRequiredService<SimulatedFaults>(), services.GetRequiredService<TimeProvider>()));
            builder.Services.AddSingleton<IManagementClusterProvider>(services => services.GetRequiredService<SimulatedManagementClusterProvider>());
        }
        else
        {
            AddRealProviders(builder.Services);
        }

        return builder;
    }

    private static void AddRealProviders(IServiceCollection services)
    {
        services.AddSingleton<GoogleAccessTokens>();
        services.AddTransient<GoogleAuthHandler>();
        services.AddHttpClient<IGcpEnvironmentProvider, GcpEnvironmentProvider>().AddHttpMessageHandler<GoogleAuthHandler>();
        services.AddHttpClient<IDnsProvider, CloudDnsProvider>().AddHttpMessageHandler<GoogleAuthHandler>();
        services.AddSingleton<IManagementClusterProvider, HyperShiftManagementClusterProvider>();
    }
}
