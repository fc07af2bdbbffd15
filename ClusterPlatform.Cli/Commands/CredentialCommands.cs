using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using ClusterPlatform.Client.Models;
using BreakGlassSubject = ClusterPlatform.Contracts.BreakGlassSubject;

namespace ClusterPlatform.Cli.Commands;

/// <summary>
/// <c>cpctl cluster kubeconfig</c> and <c>cpctl cluster revoke-credentials</c>: break-glass credentials
/// (docs/api.md "Credentials"). The key pair is made here and its private half never leaves this
/// machine: only the certificate signing request is sent.
/// </summary>
public static partial class CredentialCommands
{
    public static Command Kubeconfig(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var target = new Argument<string>("cluster") { Description = "The cluster's name (in your organization) or id." };
        var ttl = new Option<TimeSpan>("--ttl")
        {
            Description = "How long the credential lasts (e.g. 30m, 8h). The platform caps it (24 h by default). Default 8h.",
            CustomParser = Duration.Parse,
            DefaultValueFactory = _ => TimeSpan.FromHours(8),
        };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Where to write the kubeconfig (mode 0600). Default: print it." };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait for HyperShift to sign it. Default 5m.",
            CustomParser = Duration.Parse,
            DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
        };
        var command = new Command("kubeconfig", "Get a break-glass kubeconfig: a key pair made here, only its CSR sent, the signed certificate and your key written together.")
            { target, ttl, file, timeout };
        return runner.Bind(command, async (s, ct) =>
        {
            var cluster = await Resolver.ClusterAsync(s, s.Value(target), ct);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(new X500DistinguishedName(BreakGlassSubject.DistinguishedName(s.TokenSubject)), key, HashAlgorithmName.SHA256);
            var credentials = s.Client.Api.V1.Clusters[cluster.Id!.Value].Credentials;
            var pending = await credentials.PostAsync(new CredentialRequest
            {
                Csr = request.CreateSigningRequestPem(),
                Ttl = System.Xml.XmlConvert.ToString(s.Value(ttl)),
            }, cancellationToken: ct);
            s.Error.WriteLine($"credential {pending!.Id} requested; waiting for HyperShift to sign it");

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(s.Value(timeout));
            Credential credential = pending;
            try
            {
                while (credential.Status == Credential_status.Pending)
                {
                    await Task.Delay(s.Environment.PollInterval, deadline.Token);
                    credential = (await credentials[pending.Id!.Value].GetAsync(cancellationToken: deadline.Token))!;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                s.Error.WriteLine($"timed out after {s.Value(timeout)} waiting for credential {pending.Id} to be issued");
                return ExitCodes.Timeout;
            }

            if (credential.Status != Credential_status.Issued || credential.Kubeconfig is null)
            {
                throw new CliException($"Credential {credential.Id} is {credential.Status}: {credential.Message ?? "no reason given"}");
            }

            var kubeconfig = WithKey(credential.Kubeconfig, key.ExportPkcs8PrivateKeyPem());
            if (s.Value(file) is { } output)
            {
                OwnerOnlyFile.Write(output.FullName, stream => stream.Write(Encoding.UTF8.GetBytes(kubeconfig)));
                s.Error.WriteLine($"wrote {output.FullName}; credential {credential.Id} expires {credential.ExpiresAt:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            }
            else
            {
                s.Out.Write(kubeconfig);
            }

            return ExitCodes.Success;
        });
    }

    public static Command RevokeCredentials(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var target = new Argument<string>("cluster") { Description = "The cluster's name (in your organization) or id." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("revoke-credentials", "Revoke every break-glass credential of the cluster (HyperShift revokes by signer).") { target, yes };
        return runner.Bind(command, async (s, ct) =>
        {
            var cluster = await Resolver.ClusterAsync(s, s.Value(target), ct);
            if (!s.Value(yes) && !s.Confirm($"Revoke every break-glass credential of cluster {cluster.Name}?"))
            {
                s.Error.WriteLine("not revoked");
                return ExitCodes.Failure;
            }

            var revocation = await s.Client.Api.V1.Clusters[cluster.Id!.Value].CredentialsRevoke.PostAsync(cancellationToken: ct);
            s.Out.WriteLine($"revocation {revocation!.Id} requested: credentials read Revoked once HyperShift confirms");
            return ExitCodes.Success;
        });
    }

    /// <summary>
    /// The Api's template names the key as a file (<c>client-key</c>); a kubeconfig that carries the key
    /// itself is one file to keep safe instead of two, and works with every client library (KubernetesClient
    /// refuses inline certificate data with a key file).
    /// </summary>
    internal static string WithKey(string template, string keyPem)
    {
        var line = ClientKeyLine().Match(template);
        if (!line.Success)
        {
            throw new CliException("The Api's kubeconfig has no client-key line to fill in; this cpctl is older than the Api.");
        }

        return string.Concat(template.AsSpan(0, line.Index), $"{line.Groups[1].Value}client-key-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(keyPem))}",
            template.AsSpan(line.Index + line.Length));
    }

    [GeneratedRegex(@"^(\s*)client-key: .*$", RegexOptions.Multiline)]
    private static partial Regex ClientKeyLine();
}
