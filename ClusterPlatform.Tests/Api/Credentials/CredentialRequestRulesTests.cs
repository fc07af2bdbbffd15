using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterPlatform.Tests.Api.Credentials;

/// <summary>
/// docs/api.md "Credentials": a CSR or ttl the platform will not relay is refused at the edge with a
/// 400 whose <c>errors</c> name the field and say why, and nothing is stored.
/// </summary>
public sealed class CredentialRequestRulesTests(ApiServer api) : IClassFixture<ApiServer>
{
    private const string Caller = "carol";
    private static readonly string Subject = BreakGlassSubject.DistinguishedName(Caller);

    private readonly string organization = ApiCalls.Unique("org");

    /// <summary>A refused CSR (made in the test) and the words the refusal must contain.</summary>
    public static TheoryData<string, string> Csrs => new()
    {
        { "not PEM", "must be a PEM-encoded PKCS#10 certificate signing request" },
        { "a certificate, not a request", "must be a PEM-encoded PKCS#10 certificate signing request" },
        { "another user's subject", $"must have exactly the subject {Subject}" },
        { "without the break-glass group", $"must have exactly the subject {Subject}" },
        { "an extra subject attribute", $"must have exactly the subject {Subject}" },
        { "RSA 1024", "has an RSA key of 1024 bits; the key must be RSA of 2048 to 8192 bits" },
        { "EC P-224", "the key must be RSA of 2048 to 8192 bits, or EC on P-256, P-384 or P-521" },
        { "a broken signature", "has a signature that does not verify with its own public key" },
        { "DNS and IP SANs", "must not ask for subject alternative names" },
        { "CA:TRUE", "must not ask to be a certificate authority" },
        { "serverAuth", "may ask only for the clientAuth extended key usage" },
        { "keyCertSign", "may ask only for the digitalSignature and keyEncipherment key usages" },
        { "over 16 KiB", "must be at most 16384 characters" },
    };

    [Theory]
    [MemberData(nameof(Csrs))]
    public async Task A_bad_csr_is_400_saying_why(string what, string why)
    {
        var cluster = await api.CreateReadyClusterAsync(api.As("user", organization, Caller));

        using var response = await api.As("user", organization, Caller).PostCredentialAsync(cluster["href"].Text(), Csr(what));

        await AssertRefusedAsync(response, cluster, "$.csr", why);
    }

    [Theory]
    [InlineData("PT9M59S", "must be at least PT10M")]
    [InlineData("-PT1H", "must be at least PT10M")]
    [InlineData("8h", "must be an ISO 8601 duration such as PT8H")]
    [InlineData("PT", "must be an ISO 8601 duration such as PT8H")]
    [InlineData("P99999999999999D", "must be an ISO 8601 duration such as PT8H")]
    [InlineData("'; DROP TABLE credentials; --", "must be an ISO 8601 duration such as PT8H")]
    public async Task A_bad_ttl_is_400_saying_why(string ttl, string why)
    {
        var cluster = await api.CreateReadyClusterAsync(api.As("user", organization, Caller));
        using var csr = TestCsr.For(Caller);

        using var response = await api.As("user", organization, Caller).PostCredentialAsync(cluster["href"].Text(), csr.Pem, ttl);

        await AssertRefusedAsync(response, cluster, "$.ttl", why);
    }

    [Theory]
    [InlineData("RSA 2048")]
    [InlineData("RSA 4096")]
    [InlineData("EC P-384")]
    [InlineData("EC P-521")]
    [InlineData("client usages")]
    [InlineData("O before CN")]
    public async Task The_keys_and_extensions_of_a_client_certificate_are_taken(string what)
    {
        var cluster = await api.CreateReadyClusterAsync(api.As("user", organization, Caller));

        var credential = await api.As("user", organization, Caller).RequestCredentialAsync(cluster["href"].Text(), Csr(what));

        Assert.Equal("Pending", credential["status"].Text());
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, JsonObject cluster, string field, string why)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        var problem = JsonNode.Parse(body)!;
        Assert.Equal("validation-failed", problem["code"].Text());
        var messages = problem["errors"]![field]!.AsArray().Select(m => m.Text()).ToList();
        Assert.True(messages.Any(m => m.Contains(why, StringComparison.Ordinal)), $"{field}: {string.Join(" | ", messages)}");
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM credentials WHERE cluster_id = @id", ("id", Guid.Parse(cluster["id"].Text()))));
    }

    private static string Csr(string what)
    {
        static string Ec(Action<CertificateRequest> edit) { using var csr = TestCsr.Ec(Subject, edit: edit); return csr.Pem; }
        switch (what)
        {
            case "not PEM":
                return "MIIBFAKE not a request";
            case "a certificate, not a request":
                using (var ca = new TestCa()) { return ca.Pem; }
            case "another user's subject":
                using (var other = TestCsr.For("mallory")) { return other.Pem; }
            case "without the break-glass group":
                using (var bare = TestCsr.Ec($"CN={BreakGlassSubject.CommonName(Caller)}")) { return bare.Pem; }
            case "an extra subject attribute":
                using (var extra = TestCsr.Ec($"{Subject}, OU=extra")) { return extra.Pem; }
            case "O before CN":
                using (var reversed = TestCsr.Ec($"O={BreakGlassSubject.Group}, CN={BreakGlassSubject.CommonName(Caller)}")) { return reversed.Pem; }
            case "RSA 1024":
                using (var weak = TestCsr.Rsa(Subject, 1024)) { return weak.Pem; }
            case "RSA 2048":
                using (var rsa = TestCsr.Rsa(Subject, 2048)) { return rsa.Pem; }
            case "RSA 4096":
                using (var rsa = TestCsr.Rsa(Subject, 4096)) { return rsa.Pem; }
            case "EC P-224":
                using (var weak = TestCsr.Ec(Subject, ECCurve.CreateFromFriendlyName("secp224r1"))) { return weak.Pem; }
            case "EC P-384":
                using (var ec = TestCsr.Ec(Subject, ECCurve.NamedCurves.nistP384)) { return ec.Pem; }
            case "EC P-521":
                using (var ec = TestCsr.Ec(Subject, ECCurve.NamedCurves.nistP521)) { return ec.Pem; }
            case "a broken signature":
                using (var good = TestCsr.For(Caller)) { return good.WithBrokenSignature(); }
            case "DNS and IP SANs":
                return Ec(r =>
                {
                    var names = new SubjectAlternativeNameBuilder();
                    names.AddDnsName("api.example.com");
                    names.AddIpAddress(System.Net.IPAddress.Loopback);
                    r.CertificateExtensions.Add(names.Build());
                });
            case "CA:TRUE":
                return Ec(r => r.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true)));
            case "serverAuth":
                return Ec(r => r.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)));
            case "keyCertSign":
                return Ec(r => r.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true)));
            case "client usages":
                return Ec(r =>
                {
                    r.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
                    r.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
                    r.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
                });
            case "over 16 KiB":
                using (var good = TestCsr.For(Caller)) { return good.Pem + new string('\n', 16 * 1024); }
            default:
                throw new ArgumentOutOfRangeException(nameof(what), what, null);
        }
    }
}
