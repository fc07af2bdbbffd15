using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// A hostile body is the client's fault, so it is answered 400 and logged as one request
/// line, never as an error with an exception and its stack trace (which used to come with the 500).
/// </summary>
public sealed class MalformedBodyLogTests(MalformedBodyLogTests.LoggedApiServer api) : IClassFixture<MalformedBodyLogTests.LoggedApiServer>
{
    /// <summary>An Api whose every log line, of every category, is kept.</summary>
    public sealed class LoggedApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        private readonly ConcurrentQueue<string> logs = new();

        public IReadOnlyCollection<string> Logs => logs;

        protected override void ConfigureWebHost(IWebHostBuilder web) =>
            web.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(new CapturingLoggerProvider(logs))));
    }

    public static TheoryData<string, byte[], string> HostileBodies => new()
    {
        { "an unpaired surrogate", "{\"name\":\"\\ud800\"}"u8.ToArray(), "malformed-json" },
        { "an unpaired surrogate in a name", "{\"\\udc00\":1,\"b\":2}"u8.ToArray(), "malformed-json" },
        { "a 0xFF byte", [.. "{\"name\":\""u8.ToArray(), 0xFF, .. "\"}"u8.ToArray()], "malformed-json" },
        { "a duplicate name", "{\"name\":\"a\",\"name\":\"b\"}"u8.ToArray(), "malformed-json" },
        { "a NUL", "{\"name\":\"a\\u0000\"}"u8.ToArray(), "invalid-character" },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task A_hostile_body_is_a_400_logged_without_an_exception(string what, byte[] body, string code)
    {
        var marker = Guid.NewGuid().ToString("N");
        var before = api.Logs.Count;
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.Clusters) { Content = content };
        request.Headers.Add("X-Request-Id", marker);

        using var response = await api.As("user", "logs").SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {response.StatusCode}");
        Assert.Equal(code, (await response.ReadObjectAsync())["code"].Text());
        await Wait.UntilAsync(() => Task.FromResult(api.Logs.Any(l => l.Contains($"-> 400 in", StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10), "the request's log line");
        Assert.DoesNotContain(api.Logs.Skip(before), l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains("   at ", StringComparison.Ordinal));
    }
}
