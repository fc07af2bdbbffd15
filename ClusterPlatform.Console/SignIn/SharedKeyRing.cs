using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;

namespace ClusterPlatform.WebConsole.SignIn;

/// <summary>
/// One Data Protection key ring for every console replica, in the console's own PostgreSQL database
/// (<see cref="PostgresXmlRepository"/>). The session cookie (and the user's Api token inside it) is
/// encrypted with these keys; with the default per-process ring a restart, or a request that reaches the
/// other replica, could not read it and the person was signed out.
/// Settings: <c>ConnectionStrings:consoledb</c> (required outside Development; a Development run without
/// it keeps per-process keys, so a restart signs everyone out), and optionally
/// <c>Console:DataProtection:CertificatePath</c> (a PFX/PKCS#12 file, or a PEM file holding the certificate,
/// with its key in the same file or at <c>:CertificateKeyPath</c>; <c>:CertificatePassword</c> for a
/// protected PFX), which encrypts the keys at rest. Without a certificate the keys are stored unencrypted
/// in the console's database, and Data Protection logs a warning saying so.
/// </summary>
internal static class SharedKeyRing
{
    /// <summary>The discriminator: every replica must name the same one, or each derives different subkeys.</summary>
    public const string ApplicationName = "clusterplatform-console";
    public const string Section = "Console:DataProtection";

    private const string DataSourceKey = ResourceNames.ConsoleDatabase;

    public static void AddSharedKeyRing(this WebApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.ConsoleDatabase);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (!builder.Environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"ConnectionStrings:{ResourceNames.ConsoleDatabase} is required outside Development: the replicas share their Data Protection keys there, or a restart signs everyone out.");
            }

            return;
        }

        // A factory, not an instance, so the container disposes the data source with the host.
        builder.Services.AddKeyedSingleton(DataSourceKey, (_, _) => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, services) =>
            options.XmlRepository = new PostgresXmlRepository(services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey)));

        var settings = builder.Configuration.GetSection(Section);
        if (settings["CertificatePath"] is { Length: > 0 } path)
        {
            dataProtection.ProtectKeysWithCertificate(LoadCertificate(path, settings["CertificateKeyPath"], settings["CertificatePassword"]));
        }
    }

    /// <summary>A certificate with its private key (needed to decrypt the keys again), from a mounted Secret.</summary>
    private static X509Certificate2 LoadCertificate(string path, string? keyPath, string? password)
    {
        var extension = Path.GetExtension(path);
        X509Certificate2 certificate;
        try
        {
            certificate = extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
                : X509Certificate2.CreateFromPemFile(path, string.IsNullOrWhiteSpace(keyPath) ? null : keyPath);
        }
        catch (CryptographicException e)
        {
            // A PEM certificate whose key is neither in its file nor at :CertificateKeyPath lands here too;
            // the runtime's message names no setting, so the operator is told which one to fix.
            throw new InvalidOperationException(
                $"{Section}:CertificatePath ({path}) could not be loaded with a private key (set {Section}:CertificateKeyPath for a PEM key in its own file, or {Section}:CertificatePassword for a protected PFX): {e.Message}", e);
        }

        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"{Section}:CertificatePath ({path}) has no private key: the console could encrypt its keys but never read them again.");
    }
}
