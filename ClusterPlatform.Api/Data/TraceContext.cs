using System.Diagnostics;
using NpgsqlTypes;

namespace ClusterPlatform.Api.Data;

/// <summary>
/// The W3C <c>traceparent</c> stored with each outbox row, so the event's consumers join the trace of
/// the request (or the scheduler tick) that caused it (docs/events.md).
/// </summary>
internal static class TraceContext
{
    /// <summary>The activity's W3C id as a text parameter; NULL when there is no W3C activity (tracing off or not sampled in).</summary>
    public static NpgsqlParameter Parameter(Activity? activity, string name = "traceparent") =>
        new(name, NpgsqlDbType.Text) { Value = activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : DBNull.Value };

    /// <summary>The same for the ambient activity, the request's.</summary>
    public static NpgsqlParameter Current(string name = "traceparent") => Parameter(Activity.Current, name);
}
