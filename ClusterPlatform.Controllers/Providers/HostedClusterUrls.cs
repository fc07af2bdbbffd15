using System.Text.Json.Nodes;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Where a hosted cluster answers, read from the HostedCluster as HyperShift holds it (never from our
/// own inputs): its API server and, by HyperShift's rule, its console. Rules from
/// openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf.
/// </summary>
internal static class HostedClusterUrls
{
    /// <summary>
    /// <c>https://host:port</c> from <c>status.controlPlaneEndpoint</c> (api/hypershift/v1beta1/hostedcluster_types.go,
    /// HostedClusterStatus: "populated after the infrastructure is ready"; APIEndpoint in hosted_controlplane.go);
    /// null until HyperShift has published a host and a port.
    /// </summary>
    public static string? Api(ControlPlaneEndpoint? endpoint) =>
        endpoint is { Host.Length: > 0, Port: > 0 and <= 65535 }
            ? new UriBuilder(Uri.UriSchemeHttps, endpoint.Host.Contains(':') ? $"[{endpoint.Host}]" : endpoint.Host, endpoint.Port).Uri.GetLeftPart(UriPartial.Authority)
            : null;

    /// <summary>
    /// HyperShift publishes no console URL. The console's route is <c>console-openshift-console.&lt;apps domain&gt;</c>
    /// (docs/content/how-to/openstack/hostedcluster.md), the apps domain being support/globalconfig/ingress.go
    /// IngressDomain: <c>spec.configuration.ingress.appsDomain</c>, else <c>.domain</c>, else <c>apps.</c> and
    /// support/globalconfig/dns.go BaseDomain (<c>spec.dns.baseDomainPrefix</c>, else the name, then <c>spec.dns.baseDomain</c>).
    /// Null when <c>spec.capabilities.disabled</c> lists <c>Console</c> (hostedcluster_types.go) or no base domain is set.
    /// The name may not resolve until something publishes the apps ingress's DNS records.
    /// </summary>
    public static string? Console(JsonNode hostedCluster)
    {
        var spec = hostedCluster["spec"];
        if (spec?["capabilities"]?["disabled"] is JsonArray disabled && disabled.Any(c => HyperShiftManifests.Text(c) == "Console"))
        {
            return null;
        }

        var ingress = spec?["configuration"]?["ingress"];
        var apps = HyperShiftManifests.Text(ingress?["appsDomain"]) is { Length: > 0 } appsDomain ? appsDomain
            : HyperShiftManifests.Text(ingress?["domain"]) is { Length: > 0 } domain ? domain
            : BaseDomain(hostedCluster) is { } baseDomain ? $"apps.{baseDomain}"
            : null;
        return apps is not null && Uri.CheckHostName($"console-openshift-console.{apps}") == UriHostNameType.Dns
            ? $"https://console-openshift-console.{apps}"
            : null;
    }

    private static string? BaseDomain(JsonNode hostedCluster)
    {
        var dns = hostedCluster["spec"]?["dns"];
        if (HyperShiftManifests.Text(dns?["baseDomain"]) is not { Length: > 0 } baseDomain)
        {
            return null;
        }

        // The CRD (spec.dns.baseDomainPrefix): omitted means the HostedCluster's name; "" means no prefix at all.
        var prefix = dns?["baseDomainPrefix"] is JsonValue set && set.TryGetValue<string>(out var given) ? given : HyperShiftManifests.Text(hostedCluster["metadata"]?["name"]);
        return prefix.Length > 0 ? $"{prefix}.{baseDomain}" : baseDomain;
    }
}
