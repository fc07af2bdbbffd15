using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClusterPlatform.Contracts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The access tab's browser half in real Chromium: the CSR WebCrypto makes is a PKCS#10 request that
/// .NET parses and whose signature verifies, for the break-glass subject; and the kubeconfig download
/// carries the private key of that CSR, filled in by the browser, which never handed the key over.
/// </summary>
public sealed class BrowserCredentialTests(ConsoleTopologyFixture fixture) : IClassFixture<ConsoleTopologyFixture>
{
    private const string Kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: demo
          cluster:
            server: https://api.demo.acme.example.com
        users:
        - name: break-glass
          user:
            client-certificate-data: Y2VydA==
            client-key: "key.pem"
        contexts:
        - name: break-glass@demo
          context: {cluster: demo, user: break-glass}
        current-context: break-glass@demo
        """;

    [Fact]
    public async Task The_browsers_CSR_verifies_for_the_break_glass_subject_and_the_download_holds_its_key()
    {
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.ConsoleUrl.ToString(), AcceptDownloads = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.ConsoleUrl, "/signin/local").ToString());
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        var commonName = BreakGlassSubject.CommonName("ada@example.com");

        var made = await page.EvaluateAsync<MadeCsr>(
            "async ([cn, o]) => (await import('/credentials.js')).createCsr(cn, o)", new[] { commonName, BreakGlassSubject.Group });

        // .NET verifies the request's self-signature while loading it.
        var request = CertificateRequest.LoadSigningRequestPem(made.Csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        // Exactly CN=system:customer-break-glass:<sub>, O=system:masters (BreakGlassSubject), nothing more;
        // .NET lists the RDNs last first, as the string form of a DN reads.
        var subject = request.SubjectName.EnumerateRelativeDistinguishedNames().Select(r => (r.GetSingleElementType().Value, r.GetSingleElementValue())).ToList();
        Assert.Equal([("2.5.4.3", commonName), ("2.5.4.10", BreakGlassSubject.Group)], subject);
        Assert.Equal(BreakGlassSubject.DistinguishedName("ada@example.com"), request.SubjectName.Name);
        Assert.Empty(request.CertificateExtensions);
        using var publicKey = request.PublicKey.GetECDsaPublicKey()!;
        Assert.Equal(256, publicKey.KeySize);

        var download = await page.RunAndWaitForDownloadAsync(async () =>
            Assert.True(await page.EvaluateAsync<bool>(
                "async ([h, k]) => (await import('/credentials.js')).downloadKubeconfig(h, k, 'demo.kubeconfig')", new[] { made.Handle, Kubeconfig })));
        Assert.Equal("demo.kubeconfig", download.SuggestedFilename);
        var saved = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.DoesNotContain("client-key: ", saved, StringComparison.Ordinal);
        var keyLine = saved.Split('\n').Single(l => l.TrimStart().StartsWith("client-key-data: ", StringComparison.Ordinal));
        var keyPem = Encoding.ASCII.GetString(Convert.FromBase64String(keyLine.Trim()["client-key-data: ".Length..]));
        using var privateKey = ECDsa.Create();
        privateKey.ImportFromPem(keyPem);
        Assert.Equal(publicKey.ExportSubjectPublicKeyInfo(), privateKey.ExportSubjectPublicKeyInfo());
        Assert.Contains("client-certificate-data: Y2VydA==", saved, StringComparison.Ordinal);

        // A handle the page never made has no key: nothing is downloaded.
        Assert.False(await page.EvaluateAsync<bool>(
            "async ([k]) => (await import('/credentials.js')).downloadKubeconfig('not-a-handle', k, 'x.kubeconfig')", new[] { Kubeconfig }));
    }

    // Playwright fills a result by its parameterless constructor and setters.
    private sealed class MadeCsr
    {
        public string Handle { get; set; } = "";

        public string Csr { get; set; } = "";
    }
}
