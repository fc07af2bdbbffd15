using Aspire.Hosting.ApplicationModel;
using ClusterPlatform.AppHost;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// How the AppHost's self-healing reads an instance's snapshots: which exits are crashes, and how
/// long it waits before each restart. The topology tests and the resilience class see it restart
/// real processes; these pin the rules.
/// </summary>
public sealed class SelfHealingTests
{
    private static readonly RestartBackoff Backoff = new(true, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_exit_while_running_is_a_crash_restarted_after_the_initial_delay()
    {
        var history = new InstanceHistory(Backoff);

        Run(history, Start);
        var exit = history.Observe(Snapshot(KnownResourceStates.Finished, exitCode: 137), Start.AddSeconds(5));

        var crash = Assert.IsType<InstanceHistory.Crash>(exit);
        Assert.Equal((TimeSpan.FromSeconds(1), 1, 137), (crash.Delay, crash.Restart, crash.ExitCode));
        Assert.True(history.StillDown);
    }

    [Fact]
    public void An_exit_after_stopping_was_asked_for_and_leaves_it_stopped()
    {
        var history = new InstanceHistory(Backoff);

        Run(history, Start);
        Assert.Null(history.Observe(Snapshot(KnownResourceStates.Stopping), Start.AddSeconds(5)));
        var exit = history.Observe(Snapshot(KnownResourceStates.Finished, exitCode: 0), Start.AddSeconds(6));

        Assert.IsType<InstanceHistory.Stopped>(exit);
        Assert.False(history.StillDown);
    }

    [Fact]
    public void A_restart_by_hand_is_a_stop_then_a_new_run_whose_crash_counts_again()
    {
        var history = new InstanceHistory(Backoff);
        Run(history, Start);
        history.Observe(Snapshot(KnownResourceStates.Stopping), Start.AddSeconds(1));
        history.Observe(Snapshot(KnownResourceStates.Finished), Start.AddSeconds(2));

        Run(history, Start.AddSeconds(3));
        var exit = history.Observe(Snapshot(KnownResourceStates.Finished, exitCode: 137), Start.AddSeconds(4));

        Assert.IsType<InstanceHistory.Crash>(exit);
    }

    [Fact]
    public void Crashes_in_a_row_double_the_delay_up_to_the_maximum_and_a_long_healthy_run_resets_it()
    {
        var history = new InstanceHistory(Backoff);
        var now = Start;
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 7; i++)
        {
            Run(history, now);
            now = now.AddSeconds(2);
            delays.Add(Assert.IsType<InstanceHistory.Crash>(history.Observe(Snapshot(KnownResourceStates.Finished), now)).Delay);
        }

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays.Select(d => d.TotalSeconds));

        Run(history, now);
        var afterHealthyMinute = Assert.IsType<InstanceHistory.Crash>(history.Observe(Snapshot(KnownResourceStates.Finished), now.AddSeconds(61)));
        Assert.Equal((TimeSpan.FromSeconds(1), 8), (afterHealthyMinute.Delay, afterHealthyMinute.Restart));
    }

    [Fact]
    public void A_process_that_dies_while_starting_is_a_crash_but_one_that_never_started_is_not()
    {
        var dying = new InstanceHistory(Backoff);
        dying.Observe(Snapshot(KnownResourceStates.Starting), Start);
        Assert.IsType<InstanceHistory.Crash>(dying.Observe(Snapshot(KnownResourceStates.Finished, exitCode: 1), Start.AddSeconds(1)));

        var missing = new InstanceHistory(Backoff);
        missing.Observe(Snapshot(KnownResourceStates.Starting), Start);
        Assert.Null(missing.Observe(Snapshot(KnownResourceStates.FailedToStart), Start.AddSeconds(1)));
    }

    [Fact]
    public void Updates_that_repeat_a_stopped_state_are_no_new_exit()
    {
        var history = new InstanceHistory(Backoff);
        Run(history, Start);
        Assert.IsType<InstanceHistory.Crash>(history.Observe(Snapshot(KnownResourceStates.Finished), Start.AddSeconds(1)));

        Assert.Null(history.Observe(Snapshot(KnownResourceStates.Finished), Start.AddSeconds(2)));
        Assert.Equal(1, history.Restarts);
    }

    private static void Run(InstanceHistory history, DateTimeOffset at)
    {
        Assert.Null(history.Observe(Snapshot(KnownResourceStates.Starting), at));
        // Running with no health reports is healthy (Aspire's CustomResourceSnapshot.ComputeHealthStatus).
        Assert.Null(history.Observe(Snapshot(KnownResourceStates.Running), at));
    }

    private static CustomResourceSnapshot Snapshot(string state, int? exitCode = null) => new()
    {
        ResourceType = "Executable",
        Properties = [],
        State = state,
        ExitCode = exitCode,
    };
}
