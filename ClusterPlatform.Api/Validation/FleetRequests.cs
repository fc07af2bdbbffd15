namespace ClusterPlatform.Api.Validation;

/// <summary>Turns a management cluster's name and body into a typed request, reporting every violation at once.</summary>
internal sealed class FleetRequests(IOptions<PlatformOptions> options)
{
    public const int MaxCapacity = 10_000;
    public const int MaxNameLength = 63;

    private static readonly string[] BodyFields = ["region", "capacity", "apiEndpoint", "ingressTarget"];

    /// <summary>A PUT of the management cluster <paramref name="name"/> (from the path; its violation is reported with the body's).</summary>
    public ManagementClusterRequest ParsePut(string name, JsonElement root)
    {
        var fields = new JsonFields(new ValidationErrors());
        FieldRules.Name(name, "$.name", FieldRules.MinNameLength, MaxNameLength, fields.Errors);
        if (!fields.IsObject(root, "$", BodyFields))
        {
            fields.Errors.ThrowIfAny();
        }

        var region = fields.String(root, "region", "$", required: true);
        var capacity = fields.Int(root, "capacity", "$", required: true);
        var apiEndpoint = fields.String(root, "apiEndpoint", "$", required: true);
        var ingress = fields.String(root, "ingressTarget", "$", required: true);
        FieldRules.Region(region, "$.region", options.Value.SupportedRegions, fields.Errors);
        FieldRules.Range(capacity, "$.capacity", 0, MaxCapacity, fields.Errors);
        if (apiEndpoint is not null && !(Uri.TryCreate(apiEndpoint, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
        {
            fields.Errors.Add("$.apiEndpoint", "must be an absolute https URL");
        }

        if (ingress is not null && !FieldRules.IsDnsSubdomain(ingress))
        {
            fields.Errors.Add("$.ingressTarget", "must be a lower-case DNS name");
        }

        fields.Errors.ThrowIfAny();
        return new ManagementClusterRequest(region!, capacity!.Value, apiEndpoint!, ingress!);
    }
}
