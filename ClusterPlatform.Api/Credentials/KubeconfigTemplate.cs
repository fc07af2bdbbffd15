using System.Text;

namespace ClusterPlatform.Api.Credentials;

/// <summary>
/// The kubeconfig of an issued credential: complete except for the client key, which only the user
/// has (docs/api.md "Credentials"). The shape is HyperShift's own kubeconfig
/// (openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf,
/// control-plane-operator/controllers/hostedcontrolplane/v2/kas/kubeconfig.go: one cluster, one user,
/// one context, data fields base64 of the PEM); the key-less user entry is ARO-HCP's template
/// (Azure/ARO-HCP@c3f02f9ef9f19429f4b259f65ab2e32fd3e32773, internal/systemadmincredential/kubeconfig.go).
/// </summary>
internal static class KubeconfigTemplate
{
    /// <summary>
    /// Where the user's key is read from: kubectl resolves a relative <c>client-key</c> against the
    /// kubeconfig file's directory, so a key saved as <c>key.pem</c> next to the file needs no edit
    /// (the README's openssl command writes that name).
    /// </summary>
    public const string ClientKeyPath = "key.pem";

    /// <summary>The kubeconfig's user entry, named for what it is.</summary>
    public const string UserName = "break-glass";

    public static string Render(string clusterName, string apiUrl, string caBundle, string certificate)
    {
        // Every scalar double-quoted as JSON writes it: a JSON string is a YAML double-quoted scalar.
        static string Quoted(string value) => JsonSerializer.Serialize(value);
        static string Data(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
        var context = $"{UserName}@{clusterName}";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {Quoted(clusterName)}
              cluster:
                server: {Quoted(apiUrl)}
                certificate-authority-data: {Data(caBundle)}
            users:
            - name: {Quoted(UserName)}
              user:
                client-certificate-data: {Data(certificate)}
                client-key: {Quoted(ClientKeyPath)}
            contexts:
            - name: {Quoted(context)}
              context:
                cluster: {Quoted(clusterName)}
                user: {Quoted(UserName)}
            current-context: {Quoted(context)}

            """;
    }
}
