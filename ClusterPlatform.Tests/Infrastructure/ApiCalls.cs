namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>The calls most tests make before the part they check.</summary>
public static class ApiCalls
{
    public const string Clusters = "/api/v1/clusters";
    public const string NodePools = "/api/v1/nodepools";

    public static async Task<JsonObject> CreateClusterAsync(this HttpClient client, string name, Action<JsonObject>? edit = null)
    {
        var body = Bodies.Cluster(name);
        edit?.Invoke(body);
        using var response = await client.PostAsync(Clusters, Bodies.Json(body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    public static async Task<JsonObject> CreateNodePoolAsync(this HttpClient client, string clusterId, string name = "workers")
    {
        using var response = await client.PostAsync(NodePools, Bodies.Json(Bodies.NodePool(clusterId, name)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    public static async Task<JsonObject> GetObjectAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    /// <summary>The names in a list response, in order.</summary>
    public static List<string> Names(this JsonObject list) =>
        list["items"]!.AsArray().Select(i => i!["name"].Text()).ToList();

    /// <summary>A name unique to this test, so tests can share a database without seeing each other's rows.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}
