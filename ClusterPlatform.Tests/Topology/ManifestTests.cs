using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ClusterPlatform.Tests.Topology;

/// <summary>The Aspire manifest a deployment starts from: services as projects, infrastructure as parameters, nothing local.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task Manifest_has_the_services_with_database_and_pubsub_project_as_parameters_and_no_local_executables()
    {
        var output = Path.Combine(Path.GetTempPath(), $"clusterplatform-manifest-{Guid.NewGuid():N}", "aspire-manifest.json");
        var appHost = Path.Combine(AppContext.BaseDirectory, "ClusterPlatform.AppHost.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [appHost, "--publisher", "manifest", "--output-path", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, await log);

        var resources = JsonNode.Parse(await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken))!["resources"]!.AsObject();
        Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);

        var types = resources.ToDictionary(r => r.Key, r => r.Value!["type"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string>
        {
            [ResourceNames.Database] = "parameter.v0",
            ["pubsub-project"] = "parameter.v0",
            [ResourceNames.Api] = "project.v0",
            [ResourceNames.Controllers] = "project.v0",
        }, types);
        var apiEnv = resources[ResourceNames.Api]!["env"]!.AsObject();
        Assert.Equal("{clusterdb.connectionString}", apiEnv["ConnectionStrings__clusterdb"]!.GetValue<string>());
        Assert.Equal("{pubsub-project.value}", apiEnv["PUBSUB_PROJECT_ID"]!.GetValue<string>());
        Assert.DoesNotContain("PUBSUB_EMULATOR_HOST", apiEnv.Select(e => e.Key));
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_TIMEOUT", apiEnv.Select(e => e.Key));
    }
}
