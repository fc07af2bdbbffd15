namespace ClusterPlatform.Tests.Kubernetes.Admission;

/// <summary>What admission made of an object: the defaulted, pruned object, or why it was refused.</summary>
internal sealed record AdmissionResult(JsonObject Object, IReadOnlyList<string> UnknownFields, IReadOnlyList<FieldError> Errors)
{
    public bool Admitted => UnknownFields.Count == 0 && Errors.Count == 0;
}

/// <summary>
/// The custom resource create/update path of the API server, in its order
/// (k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go and the CRD handler's
/// decoder in pkg/apiserver/customresource_handler.go): unknown fields are found and pruned (an
/// error under fieldValidation=Strict), defaults are applied, the object is validated against the
/// openAPIV3Schema, and the CEL rules run unless a type error blocks them ("some validation rules
/// were not checked because the object was invalid", strategy.go hasBlockingErr, which a type error or
/// an unsupported enum value triggers).
/// </summary>
internal static class CrdAdmission
{
    public static AdmissionResult Admit(Crd crd, JsonObject candidate, JsonObject? old, bool strict)
    {
        var obj = candidate.DeepClone().AsObject();
        var unknown = UnknownFields.Prune(obj, crd.Schema);
        if (strict && unknown.Count > 0)
        {
            return new AdmissionResult(obj, unknown, []);
        }

        StructuralDefaulting.Apply(obj, crd.Schema);
        var errors = MetadataValidation.Validate(obj, namespaced: true);
        errors.AddRange(SchemaValidation.Validate(obj, crd.Schema));
        if (errors.Any(e => e.Reason is "FieldValueTypeInvalid" or "FieldValueNotSupported"))
        {
            errors.Add(FieldError.Invalid("<nil>", null, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
        }

        else
        {
            errors.AddRange(CelValidation.Validate(obj, old, old is not null, crd.Schema));
        }

        // Stored as the server stores it, serialized: defaults built from YAML then read back like any JSON.
        return new AdmissionResult(JsonNode.Parse(obj.ToJsonString())!.AsObject(), [], errors);
    }
}
