namespace ClusterPlatform.Api.Configuration;

/// <summary>The management-cluster fleet (section <c>Fleet</c>).</summary>
public sealed class FleetOptions
{
    public const string Section = "Fleet";

    /// <summary>Seed one simulated management cluster per supported region into an empty fleet (a local run).</summary>
    public bool SeedLocal { get; set; }
}
