using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClusterPlatform.Controllers.Providers;

public static class ReleaseImageProviderRegistration
{
    /// <summary>
    /// Registers <see cref="IReleaseImageProvider"/> for <paramref name="mode"/> and binds
    /// <see cref="UpdateGraphOptions"/> from <paramref name="providersSection"/>'s <c>UpdateGraph</c>.
    /// </summary>
    /// <param name="providersSection">The <c>Providers</c> configuration section.</param>
    public static IServiceCollection AddReleaseImageProvider(this IServiceCollection services, IConfiguration providersSection, ProviderMode mode)
    {
        ArgumentNullException.ThrowIfNull(providersSection);
        services.AddOptions<UpdateGraphOptions>()
            .Bind(providersSection.GetSection(UpdateGraphOptions.Section))
            .Validate(o => o.Url.IsAbsoluteUri, "Providers:UpdateGraph:Url must be absolute")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Architecture), "Providers:UpdateGraph:Architecture is required")
            .Validate(o => o.CacheTtl >= TimeSpan.Zero && o.RetryAfterFailure >= TimeSpan.Zero && o.Timeout > TimeSpan.Zero, "Providers:UpdateGraph durations must not be negative");

        if (mode == ProviderMode.Simulated)
        {
            services.AddSingleton<IReleaseImageProvider, SimulatedReleaseImageProvider>();
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<UpdateGraphCache>();
        services.AddUpdateGraphClient();
        services.AddTransient<IReleaseImageProvider, CincinnatiReleaseImageProvider>();
        return services;
    }
}
