using System.Net;
using System.Text;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// The API calls the benchmarks time, each failing loudly on an unexpected status so that a fast
/// error is never counted as a fast answer.
/// </summary>
internal static class ApiRequests
{
    public const string ListSelector = "env=prod";

    /// <summary>The list every list row times: its first page (the default 50) of clusters matching <see cref="ListSelector"/>.</summary>
    public static readonly string ListPath = $"/api/v1/clusters?labelSelector={Uri.EscapeDataString(ListSelector)}";

    // Labelled env=prod like half the seeded clusters, so that at every table size the list's first
    // page is full: the events suite's creates are most of the table at 1,000 clusters. NAME is the
    // cluster's name (the floor suite's wrk script replaces it too).
    public const string ClusterBody = """
        {"name":"NAME","labels":{"env":"prod"},"spec":{"gcp":{"projectId":"acme-prod-123","region":"us-central1"},"release":{"version":"4.22.3"},"dns":{"baseDomain":"acme.example.com"}}}
        """;

    private const string Report = """
        {"controller":"CONTROLLER","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Done","message":"benchmark"}],"data":{"managementCluster":"mc-1"}}
        """;

    /// <summary>POST /api/v1/clusters; returns the new cluster's address.</summary>
    public static async Task<Uri> CreateClusterAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsync(new Uri("/api/v1/clusters", UriKind.Relative),
            new StringContent(ClusterBody.Replace("NAME", name, StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        await ExpectAsync(response, HttpStatusCode.Created, $"Creating {name}");
        return response.Headers.Location!;
    }

    /// <summary>DELETE of a cluster: 202 while its controllers clean up.</summary>
    public static async Task DeleteClusterAsync(HttpClient client, Uri href)
    {
        using var response = await client.DeleteAsync(href);
        await ExpectAsync(response, HttpStatusCode.Accepted, $"Deleting {href}");
    }

    public static async Task GetClusterAsync(HttpClient client, Guid id)
    {
        using var response = await client.GetAsync(new Uri($"/api/v1/clusters/{id}", UriKind.Relative), HttpCompletionOption.ResponseContentRead);
        await ExpectAsync(response, HttpStatusCode.OK, $"Reading {id}");
    }

    /// <summary>The first page (the default 50) of clusters matching <see cref="ListSelector"/>.</summary>
    public static async Task ListClustersAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri(ListPath, UriKind.Relative),
            HttpCompletionOption.ResponseContentRead);
        await ExpectAsync(response, HttpStatusCode.OK, "Listing clusters");
    }

    /// <summary>PUT .../status: <paramref name="controller"/> reports Available=True at generation 1.</summary>
    public static async Task ReportStatusAsync(HttpClient client, Guid id, string controller)
    {
        using var response = await client.PutAsync(new Uri($"/api/v1/clusters/{id}/status", UriKind.Relative),
            new StringContent(Report.Replace("CONTROLLER", controller, StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        await ExpectAsync(response, HttpStatusCode.OK, $"Status report for {id}");
    }

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{what} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
