using System.Globalization;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// vCPUs of a Compute Engine machine type, for the regional CPU quota check.
/// Rule: the first all-digit segment after the family is the vCPU count, which holds for the
/// predefined types (<c>n2-standard-4</c> → 4, <c>e2-highmem-16</c> → 16, <c>c3-standard-4-lssd</c> → 4)
/// and for custom types (<c>n2-custom-8</c> and <c>n2-custom-8-32768</c> → 8). Shared-core types have
/// no number and count their nominal vCPUs (e2-micro/small/medium → 2, f1-micro/g1-small → 1), which
/// errs on the side of asking for more quota. Anything else (e.g. <c>a2-highgpu-1g</c>) is unknown.
/// </summary>
public static class MachineTypes
{
    private static readonly Dictionary<string, int> SharedCore = new(StringComparer.Ordinal)
    {
        ["e2-micro"] = 2,
        ["e2-small"] = 2,
        ["e2-medium"] = 2,
        ["f1-micro"] = 1,
        ["g1-small"] = 1,
    };

    /// <summary>The vCPUs of one machine, or null when the type does not follow the rule.</summary>
    public static int? Vcpus(string machineType)
    {
        if (SharedCore.TryGetValue(machineType, out var shared))
        {
            return shared;
        }

        foreach (var segment in machineType.Split('-').Skip(1))
        {
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                return int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var vcpus) && vcpus > 0 ? vcpus : null;
            }
        }

        return null;
    }
}
