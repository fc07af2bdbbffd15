var builder = DistributedApplication.CreateBuilder(args);
builder.AddProject<Projects.ClusterPlatform_Api>(ClusterPlatform.ResourceNames.Api);
builder.Build().Run();
