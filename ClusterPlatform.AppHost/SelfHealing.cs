using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterPlatform.AppHost;

/// <summary>
/// A local run that heals itself, as a Kubernetes pod restarts by itself: a resource that exits
/// while nobody asked it to stop is started again after a backoff, and the dashboard (the resource's
/// own log and its "Restarts" property) and the AppHost console say so. A stop from the dashboard
/// (Stop, Restart, the reset command) or the AppHost's own shutdown is left alone.
/// </summary>
public static class SelfHealing
{
    /// <summary>The resource property the dashboard shows: how many times the AppHost restarted this instance.</summary>
    public const string RestartsProperty = "Restarts";

    /// <summary>The resource property holding why the last restart happened.</summary>
    public const string LastCrashProperty = "Last crash";

    /// <summary>Run mode only: a deployment has Kubernetes to restart its pods.</summary>
    public static IResourceBuilder<T> WithRestartOnCrash<T>(this IResourceBuilder<T> resource) where T : IResource
    {
        if (!resource.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return resource;
        }

        var services = resource.ApplicationBuilder.Services;
        services.TryAddSingleton(sp => RestartBackoff.From(sp.GetRequiredService<IConfiguration>().GetSection(RestartBackoff.Section)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ResourceHealer>());
        return resource.WithAnnotation(new RestartOnCrashAnnotation(), ResourceAnnotationMutationBehavior.Replace);
    }
}

/// <summary>Marks a resource the AppHost restarts when it exits unexpectedly.</summary>
internal sealed class RestartOnCrashAnnotation : IResourceAnnotation;

/// <summary>
/// How long to wait before restarting a crashed instance: <see cref="Initial"/>, doubling with each
/// crash in a row up to <see cref="Max"/>; an instance that ran healthy for <see cref="ResetAfter"/>
/// before crashing starts again from <see cref="Initial"/> (Kubernetes' CrashLoopBackOff works the
/// same way: 10 s doubling to 5 min, reset after 10 min of running,
/// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy; a local run
/// wants a quicker first try). Settings: <c>SelfHealing:InitialDelay</c>, <c>:MaxDelay</c>,
/// <c>:ResetAfter</c> (TimeSpan strings) and <c>SelfHealing:Enabled</c> (default true).
/// </summary>
internal sealed record RestartBackoff(bool Enabled, TimeSpan Initial, TimeSpan Max, TimeSpan ResetAfter)
{
    public const string Section = "SelfHealing";

    public static RestartBackoff From(IConfiguration settings) => new(
        settings.GetValue("Enabled", true),
        settings.GetValue("InitialDelay", TimeSpan.FromSeconds(1)),
        settings.GetValue("MaxDelay", TimeSpan.FromSeconds(30)),
        settings.GetValue("ResetAfter", TimeSpan.FromSeconds(60)));

    /// <summary>The wait before restart number <paramref name="inARow"/> (1 for the first crash after a healthy run).</summary>
    public TimeSpan DelayBefore(int inARow)
    {
        var doublings = Math.Min(inARow - 1, 30);
        var delay = Initial * Math.Pow(2, doublings);
        return delay < Max ? delay : Max;
    }
}

/// <summary>
/// What one resource instance (one replica) did, read from its snapshots, and what that means: an
/// exit from Running (or Starting) with no Stopping state before it is a crash. DCP reports Stopping while it
/// stops a process it was asked to stop (the dashboard's Stop and Restart; Aspire's
/// src/Aspire.Hosting/Dcp/Model/Executable.cs, ExecutableState.Stopping), and never for a process
/// that exits on its own.
/// </summary>
internal sealed class InstanceHistory(RestartBackoff backoff)
{
    private readonly Lock gate = new();
    private string? state;
    private bool stopRequested;
    private DateTimeOffset? healthySince;
    private int crashesInARow;

    /// <summary>How many times the AppHost has restarted this instance.</summary>
    public int Restarts { get; private set; }

    /// <summary>The instance ended a run.</summary>
    public abstract record Exit(string PreviousState, int? ExitCode);

    /// <summary>It exited on its own: the AppHost restarts it after <paramref name="Delay"/>.</summary>
    public sealed record Crash(string PreviousState, int? ExitCode, TimeSpan Delay, int InARow, int Restart) : Exit(PreviousState, ExitCode);

    /// <summary>It was stopped on request (Stopping came first): it stays stopped.</summary>
    public sealed record Stopped(string PreviousState, int? ExitCode) : Exit(PreviousState, ExitCode);

    /// <summary>Takes in the instance's latest snapshot; returns how a run ended when this snapshot shows an end.</summary>
    public Exit? Observe(CustomResourceSnapshot snapshot, DateTimeOffset now)
    {
        lock (gate)
        {
            var previous = state;
            var current = snapshot.State?.Text;
            state = current;
            if (current == KnownResourceStates.Stopping)
            {
                stopRequested = true;
                return null;
            }

            if (current == KnownResourceStates.Running)
            {
                if (snapshot.HealthStatus == HealthStatus.Healthy)
                {
                    healthySince ??= now;
                }

                return null;
            }

            if (!IsTerminal(current))
            {
                // Starting, Waiting, Building...: a new run begins, and any stop asked for the last one is done.
                if (current is not null && current != previous)
                {
                    stopRequested = false;
                }

                return null;
            }

            // From Starting too: a process that dies at once may never be reported Running.
            var exitedWhileRunning = previous == KnownResourceStates.Running || previous == KnownResourceStates.Starting
                || previous == KnownResourceStates.Stopping;
            var wasHealthyLongEnough = healthySince is { } since && now - since >= backoff.ResetAfter;
            healthySince = null;
            // FailedToStart: DCP could not launch it at all (a missing program); starting again would not help.
            if (!exitedWhileRunning || current == KnownResourceStates.FailedToStart)
            {
                return null;
            }

            if (stopRequested)
            {
                return new Stopped(previous!, snapshot.ExitCode);
            }

            crashesInARow = wasHealthyLongEnough ? 1 : crashesInARow + 1;
            Restarts++;
            return new Crash(previous!, snapshot.ExitCode, backoff.DelayBefore(crashesInARow), crashesInARow, Restarts);
        }
    }

    /// <summary>Whether the instance is still down with nobody having started or stopped it since the crash.</summary>
    public bool StillDown
    {
        get
        {
            lock (gate)
            {
                return IsTerminal(state) && !stopRequested;
            }
        }
    }

    /// <summary>A start the AppHost asked for failed: the next one waits longer.</summary>
    public TimeSpan StartFailed()
    {
        lock (gate)
        {
            crashesInARow++;
            return backoff.DelayBefore(crashesInARow);
        }
    }

    private static bool IsTerminal(string? state) => state is not null && KnownResourceStates.TerminalStates.Contains(state);
}

/// <summary>
/// Watches every resource marked <see cref="RestartOnCrashAnnotation"/> through Aspire's
/// <see cref="ResourceNotificationService"/> and starts a crashed instance again with the
/// dashboard's own Start command (<see cref="KnownResourceCommands.StartCommand"/>), so Aspire
/// waits for the instance's dependencies (its WaitFor) exactly as for a start by hand.
/// </summary>
internal sealed class ResourceHealer(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    RestartBackoff backoff,
    IHostApplicationLifetime lifetime,
    ILogger<ResourceHealer> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, InstanceHistory> instances = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!backoff.Enabled)
        {
            logger.LogInformation("Self-healing is off ({Section}:Enabled=false): a crashed resource stays down.", RestartBackoff.Section);
            return;
        }

        // The AppHost's shutdown stops every resource, and not always through the Stopping state.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping.Token))
            {
                if (!update.Resource.HasAnnotationOfType<RestartOnCrashAnnotation>())
                {
                    continue;
                }

                var history = instances.GetOrAdd(update.ResourceId, _ => new InstanceHistory(backoff));
                var exit = history.Observe(update.Snapshot, DateTimeOffset.UtcNow);
                if (stopping.IsCancellationRequested)
                {
                    break;
                }

                switch (exit)
                {
                    case InstanceHistory.Crash crash:
                        _ = RestartAsync(update.Resource, update.ResourceId, history, crash, stopping.Token);
                        break;
                    case InstanceHistory.Stopped:
                        resourceLogs.GetLogger(update.ResourceId).LogInformation("Stopped on request: the AppHost leaves this instance stopped until it is started again.");
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
    }

    private async Task RestartAsync(IResource resource, string instance, InstanceHistory history, InstanceHistory.Crash crash, CancellationToken cancellationToken)
    {
        var log = resourceLogs.GetLogger(instance);
        var exit = crash.ExitCode is { } code ? $"exit code {code.ToString(CultureInfo.InvariantCulture)}" : "no exit code";
        var why = $"exited unexpectedly while {crash.PreviousState} ({exit}); restart {crash.Restart}, {crash.InARow} in a row";
        log.LogWarning("The AppHost will start this instance again in {Delay}: it {Why}.", crash.Delay, why);
        logger.LogWarning("{Instance} {Why}; starting it again in {Delay}.", instance, why, crash.Delay);
        await PublishRestartsAsync(resource, instance, crash.Restart, $"{DateTimeOffset.UtcNow:u}: {why}");

        var delay = crash.Delay;
        try
        {
            while (true)
            {
                await Task.Delay(delay, cancellationToken);
                if (!history.StillDown)
                {
                    logger.LogInformation("{Instance} was started or stopped by hand meanwhile; the AppHost leaves it alone.", instance);
                    return;
                }

                var result = await commands.ExecuteCommandAsync(instance, KnownResourceCommands.StartCommand, cancellationToken);
                if (result.Success)
                {
                    log.LogInformation("The AppHost started this instance again after its crash.");
                    logger.LogInformation("{Instance} started again.", instance);
                    return;
                }

                delay = history.StartFailed();
                log.LogWarning("The AppHost could not start this instance ({Error}); trying again in {Delay}.", result.Message, delay);
                logger.LogWarning("{Instance} could not be started ({Error}); trying again in {Delay}.", instance, result.Message, delay);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The AppHost is stopping; nothing to restart.
        }
    }

    private Task PublishRestartsAsync(IResource resource, string instance, int restarts, string lastCrash) =>
        notifications.PublishUpdateAsync(resource, instance, snapshot => snapshot with
        {
            Properties = With(With(snapshot.Properties, SelfHealing.RestartsProperty, restarts), SelfHealing.LastCrashProperty, lastCrash),
        });

    private static ImmutableArray<ResourcePropertySnapshot> With(ImmutableArray<ResourcePropertySnapshot> properties, string name, object value) =>
        [.. properties.Where(p => p.Name != name), new ResourcePropertySnapshot(name, value)];
}
