using System.CommandLine.Parsing;
using System.Globalization;

namespace ClusterPlatform.Cli;

/// <summary>Durations as people write them on command lines: <c>90s</c>, <c>30m</c>, <c>8h</c> (or a .NET TimeSpan).</summary>
public static class Duration
{
    public static TimeSpan Parse(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
            }
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        result.AddError($"\"{text}\" is no duration: write e.g. 90s, 30m or 8h.");
        return TimeSpan.Zero;
    }
}
