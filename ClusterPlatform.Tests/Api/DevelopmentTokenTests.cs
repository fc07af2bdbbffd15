using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClusterPlatform.Tests.Api;

/// <summary>dotnet user-jwts signing keys are a development convenience; any other environment refuses to start with them.</summary>
public sealed class DevelopmentTokenTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Api_refuses_to_start_with_development_signing_keys_outside_development(string environment)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment(environment);
            web.UseSetting($"ConnectionStrings:{ResourceNames.Database}", "Host=127.0.0.1;Port=1;Username=none");
            foreach (var (key, value) in TestTokens.ApiSettings())
            {
                web.UseSetting(key, value);
            }
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("outside the Development environment", Flatten(error));
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : $"{e.Message} | {Flatten(e.InnerException)}";
}
