using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>Latency and transient failures shared by the simulated providers (see <see cref="SimulationOptions"/>).</summary>
internal sealed class SimulatedFaults(IOptions<ProviderOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, int> attempts = new(StringComparer.Ordinal);
    private readonly Regex? transientPattern = Pattern(options.Value.Simulation.TransientFailurePattern);
    private readonly Regex? permanentPattern = Pattern(options.Value.Simulation.PermanentFailurePattern);

    private SimulationOptions Options => options.Value.Simulation;

    /// <summary>Waits the configured latency, then throws a transient failure when this attempt is chosen to fail.</summary>
    public async Task BeforeCallAsync(string operation, string clusterName, CancellationToken cancellationToken)
    {
        await DelayAsync(cancellationToken);

        var key = $"{operation}|{clusterName}";
        var attempt = attempts.AddOrUpdate(key, 1, (_, previous) => previous + 1);
        if (transientPattern?.IsMatch(clusterName) == true && attempt <= Options.TransientFailureCount)
        {
            throw new ProviderException(
                $"simulated transient failure of {operation} for cluster {clusterName} (attempt {attempt} of {Options.TransientFailureCount} that fail)",
                transient: true);
        }

        if (Options.TransientFailureRate > 0 && StableFraction($"{key}|{attempt}") < Options.TransientFailureRate)
        {
            throw new ProviderException(
                $"simulated transient failure of {operation} for cluster {clusterName} (attempt {attempt}, failure rate {Options.TransientFailureRate})",
                transient: true);
        }
    }

    /// <summary>Throws a permanent failure for clusters matching <see cref="SimulationOptions.PermanentFailurePattern"/>.</summary>
    public void ThrowIfRefused(string operation, string clusterName)
    {
        if (permanentPattern?.IsMatch(clusterName) == true)
        {
            throw new ProviderException($"simulated permanent failure of {operation} for cluster {clusterName}: the management cluster refuses it", transient: false);
        }
    }

    /// <summary>Counts the calls of one operation for one cluster, from 1.</summary>
    public int Attempt(string operation, string clusterName) => attempts.AddOrUpdate($"{operation}|{clusterName}|count", 1, (_, previous) => previous + 1);

    public Task DelayAsync(CancellationToken cancellationToken) =>
        Options.Latency > TimeSpan.Zero ? Task.Delay(Options.Latency, time, cancellationToken) : Task.CompletedTask;

    public static Regex? Pattern(string? pattern) =>
        string.IsNullOrEmpty(pattern) ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>FNV-1a: string.GetHashCode is randomized per process, which would make runs differ.</summary>
    private static double StableFraction(string value)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash / (double)uint.MaxValue;
    }
}
