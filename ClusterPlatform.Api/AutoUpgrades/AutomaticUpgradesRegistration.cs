namespace ClusterPlatform.Api.AutoUpgrades;

internal static class AutomaticUpgradesRegistration
{
    /// <summary>Automatic patch upgrades: the settings (section <c>AutomaticUpgrades</c>), the store and the hosted service.</summary>
    public static IServiceCollection AddAutomaticUpgrades(this IServiceCollection services)
    {
        services.AddOptions<AutomaticUpgradesOptions>().BindConfiguration(AutomaticUpgradesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AutomaticUpgradeStore>();
        services.AddSingleton<AutomaticUpgrades>();
        services.AddHostedService(provider => provider.GetRequiredService<AutomaticUpgrades>());
        return services;
    }
}
