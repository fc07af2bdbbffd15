using System.Text;
using System.Text.Json;

namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>
/// What the API server checks on the core objects the provider writes (k8s.io/kubernetes/pkg/apis/core/validation/validation.go
/// ValidateNamespace, ValidateSecret, ValidateConfigMap, and their Update forms): ObjectMeta, the
/// type's top-level fields (unknown ones refused under fieldValidation=Strict, pruned otherwise),
/// base64 secret data, a dockerconfigjson secret's required JSON key, and a secret's immutable type.
/// A Secret's stringData is folded into data first, as the v1 conversion does. A CertificateSigningRequest
/// is <see cref="CsrAdmission"/>'s.
/// </summary>
internal static class CoreAdmission
{
    private const string DockerConfigJson = "kubernetes.io/dockerconfigjson";

    public static AdmissionResult Admit(KubeResource resource, JsonObject candidate, JsonObject? old, bool strict, CsrWrite write = CsrWrite.Main)
    {
        var obj = candidate.DeepClone().AsObject();
        var unknown = obj.Select(p => p.Key).Where(k => !resource.CoreFields.Contains(k)).ToList();
        foreach (var field in unknown)
        {
            obj.Remove(field);
        }

        if (strict && unknown.Count > 0)
        {
            return new AdmissionResult(obj, unknown, []);
        }

        if (resource == KubeResource.CertificateSigningRequests)
        {
            return new AdmissionResult(obj, [], CsrAdmission.Admit(obj, old, write));
        }

        var errors = MetadataValidation.Validate(obj, resource.Namespaced, nameIsLabel: resource == KubeResource.Namespaces);
        if (resource == KubeResource.Secrets)
        {
            FoldStringData(obj);
            errors.AddRange(ValidateSecret(obj, old));
        }

        return new AdmissionResult(obj, [], errors);
    }

    private static void FoldStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData)
        {
            return;
        }

        var data = secret["data"]?.DeepClone() as JsonObject ?? [];
        foreach (var (key, value) in stringData)
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes((string?)value ?? ""));
        }

        secret["data"] = data;
        secret.Remove("stringData");
    }

    private static List<FieldError> ValidateSecret(JsonObject secret, JsonObject? old)
    {
        var errors = new List<FieldError>();
        var decoded = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in secret["data"] as JsonObject ?? [])
        {
            var text = value?.GetValueKind() == JsonValueKind.String ? (string?)value : null;
            var bytes = new byte[text?.Length ?? 0];
            if (text is null || !Convert.TryFromBase64String(text, bytes, out var written))
            {
                errors.Add(FieldError.Invalid($"data[{key}]", "<secret contents redacted>", "illegal base64 data"));
                continue;
            }

            decoded[key] = bytes[..written];
        }

        var type = (string?)secret["type"] ?? "Opaque";
        if (type == DockerConfigJson)
        {
            if (!decoded.TryGetValue(".dockerconfigjson", out var config))
            {
                errors.Add(FieldError.Required("data[.dockerconfigjson]"));
            }
            else if (!IsJson(config))
            {
                errors.Add(FieldError.Invalid("data[.dockerconfigjson]", "<secret contents redacted>", "invalid character in JSON"));
            }
        }

        if (old is not null && ((string?)old["type"] ?? "Opaque") != type)
        {
            errors.Add(FieldError.Invalid("type", type, "field is immutable"));
        }

        return errors;
    }

    private static bool IsJson(byte[] bytes)
    {
        try
        {
            using var _ = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
