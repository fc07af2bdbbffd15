using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using ClusterPlatform.PubSub;
using Microsoft.Extensions.Logging;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>
/// A subscriber that has nothing to do for longer than the emulator tolerates a chatty client. The
/// emulator, a grpc-java server, answers keepalive pings sent more often than every 5 minutes with
/// GOAWAY ENHANCE_YOUR_CALM and closes the connection; the streams on it stay registered at the
/// emulator and swallow messages until their ack deadline (docs/pubsub-wire.md). With pings every 30 s
/// that happened after about 100 idle seconds, and events then took tens of seconds to arrive.
/// </summary>
public sealed class IdleStreamTests(PubSubEmulator emulator)
{
    /// <summary>How long the test idles, in seconds; CI may shorten it, never below the emulator's limit to mean anything.</summary>
    public const string IdleSecondsVariable = "CLUSTERPLATFORM_IDLE_TEST_SECONDS";

    // Past the third 30-second ping, when the emulator closed the connection, with room to reconnect.
    private static readonly TimeSpan DefaultIdle = TimeSpan.FromSeconds(130);

    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1);

    private static TimeSpan Idle => int.TryParse(Environment.GetEnvironmentVariable(IdleSecondsVariable), out var seconds) && seconds > 0
        ? TimeSpan.FromSeconds(seconds)
        : DefaultIdle;

    [Fact]
    public async Task After_idling_longer_than_the_emulator_tolerates_each_event_is_handled_within_a_second()
    {
        // A message stuck on a leftover stream would come back only after this deadline.
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "reader", ackDeadline: TimeSpan.FromSeconds(60));
        var publisher = setup.Publisher;
        var handled = Channel.CreateUnbounded<string>();
        var lines = new ConcurrentQueue<string>();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new CapturingLoggerProvider(lines, typeof(PubSubSubscriber).FullName)));
        await using var subscriber = new RunningSubscriber(setup.Connection, "reader", (message, _) =>
        {
            handled.Writer.TryWrite(message.Message.Data.ToStringUtf8());
            return Task.CompletedTask;
        }, new SubscriberSettings { AckDeadline = ShortestAckDeadline }, logger: loggers.CreateLogger<PubSubSubscriber>());
        await publisher.PublishAsync("events", [Message("before")], Cancellation);
        Assert.Equal("before", await handled.Reader.ReadAsync(Cancellation).AsTask().WaitAsync(Patience, Cancellation));

        // The idle period is the scenario itself, not a guess at how long something takes: nothing may
        // happen on the connection meanwhile.
        await Task.Delay(Idle, Cancellation);

        // Several, one at a time: a leftover stream takes only its share of the messages.
        var latencies = new List<TimeSpan>();
        string Seen() => $"idle {Idle.TotalSeconds:0} s, then publish→handled: {string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:0} ms"))}; " +
            $"subscriber log: {string.Join(" | ", lines)}";
        for (var i = 0; i < 4; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await publisher.PublishAsync("events", [Message($"after {i}")], Cancellation);
            var next = handled.Reader.ReadAsync(Cancellation).AsTask();
            if (await Task.WhenAny(next, Task.Delay(Patience, Cancellation)) != next)
            {
                Assert.Fail($"message {i} not handled within {Patience.TotalSeconds:0} s; {Seen()}");
            }

            latencies.Add(Stopwatch.GetElapsedTime(started));
            Assert.Equal($"after {i}", await next);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(Seen());
        Assert.All(latencies, latency => Assert.True(latency < Prompt, Seen()));
        // The stream lived through the idle period: the emulator never closed the connection.
        Assert.DoesNotContain(lines, line => line.Contains("reconnecting", StringComparison.Ordinal));
    }
}
