using Npgsql;
using NpgsqlTypes;

namespace ClusterPlatform.Tests.Status;

/// <summary>
/// API.md "Aggregation" at the SQL level: <c>aggregate_status</c> called directly over report rows
/// inserted into <c>resource_statuses</c>, one fresh resource id per case.
/// </summary>
public sealed class AggregateStatusFunctionTests(ApiServer api) : IClassFixture<ApiServer>
{
    private static readonly string[] ClusterRequired = [.. ControllerNames.All];
    private static readonly string[] PoolRequired = [ControllerNames.OperatorClient];

    private static readonly Dictionary<string, string> Short = new()
    {
        ["env"] = ControllerNames.EnvironmentValidation,
        ["pl"] = ControllerNames.Placement,
        ["dns"] = ControllerNames.DnsManagement,
        ["op"] = ControllerNames.OperatorClient,
    };

    /// <summary>
    /// Reports are <c>controller@generation:A=T,P=T,D=F</c> (A Available, P Progressing, D Degraded, F Finalized)
    /// separated by <c>;</c>; controllers are env, pl, dns, op. Required is "cluster" (all four) or "pool" (op).
    /// </summary>
    [Theory]
    [InlineData("", 1L, false, "cluster", "Pending", "False", "WaitingForControllers", "False", 0L)]
    [InlineData("pl@1:A=F", 1L, false, "cluster", "Provisioning", "False", "WaitingForControllers", "False", 0L)]
    [InlineData("env@1:A=T;pl@1:A=T;dns@1:A=T", 1L, false, "cluster", "Provisioning", "False", "WaitingForControllers", "False", 0L)]
    [InlineData("env@1:A=T;pl@1:A=T;dns@1:A=T;op@1:A=T", 1L, false, "cluster", "Ready", "True", "Settled", "False", 1L)]
    [InlineData("env@1:A=T;pl@1:A=T;dns@1:A=T;op@1:A=F", 1L, false, "cluster", "Provisioning", "False", "Settled", "False", 1L)]
    [InlineData("env@1:A=T;pl@1:A=T;dns@1:A=T;op@1:A=Unknown", 1L, false, "cluster", "Provisioning", "False", "Settled", "False", 1L)]
    [InlineData("env@1:A=T,P=T;pl@1:A=T;dns@1:A=T;op@1:A=T", 1L, false, "cluster", "Ready", "True", "ControllersProgressing", "False", 1L)]
    [InlineData("env@1:A=T,D=T;pl@1:A=T;dns@1:A=T;op@1:A=T", 1L, false, "cluster", "Failed", "True", "Settled", "True", 1L)]
    [InlineData("env@1:A=F,D=T", 1L, false, "cluster", "Failed", "False", "WaitingForControllers", "True", 0L)]
    // Reports of an older generation: available still (a spec change alone does not make a serving
    // resource unready), but not degraded, not progressing, not current.
    [InlineData("env@1:A=T,D=T,P=T;pl@1:A=T;dns@1:A=T;op@1:A=T", 2L, false, "cluster", "Ready", "True", "WaitingForControllers", "False", 1L)]
    [InlineData("env@2:A=T;pl@1:A=T;dns@2:A=T;op@2:A=T", 2L, false, "cluster", "Ready", "True", "WaitingForControllers", "False", 1L)]
    [InlineData("env@3:A=T;pl@2:A=T;dns@3:A=T;op@1:A=T", 3L, false, "cluster", "Ready", "True", "WaitingForControllers", "False", 1L)]
    [InlineData("env@1:A=F;pl@1:A=T;dns@1:A=T;op@1:A=T", 2L, false, "cluster", "Pending", "False", "WaitingForControllers", "False", 1L)]
    [InlineData("env@2:A=F;pl@1:A=T;dns@1:A=T;op@1:A=T", 2L, false, "cluster", "Provisioning", "False", "WaitingForControllers", "False", 1L)]
    [InlineData("env@3:A=T;pl@3:A=T;dns@3:A=T;op@3:A=T", 3L, false, "cluster", "Ready", "True", "Settled", "False", 3L)]
    // Deleting wins over everything; Ready is False while deleting.
    [InlineData("env@2:A=T;pl@2:A=T;dns@2:A=T;op@2:A=T", 2L, true, "cluster", "Deleting", "False", "Settled", "False", 2L)]
    [InlineData("env@2:A=T,D=T;pl@2:A=T;dns@2:A=T;op@2:A=T", 2L, true, "cluster", "Deleting", "False", "Settled", "True", 2L)]
    [InlineData("", 2L, true, "cluster", "Deleting", "False", "WaitingForControllers", "False", 0L)]
    // Node pools: only operator-client-controller is required; others still count as reports and degradations.
    [InlineData("op@1:A=T", 1L, false, "pool", "Ready", "True", "Settled", "False", 1L)]
    [InlineData("pl@1:A=T", 1L, false, "pool", "Provisioning", "False", "WaitingForControllers", "False", 0L)]
    [InlineData("op@1:A=T;pl@1:A=T,P=T", 1L, false, "pool", "Ready", "True", "Settled", "False", 1L)]
    [InlineData("op@1:A=T;pl@1:A=T,D=T", 1L, false, "pool", "Failed", "True", "Settled", "True", 1L)]
    [InlineData("op@1:A=T;pl@1:A=T,D=T", 2L, false, "pool", "Ready", "True", "WaitingForControllers", "False", 1L)]
    [InlineData("op@1:A=F", 2L, false, "pool", "Pending", "False", "WaitingForControllers", "False", 1L)]
    public async Task Aggregates_report_sets_into_phase_conditions_and_observed_generation(string reports, long generation, bool deleting,
        string required, string phase, string ready, string progressingReason, string degraded, long observedGeneration)
    {
        var id = Guid.CreateVersion7();
        await InsertAsync(id, reports);

        var status = await AggregateAsync(id, generation, deleting, required == "cluster" ? ClusterRequired : PoolRequired);

        Assert.Equal(phase, status.Phase());
        Assert.Equal(ready, status.StatusOf("Ready"));
        Assert.Equal(progressingReason, status.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal(progressingReason == "Settled" ? "False" : "True", status.StatusOf("Progressing"));
        Assert.Equal(degraded, status.StatusOf("Degraded"));
        Assert.Equal(degraded == "True" ? "ControllersDegraded" : "AsExpected", status.ConditionOf("Degraded")["reason"].Text());
        Assert.Equal(observedGeneration, status.ObservedGeneration());
        Assert.Equal(deleting ? "Deleting" : ready == "True" ? "AllControllersAvailable" : "WaitingForControllers",
            status.ConditionOf("Ready")["reason"].Text());
        // Ready's observedGeneration is the generation it was confirmed at: the oldest report's when True.
        Assert.All(status["conditions"]!.AsArray(), c => Assert.Equal(
            c!["type"].Text() == "Ready" && ready == "True" ? observedGeneration : generation, (long)c["observedGeneration"]!));
        Assert.Equal(reports.Length == 0 ? 0 : reports.Split(';').Length, status["controllers"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("pl", "placement-controller: m-pl")]
    [InlineData("pl,env", "environment-validation-controller: m-env; placement-controller: m-pl")]
    [InlineData("pl,env,op", "environment-validation-controller: m-env; operator-client-controller: m-op; placement-controller: m-pl")]
    [InlineData("pl,env,op,dns", "dns-management-controller: m-dns; environment-validation-controller: m-env; operator-client-controller: m-op; and 1 more")]
    public async Task Degraded_message_names_at_most_three_controllers_by_name_then_and_N_more(string degradedControllers, string message)
    {
        var id = Guid.CreateVersion7();
        await InsertAsync(id, string.Join(';', Short.Keys.Select(c =>
            $"{c}@1:A=T" + (degradedControllers.Split(',').Contains(c) ? $",D=T:m-{c}" : ",D=F:fine"))));

        var status = await AggregateAsync(id, 1, false, ClusterRequired);

        Assert.Equal("Failed", status.Phase());
        Assert.Equal(message, status.ConditionOf("Degraded")["message"].Text());
    }

    [Fact]
    public async Task More_than_four_degraded_controllers_are_counted_in_and_N_more()
    {
        // Unknown names cannot get past the API, but the function counts whatever rows exist.
        var id = Guid.CreateVersion7();
        await InsertAsync(id, "env@1:A=T,D=T:a;pl@1:A=T,D=T:b;dns@1:A=T,D=T:c;op@1:A=T,D=T:d;x-controller@1:A=T,D=T:e;y-controller@1:A=T,D=T:f");

        var status = await AggregateAsync(id, 1, false, ClusterRequired);

        Assert.EndsWith("; and 3 more", status.ConditionOf("Degraded")["message"].Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_message_names_the_missing_controllers_in_the_configured_order()
    {
        var id = Guid.CreateVersion7();
        await InsertAsync(id, "pl@2:A=T;op@2:A=F;env@1:A=F");

        var status = await AggregateAsync(id, 2, false, ClusterRequired);

        Assert.Equal(
            "Waiting for environment-validation-controller, dns-management-controller, operator-client-controller to report Available at generation 2.",
            status.ConditionOf("Ready")["message"].Text());
        Assert.Contains("environment-validation-controller, dns-management-controller", status.ConditionOf("Progressing")["message"].Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LastTransitionTime_carries_over_from_the_previous_status_while_a_condition_keeps_its_status()
    {
        var id = Guid.CreateVersion7();
        await InsertAsync(id, "env@1:A=T;pl@1:A=T;dns@1:A=T;op@1:A=T");
        var t0 = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var first = await AggregateAsync(id, 1, false, ClusterRequired, previous: null, at: t0);
        Assert.All(first["conditions"]!.AsArray(), c => Assert.Equal("2030-01-01T00:00:00Z", c!["lastTransitionTime"].Text()));

        var same = await AggregateAsync(id, 1, false, ClusterRequired, previous: first, at: t0.AddMinutes(1));
        Assert.Equal(first.ToJsonString(), same.ToJsonString());

        await ExecuteAsync("UPDATE resource_statuses SET conditions = '[{\"type\":\"Available\",\"status\":\"False\"}]' WHERE resource_id = @id AND controller = @c",
            ("id", id), ("c", ControllerNames.Placement));
        var flipped = await AggregateAsync(id, 1, false, ClusterRequired, previous: same, at: t0.AddMinutes(2));
        Assert.Equal("2030-01-01T00:02:00Z", flipped.ConditionOf("Ready")["lastTransitionTime"].Text());
        Assert.Equal("2030-01-01T00:00:00Z", flipped.ConditionOf("Progressing")["lastTransitionTime"].Text());
        Assert.Equal("2030-01-01T00:00:00Z", flipped.ConditionOf("Degraded")["lastTransitionTime"].Text());

        // Deleting keeps Ready False, so its time stays; the reason changes.
        var deleting = await AggregateAsync(id, 1, true, ClusterRequired, previous: flipped, at: t0.AddMinutes(3));
        Assert.Equal("Deleting", deleting.ConditionOf("Ready")["reason"].Text());
        Assert.Equal("2030-01-01T00:02:00Z", deleting.ConditionOf("Ready")["lastTransitionTime"].Text());
    }

    [Fact]
    public async Task Controllers_are_listed_by_name_with_their_reports_and_only_for_the_given_resource()
    {
        var id = Guid.CreateVersion7();
        var neighbour = Guid.CreateVersion7();
        await InsertAsync(id, "pl@1:A=T;dns@1:A=F");
        await InsertAsync(neighbour, "env@1:A=T,D=T:elsewhere;op@1:A=T");
        await ExecuteAsync("UPDATE resource_statuses SET data = '{\"managementCluster\":\"mc-1\"}' WHERE resource_id = @id AND controller = @c",
            ("id", id), ("c", ControllerNames.Placement));

        var status = await AggregateAsync(id, 1, false, ClusterRequired);

        var listed = status["controllers"]!.AsArray();
        Assert.Equal([ControllerNames.DnsManagement, ControllerNames.Placement], listed.Select(c => c!["name"].Text()));
        Assert.Equal("mc-1", listed[1]!["data"]!["managementCluster"].Text());
        Assert.Equal(1, (long)listed[1]!["observedGeneration"]!);
        Assert.EndsWith("Z", listed[1]!["lastReportTime"].Text(), StringComparison.Ordinal);
        Assert.Equal("False", status.StatusOf("Degraded"));
        Assert.Equal(0, status.ObservedGeneration());
    }

    [Fact]
    public async Task Version_has_the_desired_version_given_and_current_and_history_from_the_operator_client_report()
    {
        var id = Guid.CreateVersion7();
        await InsertAsync(id, "env@1:A=T;op@2:A=T");
        await SetDataAsync(id, ControllerNames.OperatorClient, """
            {"version": {"current": "4.22.2", "desired": "4.22.3", "history": [
                {"version": "4.22.3", "state": "Partial", "startedAt": "2026-12-02T15:00:00+01:00", "completedAt": null},
                {"version": "4.22.2", "state": "Completed", "startedAt": "2026-12-01T10:00:00Z", "completedAt": "2026-12-01T10:30:00.5Z", "image": "ignored"}]}}
            """);
        // Only the operator client's report is HyperShift's word on the version.
        await SetDataAsync(id, ControllerNames.EnvironmentValidation, """{"version": {"current": "9.9.9", "history": []}}""");

        var version = (await AggregateAsync(id, 2, false, ClusterRequired, desired: "4.22.3"))["version"]!;

        // jsonb orders keys its own way: compared as JSON, not as text.
        var expected = JsonNode.Parse("""
            {"current":"4.22.2","desired":"4.22.3","history":[{"version":"4.22.3","state":"Partial","startedAt":"2026-12-02T14:00:00Z","completedAt":null},{"version":"4.22.2","state":"Completed","startedAt":"2026-12-01T10:00:00Z","completedAt":"2026-12-01T10:30:00.5Z"}]}
            """);
        Assert.True(JsonNode.DeepEquals(expected, version), version.ToJsonString());
    }

    [Fact]
    public async Task Version_current_is_null_and_history_empty_until_the_operator_client_reports_a_version()
    {
        var id = Guid.CreateVersion7();
        await InsertAsync(id, "op@1:A=F");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"current":null,"desired":"4.23.0","history":[]}"""),
            (await AggregateAsync(id, 1, false, PoolRequired, desired: "4.23.0"))["version"]));

        await SetDataAsync(id, ControllerNames.OperatorClient, """{"version": {"current": null, "desired": "4.23.0", "history": []}}""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"current":null,"desired":"4.23.0","history":[]}"""),
            (await AggregateAsync(id, 1, false, PoolRequired, desired: "4.23.0"))["version"]));

        // The six-argument form reads the desired version from the resource's row; this id has none.
        Assert.Null((await AggregateAsync(id, 1, false, PoolRequired))["version"]);
    }

    [Fact]
    public async Task A_required_controller_Upgrading_makes_Progressing_Upgrading_with_its_message_while_Ready_stays_True()
    {
        var id = Guid.CreateVersion7();
        await InsertAsync(id, "env@2:A=T;pl@2:A=T;dns@1:A=T;op@2:A=T");
        const string message = "Upgrading from 4.22.2 to 4.22.3 since 2026-12-02T14:00:00Z: Working towards 4.22.3";
        await ExecuteAsync("""
            UPDATE resource_statuses SET conditions = conditions || jsonb_build_array(jsonb_build_object(
                'type', 'Progressing', 'status', 'True', 'reason', 'Upgrading', 'message', @message::text))
            WHERE resource_id = @id AND controller = @c
            """, ("id", id), ("c", ControllerNames.OperatorClient), ("message", message));

        var status = await AggregateAsync(id, 2, false, ClusterRequired, desired: "4.22.3");

        // Upgrading wins over a controller that has not reported the generation yet (dns at 1).
        Assert.Equal("Ready", status.Phase());
        Assert.Equal("True", status.StatusOf("Ready"));
        Assert.Equal("True", status.StatusOf("Progressing"));
        Assert.Equal("Upgrading", status.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal(message, status.ConditionOf("Progressing")["message"].Text());

        // Not a required controller's: the pool requires only the operator client, so env's Upgrading is not read.
        var pool = Guid.CreateVersion7();
        await InsertAsync(pool, "env@1:A=T;op@1:A=T");
        await ExecuteAsync("""
            UPDATE resource_statuses SET conditions = conditions || '[{"type":"Progressing","status":"True","reason":"Upgrading","message":"m"}]'::jsonb
            WHERE resource_id = @id AND controller = @c
            """, ("id", pool), ("c", ControllerNames.EnvironmentValidation));
        Assert.Equal("Settled", (await AggregateAsync(pool, 1, false, PoolRequired, desired: "4.22.3")).ConditionOf("Progressing")["reason"].Text());

        // A deleting resource is not upgrading.
        Assert.NotEqual("Upgrading", (await AggregateAsync(id, 3, true, ClusterRequired, desired: "4.22.3")).ConditionOf("Progressing")["reason"].Text());
    }

    private Task SetDataAsync(Guid id, string controller, string data) =>
        ExecuteAsync("UPDATE resource_statuses SET data = @data WHERE resource_id = @id AND controller = @c",
            ("id", id), ("c", controller), ("data", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = data }));

    private async Task InsertAsync(Guid id, string reports)
    {
        foreach (var report in reports.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (who, conditions) = (report[..report.IndexOf(':', StringComparison.Ordinal)], report[(report.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            var controller = Short.GetValueOrDefault(who.Split('@')[0], who.Split('@')[0]);
            var generation = long.Parse(who.Split('@')[1], System.Globalization.CultureInfo.InvariantCulture);
            var array = new JsonArray();
            foreach (var condition in conditions.Split(','))
            {
                var (head, message) = condition.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0
                    ? (condition[..colon], condition[(colon + 1)..]) : (condition, "");
                var type = head.Split('=')[0] switch { "A" => "Available", "P" => "Progressing", "D" => "Degraded", "F" => "Finalized", var t => t };
                var status = head.Split('=')[1] switch { "T" => "True", "F" => "False", var s => s };
                array.Add(new JsonObject
                {
                    ["type"] = type, ["status"] = status, ["reason"] = "Reported", ["message"] = message,
                    ["lastTransitionTime"] = "2030-01-01T00:00:00.000000Z", ["observedGeneration"] = generation,
                });
            }

            await ExecuteAsync("""
                INSERT INTO resource_statuses (resource_id, controller, observed_generation, last_report_time, conditions, data)
                VALUES (@id, @controller, @generation, now(), @conditions, NULL)
                """,
                ("id", id), ("controller", controller), ("generation", generation), ("conditions", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = array.ToJsonString() }));
        }
    }

    /// <summary>aggregate_status with <paramref name="desired"/> (the seven-argument form), else the six-argument one.</summary>
    private async Task<JsonObject> AggregateAsync(Guid id, long generation, bool deleting, string[] required, JsonObject? previous = null, DateTime? at = null,
        string? desired = null)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(desired is null
            ? "SELECT aggregate_status(@id, @generation, @deleting, @required, @previous, @at)::text"
            : "SELECT aggregate_status(@id, @generation, @deleting, @required, @previous, @at, @desired)::text", connection);
        if (desired is not null)
        {
            command.Parameters.AddWithValue("desired", desired);
        }

        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("generation", generation);
        command.Parameters.AddWithValue("deleting", deleting);
        command.Parameters.AddWithValue("required", required);
        command.Parameters.Add(new NpgsqlParameter("previous", NpgsqlDbType.Jsonb) { Value = previous is null ? DBNull.Value : previous.ToJsonString() });
        command.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = at ?? DateTime.UtcNow });
        return JsonNode.Parse((string)(await command.ExecuteScalarAsync())!)!.AsObject();
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            if (value is NpgsqlParameter parameter)
            {
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }
            else
            {
                command.Parameters.AddWithValue(name, value);
            }
        }

        await command.ExecuteNonQueryAsync();
    }
}
