namespace ClusterPlatform.Providers;

/// <summary>
/// A provider call that did not get an answer about the outside world. <see cref="Transient"/>
/// tells a controller whether to nack for redelivery (outage, throttling, conflict storm) or to
/// report a failed condition (the request itself is wrong, e.g. no managed zone for a domain); the
/// Api's version catalog keeps its last refresh either way.
/// Facts about the outside world, such as a missing project, are results, never exceptions.
/// </summary>
public sealed class ProviderException : Exception
{
    public ProviderException(string message, bool transient, Exception? innerException = null)
        : base(message, innerException) => Transient = transient;

    public ProviderException()
    {
    }

    public ProviderException(string message)
        : base(message)
    {
    }

    public ProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool Transient { get; }

    /// <summary>
    /// HTTP statuses worth retrying: throttling, timeouts and server errors, and 401, an expired or
    /// revoked token that the next call's fresh token may cure (403 is a missing permission: permanent).
    /// </summary>
    internal static bool IsTransientStatus(int status) => status is 401 or 408 or 429 or >= 500;
}
