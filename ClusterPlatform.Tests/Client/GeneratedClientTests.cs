using ClusterPlatform.Client;
using ClusterPlatform.Client.Models;
// The generated models share names with the Api's contracts (GlobalUsings.cs imports those): these are the wire's.
using ClusterCreateRequest = ClusterPlatform.Client.Models.ClusterCreateRequest;
using ClusterSpec = ClusterPlatform.Client.Models.ClusterSpec;
using DnsSpec = ClusterPlatform.Client.Models.DnsSpec;
using GcpSpec = ClusterPlatform.Client.Models.GcpSpec;
using NodePoolCreateRequest = ClusterPlatform.Client.Models.NodePoolCreateRequest;
using NodePoolSpec = ClusterPlatform.Client.Models.NodePoolSpec;
using ReleaseSpec = ClusterPlatform.Client.Models.ReleaseSpec;

namespace ClusterPlatform.Tests.Client;

/// <summary>
/// The generated client against the real Api with a real token: Kiota serializes what the Api accepts
/// and parses what it sends, which holds only while the document is exact.
/// </summary>
public sealed class GeneratedClientTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly PlatformApiClient client = PlatformApiClientFactory.Create(
        api.Anonymous().BaseAddress!, TestTokens.Create("alice", ApiCalls.Unique("org"), "user"));

    [Fact]
    public async Task Creates_and_reads_a_cluster_and_its_node_pool()
    {
        var created = await client.Api.V1.Clusters.PostAsync(new ClusterCreateRequest
        {
            Name = "typed-client",
            Labels = new ClusterCreateRequest_labels { AdditionalData = { ["env"] = "prod" } },
            Spec = new ClusterSpec
            {
                Gcp = new GcpSpec { ProjectId = "acme-prod-123", Region = GcpSpec_region.UsCentral1 },
                Release = new ReleaseSpec { Version = "4.22.3" },
                Dns = new DnsSpec { BaseDomain = "acme.example.com" },
            },
        }, cancellationToken: Cancellation);

        Assert.NotNull(created?.Id);
        var read = await client.Api.V1.Clusters[created.Id.Value].GetAsync(cancellationToken: Cancellation);
        Assert.Equal("typed-client", read!.Name);
        Assert.Equal(Cluster_kind.Cluster, read.Kind);
        Assert.Equal("prod", read.Labels!.AdditionalData["env"]);
        Assert.Equal(GcpSpec_region.UsCentral1, read.Spec!.Gcp!.Region);
        Assert.Equal("4.22.3", read.Spec.Release!.Version);
        Assert.Equal(ReleaseSpec_channelGroup.Stable, read.Spec.Release.ChannelGroup); // the Api's default
        Assert.Equal("10.128.0.0/14", read.Spec.Networking!.PodCidr); // the Api's default
        Assert.Equal(ResourceStatus_phase.Pending, read.Status!.Phase);
        Assert.Equal(1, read.Generation);

        var pool = await client.Api.V1.Nodepools.PostAsync(new NodePoolCreateRequest
        {
            ClusterId = created.Id,
            Name = "workers",
            Spec = new NodePoolSpec { Replicas = 2, MachineType = "n2-standard-4" },
        }, cancellationToken: Cancellation);
        var pools = await client.Api.V1.Clusters[created.Id.Value].Nodepools.GetAsync(cancellationToken: Cancellation);
        var listed = Assert.Single(pools!.Items!);
        Assert.Equal(pool!.Id, listed.Id);
        Assert.Equal(2, listed.Spec!.Replicas);
        Assert.Equal(128, listed.Spec.DiskSizeGb);
        Assert.Equal(NodePoolManagement_upgradeType.Replace, listed.Spec.Management!.UpgradeType);
    }

    [Fact]
    public async Task A_refused_write_surfaces_as_ApiProblem_with_field_errors_and_request_id()
    {
        var refusal = await Assert.ThrowsAnyAsync<Exception>(() => client.Api.V1.Clusters.PostAsync(new ClusterCreateRequest
        {
            Name = "X",
            Spec = new ClusterSpec
            {
                Gcp = new GcpSpec { ProjectId = "acme-prod-123", Region = GcpSpec_region.UsCentral1 },
                Release = new ReleaseSpec { Version = "4.22.3" },
                Dns = new DnsSpec { BaseDomain = "acme.example.com" },
            },
        }, cancellationToken: Cancellation));

        var problem = ApiProblem.From(refusal);
        Assert.NotNull(problem);
        Assert.Equal(400, problem.Status);
        Assert.Equal("validation-failed", problem.Code);
        Assert.False(string.IsNullOrEmpty(problem.Title));
        Assert.Contains("$.name", problem.Errors.Keys);
        Assert.NotEmpty(problem.Errors["$.name"][0]);
        Assert.False(string.IsNullOrEmpty(problem.RequestId));
        Assert.False(string.IsNullOrEmpty(problem.TraceId));
    }

    [Fact]
    public async Task A_missing_cluster_is_a_not_found_problem()
    {
        var refusal = await Assert.ThrowsAnyAsync<Exception>(() => client.Api.V1.Clusters[Guid.CreateVersion7()].GetAsync(cancellationToken: Cancellation));

        var problem = ApiProblem.From(refusal)!;
        Assert.Equal(404, problem.Status);
        Assert.Equal("not-found", problem.Code);
        Assert.Empty(problem.Errors);
    }
}
