namespace ClusterPlatform.Api.Validation;

/// <summary>Turns node pool request bodies into typed requests, reporting every violation at once.</summary>
internal sealed class NodePoolRequests(IOptions<PlatformOptions> options)
{
    public const int DefaultDiskSizeGb = 128;
    public const int MinDiskSizeGb = 20;
    public const int MaxDiskSizeGb = 2000;
    public const int MaxReplicas = 500;
    public const int MaxNameLength = 30;

    /// <summary>The top-level names of a create or update body (and so of a merge patch).</summary>
    public static readonly IReadOnlyList<string> BodyFields = ["clusterId", "name", "labels", "spec"];
    private static readonly string[] SpecFields = ["replicas", "machineType", "diskSizeGb", "version", "autoscaling"];
    private static readonly string[] AutoscalingFields = ["min", "max"];

    public NodePoolCreateRequest ParseCreate(JsonElement root)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", BodyFields))
        {
            fields.Errors.ThrowIfAny();
        }

        var clusterId = fields.Uuid(root, "clusterId", "$", required: true);
        var name = fields.String(root, "name", "$", required: true);
        FieldRules.Name(name, "$.name", FieldRules.MinNameLength, MaxNameLength, fields.Errors);
        var labels = ClusterRequests.ParseLabels(fields, root);
        var spec = ParseSpec(fields, root);
        fields.Errors.ThrowIfAny();
        return new NodePoolCreateRequest(clusterId!.Value, name!, labels, spec!);
    }

    /// <summary>A PUT body or merge-patched document; <c>name</c> and <c>clusterId</c> may appear only unchanged.</summary>
    public NodePoolUpdateRequest ParseUpdate(JsonElement root, string currentName, Guid currentClusterId)
    {
        var fields = new JsonFields(new ValidationErrors());
        if (!fields.IsObject(root, "$", BodyFields))
        {
            fields.Errors.ThrowIfAny();
        }

        ClusterRequests.Immutable(fields, root, "$", "name", currentName);
        if (fields.Uuid(root, "clusterId", "$", required: false) is { } clusterId && clusterId != currentClusterId)
        {
            fields.Errors.Add("$.clusterId", "is immutable");
        }

        var labels = ClusterRequests.ParseLabels(fields, root);
        var spec = ParseSpec(fields, root);
        fields.Errors.ThrowIfAny();
        return new NodePoolUpdateRequest(labels, spec!);
    }

    private NodePoolSpec? ParseSpec(JsonFields fields, JsonElement root)
    {
        if (fields.Object(root, "spec", "$", required: true, SpecFields) is not { } spec)
        {
            return null;
        }

        const string path = "$.spec";
        var replicas = fields.Int(spec, "replicas", path, required: false);
        var machineType = fields.String(spec, "machineType", path, required: true);
        var diskSizeGb = fields.Int(spec, "diskSizeGb", path, required: false) ?? DefaultDiskSizeGb;
        var version = fields.String(spec, "version", path, required: true);
        AutoscalingSpec? autoscaling = null;
        if (fields.Object(spec, "autoscaling", path, required: false, AutoscalingFields) is { } a)
        {
            var min = fields.Int(a, "min", "$.spec.autoscaling", required: true);
            var max = fields.Int(a, "max", "$.spec.autoscaling", required: true);
            FieldRules.Range(min, "$.spec.autoscaling.min", 1, MaxReplicas, fields.Errors);
            FieldRules.Range(max, "$.spec.autoscaling.max", 1, MaxReplicas, fields.Errors);
            if (min is { } lo && max is { } hi && lo > hi)
            {
                fields.Errors.Add("$.spec.autoscaling", "min must not exceed max");
            }

            autoscaling = new AutoscalingSpec(min ?? 0, max ?? 0);
        }

        var hasReplicas = spec.TryGetProperty("replicas", out var r) && r.ValueKind != JsonValueKind.Null;
        if (hasReplicas && autoscaling is not null)
        {
            fields.Errors.Add("$.spec.autoscaling", "cannot be given together with replicas");
        }
        else if (!hasReplicas && !(spec.TryGetProperty("autoscaling", out var s) && s.ValueKind != JsonValueKind.Null))
        {
            fields.Errors.Add("$.spec.replicas", "either replicas or autoscaling is required");
        }

        FieldRules.Range(replicas, "$.spec.replicas", 0, MaxReplicas, fields.Errors);
        FieldRules.Range(diskSizeGb, "$.spec.diskSizeGb", MinDiskSizeGb, MaxDiskSizeGb, fields.Errors);
        FieldRules.MachineTypeRule(machineType, "$.spec.machineType", fields.Errors);
        FieldRules.ReleaseVersion(version, "$.spec.version", options.Value.SupportedVersions, fields.Errors);
        return new NodePoolSpec(replicas, machineType!, diskSizeGb, version!, autoscaling, null);
    }
}
