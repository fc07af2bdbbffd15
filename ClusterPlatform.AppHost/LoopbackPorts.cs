using System.Net;
using System.Net.Sockets;

namespace ClusterPlatform.AppHost;

/// <summary>Ports for the servers a local run starts (PostgreSQL, the Pub/Sub emulator, the services).</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A TCP port free on 127.0.0.1 right now. The server binds it a moment later; the window is
    /// small, and it is what lets parallel servers (tests, a second checkout) never clash.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
