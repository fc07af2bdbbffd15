namespace ClusterPlatform.WebConsole.Api;

/// <summary>
/// <c>Platform:SupportedRegions</c>: the regions the create form offers. The same key as the Api's
/// (its validation has the final word); the Api serves no settings endpoint to read it from.
/// </summary>
public sealed class PlatformSettings
{
    public const string Section = "Platform";

    public List<string> SupportedRegions { get; set; } = [];
}
