namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>Request building the typed header setters refuse: a header sent exactly as the test writes it, valid or not.</summary>
public static class Requests
{
    public static HttpRequestMessage WithHeader(this HttpRequestMessage request, string name, string value)
    {
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }
}
