namespace ClusterPlatform.Api.Events;

/// <summary>The outbox relay (section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Off only where something else drains the outbox (a test of the outbox itself).</summary>
    public bool RelayEnabled { get; set; } = true;

    /// <summary>Rows claimed and published per transaction.</summary>
    [Positive]
    public int BatchSize { get; set; } = 200;

    /// <summary>Fallback when NOTIFY is lost (a pooler, a dropped LISTEN connection).</summary>
    [Positive]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one publish may take before its rows are released for a retry.</summary>
    [Positive]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Longest wait between retries of a failure; an outage's backoff ends sooner, as soon as a probe
    /// finds the database or Pub/Sub answering again.
    /// </summary>
    [Positive]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the relay probes: the Pub/Sub topology always (a few GetSubscription calls, so an
    /// emulator that restarted is noticed even while nothing is published), and while backing off
    /// from an outage, the database or Pub/Sub that failed. The relay notices a recovery within this.
    /// </summary>
    [Positive]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Published rows are kept this long for inspection, then purged.</summary>
    [Positive]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>The reconcile scheduler (section <c>Reconcile</c>).</summary>
public sealed class ReconcileOptions
{
    public const string Section = "Reconcile";

    /// <summary>A cluster that is not Ready gets a reconcile this long after its last change (debounced).</summary>
    [Positive]
    public TimeSpan NotReadyAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A Ready cluster is reconciled at least this often.</summary>
    [Positive]
    public TimeSpan ReadyAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the scheduler looks for due clusters.</summary>
    [Positive]
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most clusters scheduled in one tick; the rest wait for the next.</summary>
    [Positive]
    public int BatchSize { get; set; } = 500;
}
