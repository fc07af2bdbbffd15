using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterPlatform.Cli.Config;

/// <summary>One Api and the identity used there, as <c>cpctl login</c> saved it.</summary>
public sealed class CpctlContext
{
    public required string Server { get; set; }

    /// <summary>The bearer token. The file is mode 0600 because of it.</summary>
    public required string Token { get; set; }

    /// <summary>The OIDC authority the token came from (device-code login), else null (a given token).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>
/// ~/.config/cpctl/config.json: named contexts and the current one, like kubectl's contexts. Written
/// owner-only (0600) because it holds tokens, and replaced atomically so a crash leaves the old file.
/// </summary>
public sealed class CpctlConfig
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string? CurrentContext { get; set; }

    public SortedDictionary<string, CpctlContext> Contexts { get; set; } = new(StringComparer.Ordinal);

    public static CpctlConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            return new CpctlConfig();
        }

        try
        {
            return JsonSerializer.Deserialize<CpctlConfig>(File.ReadAllText(path), Json) ?? new CpctlConfig();
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not a cpctl config ({e.Message}); fix or delete it and log in again.");
        }
    }

    public void Save(string path) => OwnerOnlyFile.Write(path, stream => JsonSerializer.Serialize(stream, this, Json));

    /// <summary>The context to use: the named one, else the current one.</summary>
    public (string Name, CpctlContext Context) Resolve(string? name)
    {
        name ??= CurrentContext ?? throw new CliException("Not logged in: run `cpctl login --server URL`.");
        return Contexts.TryGetValue(name, out var context)
            ? (name, context)
            : throw new CliException($"No context \"{name}\"; `cpctl config get-contexts` lists them.");
    }
}
