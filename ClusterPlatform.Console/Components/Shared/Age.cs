namespace ClusterPlatform.WebConsole.Components.Shared;

/// <summary>How long ago, as a short human reading ("5m", "3h", "2d").</summary>
public static class Age
{
    public static string Since(DateTime then, DateTime now)
    {
        var age = now - then;
        return age.TotalMinutes < 1 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
