using ClusterPlatform;
using ClusterPlatform.Api.AutoUpgrades;
using ClusterPlatform.Api.Credentials;
using ClusterPlatform.Api.Endpoints;
using ClusterPlatform.Api.Events;
using ClusterPlatform.Api.Fleet;
using ClusterPlatform.Api.Http;
using ClusterPlatform.Api.OpenApi;
using ClusterPlatform.Api.Versions;
using ClusterPlatform.PubSub;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Auto-prepared statements: the Api runs a few dozen statements over and over, and without this
// PostgreSQL parses and plans each of them again on every request (the create statement alone is
// three inserts and a function call). A connection string that sets Max Auto Prepare keeps its value.
builder.AddNpgsqlDataSource(ResourceNames.Database, configureDataSourceBuilder: dataSource =>
{
    if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
    {
        dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
    }
});

builder.Services.AddOptions<PlatformOptions>()
    .BindConfiguration(PlatformOptions.Section)
    .ValidateDataAnnotations()
    .ValidateOnStart();

builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemExceptionHandler.Customize);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddApiAuthentication(builder.Configuration, builder.Environment);
builder.Services.AddHttpHardening(builder.Configuration, builder.Environment);
builder.Services.AddApiOpenApi();

builder.AddPubSub();
builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<ReconcileOptions>().BindConfiguration(ReconcileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<FleetOptions>().BindConfiguration(FleetOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<OutboxMetrics>();
builder.Services.AddSingleton<EventTopology>();
// Read before the container is built, since it decides what is registered.
if ((builder.Configuration.GetSection(OutboxOptions.Section).Get<OutboxOptions>() ?? new()).RelayEnabled)
{
    builder.Services.AddHostedService<OutboxRelay>();
}

builder.Services.AddHostedService<ReconcileScheduler>();

builder.Services.AddSingleton<DatabaseMigrator>();
builder.Services.AddSingleton<ResourceStore>();
builder.Services.AddSingleton<StatusStore>();
builder.Services.AddSingleton<FleetStore>();
builder.Services.AddSingleton<ClusterRequests>();
builder.Services.AddSingleton<NodePoolRequests>();
builder.Services.AddSingleton<FleetRequests>();
builder.Services.AddOptions<CredentialsOptions>().BindConfiguration(CredentialsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<CredentialStore>();
builder.Services.AddSingleton<CredentialRequests>();
builder.Services.AddVersionCatalog();
builder.Services.AddAutomaticUpgrades();

var app = builder.Build();

// Build-time OpenAPI generation (GetDocument.Insider) runs this entry point to read the endpoints;
// it has no database, and the document does not depend on one.
var generatingDocument = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

// The schema is current before the first request is served (advisory-locked across replicas).
if (!generatingDocument)
{
    // Settings are checked before the database is touched: a bad one fails the start with its
    // message, not after a migration (the host checks them again when it starts).
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
    await app.Services.GetRequiredService<ClusterPlatform.Api.Versions.VersionCatalogWarmup>().FillIfEmptyAsync(app.Lifetime.ApplicationStopping);
}

if (!generatingDocument && app.Services.GetRequiredService<IOptions<FleetOptions>>().Value.SeedLocal)
{
    // A local run gets one simulated management cluster per supported region.
    await app.Services.GetRequiredService<FleetStore>().SeedAsync(
        app.Services.GetRequiredService<IOptions<PlatformOptions>>().Value.SupportedRegions, app.Lifetime.ApplicationStopping);
}

app.UseEdge(app.Environment);
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRouting();
app.UseCors(HttpHardening.CorsPolicy);
app.UseAuthentication();
app.UseLimits();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapOpenApi().AllowAnonymous();
app.MapScalarApiReference().AllowAnonymous();
app.MapClustersApi();
app.MapNodePoolsApi();
app.MapCredentialsApi();
app.MapFleetApi();
app.MapVersionsApi();

await app.RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
