using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// The Kubernetes REST paths KubernetesClient calls for namespaces and HyperShift custom objects,
/// with resourceVersion optimistic concurrency (409 on a stale PUT), 404s, and finalizer-like
/// deletion that keeps an object visible for a number of reads.
/// </summary>
internal sealed class FakeKubeApiServer
{
    private const string Objects = "/apis/hypershift.openshift.io/v1beta1/namespaces/{ns}/{plural}";
    private readonly Lock gate = new();
    private readonly Dictionary<string, JsonObject> store = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> lingering = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> secrets = new(StringComparer.Ordinal);
    private long resourceVersion = 100;

    /// <summary>Another writer updates the object just before the next PUT arrives, so that PUT is stale.</summary>
    public bool ConcurrentWriteBeforeNextReplace { get; set; }

    /// <summary>Reads for which a deleted custom object stays visible, as HyperShift's finalizers make it.</summary>
    public int ReadsUntilDeleted { get; set; }

    public IReadOnlyCollection<string> Namespaces { get { lock (gate) { return [.. namespaces.Keys]; } } }

    /// <summary>Secrets by namespace and name, as last written.</summary>
    public JsonObject? Secret(string ns, string name)
    {
        lock (gate)
        {
            return secrets.GetValueOrDefault($"{ns}/{name}")?.DeepClone().AsObject();
        }
    }

    /// <summary>The labels a namespace was created with.</summary>
    public IReadOnlyDictionary<string, string?> NamespaceLabels(string name)
    {
        lock (gate)
        {
            return namespaces[name]["labels"] is JsonObject labels
                ? labels.ToDictionary(l => l.Key, l => (string?)l.Value, StringComparer.Ordinal)
                : new Dictionary<string, string?>();
        }
    }

    public JsonObject? Get(string ns, string plural, string name)
    {
        lock (gate)
        {
            return store.GetValueOrDefault(Key(ns, plural, name))?.DeepClone().AsObject();
        }
    }

    /// <summary>What HyperShift would write to status.</summary>
    public void SetStatus(string ns, string plural, string name, JsonObject status)
    {
        lock (gate)
        {
            var stored = store[Key(ns, plural, name)];
            stored["status"] = status;
            Bump(stored);
        }
    }

    public void Map(WebApplication app)
    {
        app.MapPost("/api/v1/namespaces", async (HttpRequest request) =>
        {
            var metadata = (await JsonNode.ParseAsync(request.Body))!["metadata"]!.AsObject();
            var name = (string)metadata["name"]!;
            lock (gate)
            {
                return namespaces.TryAdd(name, metadata)
                    ? Results.Json(new { kind = "Namespace", apiVersion = "v1", metadata = new { name } }, statusCode: 201)
                    : Status(409, "AlreadyExists", $"namespaces \"{name}\" already exists");
            }
        });
        app.MapPost("/api/v1/namespaces/{ns}/secrets", async (string ns, HttpRequest request) =>
        {
            var secret = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            var name = (string)secret["metadata"]!["name"]!;
            lock (gate)
            {
                return !namespaces.ContainsKey(ns) ? Status(404, "NotFound", $"namespaces \"{ns}\" not found")
                    : secrets.TryAdd($"{ns}/{name}", secret) ? Results.Json(secret, statusCode: 201)
                    : Status(409, "AlreadyExists", $"secrets \"{name}\" already exists");
            }
        });
        app.MapPut("/api/v1/namespaces/{ns}/secrets/{name}", async (string ns, string name, HttpRequest request) =>
        {
            var secret = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            lock (gate)
            {
                if (!secrets.ContainsKey($"{ns}/{name}"))
                {
                    return Status(404, "NotFound", $"secrets \"{name}\" not found");
                }

                secrets[$"{ns}/{name}"] = secret;
                return Results.Json(secret);
            }
        });
        app.MapDelete("/api/v1/namespaces/{name}", (string name) =>
        {
            lock (gate)
            {
                foreach (var key in secrets.Keys.Where(k => k.StartsWith($"{name}/", StringComparison.Ordinal)).ToList())
                {
                    secrets.Remove(key); // a namespace takes its secrets with it
                }

                return namespaces.Remove(name) ? Results.Json(new { kind = "Namespace", metadata = new { name } }) : Status(404, "NotFound", $"namespaces \"{name}\" not found");
            }
        });
        app.MapGet(Objects + "/{name}", (string ns, string plural, string name) =>
        {
            lock (gate)
            {
                return Read(Key(ns, plural, name)) is { } found ? Results.Json(found) : Status(404, "NotFound", $"{plural} \"{name}\" not found");
            }
        });
        app.MapGet(Objects, (string ns, string plural, string? labelSelector) =>
        {
            var (label, value) = labelSelector?.Split('=') is [var l, var v] ? (l, v) : ("", "");
            lock (gate)
            {
                var items = store.Keys.Where(k => k.StartsWith($"{ns}/{plural}/", StringComparison.Ordinal)).ToList()
                    .Select(Read).OfType<JsonObject>()
                    .Where(item => label.Length == 0 || (string?)item["metadata"]!["labels"]?[label] == value)
                    .ToArray();
                return Results.Json(new JsonObject { ["kind"] = "List", ["metadata"] = new JsonObject(), ["items"] = new JsonArray(items) });
            }
        });
        app.MapPost(Objects, async (string ns, string plural, HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            var name = (string)body["metadata"]!["name"]!;
            lock (gate)
            {
                if (!namespaces.ContainsKey(ns))
                {
                    return Status(404, "NotFound", $"namespaces \"{ns}\" not found");
                }

                if (store.ContainsKey(Key(ns, plural, name)))
                {
                    return Status(409, "AlreadyExists", $"{plural} \"{name}\" already exists");
                }

                Bump(body);
                store[Key(ns, plural, name)] = body;
                return Results.Json(body, statusCode: 201);
            }
        });
        app.MapPut(Objects + "/{name}", async (string ns, string plural, string name, HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            lock (gate)
            {
                if (!store.TryGetValue(Key(ns, plural, name), out var stored))
                {
                    return Status(404, "NotFound", $"{plural} \"{name}\" not found");
                }

                if (ConcurrentWriteBeforeNextReplace)
                {
                    ConcurrentWriteBeforeNextReplace = false;
                    Bump(stored);
                }

                if ((string?)body["metadata"]!["resourceVersion"] != (string?)stored["metadata"]!["resourceVersion"])
                {
                    return Status(409, "Conflict", $"Operation cannot be fulfilled on {plural}.hypershift.openshift.io \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
                }

                body["status"] = stored["status"]?.DeepClone();
                Bump(body);
                store[Key(ns, plural, name)] = body;
                return Results.Json(body);
            }
        });
        app.MapDelete(Objects + "/{name}", (string ns, string plural, string name) =>
        {
            lock (gate)
            {
                var key = Key(ns, plural, name);
                if (!store.TryGetValue(key, out var stored))
                {
                    return Status(404, "NotFound", $"{plural} \"{name}\" not found");
                }

                if (ReadsUntilDeleted > 0)
                {
                    stored["metadata"]!["deletionTimestamp"] ??= "2025-01-01T00:00:00Z";
                    lingering.TryAdd(key, ReadsUntilDeleted);
                }
                else
                {
                    store.Remove(key);
                }

                return Results.Json(new { kind = "Status", apiVersion = "v1", status = "Success" });
            }
        });
    }

    /// <summary>A read of a deleted object counts down its finalizers; call with the lock held.</summary>
    private JsonObject? Read(string key)
    {
        if (!store.TryGetValue(key, out var stored))
        {
            return null;
        }

        if (lingering.TryGetValue(key, out var reads))
        {
            if (reads <= 0)
            {
                store.Remove(key);
                lingering.Remove(key);
                return null;
            }

            lingering[key] = reads - 1;
        }

        return stored.DeepClone().AsObject();
    }

    private void Bump(JsonObject resource) =>
        resource["metadata"]!["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);

    private static string Key(string ns, string plural, string name) => $"{ns}/{plural}/{name}";

    private static IResult Status(int code, string reason, string message) =>
        Results.Json(new { kind = "Status", apiVersion = "v1", metadata = new { }, status = "Failure", message, reason, code }, statusCode: code);
}
