using System.Text.Json.Nodes;
using ClusterPlatform.Tests.Status;

namespace ClusterPlatform.Tests.Cli;

/// <summary>
/// cpctl in-process against the real Api (PostgreSQL, the emulator, real HTTP, real tokens): config and
/// contexts, create/list/get/describe with every output format pinned, node pools, errors, and wait's
/// timeout (no controllers run here, so nothing ever becomes Ready).
/// </summary>
public sealed class CpctlApiTests(ApiServer api) : IClassFixture<ApiServer>, IDisposable
{
    private readonly CpctlRunner cpctl = new();

    private const string ClusterFile = """
        name: pinned
        labels:
          env: prod
        spec:
          gcp:
            projectId: acme-prod-123
            region: us-central1
            infraId: pinned-infra
          release:
            version: 4.22.3
          dns:
            baseDomain: acme.example.com
        """;

    private async Task<string> CreatePinnedAsync(string organization, string name = "pinned")
    {
        await cpctl.LoginAsync(api, "alice", organization);
        var file = Path.Combine(Path.GetDirectoryName(cpctl.ConfigPath)!, "..", $"{name}.yaml");
        await File.WriteAllTextAsync(file, ClusterFile.Replace("name: pinned", $"name: {name}", StringComparison.Ordinal), Cancellation);
        var created = await cpctl.RunAsync("cluster", "create", "-f", file, "-o", "json");
        Assert.True(created.Exit == 0, created.ToString());
        return JsonNode.Parse(created.Out)!["id"].Text();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are POSIX; the suite runs on Linux
    public async Task Login_writes_an_owner_only_config_and_contexts_switch()
    {
        var organization = ApiCalls.Unique("org");
        await cpctl.LoginAsync(api, "alice", organization, name: "first");
        await cpctl.LoginAsync(api, "bob", organization, role: "viewer", name: "second");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cpctl.ConfigPath));
        var config = JsonNode.Parse(await File.ReadAllTextAsync(cpctl.ConfigPath, Cancellation))!;
        Assert.Equal("second", config["currentContext"].Text());
        Assert.Equal(["first", "second"], config["contexts"]!.AsObject().Select(c => c.Key));
        var server = api.Anonymous().BaseAddress!.ToString().TrimEnd('/');
        Assert.Equal(server, config["contexts"]!["first"]!["server"].Text());
        Assert.StartsWith("eyJ", config["contexts"]!["first"]!["token"].Text(), StringComparison.Ordinal);

        var contexts = await cpctl.RunAsync("config", "get-contexts");
        Assert.Equal($"""
            CURRENT   NAME     SERVER{new string(' ', server.Length - 6)}   LOGIN
            -         first    {server}   token
            *         second   {server}   token

            """, contexts.Out);
        Assert.DoesNotContain("eyJ", contexts.Out, StringComparison.Ordinal); // never the token

        // The viewer may not create; switching back to alice's context may.
        var refused = await cpctl.RunAsync("cluster", "create", "ctx-test", "--project", "acme-prod-123", "--region", "us-central1", "--version", "4.22.3", "--base-domain", "acme.example.com");
        Assert.Equal(1, refused.Exit);
        Assert.Contains("(403 forbidden)", refused.Error, StringComparison.Ordinal);

        var switched = await cpctl.RunAsync("config", "use-context", "first");
        Assert.Equal(0, switched.Exit);
        Assert.Equal("first\n", (await cpctl.RunAsync("config", "current-context")).Out);
        var created = await cpctl.RunAsync("cluster", "create", "ctx-test", "--project", "acme-prod-123", "--region", "us-central1", "--version", "4.22.3", "--base-domain", "acme.example.com", "-o", "json");
        Assert.True(created.Exit == 0, created.ToString());
        Assert.Equal("alice", JsonNode.Parse(created.Out)!["createdBy"].Text());

        var missing = await cpctl.RunAsync("config", "use-context", "third");
        Assert.Equal(1, missing.Exit);
        Assert.Equal("error: No context \"third\"; `cpctl config get-contexts` lists them.\n", missing.Error);
    }

    [Fact]
    public async Task A_refused_create_prints_title_detail_code_and_field_errors()
    {
        await cpctl.LoginAsync(api, "alice", ApiCalls.Unique("org"));

        var result = await cpctl.RunAsync("cluster", "create", "X", "--project", "acme-prod-123", "--region", "us-central1", "--version", "4.22.3", "--base-domain", "acme.example.com");

        Assert.Equal(1, result.Exit);
        Assert.Equal("", result.Out);
        var lines = result.Error.Split('\n');
        Assert.Equal("error: The request is invalid (400 validation-failed)", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  $.name: ", StringComparison.Ordinal));
        Assert.DoesNotContain("request id", result.Error, StringComparison.Ordinal);

        var verbose = await cpctl.RunAsync("cluster", "create", "X", "--project", "acme-prod-123", "--region", "us-central1", "--version", "4.22.3", "--base-domain", "acme.example.com", "--verbose");
        Assert.Matches(@"\n  request id: [0-9a-f]{32}, trace id: \S+\n$", verbose.Error);
    }

    [Fact]
    public async Task Create_list_get_and_describe_render_table_json_and_yaml()
    {
        var organization = ApiCalls.Unique("org");
        var id = await CreatePinnedAsync(organization);
        string Pin(string output) => CpctlRunner.Mask(output).Replace(organization, "<organization>", StringComparison.Ordinal);

        var table = await cpctl.RunAsync("cluster", "list");
        Assert.Equal(PinnedTable, Pin(table.Out));

        var byName = await cpctl.RunAsync("cluster", "get", "pinned");
        var byId = await cpctl.RunAsync("cluster", "get", id);
        Assert.Equal(byName.Out, byId.Out);
        Assert.Equal(Pin(table.Out), Pin(byName.Out));

        var json = await cpctl.RunAsync("cluster", "get", "pinned", "-o", "json");
        Assert.Equal(PinnedJson, Pin(json.Out));
        var list = JsonNode.Parse((await cpctl.RunAsync("cluster", "list", "-o", "json")).Out)!;
        Assert.Equal("ClusterList", list["kind"].Text());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json.Out), list["items"]![0]));

        var yaml = await cpctl.RunAsync("cluster", "get", "pinned", "-o", "yaml");
        Assert.Equal(PinnedYaml, Pin(yaml.Out));

        var describe = await cpctl.RunAsync("cluster", "describe", "pinned");
        Assert.Equal(PinnedDescribe, Pin(describe.Out));

        Assert.Equal("", (await cpctl.RunAsync("cluster", "list", "-l", "env=dev")).Out.Split('\n', 2)[1]);
        Assert.Contains("pinned", (await cpctl.RunAsync("cluster", "list", "--phase", "Pending")).Out, StringComparison.Ordinal);
        var missing = await cpctl.RunAsync("cluster", "get", "nope");
        Assert.Equal((1, "error: No cluster \"nope\" in your organization (`cpctl cluster list`).\n"), (missing.Exit, missing.Error));
    }

    [Fact]
    public async Task Node_pools_are_created_listed_scaled_autoscaled_and_deleted_by_name()
    {
        await CreatePinnedAsync(ApiCalls.Unique("org"));

        var created = await cpctl.RunAsync("nodepool", "create", "workers", "--cluster", "pinned", "--replicas", "2");
        Assert.True(created.Exit == 0, created.ToString());
        Assert.Equal("""
            NAME      ID                                     CLUSTER                                PHASE     REPLICAS   AUTOSCALING   MACHINE TYPE    VERSION
            workers   <id................................>   <id................................>   Pending   2          -             n2-standard-4   4.22.3

            """, CpctlRunner.Mask(created.Out));

        var scaled = await cpctl.RunAsync("nodepool", "scale", "workers", "--cluster", "pinned", "--replicas", "5", "-o", "json");
        Assert.True(scaled.Exit == 0, scaled.ToString());
        Assert.Equal(5, (int)JsonNode.Parse(scaled.Out)!["spec"]!["replicas"]!);

        var autoscaled = await cpctl.RunAsync("nodepool", "autoscale", "workers", "--min", "1", "--max", "4", "-o", "yaml");
        Assert.True(autoscaled.Exit == 0, autoscaled.ToString());
        Assert.Contains("  autoscaling:\n    max: 4\n    min: 1\n", autoscaled.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("replicas:", autoscaled.Out, StringComparison.Ordinal);

        var listed = await cpctl.RunAsync("nodepool", "list", "--cluster", "pinned");
        Assert.Equal("""
            NAME      ID                                     CLUSTER                                PHASE     REPLICAS   AUTOSCALING   MACHINE TYPE    VERSION
            workers   <id................................>   <id................................>   Pending   -          1-4           n2-standard-4   4.22.3

            """, CpctlRunner.Mask(listed.Out));
        Assert.Equal(CpctlRunner.Mask(listed.Out), CpctlRunner.Mask((await cpctl.RunAsync("nodepool", "get", "workers")).Out));

        var both = await cpctl.RunAsync("nodepool", "create", "other", "--cluster", "pinned", "--replicas", "1", "--min", "1", "--max", "2");
        Assert.Equal((1, "error: Give either --replicas N, or both --min and --max.\n"), (both.Exit, both.Error));

        // Not a terminal and no --yes: refused, so a script never deletes by accident.
        var unconfirmed = await cpctl.RunAsync("nodepool", "delete", "workers");
        Assert.Equal((1, "error: Refusing without confirmation: not a terminal, pass --yes.\n"), (unconfirmed.Exit, unconfirmed.Error));
        var deleted = await cpctl.RunAsync("nodepool", "delete", "workers", "--yes");
        Assert.Equal((0, "node pool workers deleting\n"), (deleted.Exit, deleted.Out));
    }

    [Fact]
    public async Task A_scale_that_loses_a_race_is_refused_412_and_applied_again_to_the_new_copy()
    {
        var organization = ApiCalls.Unique("org");
        await CreatePinnedAsync(organization);
        var created = await cpctl.RunAsync("nodepool", "create", "workers", "--cluster", "pinned", "--replicas", "2", "-o", "json");
        Assert.True(created.Exit == 0, created.ToString());
        var href = JsonNode.Parse(created.Out)!["href"].Text();

        // Someone else labels the pool between cpctl's read and its PUT, once.
        var other = api.As("user", organization, "bob");
        using var race = new BeforeFirstPut(href, async () =>
        {
            using var patched = await other.PatchAsync(href, Bodies.Json(new JsonObject { ["labels"] = new JsonObject { ["owner"] = "bob" } }, "application/merge-patch+json"));
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        });
        using var scaler = new CpctlRunner { Handler = race };
        await scaler.LoginAsync(api, "alice", organization);
        var scaled = await scaler.RunAsync("nodepool", "scale", "workers", "--cluster", "pinned", "--replicas", "5", "-o", "json");

        Assert.True(scaled.Exit == 0, scaled.ToString());
        Assert.Equal("node pool workers changed since it was read; reading it again (attempt 2 of 5)\n", scaled.Error);
        Assert.Equal([HttpStatusCode.PreconditionFailed, HttpStatusCode.OK], race.Puts.Select(p => p.Status));
        Assert.All(race.Puts, p => Assert.NotNull(p.IfMatch));
        var pool = await other.GetObjectAsync(href);
        Assert.Equal(5, (int)pool["spec"]!["replicas"]!);
        Assert.Equal("bob", pool["labels"]!["owner"].Text()); // the other writer's change is kept, not overwritten
    }

    /// <summary>Runs <paramref name="between"/> before the first PUT to <paramref name="href"/> goes out, and records every PUT's If-Match and answer.</summary>
    private sealed class BeforeFirstPut(string href, Func<Task> between) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int puts;

        public System.Collections.Concurrent.ConcurrentQueue<(string? IfMatch, HttpStatusCode Status)> Puts { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var put = request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath == href;
            if (put && Interlocked.Increment(ref puts) == 1)
            {
                await between();
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (put)
            {
                Puts.Enqueue((request.Headers.IfMatch.FirstOrDefault()?.ToString(), response.StatusCode));
            }

            return response;
        }
    }

    [Fact]
    public async Task Delete_asks_on_a_terminal_and_a_no_keeps_the_cluster()
    {
        var organization = ApiCalls.Unique("org");
        await CreatePinnedAsync(organization);
        using var person = new CpctlRunner { IsTerminal = true, Input = "n\n" };
        await person.LoginAsync(api, "alice", organization);

        var kept = await person.RunAsync("cluster", "delete", "pinned");

        Assert.Equal(1, kept.Exit);
        Assert.StartsWith("Delete cluster pinned (", kept.Out, StringComparison.Ordinal);
        Assert.Equal("not deleted\n", kept.Error);
        Assert.Contains("Pending", (await cpctl.RunAsync("cluster", "get", "pinned")).Out, StringComparison.Ordinal);
        var deleted = await cpctl.RunAsync("cluster", "delete", "pinned", "--yes");
        Assert.Equal((0, "cluster pinned deleting\n"), (deleted.Exit, deleted.Out));
        Assert.Contains("Deleting", (await cpctl.RunAsync("cluster", "get", "pinned")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_dry_run_prints_the_request_and_creates_nothing()
    {
        var organization = ApiCalls.Unique("org");
        await cpctl.LoginAsync(api, "alice", organization);

        var dry = await cpctl.RunAsync("cluster", "create", "dry", "--project", "acme-prod-123", "--region", "us-central1", "--version", "4.22.3", "--base-domain", "acme.example.com", "--label", "env=dev", "--dry-run");

        Assert.True(dry.Exit == 0, dry.ToString());
        var body = JsonNode.Parse(dry.Out)!; // the body cpctl would POST, as JSON even for -o table
        Assert.Equal("dry", body["name"].Text());
        Assert.Equal("acme-prod-123", body["spec"]!["gcp"]!["projectId"].Text());
        Assert.Equal("dev", body["labels"]!["env"].Text());
        var list = JsonNode.Parse((await cpctl.RunAsync("cluster", "list", "-o", "json")).Out)!;
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Delete_without_yes_off_a_terminal_refuses_and_deletes_nothing()
    {
        var organization = ApiCalls.Unique("org");
        await CreatePinnedAsync(organization);

        var refused = await cpctl.RunAsync("cluster", "delete", "pinned"); // the runner is not a terminal

        Assert.Equal((1, "error: Refusing without confirmation: not a terminal, pass --yes.\n"), (refused.Exit, refused.Error));
        Assert.Contains("Pending", (await cpctl.RunAsync("cluster", "get", "pinned")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Force_delete_needs_a_reason_and_removes_at_once_for_an_admin()
    {
        var organization = ApiCalls.Unique("org");
        var id = await CreatePinnedAsync(organization);
        using var other = new CpctlRunner(); // the same name in a second organization
        var otherOrganization = ApiCalls.Unique("org");
        await other.LoginAsync(api, "carol", otherOrganization);
        Assert.Equal(0, (await other.RunAsync("cluster", "create", "pinned", "--project", "acme-prod-123", "--region", "us-central1", "--version", "4.22.3", "--base-domain", "acme.example.com")).Exit);
        using var admin = new CpctlRunner();
        await admin.LoginAsync(api, "root", organization, role: "admin");

        var noReason = await admin.RunAsync("cluster", "delete", id, "--force", "--yes");
        Assert.Equal((1, "error: --force needs --reason (it goes into the audit trail).\n"), (noReason.Exit, noReason.Error));

        // An admin sees every organization, where "pinned" names two clusters: by name is refused.
        var ambiguous = await admin.RunAsync("cluster", "delete", "pinned", "--force", "--reason", "stuck teardown", "--yes");
        Assert.Equal((1, "error: Cluster \"pinned\" exists in several organizations (your token sees them all): give its id.\n"), (ambiguous.Exit, ambiguous.Error));

        var removed = await admin.RunAsync("cluster", "delete", id, "--force", "--reason", "stuck teardown", "--yes");

        Assert.True(removed.Exit == 0, removed.ToString());
        Assert.Equal("cluster pinned removed\n", removed.Out); // 204: gone at once, no Deleting phase
        var gone = await cpctl.RunAsync("cluster", "get", "pinned");
        Assert.True(gone.Exit == 1, gone.ToString());
        Assert.Equal(0, (await other.RunAsync("cluster", "get", "pinned")).Exit); // the other organization's is untouched
    }

    [Fact]
    public async Task Wait_exits_2_on_timeout_with_the_last_state()
    {
        await CreatePinnedAsync(ApiCalls.Unique("org"));

        var result = await cpctl.RunAsync("cluster", "wait", "pinned", "--for", "ready", "--timeout", "1s");

        Assert.Equal(2, result.Exit);
        Assert.Equal("phase=Pending version=-->4.22.3\n", result.Out);
        Assert.Equal("timed out after 00:00:01 waiting for ready; cluster pinned is phase=Pending version=-->4.22.3\n", result.Error);
    }

    [Fact]
    public async Task Wait_revalidates_with_If_None_Match_and_a_304_does_not_hide_the_move_to_Ready()
    {
        var organization = ApiCalls.Unique("org");
        var id = await CreatePinnedAsync(organization);
        var href = $"{ApiCalls.Clusters}/{id}";
        using var reads = new ClusterReads(id);
        using var watcher = new CpctlRunner { Handler = reads };
        await watcher.LoginAsync(api, "alice", organization);
        var waiting = watcher.RunAsync("cluster", "wait", "pinned", "--for", "ready", "--timeout", "1m");

        // Nothing moves yet: the polls after the first revalidate and get 304s.
        await Wait.UntilAsync(() => Task.FromResult(reads.Seen.Count(r => r.Status == HttpStatusCode.NotModified) >= 2), TimeSpan.FromSeconds(30), "two 304s to the wait's polls");
        await ClusterPlatform.Tests.Status.Controllers.Clients(api).ReportAllAsync(href, 1, ControllerNames.All, "Available=True");
        var result = await waiting;

        Assert.True(result.Exit == 0, result.ToString());
        Assert.EndsWith("cluster pinned is ready\n", result.Out, StringComparison.Ordinal);
        var seen = reads.Seen.ToList();
        Assert.Null(seen[0].IfNoneMatch);
        Assert.All(seen.Skip(1), r => Assert.NotNull(r.IfNoneMatch));
        // The read that saw Ready was a 200. Each poll revalidated the last copy it had: its If-None-Match
        // is the ETag of the latest 200 before it (a poll may land between the four reports and get a
        // copy still Pending), and a poll that changed nothing was a 304.
        Assert.Equal(HttpStatusCode.OK, seen[^1].Status);
        var latest = seen[0].ETag;
        foreach (var read in seen.Skip(1))
        {
            Assert.Equal(latest, read.IfNoneMatch);
            Assert.Contains(read.Status, new[] { HttpStatusCode.OK, HttpStatusCode.NotModified });
            latest = read.Status == HttpStatusCode.OK ? read.ETag : latest;
        }
    }

    /// <summary>Records cpctl's reads of one cluster: the If-None-Match sent, the status and the ETag answered.</summary>
    private sealed class ClusterReads(string id) : DelegatingHandler(new SocketsHttpHandler())
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string? IfNoneMatch, HttpStatusCode Status, string? ETag)> Seen { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.EndsWith($"/clusters/{id}", StringComparison.Ordinal))
            {
                Seen.Enqueue((request.Headers.IfNoneMatch.FirstOrDefault()?.ToString(), response.StatusCode, response.Headers.ETag?.ToString()));
            }

            return response;
        }
    }

    [Fact]
    public async Task Versions_and_upgrades_read_the_catalog()
    {
        var id = await CreatePinnedAsync(ApiCalls.Unique("org"));

        var versions = await cpctl.RunAsync("versions", "-o", "json");
        Assert.True(versions.Exit == 0, versions.ToString());
        var items = JsonNode.Parse(versions.Out)!["items"]!.AsArray();
        Assert.Contains(items, v => v!["version"].Text() == "4.22.3" && v["channelGroup"].Text() == "stable");
        Assert.StartsWith("VERSION   CHANNEL GROUP   ENABLED   DEFAULT   END OF LIFE\n", (await cpctl.RunAsync("versions")).Out, StringComparison.Ordinal);

        // HyperShift has reported no running version here, so there is nowhere to go yet (docs/api.md, Upgrades).
        var upgrades = await cpctl.RunAsync("cluster", "upgrades", id, "-o", "json");
        Assert.True(upgrades.Exit == 0, upgrades.ToString());
        Assert.Empty(JsonNode.Parse(upgrades.Out)!["items"]!.AsArray());
    }

    private const string PinnedTable = """
        NAME     ID                                     PHASE     VERSION   REGION        CREATED
        pinned   <id................................>   Pending   4.22.3    us-central1   <time..............>

        """;
    private const string PinnedJson = """
        {
          "createdAt": "<time..........................>",
          "createdBy": "alice",
          "generation": 1,
          "href": "/api/v1/clusters/<id................................>",
          "id": "<id................................>",
          "kind": "Cluster",
          "labels": {
            "env": "prod"
          },
          "name": "pinned",
          "organization": "<organization>",
          "spec": {
            "dns": {
              "baseDomain": "acme.example.com"
            },
            "gcp": {
              "infraId": "pinned-infra",
              "network": "pinned-infra-network",
              "projectId": "acme-prod-123",
              "region": "us-central1",
              "subnet": "pinned-infra-subnet"
            },
            "networking": {
              "machineCidr": "10.0.0.0/16",
              "podCidr": "10.128.0.0/14",
              "serviceCidr": "172.30.0.0/16"
            },
            "release": {
              "channelGroup": "stable",
              "version": "4.22.3"
            },
            "upgradePolicy": {
              "automaticPatchUpgrades": false
            }
          },
          "status": {
            "conditions": [
              {
                "lastTransitionTime": "<time..........................>",
                "message": "Waiting for environment-validation-controller, placement-controller, dns-management-controller, operator-client-controller to report Available at generation 1.",
                "observedGeneration": 1,
                "reason": "WaitingForControllers",
                "status": "False",
                "type": "Ready"
              },
              {
                "lastTransitionTime": "<time..........................>",
                "message": "Not yet reported at generation 1: environment-validation-controller, placement-controller, dns-management-controller, operator-client-controller.",
                "observedGeneration": 1,
                "reason": "WaitingForControllers",
                "status": "True",
                "type": "Progressing"
              },
              {
                "lastTransitionTime": "<time..........................>",
                "message": "No controller reports a degradation.",
                "observedGeneration": 1,
                "reason": "AsExpected",
                "status": "False",
                "type": "Degraded"
              }
            ],
            "controllers": [],
            "observedGeneration": 0,
            "phase": "Pending",
            "version": {
              "desired": "4.22.3",
              "history": []
            }
          },
          "updatedAt": "<time..........................>"
        }

        """;
    private const string PinnedYaml = """
        createdAt: <time..........................>
        createdBy: alice
        generation: 1
        href: /api/v1/clusters/<id................................>
        id: <id................................>
        kind: Cluster
        labels:
          env: prod
        name: pinned
        organization: <organization>
        spec:
          dns:
            baseDomain: acme.example.com
          gcp:
            infraId: pinned-infra
            network: pinned-infra-network
            projectId: acme-prod-123
            region: us-central1
            subnet: pinned-infra-subnet
          networking:
            machineCidr: 10.0.0.0/16
            podCidr: 10.128.0.0/14
            serviceCidr: 172.30.0.0/16
          release:
            channelGroup: stable
            version: 4.22.3
          upgradePolicy:
            automaticPatchUpgrades: false
        status:
          conditions:
          - lastTransitionTime: <time..........................>
            message: Waiting for environment-validation-controller, placement-controller, dns-management-controller, operator-client-controller to report Available at generation 1.
            observedGeneration: 1
            reason: WaitingForControllers
            status: "False"
            type: Ready
          - lastTransitionTime: <time..........................>
            message: 'Not yet reported at generation 1: environment-validation-controller, placement-controller, dns-management-controller, operator-client-controller.'
            observedGeneration: 1
            reason: WaitingForControllers
            status: "True"
            type: Progressing
          - lastTransitionTime: <time..........................>
            message: No controller reports a degradation.
            observedGeneration: 1
            reason: AsExpected
            status: "False"
            type: Degraded
          controllers: []
          observedGeneration: 0
          phase: Pending
          version:
            desired: 4.22.3
            history: []
        updatedAt: <time..........................>

        """;
    private const string PinnedDescribe = """
        FIELD            VALUE
        Name             pinned
        Id               <id................................>
        Organization     <organization>
        Phase            Pending
        Generation       1 (observed 0)
        Version          desired 4.22.3, current -
        Channel group    stable
        Project          acme-prod-123
        Region           us-central1
        Infra id         pinned-infra
        Base domain      acme.example.com
        API URL          -
        Console URL      -
        Labels           env=prod
        Created          <time..............> by alice
        Deleting since   -

        Conditions:
        TYPE          STATUS   REASON                  SINCE                  MESSAGE
        Ready         False    WaitingForControllers   <time..............>   Waiting for environment-validation-controller, placement-controller, dns-management-controller, operator-client-controller to report Available at generation 1.
        Progressing   True     WaitingForControllers   <time..............>   Not yet reported at generation 1: environment-validation-controller, placement-controller, dns-management-controller, operator-client-controller.
        Degraded      False    AsExpected              <time..............>   No controller reports a degradation.

        Controllers:
        CONTROLLER   GENERATION   REPORTED   AVAILABLE   PROGRESSING   DEGRADED   MESSAGE

        Node pools:
        NAME   ID   CLUSTER   PHASE   REPLICAS   AUTOSCALING   MACHINE TYPE   VERSION

        """;

    public void Dispose() => cpctl.Dispose();
}
