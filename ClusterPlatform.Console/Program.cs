using ClusterPlatform.WebConsole.Api;
using ClusterPlatform.WebConsole.Components;
using ClusterPlatform.WebConsole.SignIn;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ClusterPlatform.WebConsole;

// An explicit entry point, not top-level statements: a top-level Program is public and would clash
// with the Api's Program in the tests, which reference both projects.
internal static class ConsoleProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddConsoleSignIn();
        builder.AddSharedKeyRing();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddConsoleApi(builder.Configuration);

        var app = builder.Build();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapDefaultEndpoints();
        app.MapSignInEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        await app.RunAsync();
    }
}
