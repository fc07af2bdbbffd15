using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.Testing;
using ClusterPlatform.Tests.Topology;
using k8s;

namespace ClusterPlatform.Tests.Cli;

/// <summary>
/// cpctl against the whole topology (real PostgreSQL, emulator, Api and controllers on simulated
/// providers): the life a CI job gives a cluster, from create to gone, and the exit codes a job relies on.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are POSIX; the suite runs on Linux
public sealed class CpctlTopologyTests(TopologyFixture topology) : IClassFixture<TopologyFixture>, IDisposable
{
    private readonly CpctlRunner cpctl = new();

    private async Task LoginAsync()
    {
        await topology.WaitUntilHealthyAsync(Cancellation);
        await cpctl.LoginAsync(topology.App.GetEndpoint(ResourceNames.Api, "http"), TopologyFixture.CreateUserToken(ApiCalls.Unique("cli")));
    }

    private async Task<CpctlResult> RunOkAsync(params string[] args)
    {
        var result = await cpctl.RunAsync(args);
        Assert.True(result.Exit == 0, $"cpctl {string.Join(' ', args)}: {result}{Environment.NewLine}{topology.RecentLogs(ResourceNames.Controllers)}");
        return result;
    }

    [Fact]
    public async Task Create_wait_ready_describe_scale_upgrade_kubeconfig_delete_and_wait_deleted()
    {
        await LoginAsync();
        var name = ApiCalls.Unique("cli");
        await RunOkAsync("cluster", "create", name, "--project", "acme-prod-123", "--region", "us-central1", "--version", "4.22.2",
            "--base-domain", "acme.example.com", "--label", "team=ci");
        await RunOkAsync("nodepool", "create", "workers", "--cluster", name, "--replicas", "1");

        var ready = await RunOkAsync("cluster", "wait", name, "--for", "ready", "--timeout", "3m");
        Assert.Contains("phase=Ready", ready.Out, StringComparison.Ordinal);

        var describe = await RunOkAsync("cluster", "describe", name);
        Assert.Contains("Phase            Ready", describe.Out, StringComparison.Ordinal);
        Assert.Contains("operator-client-controller", describe.Out, StringComparison.Ordinal);
        Assert.Matches(@"API URL\s+https://", describe.Out);

        var scaled = await RunOkAsync("nodepool", "scale", "workers", "--cluster", name, "--replicas", "2", "-o", "json");
        Assert.Equal(2, (int)JsonNode.Parse(scaled.Out)!["spec"]!["replicas"]!);

        // The simulated graph's patch edge 4.22.2 → 4.22.3 (Api/Versions/SimulatedVersionGraph.cs).
        var upgrades = JsonNode.Parse((await RunOkAsync("cluster", "upgrades", name, "-o", "json")).Out)!["items"]!.AsArray();
        Assert.Contains(upgrades, u => u!["version"].Text() == "4.22.3");
        await RunOkAsync("cluster", "upgrade", name, "--to", "4.22.3", "--wait", "--timeout", "3m");
        var upgraded = JsonNode.Parse((await RunOkAsync("cluster", "get", name, "-o", "json")).Out)!;
        Assert.Equal("4.22.3", upgraded["status"]!["version"]!["current"].Text());

        // The kubeconfig: the key made by cpctl, the certificate signed for it, the file the owner's alone.
        var file = Path.Combine(Path.GetDirectoryName(cpctl.ConfigPath)!, "kubeconfig");
        await RunOkAsync("cluster", "kubeconfig", name, "--ttl", "1h", "-f", file);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(new FileInfo(file));
        Assert.Equal(upgraded["status"]!["apiUrl"].Text(), configuration.Host.TrimEnd('/'));
        using (var certificate = X509Certificate2.CreateFromPem(
            System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(configuration.ClientCertificateData)),
            System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(configuration.ClientCertificateKeyData))))
        {
            Assert.True(certificate.HasPrivateKey);
            Assert.Equal("CN=system:customer-break-glass:topology-test, O=system:masters", certificate.Subject);
        }

        await RunOkAsync("cluster", "revoke-credentials", name, "--yes");
        var deleting = await RunOkAsync("cluster", "delete", name, "--yes");
        Assert.Equal($"cluster {name} deleting\n", deleting.Out);
        await RunOkAsync("cluster", "wait", name, "--for", "deleted", "--timeout", "3m");
        var gone = await cpctl.RunAsync("cluster", "get", name);
        Assert.Equal(1, gone.Exit);
    }

    [Fact]
    public async Task Create_wait_and_wait_on_a_cluster_in_a_failing_project_exit_1_with_the_reason()
    {
        await LoginAsync();
        var name = ApiCalls.Unique("clibad");
        // SimulatedFaults: environment validation refuses projects named fail-… for good.
        // create --wait: the cluster is created (printed), then waited on as `cluster wait` does.
        var created = await cpctl.RunAsync("cluster", "create", name, "--project", "fail-project-1", "--region", "us-central1", "--version", "4.22.2",
            "--base-domain", "acme.example.com", "--wait", "--timeout", "3m");
        Assert.True(created.Exit == 1, created.ToString());
        Assert.Contains(name, created.Out, StringComparison.Ordinal);
        Assert.Contains($"cluster {name} failed", created.Error, StringComparison.Ordinal);
        Assert.Contains("environment-validation-controller", created.Error, StringComparison.Ordinal);

        var result = await cpctl.RunAsync("cluster", "wait", name, "--for", "ready", "--timeout", "3m");

        Assert.True(result.Exit == 1, result.ToString());
        Assert.Contains($"cluster {name} failed", result.Error, StringComparison.Ordinal);
        Assert.Contains("environment-validation-controller", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => cpctl.Dispose();
}
