using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// A relay or scheduler count or interval of zero (or less) would make its loop spin, so the Api
/// refuses to start with one, naming the setting, before it touches the database: the connection
/// string points at a closed port, so getting as far as the migration would fail with another message.
/// </summary>
public sealed class OutboxSettingsTests
{
    [Theory]
    [InlineData("Outbox:BatchSize", "0", "OutboxOptions", "BatchSize")]
    [InlineData("Outbox:PollInterval", "00:00:00", "OutboxOptions", "PollInterval")]
    [InlineData("Outbox:MaxBackoff", "-00:00:01", "OutboxOptions", "MaxBackoff")]
    [InlineData("Reconcile:BatchSize", "-1", "ReconcileOptions", "BatchSize")]
    [InlineData("Reconcile:TickInterval", "00:00:00", "ReconcileOptions", "TickInterval")]
    public void Api_refuses_to_start_with_a_setting_that_must_be_positive_at_zero_or_less(string key, string value, string options, string setting)
    {
        var message = StartFailure((key, value));

        Assert.Contains($"'{options}'", message, StringComparison.Ordinal);
        Assert.Contains($"{setting} must be more than zero.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        var message = StartFailure();

        // It gets as far as the database, which is not there.
        Assert.DoesNotContain("must be more than zero", message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", message, StringComparison.Ordinal);
    }

    /// <summary>Starts the Api with <paramref name="settings"/> over a database that is not there; the messages of why it did not start.</summary>
    private static string StartFailure(params (string Key, string Value)[] settings)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting($"ConnectionStrings:{ResourceNames.Database}", "Host=127.0.0.1;Port=1;Database=none;Username=none");
            web.UseSetting("PubSub:ProjectId", "settings-test");
            web.UseSetting("PubSub:EmulatorHost", "127.0.0.1:1");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });

        return Flatten(Assert.ThrowsAny<Exception>(() => factory.CreateClient()));
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : $"{e.Message} | {Flatten(e.InnerException)}";
}
