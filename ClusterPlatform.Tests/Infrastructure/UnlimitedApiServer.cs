namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// An Api without rate limits, for suites that send hundreds of requests from one identity to test
/// who may do what (the authorization matrix) or what is refused (bad input), not how often.
/// </summary>
public sealed class UnlimitedApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Http:RateLimits:Enabled"] = "false",
    };
}
