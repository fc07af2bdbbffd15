namespace ClusterPlatform.Contracts;

/// <summary>
/// Whether the platform moves the cluster to newer patches of its minor by itself, and when. Always
/// complete in responses: a create or PUT that leaves it out gets <c>{automaticPatchUpgrades: false,
/// maintenanceWindow: null}</c>.
/// </summary>
/// <param name="AutomaticPatchUpgrades">Opt in: inside the window the platform upgrades one patch step at a time.</param>
/// <param name="MaintenanceWindow">When automatic upgrades may start; required when they are on.</param>
public sealed record UpgradePolicy(bool AutomaticPatchUpgrades, MaintenanceWindow? MaintenanceWindow);

/// <summary>
/// A weekly window: it opens on each of <paramref name="Days"/> at <paramref name="StartTime"/> in
/// <paramref name="TimeZone"/> and stays open <paramref name="DurationHours"/> hours, possibly past midnight.
/// </summary>
/// <param name="Days">English day names, <c>Monday</c>..<c>Sunday</c>, each at most once: the days the window opens.</param>
/// <param name="StartTime">Local time the window opens, <c>HH:MM</c> (24-hour).</param>
/// <param name="DurationHours">1..24.</param>
/// <param name="TimeZone">An IANA time zone id such as <c>Europe/Berlin</c> or <c>UTC</c>.</param>
public sealed record MaintenanceWindow(IReadOnlyList<string> Days, string StartTime, int DurationHours, string TimeZone);
