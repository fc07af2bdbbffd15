extern alias controllers;

using controllers::ClusterPlatform.Controllers.Controllers;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>What a controller reports for each outcome, and that a provider's NUL never reaches the Api (jsonb cannot hold it).</summary>
public sealed class ReconcileResultTests
{
    [Fact]
    public void A_permanent_provider_failure_is_degraded_with_the_providers_message_and_no_nul()
    {
        var report = ReconcileResult.FailedForGood(new ProviderException("refused: bad\0value", transient: false), finalized: null)
            .ToReport("operator-client-controller", 3, 0);

        var degraded = Assert.Single(report.Conditions, c => c.Type == "Degraded");
        Assert.Equal(("True", "ProviderError", "refused: bad value"), (degraded.Status, degraded.Reason, degraded.Message));
        Assert.Equal("False", Assert.Single(report.Conditions, c => c.Type == "Available").Status);
        Assert.All(report.Conditions, c => Assert.DoesNotContain('\0', c.Message));
        Assert.Equal(3, report.ObservedGeneration);
    }

    [Fact]
    public void A_provider_message_longer_than_the_api_takes_is_cut_to_its_limit()
    {
        var report = ReconcileResult.FailedForGood(new ProviderException(new string('x', 1022) + "😀😀", transient: false), finalized: null)
            .ToReport("environment-validation-controller", 1, 0);

        var message = Assert.Single(report.Conditions, c => c.Type == "Degraded").Message;
        Assert.True(message.Length <= ClusterPlatform.Contracts.ConditionReport.MaxMessageLength, $"{message.Length} characters");
        Assert.EndsWith("…", message, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(message[^2]));
    }

    [Fact]
    public void A_transient_failure_is_progressing_and_keeps_available_as_it_was()
    {
        var failure = new ProviderException("timed out", transient: true);

        var wasAvailable = ReconcileResult.TransientFailure(failure, wasAvailable: true, finalized: null).ToReport("dns-management-controller", 1, 0);
        var wasNot = ReconcileResult.TransientFailure(failure, wasAvailable: false, finalized: false).ToReport("dns-management-controller", 1, 0);

        Assert.Equal(("True", "True"), (Status(wasAvailable, "Available"), Status(wasAvailable, "Progressing")));
        Assert.Equal(("False", "True", "False"), (Status(wasNot, "Available"), Status(wasNot, "Progressing"), Status(wasNot, "Finalized")));
        Assert.Equal("False", Status(wasAvailable, "Degraded"));
    }

    private static string Status(ClusterPlatform.Contracts.StatusReportRequest report, string type) =>
        Assert.Single(report.Conditions, c => c.Type == type).Status;
}
