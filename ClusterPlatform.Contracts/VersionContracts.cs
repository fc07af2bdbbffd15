namespace ClusterPlatform.Contracts;

/// <summary>
/// One OpenShift version the platform offers in a channel group (<c>GET /api/v1/versions</c>).
/// <paramref name="EndOfLife"/> is null while it is not known: the update graph does not carry it.
/// <paramref name="ReleaseImage"/> is the release payload by digest, as the update graph serves it.
/// </summary>
public sealed record OpenShiftVersion(string Version, string ChannelGroup, bool Enabled, bool Default, DateTimeOffset? EndOfLife, string ReleaseImage);

/// <summary>The body of <c>PUT /api/v1/versions/{version}</c>: an admin's enable or disable.</summary>
public sealed record OpenShiftVersionUpdate(bool Enabled);
