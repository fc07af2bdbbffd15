using System.Globalization;
using ClusterPlatform.Tests.Kubernetes;
using ClusterPlatform.Tests.Kubernetes.Admission;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using YamlDotNet.RepresentationModel;

namespace ClusterPlatform.Tests.Providers;

/// <summary>One request the fake answered: the body as sent, and what the server said.</summary>
internal sealed record KubeRequest(string Method, string Path, JsonObject? Body, int Code, string? Reason, string? Message)
{
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH";
}

/// <summary>
/// A management cluster's API server on the REST paths KubernetesClient calls, strict like a real one:
/// HostedClusters and NodePools are admitted with HyperShift's published CRDs for the cluster's
/// <see cref="FeatureSet"/> (defaulting, unknown fields, OpenAPI schema, CEL rules; see
/// Kubernetes/Admission), server-side apply tracks field ownership per manager, PUT needs a current
/// resourceVersion, the status subresource keeps main-resource writes off status, and deletion
/// waits for finalizers: HyperShift's on its objects for <see cref="FinalizerReconciles"/> reads,
/// a namespace for its content. Every request and its verdict is kept in <see cref="Requests"/>.
/// </summary>
internal sealed class FakeKubeApiServer(FeatureSet featureSet = FeatureSet.TechPreviewNoUpgrade)
{
    /// <summary>
    /// The finalizer HyperShift's operator puts on HostedClusters and NodePools (openshift/hypershift
    /// 3ee9615567acffaf3e3ee25c2ca2942d650565cf, hypershift-operator/controllers/hostedcluster/hostedcluster_controller.go
    /// HostedClusterFinalizer, and nodepool/nodepool_controller.go finalizer).
    /// </summary>
    public const string HyperShiftFinalizer = "hypershift.openshift.io/finalizer";

    private const string HyperShiftManager = "hypershift-operator";

    /// <summary>The server's JSON: quotes inside messages stay readable (\" rather than \u0022).</summary>
    private static readonly System.Text.Json.JsonSerializerOptions PlainJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock gate = new();
    private readonly Dictionary<string, JsonObject> store = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> finalizing = new(StringComparer.Ordinal);
    private readonly HashSet<string> absentCrds = new(StringComparer.Ordinal);
    private readonly List<KubeRequest> requests = [];
    private long resourceVersion = 100;

    /// <summary>A reply's HTTP code and body; a Status body converts implicitly, carrying its own code.</summary>
    private readonly record struct Reply(int Code, JsonObject Body)
    {
        public static implicit operator Reply(JsonObject status) => new(KubeStatus.Code(status), status);
    }

    /// <summary>The management cluster's feature set; it picks the CRD manifests admission uses.</summary>
    public FeatureSet FeatureSet { get; set; } = featureSet;

    /// <summary>
    /// How many reads (GET or list, of the object or its namespace) a deleted HostedCluster or NodePool
    /// survives before HyperShift's cleanup finishes and its finalizer goes; 0 deletes at once.
    /// </summary>
    public int FinalizerReconciles { get; set; }

    /// <summary>HyperShift's control-plane-pki-operator of the control planes <see cref="InstallControlPlane"/> started.</summary>
    public FakePkiOperator Pki { get; } = new();

    /// <summary>
    /// Plays GKE Warden, which on GKE Autopilot refuses a CSR whose common name starts with
    /// <c>system:</c> and whose organization is <c>system:masters</c> (openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf,
    /// test/integration/control_plane_pki_operator.go). The message is modelled on an admission
    /// webhook's denial; Warden's exact wording is not published upstream.
    /// </summary>
    public bool GkeWarden { get; set; }

    /// <summary>Every request, oldest first.</summary>
    public IReadOnlyList<KubeRequest> Requests { get { lock (gate) { return [.. requests]; } } }

    /// <summary>Writes the server accepted.</summary>
    public IReadOnlyList<KubeRequest> Admitted => [.. Requests.Where(r => r.IsWrite && r.Code < 400)];

    /// <summary>Writes the server refused, with the Status reason and message it answered.</summary>
    public IReadOnlyList<KubeRequest> Refused => [.. Requests.Where(r => r.IsWrite && r.Code >= 400)];

    /// <summary>Every stored object (namespaces included), for "nothing left behind" checks.</summary>
    public IReadOnlyList<JsonObject> Objects { get { lock (gate) { return [.. store.Values.Select(o => o.DeepClone().AsObject())]; } } }

    public IReadOnlyCollection<string> Namespaces { get { lock (gate) { return [.. store.Where(e => e.Key.StartsWith("namespaces/", StringComparison.Ordinal)).Select(e => Name(e.Value))]; } } }

    /// <summary>Makes the management cluster lack a CRD ("hostedclusters" or "nodepools"): its paths and its definition answer 404.</summary>
    public void UninstallCrd(string plural)
    {
        lock (gate)
        {
            absentCrds.Add(plural);
        }
    }

    public IReadOnlyDictionary<string, string?> NamespaceLabels(string name)
    {
        lock (gate)
        {
            return store[Key(KubeResource.Namespaces, null, name)]["metadata"]!["labels"] is JsonObject labels
                ? labels.ToDictionary(l => l.Key, l => (string?)l.Value, StringComparer.Ordinal)
                : new Dictionary<string, string?>();
        }
    }

    /// <summary>A stored object by plural ("namespaces" takes a null or ignored namespace), without counting as a read.</summary>
    public JsonObject? Get(string? ns, string plural, string name)
    {
        var resource = Resource(plural);
        lock (gate)
        {
            return store.GetValueOrDefault(Key(resource, ns, name))?.DeepClone().AsObject();
        }
    }

    public JsonObject? Secret(string ns, string name) => Get(ns, "secrets", name);

    public JsonObject? ConfigMap(string ns, string name) => Get(ns, "configmaps", name);

    /// <summary>
    /// What HyperShift writes through the status subresource: status changes, generation does not. The
    /// API server validates a status update against the CRD's schema like any update
    /// (k8s.io/apiextensions-apiserver/pkg/registry/customresource/status_strategy.go ValidateUpdate), so
    /// a status no HyperShift could write (a history entry without startedTime, a wrong type) fails the test here.
    /// </summary>
    public void SetStatus(string ns, string plural, string name, JsonObject status)
    {
        var resource = Resource(plural);
        lock (gate)
        {
            var stored = store[Key(resource, ns, name)];
            var updated = stored.DeepClone().AsObject();
            updated["status"] = status.DeepClone();
            if (Schema(resource) is { } schema && SchemaValidation.Validate(updated, schema) is { Count: > 0 } errors)
            {
                throw new ArgumentException($"{resource.Kind} {name}: the CRD refuses this status: {string.Join("; ", errors)}", nameof(status));
            }

            stored["status"] = status.DeepClone();
            BumpResourceVersion(stored);
        }
    }

    /// <summary>
    /// What HyperShift sets up for a hosted control plane that matters to break-glass credentials: its
    /// namespace, the root CA's ConfigMap <c>root-ca</c> (key <c>ca.crt</c>; pki/ca.go) and the pki
    /// operator with its customer-break-glass signer. Returns the root CA certificate (PEM).
    /// </summary>
    public string InstallControlPlane(string controlPlaneNamespace)
    {
        using var rootKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var rootRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN=root-ca,OU=openshift", rootKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddYears(10));
        var rootPem = root.ExportCertificatePem() + "\n";
        lock (gate)
        {
            foreach (var (resource, ns, obj) in new (KubeResource, string?, JsonObject)[]
            {
                (KubeResource.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = controlPlaneNamespace } }),
                (KubeResource.ConfigMaps, controlPlaneNamespace, new JsonObject
                {
                    ["metadata"] = new JsonObject { ["name"] = "root-ca", ["namespace"] = controlPlaneNamespace },
                    ["data"] = new JsonObject { ["ca.crt"] = rootPem },
                }),
            })
            {
                var name = (string)obj["metadata"]!["name"]!;
                ServerSideApply.RecordUpdate(null, obj, "control-plane-operator", null);
                var reply = Store(resource, ns, name, obj, old: null, strict: true, code: 201);
                if (reply.Code >= 400)
                {
                    throw new InvalidOperationException($"the fake refused its own {resource.Kind} {name}: {reply.Body["message"]}");
                }
            }
        }

        Pki.Install(controlPlaneNamespace);
        return rootPem;
    }

    /// <summary>Another controller sets an object's finalizers (empty to clear them); a deleted object without finalizers goes.</summary>
    public void SetFinalizers(string? ns, string plural, string name, params string[] finalizers)
    {
        var resource = Resource(plural);
        lock (gate)
        {
            var key = Key(resource, ns, name);
            var old = store[key];
            var updated = old.DeepClone().AsObject();
            updated["metadata"]!["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode?)f)]);
            ServerSideApply.RecordUpdate(old, updated, HyperShiftManager, Schema(resource));
            BumpResourceVersion(updated);
            store[key] = updated;
            Collect(resource, key);
        }
    }

    public void Map(WebApplication app)
    {
        app.Map("/api/v1/namespaces", context => Serve(context, KubeResource.Namespaces, null, null));
        app.Map("/api/v1/namespaces/{name}", context => Serve(context, KubeResource.Namespaces, null, Route(context, "name")));
        app.Map("/api/v1/namespaces/{ns}/{plural}", context => ServeNamespaced(context, group: ""));
        app.Map("/api/v1/namespaces/{ns}/{plural}/{name}", context => ServeNamespaced(context, group: ""));
        app.Map("/apis/hypershift.openshift.io/v1beta1/namespaces/{ns}/{plural}", context => ServeNamespaced(context, group: "hypershift.openshift.io"));
        app.Map("/apis/hypershift.openshift.io/v1beta1/namespaces/{ns}/{plural}/{name}", context => ServeNamespaced(context, group: "hypershift.openshift.io"));
        app.Map("/apis/certificates.k8s.io/v1/certificatesigningrequests", context => Serve(context, KubeResource.CertificateSigningRequests, null, null));
        app.Map("/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}", context => Serve(context, KubeResource.CertificateSigningRequests, null, Route(context, "name")));
        app.MapPut("/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}/status", context =>
            Serve(context, KubeResource.CertificateSigningRequests, null, Route(context, "name"), CsrWrite.Status));
        app.MapPut("/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}/approval", context =>
            Serve(context, KubeResource.CertificateSigningRequests, null, Route(context, "name"), CsrWrite.Approval));
        app.Map("/apis/certificates.hypershift.openshift.io/v1alpha1/namespaces/{ns}/{plural}", context => ServeNamespaced(context, group: "certificates.hypershift.openshift.io"));
        app.Map("/apis/certificates.hypershift.openshift.io/v1alpha1/namespaces/{ns}/{plural}/{name}", context => ServeNamespaced(context, group: "certificates.hypershift.openshift.io"));
        app.MapGet("/apis/hypershift.openshift.io/v1beta1/{plural}", context => KubeResource.Find(Route(context, "plural")!) is { IsCustom: true, Group: "hypershift.openshift.io" } resource
            ? Serve(context, resource, null, null)
            : Answer(context, null, KubeStatus.PathNotFound()));
        app.MapGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}", (string name) =>
        {
            var plural = name.Split('.')[0];
            lock (gate)
            {
                return KubeResource.Find(plural) is { IsCustom: true } resource && name == resource.Qualified && !absentCrds.Contains(plural)
                    ? Results.Json(CrdCatalog.Get(plural, FeatureSet).Definition)
                    : Results.Json(KubeStatus.NotFound("customresourcedefinitions.apiextensions.k8s.io", "apiextensions.k8s.io", name), statusCode: 404);
            }
        });
        app.MapFallback(() => Results.Json(KubeStatus.PathNotFound(), statusCode: 404));
    }

    private Task ServeNamespaced(HttpContext context, string group)
    {
        var resource = KubeResource.Find(Route(context, "plural")!);
        if (resource is null || resource.Group != group || !resource.Namespaced)
        {
            return Answer(context, null, KubeStatus.PathNotFound());
        }

        return Serve(context, resource, Route(context, "ns"), Route(context, "name"));
    }

    private async Task Serve(HttpContext context, KubeResource resource, string? ns, string? name, CsrWrite write = CsrWrite.Main)
    {
        var request = context.Request;
        JsonObject? body = null;
        Reply answer;
        try
        {
            if (request.Method is "POST" or "PUT" or "PATCH")
            {
                body = await ReadBody(request);
            }

            lock (gate)
            {
                answer = resource.IsCustom && absentCrds.Contains(resource.Plural) ? KubeStatus.PathNotFound()
                    : body is null && request.Method is "POST" or "PUT" or "PATCH" ? KubeStatus.UnsupportedMediaType(request.ContentType ?? "")
                    : (request.Method, name) switch
                    {
                        ("GET", null) => List(resource, ns, request.Query["labelSelector"]),
                        ("GET", { } one) => Read(resource, ns, one),
                        ("POST", null) => Create(resource, ns, body!, Manager(request), Strict(request)),
                        ("PUT", { } one) => Replace(resource, ns, one, body!, Manager(request), Strict(request), write),
                        ("PATCH", { } one) => Apply(resource, ns, one, body!, request),
                        ("DELETE", { } one) => Delete(resource, ns, one),
                        _ => KubeStatus.MethodNotAllowed(),
                    };
            }
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or System.Text.Json.JsonException)
        {
            answer = KubeStatus.BadRequest($"error decoding request body: {e.Message}");
        }
        catch (Exception e)
        {
            // A rule this fake cannot evaluate, or a bug of the fake: refuse loudly instead of admitting unchecked.
            answer = KubeStatus.InternalError($"the fake API server failed: {e}");
        }

        await Answer(context, body, answer);
    }

    private async Task Answer(HttpContext context, JsonObject? body, Reply reply)
    {
        var (code, answer) = reply;
        lock (gate)
        {
            requests.Add(new KubeRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, body, code,
                code >= 400 ? (string?)answer["reason"] : null, code >= 400 ? (string?)answer["message"] : null));
        }

        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(PlainJson));
    }

    private Reply List(KubeResource resource, string? ns, string? labelSelector)
    {
        var prefix = resource.Namespaced && ns is not null ? $"{resource.Plural}/{ns}/" : $"{resource.Plural}/"; // no namespace: across all
        var items = new JsonArray();
        foreach (var key in store.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList())
        {
            if (Tick(resource, key) is { } item && LabelSelector.Matches(labelSelector, item["metadata"]?["labels"] as JsonObject))
            {
                items.Add(item);
            }
        }

        return new Reply(200, new JsonObject
        {
            ["kind"] = $"{resource.Kind}List",
            ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    private Reply Read(KubeResource resource, string? ns, string name) =>
        Tick(resource, Key(resource, ns, name)) is { } found ? new Reply(200, found) : KubeStatus.NotFound(resource.Qualified, resource.Group, name);

    private Reply Create(KubeResource resource, string? ns, JsonObject body, string manager, bool strict)
    {
        var name = (string?)body["metadata"]?["name"] ?? "";
        if (Placement(resource, ns, body, name, creating: true) is { } refusal)
        {
            return refusal;
        }

        if (store.ContainsKey(Key(resource, ns, name)))
        {
            return KubeStatus.AlreadyExists(resource.Qualified, resource.Group, name);
        }

        if (resource == KubeResource.CertificateSigningRequests && GkeWarden && WardenRefuses(body) is { } warden)
        {
            return warden;
        }

        var created = body.DeepClone().AsObject();
        ServerSideApply.RecordUpdate(null, created, manager, Schema(resource));
        return Store(resource, ns, name, created, old: null, strict, code: 201);
    }

    private Reply Replace(KubeResource resource, string? ns, string name, JsonObject body, string manager, bool strict, CsrWrite write = CsrWrite.Main)
    {
        var key = Key(resource, ns, name);
        if (!store.TryGetValue(key, out var live))
        {
            return KubeStatus.NotFound(resource.Qualified, resource.Group, name);
        }

        if (Placement(resource, ns, body, name, creating: false) is { } refusal)
        {
            return refusal;
        }

        var sent = (string?)body["metadata"]?["resourceVersion"];
        if (sent is null && resource.IsCustom)
        {
            // Custom resources refuse unconditional updates (customResourceStrategy.AllowUnconditionalUpdate is false).
            return Invalid(resource, name, [FieldError.Invalid("metadata.resourceVersion", 0, "must be specified for an update")]);
        }

        if (sent is not null && sent != (string?)live["metadata"]!["resourceVersion"])
        {
            return KubeStatus.Conflict(resource.Qualified, resource.Group, name, "the object has been modified; please apply your changes to the latest version and try again");
        }

        var updated = body.DeepClone().AsObject();
        updated["metadata"]!["managedFields"] = live["metadata"]!["managedFields"]?.DeepClone();
        ServerSideApply.RecordUpdate(live, updated, manager, Schema(resource));
        return Store(resource, ns, name, updated, live, strict, code: 200, write);
    }

    private Reply Apply(KubeResource resource, string? ns, string name, JsonObject body, HttpRequest request)
    {
        if (request.ContentType?.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal) != true)
        {
            return KubeStatus.UnsupportedMediaType(request.ContentType ?? "");
        }

        if (request.Query["fieldManager"].FirstOrDefault() is not { Length: > 0 } manager)
        {
            return KubeStatus.BadRequest("PATCH, application/apply-patch+yaml: fieldManager must be set for apply requests");
        }

        if ((string?)body["metadata"]?["name"] != name)
        {
            return KubeStatus.BadRequest("the name of the object (" + ((string?)body["metadata"]?["name"] ?? "") + ") does not match the name on the URL (" + name + ")");
        }

        var key = Key(resource, ns, name);
        var live = store.GetValueOrDefault(key);
        if (Placement(resource, ns, body, name, creating: live is null) is { } refusal)
        {
            return refusal;
        }

        // Apply builds a typed object from the patch first (sigs.k8s.io/structured-merge-diff typed.go):
        // undeclared fields are an error under Strict, and otherwise dropped before anyone owns them.
        var schema = Schema(resource);
        var patch = body.DeepClone().AsObject();
        var unknown = schema is null ? [] : UnknownFields.Prune(patch, schema);
        if (unknown.Count > 0 && Strict(request))
        {
            return KubeStatus.BadRequest($"failed to create typed patch object ({resource.ApiVersion}, Kind={resource.Kind}): {string.Join(", ", unknown.Select(u => $".{u}: field not declared in schema"))}");
        }

        var force = string.Equals(request.Query["force"], "true", StringComparison.OrdinalIgnoreCase);
        var result = ServerSideApply.Apply(live, patch, manager, force, schema);
        if (result.Conflicts.Count > 0)
        {
            return KubeStatus.ApplyConflict(resource.Qualified, resource.Group, name, result.Conflicts);
        }

        return Store(resource, ns, name, result.Merged, live, Strict(request), code: live is null ? 201 : 200);
    }

    private Reply Delete(KubeResource resource, string? ns, string name)
    {
        var key = Key(resource, ns, name);
        if (!store.TryGetValue(key, out var live))
        {
            return KubeStatus.NotFound(resource.Qualified, resource.Group, name);
        }

        var uid = (string?)live["metadata"]!["uid"];
        if (live["metadata"]!["deletionTimestamp"] is null)
        {
            MarkDeleted(resource, key, live);
        }

        if (resource == KubeResource.Namespaces)
        {
            foreach (var content in ContentOf(name))
            {
                MarkDeleted(KubeResource.Find(content.Split('/')[0])!, content, store[content]);
            }
        }

        Collect(resource, key);
        return store.TryGetValue(key, out var lingering)
            ? new Reply(200, lingering.DeepClone().AsObject())
            : new Reply(200, KubeStatus.Success(name, resource.Group, resource.Plural, uid));
    }

    /// <summary>
    /// Starts a deletion: content without finalizers goes at once; a custom resource keeps
    /// HyperShift's finalizer for <see cref="FinalizerReconciles"/> reads, and a HostedCluster's
    /// deletion deletes its NodePools first; a namespace turns Terminating
    /// (k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete: deletionTimestamp set, generation
    /// bumped for objects that have one).
    /// </summary>
    private void MarkDeleted(KubeResource resource, string key, JsonObject live)
    {
        if (live["metadata"]!["deletionTimestamp"] is not null)
        {
            return;
        }

        var metadata = live["metadata"]!.AsObject();
        metadata["deletionTimestamp"] = Now();
        metadata["deletionGracePeriodSeconds"] = 0L;
        if (metadata["generation"] is { } generation)
        {
            metadata["generation"] = (long)generation + 1;
        }

        if (resource == KubeResource.Namespaces)
        {
            live["status"] = new JsonObject { ["phase"] = "Terminating" };
        }

        BumpResourceVersion(live);
        if (resource == KubeResource.HostedClusters)
        {
            foreach (var pool in NodePoolsOf(key))
            {
                MarkDeleted(KubeResource.NodePools, pool, store[pool]);
            }
        }

        if (resource.IsHyperShiftCluster)
        {
            finalizing[key] = FinalizerReconciles;
            if (FinalizerReconciles <= 0)
            {
                Reconcile(resource, key);
            }
        }

        Collect(resource, key);
    }

    /// <summary>
    /// One HyperShift reconcile of a deleting HostedCluster or NodePool: it counts down, then its
    /// finalizer goes; a HostedCluster's waits until its NodePools are gone (openshift/hypershift
    /// 3ee9615567acffaf3e3ee25c2ca2942d650565cf, hypershift-operator/controllers/hostedcluster/hostedcluster_controller.go,
    /// delete: deleteNodePools before the finalizer is removed).
    /// </summary>
    private void Reconcile(KubeResource resource, string key)
    {
        if (!finalizing.TryGetValue(key, out var remaining))
        {
            return;
        }

        if (resource == KubeResource.HostedClusters)
        {
            foreach (var pool in NodePoolsOf(key))
            {
                Reconcile(KubeResource.NodePools, pool);
            }
        }

        if (remaining > 0)
        {
            finalizing[key] = remaining - 1;
            return;
        }

        if (resource == KubeResource.HostedClusters && NodePoolsOf(key).Count > 0)
        {
            return;
        }

        finalizing.Remove(key);
        var live = store[key];
        var finalizers = live["metadata"]!["finalizers"]?.AsArray().Where(f => (string?)f != HyperShiftFinalizer).Select(f => f?.DeepClone()) ?? [];
        live["metadata"]!["finalizers"] = new JsonArray([.. finalizers]);
        BumpResourceVersion(live);
        Collect(resource, key);
    }

    /// <summary>
    /// One pass of the pki operator over a CSR or a CertificateRevocationRequest being read, written
    /// through the subresource the operator writes with (/approval for Approved, /status otherwise),
    /// under the same admission as any client's write.
    /// </summary>
    private void PlayPkiOperator(KubeResource resource, string key)
    {
        if (!store.TryGetValue(key, out var live))
        {
            return;
        }

        JsonObject? status;
        var write = CsrWrite.Status;
        if (resource == KubeResource.CertificateSigningRequests)
        {
            status = Pki.SyncCsr(live, (ns, name) => store.ContainsKey(Key(KubeResource.CertificateSigningRequestApprovals, ns, name)));
            var approvedBefore = live["status"]?["conditions"] is JsonArray before && before.Any(c => (string?)c?["type"] == "Approved");
            if (status?["conditions"] is JsonArray after && after.Any(c => (string?)c?["type"] == "Approved") && !approvedBefore)
            {
                write = CsrWrite.Approval;
            }
        }
        else if (resource == KubeResource.CertificateRevocationRequests)
        {
            status = Pki.SyncRevocation(live);
        }
        else
        {
            return;
        }

        if (status is null)
        {
            return;
        }

        var updated = live.DeepClone().AsObject();
        updated["status"] = status;
        if (resource == KubeResource.CertificateSigningRequests)
        {
            var errors = CsrAdmission.Admit(updated, live, write);
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"the API server refuses the pki operator's status of {key}: {string.Join("; ", errors)}");
            }
        }
        else if (SchemaValidation.Validate(updated, Schema(resource)!) is { Count: > 0 } errors)
        {
            throw new InvalidOperationException($"the CRD refuses the pki operator's status of {key}: {string.Join("; ", errors)}");
        }

        ServerSideApply.RecordUpdate(live, updated, "control-plane-pki-operator", Schema(resource));
        BumpResourceVersion(updated);
        store[key] = updated;
    }

    /// <summary>GKE Warden's refusal of a break-glass CSR (<see cref="GkeWarden"/>), or null for any other request.</summary>
    private static Reply? WardenRefuses(JsonObject body)
    {
        var pem = CsrAdmission.RequestPem(body);
        System.Security.Cryptography.X509Certificates.X500DistinguishedName subject;
        try
        {
            subject = System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequestPem(pem ?? "", System.Security.Cryptography.HashAlgorithmName.SHA256,
                System.Security.Cryptography.X509Certificates.CertificateRequestLoadOptions.SkipSignatureValidation).SubjectName;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            return null; // not a request Warden can read; the API server's own validation refuses it
        }

        var names = subject.EnumerateRelativeDistinguishedNames().Where(n => !n.HasMultipleElements)
            .Select(n => (Type: n.GetSingleElementType().Value, Value: n.GetSingleElementValue())).ToList();
        var systemName = names.Any(n => n.Type == "2.5.4.3" && n.Value?.StartsWith("system:", StringComparison.Ordinal) == true);
        var masters = names.Any(n => n.Type == "2.5.4.10" && n.Value == "system:masters");
        return systemName && masters
            ? (Reply?)KubeStatus.Forbidden(KubeResource.CertificateSigningRequests.Qualified, KubeResource.CertificateSigningRequests.Group, (string?)body["metadata"]?["name"] ?? "",
                "admission webhook \"warden-validating.common-webhooks.networking.gke.io\" denied the request: GKE Warden rejected the request because it violates one or more constraints. " +
                "Violations details: {\"[denied by autogke-csr-limitation]\":[\"CertificateSigningRequests with a 'system:' prefix in the common name and 'system:masters' in the organization are not allowed on Autopilot.\"]}")
            : null;
    }

    /// <summary>A read: advances HyperShift's cleanup of a deleting object, then returns what is left, or null.</summary>
    private JsonObject? Tick(KubeResource resource, string key)
    {
        if (resource == KubeResource.Namespaces && store.TryGetValue(key, out var ns) && ns["metadata"]!["deletionTimestamp"] is not null)
        {
            var name = Name(ns);
            foreach (var content in ContentOf(name))
            {
                Tick(KubeResource.Find(content.Split('/')[0])!, content);
            }
        }

        Reconcile(resource, key);
        PlayPkiOperator(resource, key);
        return store.GetValueOrDefault(key)?.DeepClone().AsObject();
    }

    /// <summary>Removes a deleting object whose finalizers are gone; a namespace also waits until nothing is left in it.</summary>
    private void Collect(KubeResource resource, string key)
    {
        if (!store.TryGetValue(key, out var live) || live["metadata"]!["deletionTimestamp"] is null
            || live["metadata"]!["finalizers"] is JsonArray { Count: > 0 })
        {
            return;
        }

        if (resource == KubeResource.Namespaces && ContentOf(Name(live)).Count > 0)
        {
            return;
        }

        store.Remove(key);
        finalizing.Remove(key);
        if (resource.Namespaced && (string?)live["metadata"]!["namespace"] is { } ns)
        {
            Collect(KubeResource.Namespaces, Key(KubeResource.Namespaces, null, ns));
        }
    }

    /// <summary>
    /// Where an object may go: its namespace must exist (404), must not be terminating for a create
    /// (403, as k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go answers), and
    /// must match the URL's (400).
    /// </summary>
    private Reply? Placement(KubeResource resource, string? ns, JsonObject body, string name, bool creating)
    {
        if (!resource.Namespaced)
        {
            return null;
        }

        if ((string?)body["metadata"]?["namespace"] is { Length: > 0 } declared && declared != ns)
        {
            return KubeStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (!creating)
        {
            return null;
        }

        if (!store.TryGetValue(Key(KubeResource.Namespaces, null, ns!), out var namespaceObject))
        {
            return KubeStatus.NotFound("namespaces", "", ns!);
        }

        return namespaceObject["metadata"]!["deletionTimestamp"] is not null
            ? (Reply?)KubeStatus.Forbidden(resource.Qualified, resource.Group, name, $"unable to create new content in namespace {ns} because it is being terminated")
            : null;
    }

    /// <summary>Admits and stores a create or update: server-owned metadata, status kept off main-resource writes, generation and resourceVersion.</summary>
    private Reply Store(KubeResource resource, string? ns, string name, JsonObject candidate, JsonObject? old, bool strict, int code, CsrWrite write = CsrWrite.Main)
    {
        var metadata = candidate["metadata"] as JsonObject ?? (JsonObject)(candidate["metadata"] = new JsonObject());
        candidate["apiVersion"] = resource.ApiVersion;
        candidate["kind"] = resource.Kind;
        metadata["name"] = name;
        if (resource.Namespaced)
        {
            metadata["namespace"] = ns;
        }

        foreach (var serverOwned in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            metadata[serverOwned] = old?["metadata"]?[serverOwned]?.DeepClone();
            if (metadata[serverOwned] is null)
            {
                metadata.Remove(serverOwned);
            }
        }

        if (resource.HasStatus && write == CsrWrite.Main)
        {
            candidate["status"] = old?["status"]?.DeepClone();
            if (candidate["status"] is null)
            {
                candidate.Remove("status");
            }
        }

        var admitted = resource.IsCustom ? CrdAdmission.Admit(CrdCatalog.Get(resource.Plural, FeatureSet), candidate, old, strict) : CoreAdmission.Admit(resource, candidate, old, strict, write);
        if (admitted.UnknownFields.Count > 0)
        {
            return KubeStatus.BadRequest($"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: strict decoding error: {string.Join(", ", admitted.UnknownFields.Select(u => $"unknown field \"{u}\""))}");
        }

        if (admitted.Errors.Count > 0)
        {
            return Invalid(resource, name, admitted.Errors);
        }

        var stored = admitted.Object;
        var storedMetadata = stored["metadata"]!.AsObject();
        if (old is null)
        {
            storedMetadata["uid"] = Guid.NewGuid().ToString();
            storedMetadata["creationTimestamp"] = Now();
            if (resource.IsCustom)
            {
                storedMetadata["generation"] = 1L;
            }

            if (resource == KubeResource.Namespaces)
            {
                stored["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                stored["status"] = new JsonObject { ["phase"] = "Active" };
            }
        }
        else if (Unchanged(old, stored))
        {
            // A no-op write stores nothing and keeps the resourceVersion, as the API server skips it
            // (k8s.io/apiserver/pkg/registry/generic/registry/store.go Update, and fieldmanager's
            // managedFields timestamps left alone when the fields are the same).
            return new Reply(200, old.DeepClone().AsObject());
        }
        else if (resource.IsCustom && !JsonNode.DeepEquals(Content(old), Content(stored)))
        {
            storedMetadata["generation"] = (long)old["metadata"]!["generation"]! + 1;
        }

        BumpResourceVersion(stored);
        var key = Key(resource, ns, name);
        store[key] = JsonNode.Parse(stored.ToJsonString())!.AsObject(); // as read back from storage: plain JSON values
        if (old is null && resource.IsHyperShiftCluster)
        {
            AddHyperShiftFinalizer(resource, key);
        }

        return new Reply(code, store[key].DeepClone().AsObject());
    }

    /// <summary>HyperShift's first reconcile of a new HostedCluster or NodePool puts its finalizer on, as manager hypershift-operator.</summary>
    private void AddHyperShiftFinalizer(KubeResource resource, string key)
    {
        var old = store[key];
        var updated = old.DeepClone().AsObject();
        var finalizers = updated["metadata"]!["finalizers"] as JsonArray ?? [];
        if (!finalizers.Any(f => (string?)f == HyperShiftFinalizer))
        {
            finalizers.Add(HyperShiftFinalizer);
        }

        updated["metadata"]!["finalizers"] = finalizers.DeepClone();
        ServerSideApply.RecordUpdate(old, updated, HyperShiftManager, Schema(resource));
        BumpResourceVersion(updated);
        store[key] = updated;
    }

    private static bool Unchanged(JsonObject old, JsonObject updated)
    {
        static JsonNode Comparable(JsonObject obj)
        {
            var copy = JsonNode.Parse(obj.ToJsonString())!.AsObject();
            copy["metadata"]!.AsObject().Remove("resourceVersion");
            foreach (var entry in copy["metadata"]!["managedFields"] as JsonArray ?? [])
            {
                entry!.AsObject().Remove("time");
            }

            return copy;
        }

        return JsonNode.DeepEquals(Comparable(old), Comparable(updated));
    }

    /// <summary>What generation counts: everything but metadata and status.</summary>
    private static JsonObject Content(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private static Reply Invalid(KubeResource resource, string name, IReadOnlyList<FieldError> errors) => KubeStatus.Invalid(resource.Kind, resource.Group, name, errors);

    private static async Task<JsonObject?> ReadBody(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        var contentType = request.ContentType ?? "";
        if (contentType.StartsWith("application/json", StringComparison.Ordinal))
        {
            return JsonNode.Parse(text) as JsonObject;
        }

        if (contentType.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal) || contentType.StartsWith("application/yaml", StringComparison.Ordinal))
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            return CrdCatalog.ToJson(yaml.Documents[0].RootNode) as JsonObject;
        }

        return null;
    }

    /// <summary>fieldManager if given, else what the server derives from the User-Agent (its product token).</summary>
    private static string Manager(HttpRequest request) =>
        request.Query["fieldManager"].FirstOrDefault() is { Length: > 0 } manager ? manager : (request.Headers.UserAgent.ToString().Split('/')[0] is { Length: > 0 } agent ? agent : "unknown");

    private static bool Strict(HttpRequest request) => string.Equals(request.Query["fieldValidation"], "Strict", StringComparison.Ordinal);

    private JsonObject? Schema(KubeResource resource) => resource.IsCustom ? CrdCatalog.Get(resource.Plural, FeatureSet).Schema : null;

    private void BumpResourceVersion(JsonObject obj) => obj["metadata"]!["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);

    private static string? Route(HttpContext context, string key) => context.Request.RouteValues[key]?.ToString();

    private static KubeResource Resource(string plural) => KubeResource.Find(plural) ?? throw new ArgumentOutOfRangeException(nameof(plural), plural, "not served by the fake");

    /// <summary>The NodePools whose spec.clusterName names the HostedCluster stored under <paramref name="hostedClusterKey"/>.</summary>
    private List<string> NodePoolsOf(string hostedClusterKey)
    {
        var (ns, name) = (hostedClusterKey.Split('/')[1], hostedClusterKey.Split('/')[2]);
        return [.. ContentOf(ns).Where(k => k.StartsWith("nodepools/", StringComparison.Ordinal) && (string?)store[k]["spec"]?["clusterName"] == name)];
    }

    /// <summary>The keys of every object stored in namespace <paramref name="ns"/>.</summary>
    private List<string> ContentOf(string ns) => [.. store.Keys.Where(k => k.Split('/') is [_, var n, _] && n == ns)];

    private static string Key(KubeResource resource, string? ns, string name) => resource.Namespaced ? $"{resource.Plural}/{ns}/{name}" : $"{resource.Plural}/{name}";

    private static string Name(JsonObject obj) => (string)obj["metadata"]!["name"]!;

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
