using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace ClusterPlatform.Tests.Kubernetes.Cel;

/// <summary>
/// Go's regexp (RE2) semantics on .NET's engine, for CEL matches/find and OpenAPI pattern, which the
/// API server evaluates with Go's regexp: <c>$</c> is the end of the text only (.NET's also matches
/// before a final newline), and <c>\d \w \s</c> are ASCII-only (https://github.com/google/re2/wiki/Syntax).
/// Constructs RE2 lacks are not translated; .NET would accept some (lookarounds), but the CRDs use none.
/// </summary>
internal static class Re2Regex
{
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    public static Regex Get(string pattern) => Compiled.GetOrAdd(pattern, p => new Regex(Translate(p), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));

    public static string Translate(string pattern)
    {
        var text = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                var ascii = next switch { 'd' or 'D' => "0-9", 'w' or 'W' => "a-zA-Z0-9_", 's' or 'S' => "\t\n\f\r ", _ => null };
                if (ascii is not null && char.IsLower(next))
                {
                    text.Append(inClass ? ascii : $"[{ascii}]");
                }
                else if (ascii is not null && !inClass)
                {
                    text.Append($"[^{ascii}]");
                }
                else
                {
                    text.Append(c).Append(next);
                }

                continue;
            }

            if (inClass)
            {
                inClass = c != ']';
                text.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    text.Append(c);
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        text.Append(pattern[++i]);
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        text.Append(pattern[++i]); // a leading ']' is literal
                    }

                    break;
                case '$':
                    text.Append(@"\z");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.ToString();
    }
}
