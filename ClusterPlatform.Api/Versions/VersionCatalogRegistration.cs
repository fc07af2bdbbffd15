namespace ClusterPlatform.Api.Versions;

internal static class VersionCatalogRegistration
{
    /// <summary>The catalog's store, the node pool version rules over it, its graph (the <c>Versions:Graph</c> setting) and its background refresher.</summary>
    public static IServiceCollection AddVersionCatalog(this IServiceCollection services)
    {
        services.AddOptions<VersionCatalogOptions>().BindConfiguration(VersionCatalogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<VersionCatalogStore>();
        services.AddSingleton<NodePoolVersions>();
        services.AddSingleton<IVersionGraph, SimulatedVersionGraph>();
        services.AddSingleton<VersionCatalogRefresher>();
        services.AddHostedService(provider => provider.GetRequiredService<VersionCatalogRefresher>());
        return services;
    }
}
