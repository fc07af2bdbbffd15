namespace ClusterPlatform.Tests.Versions;

/// <summary>The catalog reads the version tests make.</summary>
internal static class VersionCatalogCalls
{
    /// <summary>The channel group's catalog once the refresher's first pass has written it, newest first.</summary>
    public static async Task<List<JsonNode>> ListVersionsAsync(this HttpClient client, string channelGroup)
    {
        List<JsonNode> items = [];
        await Wait.UntilAsync(async () =>
        {
            items = [.. (await client.GetObjectAsync($"/api/v1/versions?channelGroup={channelGroup}"))["items"]!.AsArray().Select(v => v!)];
            return items.Count > 0;
        }, TimeSpan.FromSeconds(30), $"the {channelGroup} catalog to be filled");
        return items;
    }
}
