using ClusterPlatform.Api.Validation;
using Npgsql;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// <c>spec.gcp.infraId</c>, <c>network</c> and <c>subnet</c>: derived or given at create, immutable after,
/// and filled into clusters stored before them by the backfill Data/Backfills/0008_cluster_infra_ids.sql, whose SQL
/// derivation (Data/Functions/16_derive_infra_id.sql) must agree with the Api's.
/// </summary>
public sealed class InfraIdTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));

    [Fact]
    public async Task A_create_without_names_gets_the_derived_infra_id_and_hypershifts_network_and_subnet()
    {
        var cluster = await client.CreateClusterAsync("prod-east", b => b.With("spec.gcp.network", null));
        var gcp = cluster["spec"]!["gcp"]!;
        var infraId = gcp["infraId"].Text();

        Assert.Equal(InfraIds.Derive(Guid.Parse(cluster["id"].Text()), "prod-east"), infraId);
        Assert.Matches("^prod-ea-[0-9a-f]{5}$", infraId);
        Assert.Equal($"{infraId}-network", gcp["network"].Text());
        Assert.Equal($"{infraId}-subnet", gcp["subnet"].Text());
        Assert.Equal(gcp.ToJsonString(), (await client.GetObjectAsync(cluster["href"].Text()))["spec"]!["gcp"]!.ToJsonString());
    }

    [Fact]
    public async Task Given_names_are_kept()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("given"), b => b
            .With("spec.gcp.infraId", "acme-prod1").With("spec.gcp.network", "shared-vpc").With("spec.gcp.subnet", "nodes-a"));

        var gcp = cluster["spec"]!["gcp"]!;
        Assert.Equal(("acme-prod1", "shared-vpc", "nodes-a"), (gcp["infraId"].Text(), gcp["network"].Text(), gcp["subnet"].Text()));
    }

    [Fact]
    public async Task Infra_id_network_and_subnet_are_immutable_and_kept_when_left_out()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("fixed"), b => b.With("spec.gcp.network", null));
        var href = cluster["href"].Text();
        var gcp = cluster["spec"]!["gcp"]!.DeepClone();

        foreach (var field in new[] { "infraId", "network", "subnet" })
        {
            using var put = await client.PutAsync(href, Bodies.Json(Replacement(cluster).With($"spec.gcp.{field}", "other-name")));
            await AssertImmutableAsync(put, field);

            using var patch = await client.PatchAsync(href, Bodies.Json(
                new JsonObject { ["spec"] = new JsonObject { ["gcp"] = new JsonObject { [field] = "other-name" } } }, "application/merge-patch+json"));
            await AssertImmutableAsync(patch, field);
        }

        // Left out of a PUT, or removed by a merge patch's null: unchanged, as is the generation.
        var omitted = Replacement(cluster).With("spec.gcp.infraId", null).With("spec.gcp.network", null).With("spec.gcp.subnet", null);
        using (var put = await client.PutAsync(href, Bodies.Json(omitted)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var after = await put.ReadObjectAsync();
            Assert.Equal(gcp.ToJsonString(), after["spec"]!["gcp"]!.ToJsonString());
            Assert.Equal(1, (long)after["generation"]!);
        }

        using var nulls = await client.PatchAsync(href, Bodies.Json(
            new JsonObject { ["spec"] = new JsonObject { ["gcp"] = new JsonObject { ["infraId"] = null, ["subnet"] = null } } }, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, nulls.StatusCode);
        Assert.Equal(gcp.ToJsonString(), (await nulls.ReadObjectAsync())["spec"]!["gcp"]!.ToJsonString());

        // Repeating the values unchanged is fine.
        using var same = await client.PutAsync(href, Bodies.Json(Replacement(cluster)));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
    }

    public static TheoryData<string> Names =>
    [
        "prod-east", "a", "abc", "gcp", "gcp-prod", "gcpx", "GCP-Prod", "Prod East", "1-2-3", "123abc", "---", "", "a--b", "ab-----cd-e",
        "abcdef-", "abcdefg-hij", "a234567890123456789012345678901234567890", "café-au-lait", "ÄÖÜ-x", "x_y.z", "\u212Aelvin", "-gcp-1gcp-x",
    ];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task The_sql_derivation_agrees_with_the_api_and_both_give_valid_infra_ids(string name)
    {
        foreach (var id in new[] { Guid.CreateVersion7(), Guid.NewGuid(), Guid.Parse("01a2161a-26e9-797d-a49a-b9414da18a75") })
        {
            var derived = InfraIds.Derive(id, name);
            Assert.Equal(derived, await api.ScalarAsync<string>("SELECT derive_infra_id(@id, @name)", ("id", id), ("name", name)));
            var errors = new ValidationErrors();
            FieldRules.InfraId(derived, "$", errors);
            Assert.False(errors.Any, $"'{derived}' (from '{name}') is not a valid infra id");
        }
    }

    [Fact]
    public async Task The_backfill_fills_in_clusters_stored_without_infra_id_and_subnet()
    {
        var legacy = await client.CreateClusterAsync(ApiCalls.Unique("legacy"));
        var complete = await client.CreateClusterAsync(ApiCalls.Unique("complete"), b => b.With("spec.gcp.infraId", "keep-me"));
        var id = Guid.Parse(legacy["id"].Text());
        await ExecuteAsync("UPDATE clusters SET spec = spec #- '{gcp,infraId}' #- '{gcp,subnet}' WHERE id = @id", id);

        await ExecuteAsync(BackfillScript("0008_cluster_infra_ids.sql"), null);

        using var response = await client.GetAsync(legacy["href"].Text());
        var gcp = (await response.ReadObjectAsync())["spec"]!["gcp"]!;
        var infraId = InfraIds.Derive(id, legacy["name"].Text());
        Assert.Equal(infraId, gcp["infraId"].Text());
        Assert.Equal($"{infraId}-subnet", gcp["subnet"].Text());
        Assert.Equal("default", gcp["network"].Text()); // stored before, so kept
        Assert.Equal(legacy["spec"]!["gcp"]!["infraId"].Text(), infraId);
        Assert.Equal("\"1\"", response.Headers.ETag!.Tag); // a backfill, not a change
        Assert.Equal(complete["spec"]!.ToJsonString(), (await client.GetObjectAsync(complete["href"].Text()))["spec"]!.ToJsonString());
    }

    private static JsonObject Replacement(JsonObject cluster) => new()
    {
        ["labels"] = cluster["labels"]!.DeepClone(),
        ["spec"] = cluster["spec"]!.DeepClone(),
    };

    private static async Task AssertImmutableAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}: {(int)response.StatusCode} {body}");
        Assert.Equal(["is immutable"], JsonNode.Parse(body)!["errors"]![$"$.spec.gcp.{field}"]!.AsArray().Select(m => m.Text()));
    }

    private static string BackfillScript(string file)
    {
        var assembly = typeof(Program).Assembly;
        using var stream = assembly.GetManifestResourceStream($"ClusterPlatform.Api.Data.Backfills.{file}")!;
        return new StreamReader(stream).ReadToEnd();
    }

    private async Task ExecuteAsync(string sql, Guid? id)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (id is { } value)
        {
            command.Parameters.AddWithValue("id", value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
