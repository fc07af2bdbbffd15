using System.Net;
using System.Text;
using ClusterPlatform.Api.Data;
using ClusterPlatform.Api.Events;
using ClusterPlatform.AppHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using NpgsqlTypes;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// The floor under the Api's HTTP rows: the least an ASP.NET Core service can do for the same
/// requests. Kestrel on a loopback port and endpoint routing, with no authentication, no other
/// middleware and no logging; an NpgsqlDataSource on the Api's database with the Api's own
/// auto-prepare setting; and the Api's very statements (<see cref="ResourceStatements"/>, its
/// <see cref="LabelSelector"/>, <see cref="ListQuery"/> and <see cref="OutboxSignal"/>, compiled into
/// this project), with the row read as the Api reads it (<see cref="ResourceRow.Read"/>) and its JSON
/// columns written through as stored. Hosted in the benchmark's own process.
/// </summary>
internal sealed class FloorServer : IAsyncDisposable
{
    // The organization and creator of the floor's creates; the Api's are the benchmark user's.
    private const string Organization = "floor";
    private const string Actor = "benchmark";

    private static readonly string[] ClusterRequired = [.. ControllerNames.All];
    private static readonly TimeSpan NotReadyAfter = TimeSpan.Parse(BenchmarkEnvironment.NotReadyAfter, System.Globalization.CultureInfo.InvariantCulture);

    private readonly WebApplication app;
    private readonly NpgsqlDataSource dataSource;

    private FloorServer(WebApplication app, NpgsqlDataSource dataSource, Uri address)
    {
        this.app = app;
        this.dataSource = dataSource;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<FloorServer> StartAsync(string connectionString)
    {
        // As the Api's Program.cs sets it when the connection string does not.
        var data = new NpgsqlDataSourceBuilder(connectionString);
        if (data.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            data.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        var dataSource = data.Build();
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var clusters = ResourceKind.Cluster.PathBase;
        app.MapGet(clusters + "/{id:guid}", context => GetAsync(context, dataSource));
        app.MapGet(clusters, context => ListAsync(context, dataSource));
        app.MapPost(clusters, context => CreateAsync(context, dataSource));
        await app.StartAsync();
        return new FloorServer(app, dataSource, new Uri(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")));
    }

    /// <summary>ResourceStore.FindAsync with no organization filter, as a controller's or an admin's GET reads.</summary>
    private static async Task GetAsync(HttpContext context, NpgsqlDataSource dataSource)
    {
        var id = Guid.Parse((string)context.Request.RouteValues["id"]!);
        await using var command = dataSource.CreateCommand(ResourceKind.Cluster.Sql.Find);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter("org", NpgsqlDbType.Text) { Value = DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(context.RequestAborted);
        if (!await reader.ReadAsync(context.RequestAborted))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var row = ResourceRow.Read(reader);
        context.Response.Headers.ETag = row.ETag;
        await WriteAsync(context, json => Write(json, row));
    }

    /// <summary>
    /// An admin's first page of <c>labelSelector=<see cref="ApiRequests.ListSelector"/></c>: the query parsed
    /// by the Api's <see cref="ListQuery"/>, and the SQL it makes (<see cref="ListQuery.ApplyTo"/>), as <c>ResourceStore.ListAsync</c> runs it.
    /// </summary>
    private static async Task ListAsync(HttpContext context, NpgsqlDataSource dataSource)
    {
        var query = ListQuery.Parse(null, null, null, null, context.Request.Query["labelSelector"], null);
        await using var command = dataSource.CreateCommand();
        query.ApplyTo(command, ResourceKind.Cluster.Sql.List);
        var rows = new List<ResourceRow>(Page.FetchCount(query.Limit));
        await using (var reader = await command.ExecuteReaderAsync(context.RequestAborted))
        {
            while (await reader.ReadAsync(context.RequestAborted))
            {
                rows.Add(ResourceRow.Read(reader));
            }
        }

        var next = Page.Trim(rows, query.Limit, r => r.Id);
        await WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("kind", "ClusterList");
            json.WriteStartArray("items");
            foreach (var row in rows)
            {
                Write(json, row);
            }

            json.WriteEndArray();
            json.WriteString("continue", next is { } n ? ListQuery.EncodeCursor(n) : null);
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// ResourceStore.CreateAsync for a cluster without an idempotency key: the Api's create statement in
    /// a transaction, its commit, then the relays' wake-up (<see cref="OutboxSignal"/>). The body is
    /// parsed for its name, labels and spec, which are stored as sent: no validation and no defaults,
    /// so the stored spec is shorter than the Api's by the networking defaults and derived GCP names.
    /// </summary>
    private static async Task CreateAsync(HttpContext context, NpgsqlDataSource dataSource)
    {
        var ct = context.RequestAborted;
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: ct);
        var root = body.RootElement;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand(ResourceKind.Cluster.Sql.Create, connection, transaction);
        command.Parameters.AddWithValue("id", Guid.CreateVersion7());
        command.Parameters.AddWithValue("org", Organization);
        command.Parameters.AddWithValue("name", root.GetProperty("name").GetString()!);
        command.Parameters.Add(new NpgsqlParameter("labels", NpgsqlDbType.Jsonb) { Value = root.GetProperty("labels").GetRawText() });
        command.Parameters.Add(new NpgsqlParameter("spec", NpgsqlDbType.Jsonb) { Value = root.GetProperty("spec").GetRawText() });
        command.Parameters.AddWithValue("actor", Actor);
        command.Parameters.AddWithValue("cluster_required", ClusterRequired);
        command.Parameters.AddWithValue("not_ready_after", NotReadyAfter);
        command.Parameters.AddWithValue("event_id", Guid.CreateVersion7());
        // No trace: the floor has no activity to pass on.
        command.Parameters.Add(new NpgsqlParameter("traceparent", NpgsqlDbType.Text) { Value = DBNull.Value });
        ResourceRow row;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            row = ResourceRow.Read(reader);
        }

        await transaction.CommitAsync(ct);
        await OutboxSignal.SendAsync(connection, NullLogger.Instance);
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = Href(row);
        context.Response.Headers.ETag = row.ETag;
        await WriteAsync(context, json => Write(json, row));
    }

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            write(json);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>The Api's cluster fields in its order and names; labels, spec and status written as stored.</summary>
    private static void Write(Utf8JsonWriter json, ResourceRow row)
    {
        json.WriteStartObject();
        json.WriteString("kind", ResourceKind.Cluster.Name);
        json.WriteString("id", row.Id);
        json.WriteString("href", Href(row));
        json.WriteString("name", row.Name);
        json.WriteString("organization", row.Organization);
        json.WritePropertyName("labels");
        json.WriteRawValue(row.Labels, skipInputValidation: true);
        json.WritePropertyName("spec");
        json.WriteRawValue(row.Spec, skipInputValidation: true);
        json.WriteNumber("generation", row.Generation);
        json.WriteString("createdAt", row.CreatedAt);
        json.WriteString("updatedAt", row.UpdatedAt);
        json.WriteString("createdBy", row.CreatedBy);
        if (row.DeletionTimestamp is { } deleted)
        {
            json.WriteString("deletionTimestamp", deleted);
        }
        else
        {
            json.WriteNull("deletionTimestamp");
        }

        json.WritePropertyName("status");
        json.WriteRawValue(row.Status, skipInputValidation: true);
        json.WriteEndObject();
    }

    private static string Href(ResourceRow row) => $"{ResourceKind.Cluster.PathBase}/{row.Id}";

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await dataSource.DisposeAsync();
    }
}
