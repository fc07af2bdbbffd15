using System.Diagnostics.CodeAnalysis;
using ClusterPlatform.AppHost.Deployment;
using Microsoft.Extensions.Configuration;

namespace ClusterPlatform.AppHost;

/// <summary>
/// The clusterdb connection string the services reference, and the resource to wait for before
/// using it (null in publish mode, where the database is not part of the topology).
/// </summary>
/// <remarks><paramref name="ConsoleConnectionString"/> is the console's own database on the same server
/// (its Data Protection key ring): apart from clusterdb, so the console holds no privilege over tenant data.</remarks>
internal sealed record ClusterDatabase(
    IResourceBuilder<IResourceWithConnectionString> ConnectionString,
    IResourceBuilder<IResource>? Server,
    IResourceBuilder<IResourceWithConnectionString> ConsoleConnectionString)
{
    private const string Settings = "Postgres";

    /// <summary>
    /// Adds PostgreSQL the way this machine can run it: the local binaries, else a container.
    /// When neither works, returns false with a message saying what to install: Aspire would
    /// otherwise wait forever for a container. Settings (all optional):
    /// <c>Postgres:Mode</c> Auto (default), Local or Container;
    /// <c>Postgres:BinDirectory</c> where <c>postgres</c> and <c>initdb</c> are;
    /// <c>Postgres:DataDirectory</c> (default <c>&lt;repo&gt;/.data/postgres</c>);
    /// <c>Postgres:Port</c> (default: a free port each run).
    /// </summary>
    public static bool TryAdd(
        IDistributedApplicationBuilder builder,
        DeploymentParameterSet? deployment,
        [NotNullWhen(true)] out ClusterDatabase? database,
        [NotNullWhen(false)] out string? problem)
    {
        database = null;
        problem = null;
        if (deployment is not null)
        {
            // A deployment brings its own PostgreSQL (Cloud SQL), reached through the Cloud SQL Auth
            // Proxy beside each Api pod. The proxy encrypts and authenticates with the pod's IAM
            // identity (--auto-iam-authn), so the connection string holds no password.
            var name = deployment[DeploymentParameters.DatabaseName];
            var user = deployment[DeploymentParameters.DatabaseUser];
            var port = CloudSqlProxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var consoleName = deployment[DeploymentParameters.ConsoleDatabaseName];
            var consoleUser = deployment[DeploymentParameters.ConsoleDatabaseUser];
            database = new(builder.AddConnectionString(ResourceNames.Database,
                ReferenceExpression.Create($"Host=127.0.0.1;Port={port};Database={name};Username={user};SSL Mode=Disable")), null,
                builder.AddConnectionString(ResourceNames.ConsoleDatabase,
                    ReferenceExpression.Create($"Host=127.0.0.1;Port={port};Database={consoleName};Username={consoleUser};SSL Mode=Disable")));
            return true;
        }

        var settings = builder.Configuration.GetSection(Settings);
        var binDirectory = LocalPostgres.FindBinDirectory(settings["BinDirectory"]);
        var missing = "no PostgreSQL server binaries were found" +
            (settings["BinDirectory"] is { } dir ? $" in {dir} ({Settings}:BinDirectory)" : "") + $". {LocalPostgres.InstallHint}";
        if (!HostingChoice.TryChoose(builder.Configuration, Settings, binDirectory is not null, missing, out var hosting, out problem))
        {
            return false;
        }

        database = hosting == Hosting.Local ? AddLocal(builder, settings, binDirectory!) : AddContainer(builder);
        return true;
    }

    private static ClusterDatabase AddLocal(IDistributedApplicationBuilder builder, IConfiguration settings, string binDirectory)
    {
        // The data directory persists under <repo>/.data so clusters survive a restart; tests point
        // Postgres:DataDirectory at a throwaway one.
        var dataDirectory = settings["DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(Directory.GetParent(builder.AppHostDirectory)!.FullName, ".data", "postgres");
        // The port is chosen here rather than by DCP because it is part of the command line that
        // LocalPostgres writes (the same one the tests use). Postgres:Port fixes it.
        var port = settings.GetValue<int?>("Port") ?? LoopbackPorts.Free();

        LocalPostgres.EnsureInitialized(binDirectory, dataDirectory);
        // Stopped in fast mode, so a stop or restart from the dashboard does not wait for the Api's idle pooled connections.
        var command = LocalPostgres.WithFastShutdownOnTerm(LocalPostgres.ServerCommand(binDirectory, dataDirectory, port));
        var server = builder.AddExecutable(ResourceNames.PostgresServer, command.FileName, dataDirectory, [.. command.Arguments])
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: "tcp", isProxied: false);

        var endpointPort = server.GetEndpoint("tcp").Property(EndpointProperty.Port);
        ReferenceExpression ConnectionTo(string databaseName) =>
            ReferenceExpression.Create($"Host=127.0.0.1;Port={endpointPort};Username=postgres;Database={databaseName}");

        var admin = ConnectionTo("postgres");
        server.WithConnectionHealthCheck(admin).WithResetDatabaseCommand(admin);
        // The Api creates clusterdb itself when it is missing, and the console its consoledb, so nothing here has to.
        return new(builder.AddConnectionString(ResourceNames.Database, ConnectionTo(ResourceNames.Database)), server,
            builder.AddConnectionString(ResourceNames.ConsoleDatabase, ConnectionTo(ResourceNames.ConsoleDatabase)));
    }

    private static ClusterDatabase AddContainer(IDistributedApplicationBuilder builder)
    {
        var server = builder.AddPostgres(ResourceNames.PostgresServer).WithDataVolume();
        server.WithResetDatabaseCommand(server.Resource.ConnectionStringExpression);
        var database = server.AddDatabase(ResourceNames.Database);
        return new(database, database, server.AddDatabase(ResourceNames.ConsoleDatabase));
    }
}
