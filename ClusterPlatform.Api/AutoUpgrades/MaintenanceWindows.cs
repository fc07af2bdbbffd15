namespace ClusterPlatform.Api.AutoUpgrades;

/// <summary>
/// Whether an instant falls inside a weekly maintenance window. The window opens on each of its days
/// at its start time, local to its time zone, and stays open <c>durationHours</c> elapsed hours, so a
/// window opening Saturday 22:00 for 4 hours is open until Sunday 02:00 (on a daylight-saving night
/// the wall clock then reads 01:00 or 03:00).
/// </summary>
internal static class MaintenanceWindows
{
    /// <summary>
    /// True when <paramref name="now"/> is in <c>[opening, opening + duration)</c> of an opening of
    /// <paramref name="window"/>. Throws <see cref="TimeZoneNotFoundException"/> when this system's time
    /// zone database does not have the window's zone (the Api validated it against its own).
    /// </summary>
    public static bool Contains(MaintenanceWindow window, DateTimeOffset now)
    {
        var zone = UpgradePolicyRequests.FindTimeZone(window.TimeZone)
            ?? throw new TimeZoneNotFoundException($"The time zone database has no IANA zone '{window.TimeZone}'.");
        var start = TimeOnly.ParseExact(window.StartTime, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromHours(window.DurationHours);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        // At most 24 hours long, so only an opening of today or of the two days before can still be open
        // (two: a daylight-saving change can stretch yesterday's local evening).
        for (var daysBack = 0; daysBack <= 2; daysBack++)
        {
            var day = today.AddDays(-daysBack);
            if (!window.Days.Contains(UpgradePolicyRequests.DayNames[((int)day.DayOfWeek + 6) % 7]))
            {
                continue;
            }

            var opening = Opening(day.ToDateTime(start), zone);
            if (opening <= now && now < opening + duration)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The instant a local opening time happens. A time the clocks skip (spring forward) is moved on by
    /// the jump, as .NET's own conversions move it (02:30 in a 02:00→03:00 night opens at 03:30); a time
    /// that happens twice (fall back) opens the first time.
    /// </summary>
    private static DateTimeOffset Opening(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            var before = zone.GetUtcOffset(local.AddHours(-3));
            return new DateTimeOffset(DateTime.SpecifyKind(local - before, DateTimeKind.Utc));
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
