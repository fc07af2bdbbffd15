namespace ClusterPlatform.Api.Validation;

/// <summary>Collects every violation of a request, keyed by JSON path (<c>$.spec.gcp.region</c>), so one response reports them all.</summary>
internal sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public void Add(string path, string message)
    {
        if (!errors.TryGetValue(path, out var list))
        {
            errors[path] = list = [];
        }

        list.Add(message);
    }

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw ApiException.Validation(ToDictionary());
        }
    }

    /// <summary>The violations as a problem body's <c>errors</c>.</summary>
    public Dictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
