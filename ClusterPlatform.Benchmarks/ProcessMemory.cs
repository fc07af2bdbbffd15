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
        var status = Status(process.Id) ?? throw new InvalidOperationException($"The {name} process ({process.Id}) has exited.");
        return new MemoryResult(name, Megabytes(status, "VmHWM"), Megabytes(status, "VmRSS"));
    }

    /// <summary>
    /// The resident set now of a process and all its descendants, in MB: the emulator is a shell
    /// script that runs Java as its child. Null once the process has exited.
    /// </summary>
    public static double? TreeRssMb(Process process)
    {
        if (Status(process.Id) is not { } root)
        {
            return null;
        }

        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse after its ')'.
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && TryRead(Path.Combine(dir, "stat")) is { } stat
                && stat[(stat.LastIndexOf(')') + 2)..].Split(' ') is [_, var ppid, ..])
            {
                var parent = int.Parse(ppid, CultureInfo.InvariantCulture);
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
        }

        var total = Megabytes(root, "VmRSS");
        var pending = new Queue<int>(children.GetValueOrDefault(process.Id) ?? []);
        while (pending.TryDequeue(out var pid))
        {
            total += Status(pid) is { } status ? Megabytes(status, "VmRSS") : 0;
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Enqueue(child);
            }
        }

        return total;
    }

    private static string[]? Status(int pid) => TryRead($"/proc/{pid}/status")?.Split('\n');

    // A process may exit between listing /proc and reading its files.
    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Kernel threads and zombies have no VmRSS line.
    private static double Megabytes(string[] status, string field) =>
        status.FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal)) is { } line
            ? long.Parse(line[(field.Length + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) / 1024.0
            : 0;
}
