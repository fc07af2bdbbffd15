using System.Diagnostics;
using System.Globalization;

namespace ClusterPlatform.Benchmarks;

/// <summary>A process's resident memory as Linux accounts it.</summary>
internal sealed record MemoryResult(string Process, double PeakRssMb, double RssMb);

internal static class ProcessMemory
{
    /// <summary>
    /// VmHWM is the kernel's own high-water mark of the resident set since the process started, so
    /// read once at the end it is the peak over the whole run, with no sample to miss.
    /// </summary>
    public static MemoryResult Read(string name, Process process)
    {
        var status = File.ReadAllLines($"/proc/{process.Id}/status");
        double Megabytes(string field) =>
            long.Parse(status.Single(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(),
                CultureInfo.InvariantCulture) / 1024.0;
        return new MemoryResult(name, Megabytes("VmHWM"), Megabytes("VmRSS"));
    }
}
