using System.Diagnostics.CodeAnalysis;
using ClusterPlatform.Client;
using ClusterPlatform.Client.Models;

namespace ClusterPlatform.WebConsole.Components.Pages;

/// <summary>What the create form holds between submissions, so a refusal loses nothing.</summary>
internal sealed class ClusterForm
{
    public string Name { get; set; } = "";
    public string ProjectId { get; set; } = "";
    public string Region { get; set; } = "";
    public string ChannelGroup { get; set; } = "stable";
    public string Version { get; set; } = "";
    public string BaseDomain { get; set; } = "";
    public string Labels { get; set; } = "";
    public List<PoolForm> Pools { get; } = [new PoolForm { Name = "workers" }];

    /// <summary>
    /// The request: only what the person chose (the generated client leaves unset fields out); the Api fills
    /// in the GCP names and networking. A region or channel group the document does not know is left out
    /// too, and the Api's refusal names the field.
    /// </summary>
    public ClusterCreateRequest ToRequest(IReadOnlyDictionary<string, string> labels)
    {
        var request = new ClusterCreateRequest
        {
            Name = Name.Trim(),
            Spec = new ClusterSpec
            {
                Gcp = new GcpSpec { ProjectId = ProjectId.Trim(), Region = WireEnum.TryParse<GcpSpec_region>(Region, out var region) ? region : null },
                Release = new ReleaseSpec { Version = Version, ChannelGroup = WireEnum.TryParse<ReleaseSpec_channelGroup>(ChannelGroup, out var group) ? group : null },
                Dns = new DnsSpec { BaseDomain = BaseDomain.Trim() },
            },
        };
        if (labels.Count > 0)
        {
            request.Labels = new ClusterCreateRequest_labels();
            foreach (var (key, value) in labels)
            {
                request.Labels.AdditionalData[key] = value;
            }
        }

        return request;
    }

    /// <summary><c>key=value</c> pairs separated by commas; the Api checks the keys' and values' syntax.</summary>
    public static bool TryParseLabels(string text, out IReadOnlyDictionary<string, string> labels, [NotNullWhen(false)] out string? error)
    {
        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        labels = parsed;
        error = null;
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                error = $"'{pair}' is not key=value.";
                return false;
            }

            if (!parsed.TryAdd(pair[..at].Trim(), pair[(at + 1)..].Trim()))
            {
                error = $"The label '{pair[..at].Trim()}' is given twice.";
                return false;
            }
        }

        return true;
    }
}

internal sealed class PoolForm
{
    public string Name { get; set; } = "";
    public string MachineType { get; set; } = "n2-standard-4";
    public int Replicas { get; set; } = 2;
    public bool Created { get; set; }
    public IReadOnlyDictionary<string, string[]> Errors { get; set; } = new Dictionary<string, string[]>();
}
