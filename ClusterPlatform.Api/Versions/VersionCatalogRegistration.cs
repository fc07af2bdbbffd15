namespace ClusterPlatform.Api.Versions;

internal static class VersionCatalogRegistration
{
    /// <summary>The catalog's store, its graph (the <c>Versions:Graph</c> setting), its warm-up and background refresher, and the release checks.</summary>
    public static IServiceCollection AddVersionCatalog(this IServiceCollection services)
    {
        services.AddOptions<VersionCatalogOptions>().BindConfiguration(VersionCatalogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<VersionCatalogStore>();
        services.AddSingleton<IVersionGraph, SimulatedVersionGraph>();
        services.AddSingleton<VersionCatalogRefresher>();
        services.AddSingleton<ReleaseChecks>();
        services.AddSingleton<VersionCatalogWarmup>();
        services.AddHostedService(provider => provider.GetRequiredService<VersionCatalogRefresher>());
        return services;
    }
}
