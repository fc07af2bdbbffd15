using System.CommandLine;
using ClusterPlatform.Client.Models;

namespace ClusterPlatform.Cli.Commands;

/// <summary><c>cpctl cluster upgrades</c> (where it can go now) and <c>cpctl cluster upgrade --to</c>.</summary>
public static class UpgradeCommands
{
    public static Command Upgrades(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var target = new Argument<string>("cluster") { Description = "The cluster's name or id." };
        return runner.Bind(new Command("upgrades", "The versions the cluster can be upgraded to now.") { target }, async (s, ct) =>
        {
            var cluster = await Resolver.ClusterAsync(s, s.Value(target), ct);
            var list = await s.Client.Api.V1.Clusters[cluster.Id!.Value].Upgrades.GetAsync(cancellationToken: ct);
            await s.Printer.WriteListAsync("UpgradeList", list!.Items!, Tables.Upgrades(), Tables.Row);
            return ExitCodes.Success;
        });
    }

    public static Command Upgrade(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var target = new Argument<string>("cluster") { Description = "The cluster's name or id." };
        var to = new Option<string>("--to") { Description = "The version to upgrade to (`cpctl cluster upgrades`).", Required = true };
        var wait = new Option<bool>("--wait") { Description = "Wait until HyperShift reports the version completed." };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long --wait waits (default 1h).", CustomParser = Duration.Parse, DefaultValueFactory = _ => TimeSpan.FromHours(1) };
        return runner.Bind(new Command("upgrade", "Upgrade the cluster's control plane.") { target, to, wait, timeout }, async (s, ct) =>
        {
            var cluster = await Resolver.ClusterAsync(s, s.Value(target), ct);
            // A merge patch of just the version: the rest of the spec stays as the Api holds it.
            var patched = await s.Client.Api.V1.Clusters[cluster.Id!.Value].PatchAsync(
                new ClusterUpdateRequestPatch { Spec = new ClusterSpecPatch { Release = new ReleaseSpecPatch { Version = s.Value(to) } } },
                cancellationToken: ct);
            s.Out.WriteLine($"cluster {patched!.Name} upgrading to {patched.Spec?.Release?.Version}");
            return s.Value(wait) ? await new ClusterWaiter(s).WaitAsync(cluster.Id.Value, WaitTarget.Upgraded, s.Value(timeout), ct) : ExitCodes.Success;
        });
    }
}
