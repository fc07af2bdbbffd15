namespace ClusterPlatform.Api.AutoUpgrades;

/// <summary>Automatic patch upgrades (section <c>AutomaticUpgrades</c>).</summary>
public sealed class AutomaticUpgradesOptions
{
    public const string Section = "AutomaticUpgrades";

    /// <summary>
    /// How often the Api looks for clusters inside their maintenance window. A window is whole hours,
    /// so a minute starts an upgrade within a minute of the window opening.
    /// </summary>
    [Positive]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most candidate clusters read per query; a pass pages through all of them.</summary>
    [Positive]
    public int BatchSize { get; set; } = 500;
}
