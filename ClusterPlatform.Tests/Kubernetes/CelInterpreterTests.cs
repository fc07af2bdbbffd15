using ClusterPlatform.Tests.Kubernetes.Cel;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>The CEL subset HyperShift's rules use, with Kubernetes' semantics (k8s.io/apiserver/pkg/cel/library).</summary>
public sealed class CelInterpreterTests
{
    private static object? Eval(string rule, string selfJson = "{}") =>
        CelInterpreter.Evaluate(CelParser.Parse(rule), new Dictionary<string, object?> { ["self"] = Admission.CelValidation.ToCel(JsonNode.Parse(selfJson), null) });

    [Theory]
    [InlineData("has(self.a) && !has(self.b)", """{"a":1}""")]
    [InlineData("self.?b.c.orValue('none') == 'none' && self.?a.orValue(0) == 1", """{"a":1}""")]
    [InlineData("self.l.all(x, x > 0) && self.l.exists(x, x == 2) && self.l.exists_one(x, x == 3) && self.l.filter(x, x > 1).size() == 2", """{"l":[1,2,3]}""")]
    [InlineData("self.s.split('/')[1] == 'b' && self.s.split('/', 2)[1] == 'b/c' && size(self.s.split('/')) == 3", """{"s":"a/b/c"}""")]
    [InlineData("int(self.s.split('.')[0]) == 10 && self.s.matches('^[0-9.]+$') && self.s.startsWith('10') && self.s.endsWith('.1')", """{"s":"10.0.0.1"}""")]
    [InlineData("'ABC'.lowerAscii() == 'abc' && 'x#frag'.find('#(.+)$') == '#frag' && 'xy'.find('@') == ''")]
    [InlineData("isURL('https://a.example/p?x=1') && url('https://a.example/p').getScheme() == 'https' && url('https://a.example/p?x=1&x=2').getQuery() == {'x': ['1', '2']} && url('https://a.example').getQuery() == {}")]
    [InlineData("!isURL('a.example/p') && !isURL('')")]
    [InlineData("isCIDR('10.0.0.0/16') && cidr('10.0.0.0/16').prefixLength() == 16 && cidr('fd00::/48').ip().family() == 6 && !isCIDR('10.0.0.0/33') && !isCIDR('010.0.0.0/8')")]
    [InlineData("isIP('192.168.0.1') && ip('::1').family() == 6 && !isIP('192.168.0.01') && !isIP('::ffff:1.2.3.4')")]
    [InlineData("duration('1h30m').getSeconds() == 5400 && duration('300ms') < duration('1s')")]
    [InlineData("[1, 2] == [1, 2] && 1 == 1.0 && 'a' in ['a'] && 'k' in {'k': 1} && (true ? 1 : 2) == 1")]
    [InlineData("""'it\'s' == "it's" && 'a\\.b' == r'a\.b'""")]
    [InlineData("""!'abc\n'.matches('^[a-z]+$') && !'١٢'.matches('^\\d+$') && '12'.matches('^\\d+$') && 'a$'.matches('[$]$')""")]
    public void Evaluates_to_true(string rule, string self = "{}") => Assert.Equal(true, Eval(rule, self));

    [Fact]
    public void Missing_key_is_an_evaluation_error_absorbed_by_a_deciding_or()
    {
        Assert.Throws<CelRuntimeException>(() => Eval("self.missing == 1"));
        Assert.Equal(true, Eval("self.missing == 1 || true"));
        Assert.Throws<CelRuntimeException>(() => Eval("'a/b'.split('/')[4] == 'x'"));
    }

    [Fact]
    public void An_unknown_function_fails_loudly_instead_of_passing()
    {
        Assert.Throws<NotSupportedException>(() => Eval("self.quantity('1Gi')"));
    }

    [Theory]
    [InlineData("hostedclusters-Hypershift-Default.crd.yaml")]
    [InlineData("hostedclusters-Hypershift-TechPreviewNoUpgrade.crd.yaml")]
    [InlineData("nodepools-Default.crd.yaml")]
    [InlineData("nodepools-TechPreviewNoUpgrade.crd.yaml")]
    public void Every_rule_of_the_published_crds_parses_and_calls_only_implemented_functions(string file)
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        using (var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "Kubernetes", "Crds", file)))
        {
            yaml.Load(reader);
        }

        var rules = CrdCatalog.RuleTexts(CrdCatalog.ToJson(yaml.Documents[0].RootNode)).ToList();

        var unknown = rules.SelectMany(r => CelParser.Parse(r).DescendantsAndSelf().OfType<CelCall>().Select(c => c.Function))
            .Where(f => !CelInterpreter.Functions.Contains(f)).Distinct().ToList();
        Assert.True(rules.Count > 50, $"only {rules.Count} rules found");
        Assert.Empty(unknown);
    }
}
