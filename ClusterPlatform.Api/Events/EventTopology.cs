using ClusterPlatform.PubSub;
using Grpc.Core;

namespace ClusterPlatform.Api.Events;

/// <summary>
/// The Api owns the Pub/Sub topology: the topic, the dead-letter topic with its inspection
/// subscription, and every controller's subscription. Pub/Sub delivers only to subscriptions that
/// exist at publish time, so an event published to a topic some subscription is missing from is lost
/// to that controller; the Api therefore creates the controllers' subscriptions too, and the relay
/// publishes only while the whole topology is verified.
/// <para>
/// The emulator forgets everything when it restarts, and whoever comes back first (often a
/// controller, which ensures the topic and its own subscription) may re-create the topic alone, so a
/// publish that succeeds proves nothing about the subscriptions. What the emulator forgetting its
/// state always brings is a period of failed calls: the connections it held close and new ones are
/// refused. So the topology counts as unverified again (<see cref="Invalidate"/>) after a definite
/// sign that Pub/Sub went away: a retried publish or create attempt that failed as a server that is
/// gone fails (the publisher's and the admin's <c>AttemptFailed</c>; UNAVAILABLE and the like), a
/// relay failure of that kind, a NOT_FOUND, or a <see cref="CheckAsync"/> that finds something
/// missing or fails that way. The relay's topology watch runs the check every
/// <c>Outbox:ProbeInterval</c>, so that an outage is seen even while nothing is published. The watch
/// ensures the topology again as soon as a check is answered, and the relay publishes only while it
/// is verified: a publish that spans an invalidation is cancelled, or discarded if it completed, and
/// its rows go again (<see cref="Epoch"/>).
/// </para>
/// <para>
/// <b>Slow is not lost.</b> A call that only took too long (DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
/// <see cref="PubSubErrors.IsSlow"/>) leaves the topology verified: a paused or CPU-starved emulator
/// keeps its state, and invalidating on slowness cancelled every publish in flight and stopped the
/// relay until a full ensure went through the same slow server, each time a check took longer than
/// its timeout, which under load was every few seconds (pauses of minutes in the burst benchmark).
/// A slow server that then restarts still brings the failed calls above.
/// </para>
/// </summary>
internal sealed class EventTopology : IDisposable
{
    // A check is a handful of GetSubscription calls. One that takes longer is given up (and the next
    // probe tries again) but means only that Pub/Sub is slow, not that it lost anything.
    internal static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private readonly PubSubAdmin admin;
    private readonly PubSubPublisher publisher;
    private readonly IOptions<PubSubOptions> options;
    private readonly ILogger<EventTopology> logger;
    private readonly SemaphoreSlim ensuring = new(1, 1);
    private readonly Lock gate = new();
    private TaskCompletionSource verified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Completed (and replaced) whenever a check is answered: Pub/Sub serves calls again.
    private TaskCompletionSource answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Cancelled when the verified state it belongs to ends. Never disposed: a relay loop may still be
    // linking to its token, and a source without a timer or wait handle holds nothing to release.
    private CancellationTokenSource lost = new();
    private int epoch;
    private int verifiedEpoch = -1;

    public EventTopology(PubSubAdmin admin, PubSubPublisher publisher, IOptions<PubSubOptions> options, ILogger<EventTopology> logger)
    {
        this.admin = admin;
        this.publisher = publisher;
        this.options = options;
        this.logger = logger;
        publisher.AttemptFailed += OnAttemptFailed;
        admin.AttemptFailed += OnAttemptFailed;
    }

    /// <summary>The topic cluster events are published to.</summary>
    public string Topic => options.Value.Topic;

    /// <summary>
    /// Changes whenever the topology may have been lost. A publish that spans a change may have reached
    /// a re-created topic before its subscriptions existed, so its rows go again.
    /// </summary>
    public int Epoch => Volatile.Read(ref epoch);

    /// <summary>Whether the whole topology was ensured since the last sign that it may be gone.</summary>
    public bool IsVerified => Volatile.Read(ref verifiedEpoch) == Epoch;

    /// <summary>
    /// Whether the topology is verified, at which <paramref name="verifiedAt"/> epoch, and a token
    /// that is cancelled as soon as that ends: a publish under it stops at the first sign of an
    /// outage instead of retrying through it, since its rows would go again anyway.
    /// </summary>
    public bool TryGetVerified(out int verifiedAt, out CancellationToken whenLost)
    {
        lock (gate)
        {
            verifiedAt = epoch;
            whenLost = lost.Token;
            return verifiedEpoch == epoch;
        }
    }

    /// <summary>Something suggests Pub/Sub may have lost the topology: ensure it all again before the next publish.</summary>
    public void Invalidate()
    {
        CancellationTokenSource ended;
        lock (gate)
        {
            epoch++;
            ended = lost;
        }

        // Outside the lock: cancelling runs the callbacks of the publishes under its token.
        ended.Cancel();
    }

    /// <summary>Completes once the topology is verified: at once if it is, else when an ensure next succeeds.</summary>
    public Task WhenVerifiedAsync(CancellationToken ct)
    {
        // The task is taken before IsVerified is read: an ensure that succeeds in between has set
        // verifiedEpoch before completing this task, so one of the two sees it.
        var next = Volatile.Read(ref verified).Task;
        return IsVerified ? Task.CompletedTask : next.WaitAsync(ct);
    }

    /// <summary>
    /// Completes when the topology watch's next check is answered (whatever it finds): a relay that
    /// gave up on a slow publish tries again once Pub/Sub serves calls, not into the same stall.
    /// </summary>
    public Task WhenAnsweredAsync(CancellationToken ct) => Volatile.Read(ref answered).Task.WaitAsync(ct);

    /// <summary>
    /// Creates whatever of the topology is missing (idempotently; what exists counts as ensured)
    /// unless it is verified already, and returns the epoch it is verified at. Retries until Pub/Sub
    /// answers or <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<int> EnsureAsync(CancellationToken ct)
    {
        while (true)
        {
            var current = Epoch;
            if (Volatile.Read(ref verifiedEpoch) == current)
            {
                return current;
            }

            await ensuring.WaitAsync(ct);
            try
            {
                current = Epoch;
                if (Volatile.Read(ref verifiedEpoch) == current)
                {
                    return current;
                }

                await admin.EnsureTopologyAsync(Topic, options.Value.DeadLetterTopic, ControllerNames.All,
                    EventTopics.MaxDeliveryAttempts, EventTopics.MinRetryBackoff, EventTopics.MaxRetryBackoff, cancellationToken: ct);
                lock (gate)
                {
                    // A call failed while ensuring: the emulator may have restarted between two creates
                    // and forgotten the first ones. Ensure everything again.
                    if (epoch != current)
                    {
                        continue;
                    }

                    lost = new CancellationTokenSource();
                    verifiedEpoch = current;
                }

                Interlocked.Exchange(ref verified, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                logger.LogInformation("Pub/Sub topic {Topic} and subscriptions {Subscriptions} are in place", Topic, string.Join(", ", ControllerNames.All));
                return current;
            }
            finally
            {
                ensuring.Release();
            }
        }
    }

    /// <summary>
    /// One cheap look at whether the whole topology still exists (<see cref="PubSubAdmin.FindMissingAsync"/>).
    /// Returns whether Pub/Sub answered. When something is missing, or Pub/Sub failed as a server that
    /// went away fails, the topology is invalidated so that it is ensured before the next publish; a
    /// check that was only too slow changes nothing (slow is not lost).
    /// </summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        var current = Epoch;
        try
        {
            var missing = await admin.FindMissingAsync(Topic, options.Value.DeadLetterTopic, ControllerNames.All, CheckTimeout, ct);
            Interlocked.Exchange(ref answered, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            if (missing.Count > 0)
            {
                if (Volatile.Read(ref verifiedEpoch) == current)
                {
                    logger.LogWarning("Pub/Sub lost subscription(s) {Missing}; creating them again before the next publish", string.Join(", ", missing));
                }

                Invalidate();
            }

            return true;
        }
        catch (Exception e) when (PubSubErrors.IsSlow(e) && !ct.IsCancellationRequested)
        {
            // Pub/Sub is paused, starved or overloaded: it still holds what it held. Publishing goes
            // on under the publish timeout; a restart would show as refused or broken calls.
            logger.LogDebug("Pub/Sub topology check did not answer within {Timeout}: {Error}", CheckTimeout, ((RpcException)e).Status);
            return false;
        }
        catch (Exception e) when (PubSubErrors.IsTransient(e) && !ct.IsCancellationRequested)
        {
            // Pub/Sub went away: an outage, whose end may come with an empty emulator. The relay
            // logs the outage itself when a publish fails; this repeats every probe.
            logger.LogDebug("Pub/Sub topology check failed: {Error}", e is RpcException rpc ? rpc.Status.ToString() : e.Message);
            Invalidate();
            return false;
        }
        catch (RpcException e)
        {
            // Refused (a missing permission to read subscriptions): this says nothing about the
            // topology, and failed calls still invalidate it, so publishing goes on.
            logger.LogWarning("Pub/Sub topology check refused: {Error}", e.Status);
            return true;
        }
    }

    // A retried attempt that was only slow (a per-attempt deadline) says nothing about the topology.
    private void OnAttemptFailed(object? sender, Exception e)
    {
        if (!PubSubErrors.IsSlow(e))
        {
            Invalidate();
        }
    }

    public void Dispose()
    {
        publisher.AttemptFailed -= OnAttemptFailed;
        admin.AttemptFailed -= OnAttemptFailed;
        ensuring.Dispose();
        lost.Dispose();
    }
}
