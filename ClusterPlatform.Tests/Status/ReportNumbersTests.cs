using System.Text;
using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>
/// Numbers in a report's <c>data</c> go to jsonb as written. One a double cannot hold used to fail
/// the insert as a 500 (overflow) or be stored small and read back as a hundred thousand digits; it
/// is now a 400 at its path, and nothing is stored. Numbers a double holds are kept.
/// </summary>
public sealed class ReportNumbersTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"), "alice");
    private readonly HttpClient placement = api.As("controller", null, ControllerNames.Placement);

    [Theory]
    [InlineData("1e999999")]
    [InlineData("-1e400")]
    [InlineData("1e-20000")]
    [InlineData("1e131071")]
    public async Task A_number_a_double_cannot_hold_is_refused_at_its_path_and_nothing_is_stored(string number)
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("num")))["href"].Text();
        var body = """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Placed","message":""}],"data":{"ok":1,"big":[0,NUMBER]}}"""
            .Replace("NUMBER", number, StringComparison.Ordinal);

        using var response = await placement.PutAsync($"{href}/status", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadObjectAsync();
        Assert.Equal("validation-failed", problem["code"].Text());
        Assert.NotNull(problem["errors"]!["$.data.big[1]"]);
        Assert.DoesNotContain(await user.StatusesAsync(href), r => r!["name"].Text() == ControllerNames.Placement);
    }

    [Fact]
    public async Task Numbers_a_double_holds_are_stored_as_sent()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("num")))["href"].Text();
        var body = """{"controller":"placement-controller","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Placed","message":""}],"data":{"big":1.5e300,"small":-2.5e-300,"zero":0e-999}}""";

        using var response = await placement.PutAsync($"{href}/status", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = (await user.StatusesAsync(href)).ReportOf(ControllerNames.Placement)["data"]!;
        Assert.Equal((1.5e300, -2.5e-300, 0d), ((double)data["big"]!, (double)data["small"]!, (double)data["zero"]!));
    }
}
