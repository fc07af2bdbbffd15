using System.Diagnostics;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>The Controllers process refuses unsafe or wrong configuration at startup, before it touches anything.</summary>
public sealed class ControllersStartupTests
{
    [Theory]
    [InlineData("ControllerAuth__DevelopmentSigningKey", "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0zMi1ieXRlcw==", "refused outside the Development environment")]
    [InlineData("Controllers__Enabled__0", "no-such-controller", "names an unknown controller 'no-such-controller'")]
    public async Task The_process_exits_with_a_clear_message(string setting, string value, string message)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ClusterPlatform.Controllers.dll");
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["PUBSUB_PROJECT_ID"] = "startup-test";
        start.Environment[setting] = value;
        using var process = Process.Start(start)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The Controllers process kept running with that configuration.");
        }

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains(message, string.Concat(await output), StringComparison.Ordinal);
    }
}
