using ClusterPlatform.Providers;

namespace ClusterPlatform.Api.Versions;

internal static class VersionCatalogRegistration
{
    /// <summary>The catalog's store, the node pool version rules over it, its graph (the <c>Versions:Graph</c> setting), its warm-up and background refresher, and the release checks.</summary>
    public static IServiceCollection AddVersionCatalog(this IServiceCollection services)
    {
        services.AddOptions<VersionCatalogOptions>().BindConfiguration(VersionCatalogOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.GraphUrl.IsAbsoluteUri && (o.GraphUrl.Scheme == Uri.UriSchemeHttps || o.GraphUrl.Scheme == Uri.UriSchemeHttp),
                "Versions:GraphUrl must be an absolute http or https URL")
            .ValidateOnStart();
        services.AddSingleton<VersionCatalogStore>();

        // The client reads where the catalog's settings say; its timeout stays UpdateGraphOptions' default.
        services.AddOptions<UpdateGraphOptions>().Configure<IOptions<VersionCatalogOptions>>((graph, catalog) =>
        {
            graph.Url = catalog.Value.GraphUrl;
            graph.Architecture = catalog.Value.GraphArchitecture;
        });
        services.AddUpdateGraphClient();
        services.AddSingleton<IVersionGraph>(provider => provider.GetRequiredService<IOptions<VersionCatalogOptions>>().Value.Graph == VersionCatalogOptions.Real
            ? ActivatorUtilities.CreateInstance<CincinnatiVersionGraph>(provider)
            : new SimulatedVersionGraph());

        services.AddSingleton<NodePoolVersions>();
        services.AddSingleton<VersionCatalogRefresher>();
        services.AddSingleton<ReleaseChecks>();
        services.AddSingleton<VersionCatalogWarmup>();
        services.AddHostedService(provider => provider.GetRequiredService<VersionCatalogRefresher>());
        return services;
    }
}
