namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// <c>GET /simulated/world</c>: what the simulated providers hold right now (DNS records and
/// HyperShift objects per management cluster, break-glass CAs and revocations). It lets an engineer on a local run, and the
/// whole-topology tests, see that a deleted cluster left nothing behind. Mapped only when the
/// simulated providers are in use: the real world has its own consoles.
/// </summary>
internal static class SimulatedWorldEndpoint
{
    public const string Path = "/simulated/world";

    public static WebApplication MapSimulatedWorld(this WebApplication app)
    {
        if (app.Services.GetService<SimulatedDnsProvider>() is not { } dns
            || app.Services.GetService<SimulatedManagementClusterProvider>() is not { } managementClusters)
        {
            return app;
        }

        app.MapGet(Path, () => new SimulatedWorld(
            dns.Records.OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => new SimulatedWorldDnsRecord(r.Key, r.Value.Type, r.Value.Data)).ToList(),
            managementClusters.Objects.Keys
                .OrderBy(k => k.ManagementCluster, StringComparer.Ordinal).ThenBy(k => k.Kind, StringComparer.Ordinal)
                .ThenBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal)
                .ToList(),
            managementClusters.BreakGlass.Authorities.OrderBy(a => a.Key, StringComparer.Ordinal)
                .Select(a => new SimulatedWorldAuthority(a.Key, a.Value)).ToList(),
            managementClusters.BreakGlass.Revocations));
        return app;
    }
}

/// <param name="BreakGlassAuthorities">Each hosted cluster's current break-glass CA, against which a test verifies a certificate's chain and expiry.</param>
/// <param name="BreakGlassRevocations">The revocations carried out, each with the CA it replaced.</param>
internal sealed record SimulatedWorld(IReadOnlyList<SimulatedWorldDnsRecord> DnsRecords, IReadOnlyList<SimulatedObjectKey> ManagementClusterObjects,
    IReadOnlyList<SimulatedWorldAuthority> BreakGlassAuthorities, IReadOnlyList<SimulatedRevocation> BreakGlassRevocations);

/// <param name="Cluster">"management cluster|namespace/name" of the hosted cluster.</param>
/// <param name="Certificate">The CA certificate (PEM); its key never leaves the simulation.</param>
internal sealed record SimulatedWorldAuthority(string Cluster, string Certificate);

internal sealed record SimulatedWorldDnsRecord(string Name, string Type, string Data);
