using System.Text.RegularExpressions;

namespace ClusterPlatform.Api.Validation;

/// <summary>Turns a status report body into a typed report, reporting every violation at once (docs/api.md "Status reports").</summary>
internal static partial class StatusReportRequests
{
    public const int MaxDataBytes = 16 * 1024;
    public const int MaxMessageLength = ConditionReport.MaxMessageLength;
    public const int MaxReasonLength = 64;
    public static readonly IReadOnlyList<string> ConditionTypes = ["Available", "Progressing", "Degraded", "Finalized"];
    internal static readonly IReadOnlyList<string> Statuses = ["True", "False", "Unknown"];
    private static readonly string[] Fields = ["controller", "observedGeneration", "conditions", "data", "version"];
    private static readonly string[] ConditionFields = ["type", "status", "reason", "message"];

    // \z, not $: in .NET "$" also matches before a final newline, which would let "Placed\n" through.
    internal const string ReasonPattern = "^[A-Z][A-Za-z0-9]{0,63}\\z";

    [GeneratedRegex(ReasonPattern)]
    private static partial Regex Reason();

    public static StatusReportRequest Parse(JsonElement root)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", Fields))
        {
            fields.Errors.ThrowIfAny();
        }

        var controller = fields.String(root, "controller", "$", required: true);
        var generation = Counter(fields, root, "observedGeneration", minimum: 1, required: true);
        // Optional: a report without it is unconditional (tools, repairs); the controllers always send it.
        var version = Counter(fields, root, "version", minimum: 0, required: false);

        var conditions = ParseConditions(fields, root);
        JsonElement? data = null;
        if (fields.Child(root, "data", "$", required: false) is { } d)
        {
            if (d.ValueKind != JsonValueKind.Object)
            {
                fields.Errors.Add("$.data", "must be an object");
            }
            else if (System.Text.Encoding.UTF8.GetByteCount(d.GetRawText()) > MaxDataBytes)
            {
                fields.Errors.Add("$.data", $"must be at most {MaxDataBytes} bytes of JSON");
            }
            else
            {
                if (controller == ControllerNames.OperatorClient)
                {
                    VersionReports.Check(d, fields.Errors);
                    ClusterUrlReports.Check(d, fields.Errors);
                }

                data = d;
            }
        }

        fields.Errors.ThrowIfAny();
        return new StatusReportRequest(controller!, generation!.Value, conditions, data, version);
    }

    /// <summary>
    /// A bigint counter of at least <paramref name="minimum"/> (the database's columns are bigint):
    /// a fraction, an exponent form, a string or a number past 2^63-1 is a 400, never an overflow.
    /// </summary>
    private static long? Counter(JsonFields fields, JsonElement root, string name, long minimum, bool required)
    {
        if (fields.Child(root, name, "$", required) is not { } element)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= minimum)
        {
            return value;
        }

        fields.Errors.Add($"$.{name}", $"must be an integer of at least {minimum}");
        return null;
    }

    private static List<ConditionReport> ParseConditions(JsonFields fields, JsonElement root)
    {
        var conditions = new List<ConditionReport>();
        if (fields.Child(root, "conditions", "$", required: true) is not { } array)
        {
            return conditions;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            fields.Errors.Add("$.conditions", "must be an array");
            return conditions;
        }

        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.conditions[{index++}]";
            if (!fields.IsObject(item, path, ConditionFields))
            {
                continue;
            }

            var type = fields.String(item, "type", path, required: true);
            var status = fields.String(item, "status", path, required: true);
            var reason = fields.String(item, "reason", path, required: true);
            var message = fields.String(item, "message", path, required: false) ?? "";
            if (type is not null && !ConditionTypes.Contains(type))
            {
                fields.Errors.Add($"{path}.type", $"must be one of {string.Join(", ", ConditionTypes)}");
            }
            else if (type is not null && conditions.Any(c => c.Type == type))
            {
                fields.Errors.Add($"{path}.type", $"{type} is reported more than once");
            }

            if (status is not null && !Statuses.Contains(status))
            {
                fields.Errors.Add($"{path}.status", "must be True, False or Unknown");
            }

            if (reason is not null && !Reason().IsMatch(reason))
            {
                fields.Errors.Add($"{path}.reason", "must be one CamelCase word of at most 64 characters, e.g. PreconditionsNotMet");
            }

            if (message.Length > MaxMessageLength)
            {
                fields.Errors.Add($"{path}.message", $"must be at most {MaxMessageLength} characters");
            }

            conditions.Add(new ConditionReport(type ?? "", status ?? "", reason ?? "", message));
        }

        if (!conditions.Any(c => c.Type == "Available"))
        {
            fields.Errors.Add("$.conditions", "must include the Available condition");
        }

        return conditions;
    }
}
