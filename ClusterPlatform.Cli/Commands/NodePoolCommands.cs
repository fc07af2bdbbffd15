using System.CommandLine;
using ClusterPlatform.Client;
using ClusterPlatform.Client.Models;

namespace ClusterPlatform.Cli.Commands;

/// <summary><c>cpctl nodepool create|list|get|scale|autoscale|delete</c>.</summary>
public static class NodePoolCommands
{
    private static Argument<string> NameOrId() => new("nodepool") { Description = "The node pool's name or id." };

    private static Option<string?> ClusterOption(bool required = false) => new("--cluster", "-c")
    {
        Description = "The cluster's name or id" + (required ? "." : " (a pool's name is unique within its cluster)."),
        Required = required,
    };

    public static Command Create(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var pools = new Command("nodepool", "Create, read, scale and delete node pools.");
        pools.Subcommands.Add(CreatePool(runner));
        pools.Subcommands.Add(List(runner));
        pools.Subcommands.Add(Get(runner));
        pools.Subcommands.Add(Scale(runner));
        pools.Subcommands.Add(Autoscale(runner));
        pools.Subcommands.Add(Delete(runner));
        return pools;
    }

    private static Command CreatePool(CommandRunner runner)
    {
        var name = new Argument<string>("name") { Description = "The pool's name (3-30 lower-case letters, digits, '-')." };
        var cluster = ClusterOption(required: true);
        var replicas = new Option<int?>("--replicas") { Description = "A fixed number of nodes (0-500)." };
        var min = new Option<int?>("--min") { Description = "Autoscaling: the fewest nodes." };
        var max = new Option<int?>("--max") { Description = "Autoscaling: the most nodes." };
        var machineType = new Option<string>("--machine-type") { Description = "The GCE machine type.", DefaultValueFactory = _ => "n2-standard-4" };
        var disk = new Option<int?>("--disk-size") { Description = "The boot disk in GB (default 128)." };
        var version = new Option<string?>("--version") { Description = "The OpenShift version (default: the control plane's)." };
        var labels = new Option<string[]>("--label", "-l") { Description = "A label k=v; repeatable." };
        var command = new Command("create", "Create a node pool: --replicas N, or --min and --max to autoscale.") { name, cluster, replicas, min, max, machineType, disk, version, labels };
        return runner.Bind(command, async (s, ct) =>
        {
            var owner = await Resolver.ClusterAsync(s, s.Value(cluster)!, ct);
            var request = new NodePoolCreateRequest
            {
                ClusterId = owner.Id,
                Name = s.Value(name),
                Spec = new NodePoolSpec { MachineType = s.Value(machineType), DiskSizeGb = s.Value(disk), Version = s.Value(version) },
            };
            (request.Spec.Replicas, request.Spec.Autoscaling) = Size(s.Value(replicas), s.Value(min), s.Value(max));
            foreach (var (key, value) in Labels.Parse(s.Value(labels)))
            {
                request.Labels ??= new NodePoolCreateRequest_labels();
                request.Labels.AdditionalData[key] = value;
            }

            await s.Printer.WriteAsync((await s.Client.Api.V1.Nodepools.PostAsync(request, cancellationToken: ct))!, Tables.NodePool);
            return ExitCodes.Success;
        });
    }

    /// <summary>Exactly one of replicas and autoscaling (docs/api.md, NodePool).</summary>
    private static (int?, AutoscalingSpec?) Size(int? replicas, int? min, int? max) => (replicas, min, max) switch
    {
        ({ } r, null, null) => (r, null),
        (null, { } lo, { } hi) => (null, new AutoscalingSpec { Min = lo, Max = hi }),
        _ => throw new CliException("Give either --replicas N, or both --min and --max."),
    };

    private static Command List(CommandRunner runner)
    {
        var cluster = ClusterOption();
        return runner.Bind(new Command("list", "List node pools, of one cluster or all of your organization's.") { cluster }, async (s, ct) =>
        {
            Guid? clusterId = s.Value(cluster) is { } c ? (await Resolver.ClusterAsync(s, c, ct)).Id : null;
            var items = new List<NodePool>();
            string? next = null;
            do
            {
                var page = await s.Client.Api.V1.Nodepools.GetAsync(r => { r.QueryParameters.Limit = 500; r.QueryParameters.Continue = next; r.QueryParameters.ClusterId = clusterId; }, ct);
                items.AddRange(page!.Items!);
                next = page.Continue;
            }
            while (next is not null);

            await s.Printer.WriteListAsync("NodePoolList", items, Tables.NodePools(), Tables.Row);
            return ExitCodes.Success;
        });
    }

    private static Command Get(CommandRunner runner)
    {
        var target = NameOrId();
        var cluster = ClusterOption();
        return runner.Bind(new Command("get", "Show a node pool.") { target, cluster }, async (s, ct) =>
        {
            await s.Printer.WriteAsync(await Resolver.NodePoolAsync(s, s.Value(target), s.Value(cluster), ct), Tables.NodePool);
            return ExitCodes.Success;
        });
    }

    private static Command Scale(CommandRunner runner)
    {
        var target = NameOrId();
        var cluster = ClusterOption();
        var replicas = new Option<int>("--replicas") { Description = "The number of nodes (turns autoscaling off).", Required = true };
        return runner.Bind(new Command("scale", "Set a fixed number of nodes.") { target, cluster, replicas }, (s, ct) =>
            ReplaceSizeAsync(s, s.Value(target), s.Value(cluster), s.Value(replicas), null, ct));
    }

    private static Command Autoscale(CommandRunner runner)
    {
        var target = NameOrId();
        var cluster = ClusterOption();
        var min = new Option<int>("--min") { Description = "The fewest nodes.", Required = true };
        var max = new Option<int>("--max") { Description = "The most nodes.", Required = true };
        return runner.Bind(new Command("autoscale", "Let the pool scale between --min and --max nodes.") { target, cluster, min, max }, (s, ct) =>
            ReplaceSizeAsync(s, s.Value(target), s.Value(cluster), null, new AutoscalingSpec { Min = s.Value(min), Max = s.Value(max) }, ct));
    }

    /// <summary>The new size by <see cref="NodePoolResize"/>'s read-modify-PUT rule, each retry after a 412 said on stderr.</summary>
    private static async Task<int> ReplaceSizeAsync(Session s, string target, string? cluster, int? replicas, AutoscalingSpec? autoscaling, CancellationToken ct)
    {
        var id = (await Resolver.NodePoolAsync(s, target, cluster, ct)).Id!.Value;
        var replaced = await NodePoolResize.ReplaceSizeAsync(s.Client, id, replicas, autoscaling, (pool, attempt) =>
            s.Error.WriteLine($"node pool {pool.Name} changed since it was read; reading it again (attempt {attempt} of {NodePoolResize.Attempts})"), ct);
        await s.Printer.WriteAsync(replaced, Tables.NodePool);
        return ExitCodes.Success;
    }

    private static Command Delete(CommandRunner runner)
    {
        var target = NameOrId();
        var cluster = ClusterOption();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        return runner.Bind(new Command("delete", "Delete a node pool.") { target, cluster, yes }, async (s, ct) =>
        {
            var pool = await Resolver.NodePoolAsync(s, s.Value(target), s.Value(cluster), ct);
            if (!s.Value(yes) && !s.Confirm($"Delete node pool {pool.Name} ({pool.Id})?"))
            {
                s.Error.WriteLine("not deleted");
                return ExitCodes.Failure;
            }

            await s.Client.Api.V1.Nodepools[pool.Id!.Value].DeleteAsync(cancellationToken: ct);
            s.Out.WriteLine($"node pool {pool.Name} deleting");
            return ExitCodes.Success;
        });
    }
}
