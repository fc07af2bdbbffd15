namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>
/// The metav1.Status failure bodies the API server answers with, worded as
/// k8s.io/apimachinery/pkg/api/errors/errors.go words them (NewNotFound, NewAlreadyExists,
/// NewConflict, NewInvalid, NewForbidden, NewBadRequest). <paramref name="Resource"/> is the
/// qualified resource, e.g. "hostedclusters.hypershift.openshift.io", or "secrets" for the core group.
/// </summary>
internal static class KubeStatus
{
    public static JsonObject NotFound(string resource, string group, string name) =>
        Failure(404, "NotFound", $"{resource} \"{name}\" not found", Details(name, group, Plural(resource)));

    public static JsonObject AlreadyExists(string resource, string group, string name) =>
        Failure(409, "AlreadyExists", $"{resource} \"{name}\" already exists", Details(name, group, Plural(resource)));

    public static JsonObject Conflict(string resource, string group, string name, string detail) =>
        Failure(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": {detail}", Details(name, group, Plural(resource)));

    /// <summary>An apply that collides with other managers (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager, NewConflictError).</summary>
    public static JsonObject ApplyConflict(string resource, string group, string name, IReadOnlyList<string> conflicts)
    {
        var details = Details(name, group, Plural(resource));
        details["causes"] = new JsonArray([.. conflicts.Select(c => new JsonObject
        {
            ["reason"] = "FieldManagerConflict",
            ["message"] = c[..c.LastIndexOf(':')],
            ["field"] = c[(c.LastIndexOf(':') + 2)..],
        })]);
        var noun = conflicts.Count == 1 ? "conflict" : "conflicts";
        return Failure(409, "Conflict", $"Apply failed with {conflicts.Count} {noun}: {string.Join("\n", conflicts)}", details);
    }

    /// <summary>422 Invalid: "Kind.group \"name\" is invalid: ERR" for one error, "[ERR, ERR]" for several.</summary>
    public static JsonObject Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        var aggregate = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors)}]";
        var details = Details(name, group, kind);
        details["causes"] = new JsonArray([.. errors.Select(e => new JsonObject { ["reason"] = e.Reason, ["message"] = e.Body, ["field"] = e.Field })]);
        return Failure(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {aggregate}", details);
    }

    public static JsonObject Forbidden(string resource, string group, string name, string detail) =>
        Failure(403, "Forbidden", $"{resource} \"{name}\" is forbidden: {detail}", Details(name, group, Plural(resource)));

    public static JsonObject BadRequest(string message) => Failure(400, "BadRequest", message, null);

    public static JsonObject UnsupportedMediaType(string contentType) =>
        Failure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml; got {contentType}", null);

    public static JsonObject MethodNotAllowed() => Failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", null);

    public static JsonObject InternalError(string message) => Failure(500, "InternalError", $"Internal error occurred: {message}", null);

    /// <summary>What the server says for a path it does not serve, e.g. a CRD that is not installed.</summary>
    public static JsonObject PathNotFound() => Failure(404, "NotFound", "the server could not find the requested resource", null);

    public static JsonObject Success(string name, string group, string plural, string? uid)
    {
        var details = Details(name, group, plural);
        details["uid"] = uid;
        return new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["details"] = details };
    }

    public static int Code(JsonObject status) => (int)status["code"]!;

    private static JsonObject Failure(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        return status;
    }

    private static JsonObject Details(string name, string group, string kind)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        return details;
    }

    private static string Plural(string resource) => resource.Split('.')[0];
}
