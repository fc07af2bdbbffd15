using System.Text.RegularExpressions;

namespace ClusterPlatform.Api.Validation;

/// <summary>
/// <c>spec.upgradePolicy</c> of a cluster create or update: whether the platform upgrades patches by
/// itself (AutoUpgrades/AutomaticUpgrades.cs) and the weekly window it may do so in. Left out (or
/// <c>null</c>) it is <see cref="None"/>, so every stored spec and every response carries a complete policy.
/// </summary>
internal static partial class UpgradePolicyRequests
{
    public const string Field = "upgradePolicy";

    /// <summary>The policy of a spec that names none: no automatic upgrades, no window.</summary>
    public static readonly UpgradePolicy None = new(false, null);

    /// <summary>The English day names a window opens on, in ISO order (Monday first).</summary>
    public static readonly IReadOnlyList<string> DayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    internal const string StartTimePattern = "^([01][0-9]|2[0-3]):[0-5][0-9]\\z";

    // The shape of an IANA id (tzdata's Theory file: names of ASCII letters, digits, '.', '-', '_' and
    // '+' separated by '/'); it keeps spaces (Windows ids) and path tricks ('..', leading '/') out before
    // the system's time zone database is asked.
    internal const string TimeZonePattern = "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9][A-Za-z0-9_+-]*)*\\z";

    /// <summary>The longest id accepted; tzdata's longest is 32 characters (America/Argentina/ComodRivadavia).</summary>
    public const int MaxTimeZoneLength = 64;

    public const int MinDurationHours = 1;
    public const int MaxDurationHours = 24;

    private static readonly string[] Fields = ["automaticPatchUpgrades", "maintenanceWindow"];
    private static readonly string[] WindowFields = ["days", "startTime", "durationHours", "timeZone"];

    /// <summary>Reads <c>upgradePolicy</c> of <paramref name="spec"/> (at <paramref name="specPath"/>), recording every violation.</summary>
    public static UpgradePolicy Parse(JsonFields fields, JsonElement spec, string specPath)
    {
        var path = JsonFields.Join(specPath, Field);
        if (fields.Object(spec, Field, specPath, required: false, Fields) is not { } policy)
        {
            return None;
        }

        var automatic = Bool(fields, policy, "automaticPatchUpgrades", path) ?? false;
        var window = ParseWindow(fields, policy, path);
        if (automatic && window is null && fields.Child(policy, "maintenanceWindow", path, required: false) is null)
        {
            fields.Errors.Add(JsonFields.Join(path, "maintenanceWindow"), "is required when automaticPatchUpgrades is true");
        }

        return new UpgradePolicy(automatic, window);
    }

    /// <summary>The time zone of a validated window; null when this system's time zone database lacks it (or it is not an IANA id).</summary>
    public static TimeZoneInfo? FindTimeZone(string id) =>
        id.Length <= MaxTimeZoneLength && TimeZoneId().IsMatch(id)
            && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId
            ? zone
            : null;

    private static MaintenanceWindow? ParseWindow(JsonFields fields, JsonElement policy, string policyPath)
    {
        var path = JsonFields.Join(policyPath, "maintenanceWindow");
        if (fields.Object(policy, "maintenanceWindow", policyPath, required: false, WindowFields) is not { } window)
        {
            return null;
        }

        var days = Days(fields, window, path);
        var startTime = fields.String(window, "startTime", path, required: true);
        if (startTime is not null && !StartTime().IsMatch(startTime))
        {
            fields.Errors.Add(JsonFields.Join(path, "startTime"), "must be a 24-hour time HH:MM, e.g. 02:30");
        }

        var duration = fields.Int(window, "durationHours", path, required: true);
        FieldRules.Range(duration, JsonFields.Join(path, "durationHours"), MinDurationHours, MaxDurationHours, fields.Errors);

        var timeZone = fields.String(window, "timeZone", path, required: true);
        if (timeZone is not null && FindTimeZone(timeZone) is null)
        {
            fields.Errors.Add(JsonFields.Join(path, "timeZone"), "must be an IANA time zone id, e.g. Europe/Berlin or UTC");
        }

        return days is null || startTime is null || duration is null || timeZone is null
            ? null
            : new MaintenanceWindow(days, startTime, duration.Value, timeZone);
    }

    /// <summary>1–7 distinct English day names; reported per item.</summary>
    private static List<string>? Days(JsonFields fields, JsonElement window, string windowPath)
    {
        var path = JsonFields.Join(windowPath, "days");
        if (fields.Child(window, "days", windowPath, required: true) is not { } days)
        {
            return null;
        }

        if (days.ValueKind != JsonValueKind.Array || days.GetArrayLength() is 0 or > 7)
        {
            fields.Errors.Add(path, "must be an array of 1 to 7 day names (Monday..Sunday)");
            return null;
        }

        var names = new List<string>();
        var index = 0;
        foreach (var day in days.EnumerateArray())
        {
            var itemPath = $"{path}[{index++}]";
            if (day.ValueKind != JsonValueKind.String || day.GetString() is not { } name || !DayNames.Contains(name))
            {
                fields.Errors.Add(itemPath, $"must be one of {string.Join(", ", DayNames)}");
            }
            else if (names.Contains(name))
            {
                fields.Errors.Add(itemPath, $"repeats {name}; each day at most once");
            }
            else
            {
                names.Add(name);
            }
        }

        return names.Count == days.GetArrayLength() ? names : null;
    }

    private static bool? Bool(JsonFields fields, JsonElement parent, string name, string path)
    {
        if (fields.Child(parent, name, path, required: false) is not { } value)
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            fields.Errors.Add(JsonFields.Join(path, name), "must be a boolean");
            return null;
        }

        return value.GetBoolean();
    }

    [GeneratedRegex(StartTimePattern)]
    private static partial Regex StartTime();

    [GeneratedRegex(TimeZonePattern)]
    private static partial Regex TimeZoneId();
}
