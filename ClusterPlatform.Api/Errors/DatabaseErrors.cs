namespace ClusterPlatform.Api.Errors;

/// <summary>
/// Which database failures mean "the database is unavailable for now" rather than "this request or
/// this code is wrong": the Api answers them 503 with <c>Retry-After</c>
/// (<see cref="ProblemExceptionHandler"/>) and the outbox relay waits them out with a probe.
/// </summary>
internal static class DatabaseErrors
{
    /// <summary>
    /// The server refuses or ends sessions: SQLSTATE class 08 (connection exception), 53300
    /// too_many_connections, 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now
    /// (starting up, shutting down, in recovery) (PostgreSQL docs, Appendix A "PostgreSQL Error
    /// Codes", https://www.postgresql.org/docs/current/errcodes-appendix.html). Or it cannot be
    /// reached at all: a connection refused or broken, or a timeout (connecting, reading, or waiting
    /// for a pooled connection), which Npgsql marks <see cref="NpgsqlException.IsTransient"/>.
    /// Deadlocks and serialization failures are transient too, but they are a conflict between
    /// requests, answered on their own, and PostgreSQL's other transient states (a lock not
    /// available, an object in use) are not outages.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState is
                        PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.AdminShutdown or
                        PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;
                case NpgsqlException npgsql:
                    return npgsql.IsTransient;
            }
        }

        return false;
    }

    /// <summary>
    /// One line for a log: the failure's message and its cause's, without a stack trace. Npgsql's
    /// messages name the host and port at most, never the connection string's password.
    /// </summary>
    public static string Describe(Exception exception) =>
        exception.InnerException is { } cause && cause.Message != exception.Message
            ? $"{exception.GetType().Name}: {exception.Message} ({cause.GetType().Name}: {cause.Message})"
            : $"{exception.GetType().Name}: {exception.Message}";
}
