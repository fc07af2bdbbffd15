namespace ClusterPlatform.WebConsole.Components.Shared;

/// <summary>How long ago, as a short human reading ("5m", "3h", "2d").</summary>
public static class Age
{
    /// <summary>Unknown (the Api did not say) reads as an empty string.</summary>
    public static string Since(DateTimeOffset? then, DateTime now)
    {
        if (then is null)
        {
            return "";
        }

        var age = now - then.Value.UtcDateTime;
        return age.TotalMinutes < 1 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
