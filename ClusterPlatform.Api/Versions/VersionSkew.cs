using System.Globalization;

namespace ClusterPlatform.Api.Versions;

/// <summary>
/// The one home of the node pool version skew rule: which pool versions a control plane supports.
/// It is HyperShift's own rule, <c>supportedversion.ValidateVersionSkew</c> in openshift/hypershift
/// at 3ee9615567acffaf3e3ee25c2ca2942d650565cf, <c>support/supportedversion/version.go</c>, which the
/// NodePool controller's <c>SupportedVersionSkew</c> condition
/// (<c>hypershift-operator/controllers/nodepool/conditions.go</c>, <c>supportedVersionSkewCondition</c>)
/// and <c>hypershift create nodepool</c> (<c>cmd/nodepool/core/create.go</c>) both apply:
/// <list type="bullet">
/// <item>a pool may not be above the control plane, patch included (4.18.6 with a 4.18.5 control plane is refused);</item>
/// <item>it may be at most three minors below it (n-3: a 4.18 control plane supports 4.18 down to 4.15).</item>
/// </list>
/// The issue said two minors; upstream allows three, and the Api follows upstream (docs/api.md).
/// Like upstream, 5.x counts as 4.(23+x) (OCP 5.0 is 4.23, dual versioning), so the skew spans the major change.
/// The control plane version is HyperShift's: the newest Completed history entry (the cluster's
/// <c>status.version.current</c>), or, before there is one, the version being installed.
/// </summary>
internal static class VersionSkew
{
    /// <summary>Upstream's <c>maxAllowedDiff</c>: how many minors a pool may be behind its control plane.</summary>
    public const int MaxMinorsBehind = 3;

    /// <summary>Upstream's <c>v5MinorOffset</c>: the 4.x minor that is 5.0.</summary>
    private const int V5MinorOffset = 23;

    /// <summary>
    /// Why a pool at <paramref name="pool"/> is outside the skew a control plane at <paramref name="controlPlane"/>
    /// supports, in upstream's words; null when it is inside. Both are MAJOR.MINOR.PATCH.
    /// </summary>
    public static string? Violation(string controlPlane, string pool)
    {
        if (Normalized(controlPlane) is not { } cp || Normalized(pool) is not { } np)
        {
            return $"NodePool version {pool} or HostedCluster version {controlPlane} is not a 4.x or 5.x MAJOR.MINOR.PATCH version.";
        }

        if ((np.Minor, np.Patch).CompareTo((cp.Minor, cp.Patch)) > 0)
        {
            return $"NodePool version {pool} cannot be higher than the HostedCluster version {controlPlane}.";
        }

        if (cp.Minor - np.Minor > MaxMinorsBehind)
        {
            var (minMajor, minMinor) = Denormalized(Math.Max(cp.Minor - MaxMinorsBehind, 0));
            return string.Create(CultureInfo.InvariantCulture,
                $"NodePool minor version {MinorOf(pool)} is less than {minMajor}.{minMinor}, which is the minimum NodePool version compatible with the {MinorOf(controlPlane)} HostedCluster.");
        }

        return null;
    }

    /// <summary>Refuses a node pool at <paramref name="pool"/> under a control plane at <paramref name="controlPlane"/>: 422 <c>version-skew</c>.</summary>
    public static void RequireSupported(string controlPlane, string pool)
    {
        if (Violation(controlPlane, pool) is { } reason)
        {
            throw Refusal($"spec.version {pool} is outside the version skew HyperShift supports with the control plane at {controlPlane}: {reason}");
        }
    }

    /// <summary>
    /// Refuses moving a control plane to <paramref name="target"/> when it would leave any of the cluster's
    /// live <paramref name="pools"/> (name, version) outside the skew: 422 <c>version-skew</c> naming each such pool.
    /// </summary>
    public static void RequireNoneStranded(string target, IEnumerable<(string Name, string Version)> pools)
    {
        var stranded = pools.Select(p => (p.Name, p.Version, Reason: Violation(target, p.Version))).Where(p => p.Reason is not null).ToList();
        if (stranded.Count > 0)
        {
            throw Refusal($"Moving the control plane to {target} would leave node pool(s) outside the version skew HyperShift supports; " +
                $"upgrade or delete them first: {string.Join("; ", stranded.Select(p => $"{p.Name} ({p.Version}): {p.Reason}"))}");
        }
    }

    private static ApiException Refusal(string detail) => ApiException.Unprocessable("version-skew", detail);

    /// <summary>(minor in 4.x numbering, patch), or null for what is not a 4.x or 5.x MAJOR.MINOR.PATCH.</summary>
    private static (int Minor, int Patch)? Normalized(string version)
    {
        var parts = version.Split('.');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var patch))
        {
            return null;
        }

        return major switch
        {
            4 => (minor, patch),
            5 => (minor + V5MinorOffset, patch),
            _ => null,
        };
    }

    private static (int Major, int Minor) Denormalized(int minor) => minor >= V5MinorOffset ? (5, minor - V5MinorOffset) : (4, minor);

    private static string MinorOf(string version) => string.Join('.', version.Split('.').Take(2));
}
