using System.Text.RegularExpressions;

namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>
/// The ObjectMeta checks every create and update gets (k8s.io/apimachinery/pkg/api/validation/objectmeta.go,
/// ValidateObjectMeta with NameIsDNSSubdomain; namespaces use NameIsDNSLabel), and the label syntax
/// (k8s.io/apimachinery/pkg/apis/meta/v1/validation, ValidateLabels).
/// </summary>
internal static partial class MetadataValidation
{
    public static List<FieldError> Validate(JsonObject obj, bool namespaced, bool nameIsLabel = false)
    {
        var errors = new List<FieldError>();
        var name = (string?)obj["metadata"]?["name"];
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required("metadata.name") with { Body = "Required value: name or generateName is required" });
        }
        else if (nameIsLabel ? !(name.Length <= 63 && DnsLabel().IsMatch(name)) : !(name.Length <= 253 && DnsSubdomain().IsMatch(name)))
        {
            errors.Add(FieldError.Invalid("metadata.name", name, nameIsLabel
                ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
                : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }

        if (!namespaced && obj["metadata"]?["namespace"] is not null && (string?)obj["metadata"]!["namespace"] is { Length: > 0 })
        {
            errors.Add(FieldError.Forbidden("metadata.namespace", "not allowed on this type"));
        }

        foreach (var (key, value) in obj["metadata"]?["labels"] as JsonObject ?? [])
        {
            var text = value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)value : null;
            if (!LabelKey().IsMatch(key) || key.Split('/')[^1].Length > 63)
            {
                errors.Add(FieldError.Invalid("metadata.labels", key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
            }

            if (text is null || text.Length > 63 || !LabelValue().IsMatch(text))
            {
                errors.Add(FieldError.Invalid($"metadata.labels", value?.DeepClone(), "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
            }
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
