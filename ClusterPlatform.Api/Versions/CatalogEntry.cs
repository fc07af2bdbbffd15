namespace ClusterPlatform.Api.Versions;

/// <summary>A version as one refresh wants it in the catalog (the admin's override is not part of it).</summary>
internal sealed record CatalogEntry(string ChannelGroup, string Version, string Minor, bool GraphEnabled, bool IsDefault, string ReleaseImage, string[] Upgrades);

/// <summary>What one refresh changed: versions new to the catalog, changed, and no longer in the graph.</summary>
internal sealed record CatalogChanges(IReadOnlyList<string> Added, IReadOnlyList<string> Changed, IReadOnlyList<string> Withdrawn);

/// <summary>An update-graph edge's target as the catalog holds it: whether it is enabled, and its release image.</summary>
internal sealed record UpgradeEdge(string Version, bool Enabled, string ReleaseImage);
