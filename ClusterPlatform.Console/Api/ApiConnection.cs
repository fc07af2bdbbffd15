namespace ClusterPlatform.WebConsole.Api;

/// <summary>
/// Whether the Api answered the last call of this user's session: the layout's banner shows an
/// outage while it lasts and hides it on the next answer, so the console recovers by itself as the
/// pages keep polling.
/// </summary>
public sealed class ApiConnection
{
    public event Action? Changed;

    public ApiProblemException? Outage { get; private set; }

    public void Answered()
    {
        if (Outage is not null)
        {
            Outage = null;
            Changed?.Invoke();
        }
    }

    public void Failed(ApiProblemException outage)
    {
        var changed = Outage is null;
        Outage = outage;
        if (changed)
        {
            Changed?.Invoke();
        }
    }
}
