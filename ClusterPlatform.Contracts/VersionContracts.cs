namespace ClusterPlatform.Contracts;

/// <summary>
/// One OpenShift version the platform offers in a channel group (<c>GET /api/v1/versions</c>).
/// <paramref name="EndOfLife"/> is null while it is not known: the update graph does not carry it.
/// <paramref name="ReleaseImage"/> is the release payload by digest, as the update graph serves it.
/// </summary>
public sealed record OpenShiftVersion(string Version, string ChannelGroup, bool Enabled, bool Default, DateTimeOffset? EndOfLife, string ReleaseImage);

/// <summary>The body of <c>PUT /api/v1/versions/{version}</c>: an admin's enable or disable.</summary>
public sealed record OpenShiftVersionUpdate(bool Enabled);

/// <summary>
/// <c>GET /api/v1/clusters/{id}/upgrades</c>: the versions a cluster can be upgraded to from the version
/// it runs (<paramref name="Current"/>, null until HyperShift reports one, and then no items).
/// </summary>
public sealed record ClusterUpgradeList(string Kind, string? Current, string ChannelGroup, IReadOnlyList<ClusterUpgrade> Items);

/// <summary>One upgrade target: an enabled version with an update-graph edge from the current one. <paramref name="Type"/> is <c>patch</c> or <c>minor</c>.</summary>
public sealed record ClusterUpgrade(string Version, string Type, string ReleaseImage);
