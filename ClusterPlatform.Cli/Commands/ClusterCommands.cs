using System.CommandLine;
using ClusterPlatform.Cli.Output;
using ClusterPlatform.Client.Models;

namespace ClusterPlatform.Cli.Commands;

/// <summary><c>cpctl cluster …</c> and <c>cpctl versions</c>.</summary>
public static class ClusterCommands
{
    private static Argument<string> NameOrId() => new("cluster") { Description = "The cluster's name (in your organization) or id." };

    private static Option<TimeSpan> Timeout(string defaultValue) => new("--timeout")
    {
        Description = $"How long to wait (e.g. 90s, 30m, 1h). Default {defaultValue}.",
        CustomParser = Duration.Parse,
        DefaultValueFactory = _ => TimeSpan.Parse(defaultValue, System.Globalization.CultureInfo.InvariantCulture),
    };

    public static Command Create(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var cluster = new Command("cluster", "Create, read, watch, upgrade and delete clusters.");
        cluster.Subcommands.Add(CreateCluster(runner));
        cluster.Subcommands.Add(List(runner));
        cluster.Subcommands.Add(Get(runner));
        cluster.Subcommands.Add(DescribeCommand(runner));
        cluster.Subcommands.Add(Wait(runner));
        cluster.Subcommands.Add(Delete(runner));
        cluster.Subcommands.Add(UpgradeCommands.Upgrades(runner));
        cluster.Subcommands.Add(UpgradeCommands.Upgrade(runner));
        cluster.Subcommands.Add(History(runner));
        cluster.Subcommands.Add(CredentialCommands.Kubeconfig(runner));
        cluster.Subcommands.Add(CredentialCommands.RevokeCredentials(runner));
        return cluster;
    }

    private static Command CreateCluster(CommandRunner runner)
    {
        var name = new Argument<string?>("name") { Description = "The cluster's name (3-40 lower-case letters, digits, '-'); or from -f.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "A ClusterCreateRequest as YAML or JSON (docs/api.md); flags override its fields." };
        var project = new Option<string?>("--project") { Description = "The GCP project id." };
        var region = new Option<string?>("--region") { Description = "The GCP region." };
        var version = new Option<string?>("--version") { Description = "The OpenShift version (`cpctl versions`)." };
        var channel = new Option<string?>("--channel-group") { Description = "stable (default), fast or candidate." };
        channel.CompletionSources.Add("stable", "fast", "candidate");
        var baseDomain = new Option<string?>("--base-domain") { Description = "The DNS base domain the cluster's names go under." };
        var labels = new Option<string[]>("--label", "-l") { Description = "A label k=v; repeatable.", AllowMultipleArgumentsPerToken = false };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the request that would be sent, send nothing." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the cluster is Ready (exit codes as `cluster wait`)." };
        var timeout = Timeout("00:30:00");
        var command = new Command("create", "Create a cluster.") { name, file, project, region, version, channel, baseDomain, labels, dryRun, wait, timeout };
        return runner.Bind(command, async (s, ct) =>
        {
            var request = s.Value(file) is { } f ? await RequestFiles.ReadAsync(f, ClusterCreateRequest.CreateFromDiscriminatorValue, ct) : new ClusterCreateRequest();
            request.Name = s.Value(name) ?? request.Name ?? throw new CliException("Name the cluster: `cpctl cluster create NAME` or `name:` in -f.");
            request.Spec ??= new ClusterSpec();
            request.Spec.Gcp ??= new GcpSpec();
            request.Spec.Release ??= new ReleaseSpec();
            request.Spec.Dns ??= new DnsSpec();
            request.Spec.Gcp.ProjectId = s.Value(project) ?? request.Spec.Gcp.ProjectId;
            if (s.Value(region) is { } r)
            {
                request.Spec.Gcp.Region = EnumOption.Parse<GcpSpec_region>(r, "--region");
            }

            request.Spec.Release.Version = s.Value(version) ?? request.Spec.Release.Version;
            if (s.Value(channel) is { } c)
            {
                request.Spec.Release.ChannelGroup = EnumOption.Parse<ReleaseSpec_channelGroup>(c, "--channel-group");
            }

            request.Spec.Dns.BaseDomain = s.Value(baseDomain) ?? request.Spec.Dns.BaseDomain;
            var given = Labels.Parse(s.Value(labels));
            if (given.Count > 0)
            {
                request.Labels ??= new ClusterCreateRequest_labels();
                foreach (var (key, value) in given)
                {
                    request.Labels.AdditionalData[key] = value;
                }
            }

            if (s.Value(dryRun))
            {
                // The Api has no server-side dry run: this is the exact body cpctl would POST, for review.
                await new Printer(s.Out, s.Format == OutputFormat.Table ? OutputFormat.Json : s.Format).WriteAsync(request, _ => new TextTable());
                return ExitCodes.Success;
            }

            var created = (await s.Client.Api.V1.Clusters.PostAsync(request, cancellationToken: ct))!;
            await s.Printer.WriteAsync(created, Tables.Cluster);
            return s.Value(wait) ? await new ClusterWaiter(s).WaitAsync(created.Id!.Value, WaitTarget.Ready, s.Value(timeout), ct) : ExitCodes.Success;
        });
    }

    private static Command List(CommandRunner runner)
    {
        var selector = new Option<string?>("--selector", "-l") { Description = "A label selector (k=v, k!=v, k in (a,b), k, !k; comma is AND)." };
        var phase = new Option<string?>("--phase") { Description = "Only clusters in this phase." };
        phase.CompletionSources.Add("Pending", "Provisioning", "Ready", "Failed", "Deleting");
        var command = new Command("list", "List your organization's clusters.") { selector, phase };
        return runner.Bind(command, async (s, ct) =>
        {
            var wanted = s.Value(phase) is { } p ? EnumOption.Parse<Client.Api.V1.Clusters.GetPhaseQueryParameterType>(p, "--phase") : (Client.Api.V1.Clusters.GetPhaseQueryParameterType?)null;
            var items = new List<Cluster>();
            string? next = null;
            do
            {
                var page = await s.Client.Api.V1.Clusters.GetAsync(r =>
                {
                    r.QueryParameters.Limit = 500;
                    r.QueryParameters.Continue = next;
                    r.QueryParameters.LabelSelector = s.Value(selector);
                    r.QueryParameters.Phase = wanted;
                }, ct);
                items.AddRange(page!.Items!);
                next = page.Continue;
            }
            while (next is not null);

            await s.Printer.WriteListAsync("ClusterList", items, Tables.Clusters(), Tables.Row);
            return ExitCodes.Success;
        });
    }

    private static Command Get(CommandRunner runner)
    {
        var target = NameOrId();
        return runner.Bind(new Command("get", "Show a cluster.") { target }, async (s, ct) =>
        {
            await s.Printer.WriteAsync(await Resolver.ClusterAsync(s, s.Value(target), ct), Tables.Cluster);
            return ExitCodes.Success;
        });
    }

    private static Command DescribeCommand(CommandRunner runner)
    {
        var target = NameOrId();
        return runner.Bind(new Command("describe", "Show a cluster's phase, versions, URLs, conditions, each controller's last report and its node pools.") { target }, async (s, ct) =>
        {
            var cluster = await Resolver.ClusterAsync(s, s.Value(target), ct);
            if (s.Format != OutputFormat.Table)
            {
                await s.Printer.WriteAsync(cluster, Tables.Cluster);
                return ExitCodes.Success;
            }

            var pools = await s.Client.Api.V1.Clusters[cluster.Id!.Value].Nodepools.GetAsync(r => r.QueryParameters.Limit = 500, ct);
            Describe.Write(s.Out, cluster, pools!.Items!);
            return ExitCodes.Success;
        });
    }

    private static Command Wait(CommandRunner runner)
    {
        var target = NameOrId();
        var until = new Option<WaitTarget>("--for") { Description = "ready, deleted or upgraded.", Required = true, HelpName = "ready|deleted|upgraded" };
        var timeout = Timeout("00:30:00");
        var command = new Command("wait", "Wait until a cluster is ready, deleted or upgraded. Exit 0 on success, 1 on failure (Failed or Degraded, with the reason), 2 on timeout.") { target, until, timeout };
        return runner.Bind(command, async (s, ct) =>
        {
            var cluster = await Resolver.FindClusterAsync(s, s.Value(target), ct);
            if (cluster is null)
            {
                if (s.Value(until) == WaitTarget.Deleted)
                {
                    s.Out.WriteLine($"cluster {s.Value(target)} deleted");
                    return ExitCodes.Success;
                }

                throw new CliException($"No cluster \"{s.Value(target)}\" in your organization (`cpctl cluster list`).");
            }

            return await new ClusterWaiter(s).WaitAsync(cluster.Id!.Value, s.Value(until), s.Value(timeout), ct);
        });
    }

    private static Command Delete(CommandRunner runner)
    {
        var target = NameOrId();
        var force = new Option<bool>("--force") { Description = "Admins: remove at once instead of the controllers' teardown (needs --reason)." };
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit trail (with --force)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the cluster is gone." };
        var timeout = Timeout("00:30:00");
        var command = new Command("delete", "Delete a cluster (its node pools go with it).") { target, force, reason, yes, wait, timeout };
        return runner.Bind(command, async (s, ct) =>
        {
            if (s.Value(force) && string.IsNullOrWhiteSpace(s.Value(reason)))
            {
                throw new CliException("--force needs --reason (it goes into the audit trail).");
            }

            var cluster = await Resolver.ClusterAsync(s, s.Value(target), ct);
            if (!s.Value(yes) && !s.Confirm($"Delete cluster {cluster.Name} ({cluster.Id})?"))
            {
                s.Error.WriteLine("not deleted");
                return ExitCodes.Failure;
            }

            var deleted = await s.Client.Api.V1.Clusters[cluster.Id!.Value].DeleteAsync(r =>
            {
                r.QueryParameters.Force = s.Value(force) ? true : null;
                r.QueryParameters.Reason = s.Value(reason);
            }, ct);
            s.Out.WriteLine(deleted is null ? $"cluster {cluster.Name} removed" : $"cluster {cluster.Name} deleting");
            return s.Value(wait) ? await new ClusterWaiter(s).WaitAsync(cluster.Id.Value, WaitTarget.Deleted, s.Value(timeout), ct) : ExitCodes.Success;
        });
    }

    private static Command History(CommandRunner runner)
    {
        var target = NameOrId();
        return runner.Bind(new Command("history", "The cluster's and its node pools' audit trail, oldest first.") { target }, async (s, ct) =>
        {
            var cluster = await Resolver.ClusterAsync(s, s.Value(target), ct);
            var entries = new List<AuditEntry>();
            string? next = null;
            do
            {
                var page = await s.Client.Api.V1.Clusters[cluster.Id!.Value].Audit.GetAsync(r => { r.QueryParameters.Limit = 500; r.QueryParameters.Continue = next; }, ct);
                entries.AddRange(page!.Items!);
                next = page.Continue;
            }
            while (next is not null);

            await s.Printer.WriteListAsync("AuditList", entries, Tables.Audit(), Tables.Row);
            return ExitCodes.Success;
        });
    }

    public static Command Versions(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var channel = new Option<string?>("--channel-group") { Description = "stable (default), fast or candidate." };
        channel.CompletionSources.Add("stable", "fast", "candidate");
        return runner.Bind(new Command("versions", "The OpenShift versions of a channel group.") { channel }, async (s, ct) =>
        {
            var group = s.Value(channel) is { } c ? EnumOption.Parse<Client.Api.V1.Versions.GetChannelGroupQueryParameterType>(c, "--channel-group") : (Client.Api.V1.Versions.GetChannelGroupQueryParameterType?)null;
            var list = await s.Client.Api.V1.Versions.GetAsync(r => r.QueryParameters.ChannelGroup = group, ct);
            await s.Printer.WriteListAsync("VersionList", list!.Items!, Tables.Versions(), Tables.Row);
            return ExitCodes.Success;
        });
    }
}
