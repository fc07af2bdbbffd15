using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Hosting;
using ClusterPlatform.PubSub;
using Microsoft.Extensions.Options;

// The controllers process: one subscription worker per controller, each on its own subscription.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPubSub();
builder.Services.AddOptions<ControllerOptions>().BindConfiguration(ControllerOptions.Section);

foreach (var name in ControllerNames.All)
{
    builder.Services.AddSingleton<IHostedService>(services => new SubscriptionWorker(
        new LoggingEventHandler(name, services.GetRequiredService<ILogger<LoggingEventHandler>>()),
        services.GetRequiredService<PubSubAdmin>(),
        services.GetRequiredService<PubSubSubscriber>(),
        services.GetRequiredService<IOptions<ControllerOptions>>(),
        services.GetRequiredService<ILogger<SubscriptionWorker>>()));
}

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
