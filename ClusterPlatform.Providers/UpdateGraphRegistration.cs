using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Providers;

internal static class UpdateGraphRegistration
{
    /// <summary>
    /// The typed <see cref="UpdateGraphClient"/>, with <see cref="UpdateGraphOptions.Timeout"/> per
    /// request. The caller binds <see cref="UpdateGraphOptions"/> from its own settings.
    /// </summary>
    public static IServiceCollection AddUpdateGraphClient(this IServiceCollection services)
    {
        // Singletons (the HyperShift provider, the catalog's graph) hold the client for good; the
        // factory then never swaps the handler, so connections are recycled by the handler itself
        // to follow DNS changes of api.openshift.com.
        services.AddHttpClient<UpdateGraphClient>((services, http) => http.Timeout = services.GetRequiredService<IOptions<UpdateGraphOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services;
    }
}
