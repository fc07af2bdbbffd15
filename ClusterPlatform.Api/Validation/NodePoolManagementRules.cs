using System.Globalization;
using System.Text.RegularExpressions;

namespace ClusterPlatform.Api.Validation;

/// <summary>
/// A node pool's <c>spec.management</c>, parsed and completed with HyperShift's defaults, by the
/// NodePool CRD's own rules (openshift/hypershift 3ee9615567acffaf3e3ee25c2ca2942d650565cf,
/// <c>cmd/install/assets/crds/hypershift-operator/zz_generated.crd-manifests/nodepools-Default.crd.yaml</c>,
/// <c>spec.management</c>, copied in ClusterPlatform.Tests/Kubernetes/Crds):
/// <list type="bullet">
/// <item><c>upgradeType</c> is <c>Replace</c> or <c>InPlace</c>, and immutable (CEL <c>self == oldSelf</c>,
/// "UpgradeType is immutable"). Left out, it is <c>Replace</c>, what <c>hypershift create nodepool</c>
/// picks for the cloud platforms (<c>cmd/nodepool/core/create.go</c>).</item>
/// <item><c>Replace</c> is a rolling update (<c>replace.rollingUpdate</c>), defaulting to maxSurge 1 and
/// maxUnavailable 0; "This can not be 0 if MaxUnavailable is 0" (and the reverse).</item>
/// <item><c>InPlace</c> has only <c>inPlace.maxUnavailable</c> ("Defaults to 1"; CEL "The 'inPlace' field
/// can only be set when 'upgradeType' is 'InPlace'"), so a maxSurge is refused with it. The controller
/// turns a 0 into 1 (<c>getInPlaceMaxUnavailable</c>, hypershift-operator/controllers/nodepool/capi.go),
/// so the Api refuses 0 rather than store what would not happen.</item>
/// </list>
/// Values are Kubernetes IntOrString written as strings: a whole number up to <see cref="MaxCount"/>
/// or a percentage up to 100%.
/// </summary>
internal static partial class NodePoolManagementRules
{
    public const string Replace = "Replace";
    public const string InPlace = "InPlace";
    public static readonly IReadOnlyList<string> UpgradeTypes = [Replace, InPlace];

    /// <summary>The largest whole number of nodes (the most replicas a pool may have).</summary>
    public const int MaxCount = NodePoolRequests.MaxReplicas;

    /// <summary>The wire form of an IntOrString: digits, optionally a percent sign; the numbers are bounded in code.</summary>
    public const string IntOrPercentPattern = "^(0|[1-9][0-9]{0,2})%?\\z";
    public const int IntOrPercentMaxLength = 4;

    /// <summary>What a pool created without <c>management</c> gets: HyperShift's Replace defaults.</summary>
    public static readonly NodePoolManagement Default = Defaults(Replace);

    private static readonly string[] Fields = ["upgradeType", "maxSurge", "maxUnavailable"];
    private const string Path = "$.spec.management";

    /// <summary>
    /// <c>spec.management</c> completed with the defaults of its upgrade type; <paramref name="kept"/> when
    /// it is left out (a create keeps <see cref="Default"/>, a replace the pool's current settings).
    /// </summary>
    public static NodePoolManagement Parse(JsonFields fields, JsonElement spec, NodePoolManagement kept)
    {
        if (fields.Object(spec, "management", "$.spec", required: false, Fields) is not { } management)
        {
            return kept;
        }

        var upgradeType = fields.String(management, "upgradeType", Path, required: false) ?? Replace;
        if (!UpgradeTypes.Contains(upgradeType))
        {
            fields.Errors.Add($"{Path}.upgradeType", $"must be one of {string.Join(", ", UpgradeTypes)}");
            upgradeType = Replace;
        }

        var defaults = Defaults(upgradeType);
        var maxSurge = fields.String(management, "maxSurge", Path, required: false);
        var maxUnavailable = fields.String(management, "maxUnavailable", Path, required: false) ?? defaults.MaxUnavailable;
        var unavailable = Count(maxUnavailable, $"{Path}.maxUnavailable", fields.Errors);
        if (upgradeType == InPlace)
        {
            if (maxSurge is not null)
            {
                fields.Errors.Add($"{Path}.maxSurge", "applies only to upgradeType Replace: an in-place upgrade adds no nodes");
            }

            if (unavailable == 0)
            {
                fields.Errors.Add($"{Path}.maxUnavailable", "must be at least 1 (or a percentage) for upgradeType InPlace");
            }

            return new NodePoolManagement(upgradeType, null, maxUnavailable);
        }

        maxSurge ??= defaults.MaxSurge;
        if (Count(maxSurge, $"{Path}.maxSurge", fields.Errors) == 0 && unavailable == 0)
        {
            fields.Errors.Add(Path, "maxSurge and maxUnavailable cannot both be 0: the rolling update could never proceed");
        }

        return new NodePoolManagement(upgradeType, maxSurge, maxUnavailable);
    }

    /// <summary>A replace or patch that changes the upgrade type: refused, as HyperShift's CRD refuses it.</summary>
    public static void RequireSameUpgradeType(NodePoolManagement given, NodePoolManagement current, ValidationErrors errors)
    {
        if (given.UpgradeType != current.UpgradeType)
        {
            errors.Add($"{Path}.upgradeType", "is immutable");
        }
    }

    /// <summary>The CRD's defaults for <paramref name="upgradeType"/>.</summary>
    private static NodePoolManagement Defaults(string upgradeType) =>
        upgradeType == InPlace ? new NodePoolManagement(InPlace, null, "1") : new NodePoolManagement(Replace, "1", "0");

    /// <summary>The number an IntOrString names (its percentage for one), or null after reporting why it is invalid.</summary>
    private static int? Count(string? value, string path, ValidationErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        if (!IntOrPercent().IsMatch(value))
        {
            errors.Add(path, "must be a whole number of nodes or a percentage, as a string: \"1\" or \"25%\"");
            return null;
        }

        var percent = value.EndsWith('%');
        var number = int.Parse(percent ? value[..^1] : value, CultureInfo.InvariantCulture);
        var max = percent ? 100 : MaxCount;
        if (number > max)
        {
            errors.Add(path, percent ? "must not exceed 100%" : string.Create(CultureInfo.InvariantCulture, $"must not exceed {MaxCount}"));
            return null;
        }

        return number;
    }

    [GeneratedRegex(IntOrPercentPattern)]
    private static partial Regex IntOrPercent();
}
