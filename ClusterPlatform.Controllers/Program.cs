// The controllers process. It hosts the four controllers once the events and controllers issues
// land; for now it is a worker with the shared defaults, so the topology and its health checks are real.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
