namespace ClusterPlatform.Tests.Api;

/// <summary>Cursor pagination, label selectors and the phase filter.</summary>
public sealed class ListTests(ApiServer api) : IClassFixture<ApiServer>
{
    [Fact]
    public async Task Pages_follow_key_order_and_stay_stable_while_rows_are_inserted()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await client.CreateClusterAsync($"page-{i}"))["name"].Text());
        }

        var seen = new List<string>();
        string? cursor = null;
        var inserted = 0;
        do
        {
            var page = await client.GetObjectAsync($"{ApiCalls.Clusters}?limit=3" + (cursor is null ? "" : $"&continue={cursor}"));
            Assert.True(page["items"]!.AsArray().Count <= 3);
            Assert.Equal("ClusterList", page["kind"].Text());
            seen.AddRange(page.Names());
            cursor = page["continue"]?.GetValue<string>();

            // Rows created between pages: new rows sort after existing ones and never shift what was already paged.
            if (inserted < 2)
            {
                created.Add((await client.CreateClusterAsync($"late-{inserted++}"))["name"].Text());
            }
        }
        while (cursor is not null);

        Assert.Equal(created, seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Last_page_has_null_continue_and_default_limit_is_50()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        for (var i = 0; i < 51; i++)
        {
            await client.CreateClusterAsync($"many-{i:D2}");
        }

        var first = await client.GetObjectAsync(ApiCalls.Clusters);
        Assert.Equal(50, first["items"]!.AsArray().Count);
        var second = await client.GetObjectAsync($"{ApiCalls.Clusters}?continue={first["continue"].Text()}");
        Assert.Single(second["items"]!.AsArray());
        Assert.Null(second["continue"]);
    }

    [Theory]
    [InlineData("limit=0", "invalid-limit")]
    [InlineData("limit=501", "invalid-limit")]
    [InlineData("continue=not-a-cursor!", "invalid-continue")]
    [InlineData("phase=Sleeping", "invalid-phase")]
    [InlineData("labelSelector=env%20in%20(a", "invalid-label-selector")]
    [InlineData("labelSelector=bad%20key=1", "invalid-label-selector")]
    [InlineData("labelSelector=,", "invalid-label-selector")]
    public async Task Invalid_list_parameters_return_400(string query, string code)
    {
        using var response = await api.As("user", "acme").GetAsync($"{ApiCalls.Clusters}?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await response.ReadObjectAsync())["code"].Text());
    }

    [Fact]
    public async Task Limit_bounds_are_accepted()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        using var one = await client.GetAsync($"{ApiCalls.Clusters}?limit=1");
        using var max = await client.GetAsync($"{ApiCalls.Clusters}?limit=500");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, max.StatusCode);
    }

    [Theory]
    [InlineData("env=prod", "a,b")]
    [InlineData("env==prod", "a,b")]
    [InlineData("env!=prod", "c,d")]
    [InlineData("env in (prod,dev)", "a,b,c")]
    [InlineData("env notin (prod)", "c,d")]
    [InlineData("tier", "a,c")]
    [InlineData("!tier", "b,d")]
    [InlineData("env=prod,tier", "a")]
    [InlineData("env in (prod, dev), !tier", "b")]
    [InlineData("example.com/owner=team-x", "d")]
    public async Task Label_selectors_filter_as_in_kubernetes(string selector, string expected)
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        await client.CreateClusterAsync("sel-a", b => b["labels"] = new JsonObject { ["env"] = "prod", ["tier"] = "gold" });
        await client.CreateClusterAsync("sel-b", b => b["labels"] = new JsonObject { ["env"] = "prod" });
        await client.CreateClusterAsync("sel-c", b => b["labels"] = new JsonObject { ["env"] = "dev", ["tier"] = "silver" });
        await client.CreateClusterAsync("sel-d", b => b["labels"] = new JsonObject { ["example.com/owner"] = "team-x" });

        var list = await client.GetObjectAsync($"{ApiCalls.Clusters}?labelSelector={Uri.EscapeDataString(selector)}");

        Assert.Equal(expected.Split(',').Select(n => $"sel-{n}"), list.Names());
    }

    [Fact]
    public async Task Phase_filter_returns_only_that_phase()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        var gone = await client.CreateClusterAsync("going");
        await client.CreateClusterAsync("staying");
        using (await client.DeleteAsync(gone["href"].Text()))
        {
        }

        Assert.Equal(["going"], (await client.GetObjectAsync($"{ApiCalls.Clusters}?phase=Deleting")).Names());
        Assert.Equal(["staying"], (await client.GetObjectAsync($"{ApiCalls.Clusters}?phase=Pending")).Names());
        Assert.Empty((await client.GetObjectAsync($"{ApiCalls.Clusters}?phase=Ready")).Names());
    }

    [Fact]
    public async Task Pagination_with_a_selector_pages_through_matches_only()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        for (var i = 0; i < 6; i++)
        {
            await client.CreateClusterAsync($"sel-{i}", b => b["labels"] = new JsonObject { ["parity"] = i % 2 == 0 ? "even" : "odd" });
        }

        var names = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.GetObjectAsync($"{ApiCalls.Clusters}?limit=2&labelSelector=parity%3Deven" + (cursor is null ? "" : $"&continue={cursor}"));
            names.AddRange(page.Names());
            cursor = page["continue"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal(["sel-0", "sel-2", "sel-4"], names);
    }
}
