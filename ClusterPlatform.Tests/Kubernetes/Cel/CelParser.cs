using System.Globalization;
using System.Text;

namespace ClusterPlatform.Tests.Kubernetes.Cel;

/// <summary>
/// A recursive-descent parser for the CEL grammar of cel-spec's langdef.md ("Syntax"), including
/// the optional field and index syntax (<c>.?f</c>, <c>[?i]</c>) that Kubernetes enables for CRD rules
/// (k8s.io/apiserver/pkg/cel/environment/base.go, "ext.OptionalTypes"). Why not NuGet's Cel 0.3.3:
/// it treats <c>self.?x</c> as a field named "?x", and has no split, lowerAscii or orValue.
/// </summary>
internal sealed class CelParser
{
    private readonly string source;
    private int pos;

    private CelParser(string source) => this.source = source;

    /// <summary>Parses a whole expression, or throws <see cref="CelSyntaxException"/>.</summary>
    public static CelExpr Parse(string source)
    {
        var parser = new CelParser(source);
        var expr = parser.Expr();
        parser.SkipSpace();
        return parser.pos == source.Length ? expr : throw parser.Error("unexpected input");
    }

    private CelExpr Expr()
    {
        var condition = Or();
        if (!Accept("?"))
        {
            return condition;
        }

        var whenTrue = Or();
        Expect(":");
        return new CelConditional(condition, whenTrue, Expr());
    }

    private CelExpr Or() => LeftAssociative(And, "||");

    private CelExpr And() => LeftAssociative(Relation, "&&");

    private CelExpr LeftAssociative(Func<CelExpr> operand, string op)
    {
        var left = operand();
        while (Accept(op))
        {
            left = new CelOperator(op, [left, operand()]);
        }

        return left;
    }

    private CelExpr Relation()
    {
        var left = Addition();
        while (true)
        {
            var op = AcceptAny("<=", ">=", "==", "!=", "<", ">") ?? (AcceptKeyword("in") ? "in" : null);
            if (op is null)
            {
                return left;
            }

            left = new CelOperator(op, [left, Addition()]);
        }
    }

    private CelExpr Addition()
    {
        var left = Multiplication();
        while (AcceptAny("+", "-") is { } op)
        {
            left = new CelOperator(op, [left, Multiplication()]);
        }

        return left;
    }

    private CelExpr Multiplication()
    {
        var left = Unary();
        while (AcceptAny("*", "/", "%") is { } op)
        {
            left = new CelOperator(op, [left, Unary()]);
        }

        return left;
    }

    private CelExpr Unary()
    {
        SkipSpace();
        if (Peek("!=") is false && Accept("!"))
        {
            return new CelOperator("!", [Unary()]);
        }

        if (Accept("-"))
        {
            return new CelOperator("-", [Unary()]);
        }

        return Member();
    }

    private CelExpr Member()
    {
        var expr = Primary();
        while (true)
        {
            if (Accept(".?"))
            {
                expr = new CelSelect(expr, Identifier(), Optional: true);
            }
            else if (Accept("."))
            {
                var name = Identifier();
                expr = Accept("(") ? new CelCall(expr, name, Arguments(")")) : new CelSelect(expr, name, Optional: false);
            }
            else if (Accept("[?"))
            {
                var index = Expr();
                Expect("]");
                expr = new CelIndex(expr, index, Optional: true);
            }
            else if (Accept("["))
            {
                var index = Expr();
                Expect("]");
                expr = new CelIndex(expr, index, Optional: false);
            }
            else
            {
                return expr;
            }
        }
    }

    private CelExpr Primary()
    {
        SkipSpace();
        if (pos >= source.Length)
        {
            throw Error("unexpected end of expression");
        }

        var c = source[pos];
        if (Accept("("))
        {
            var inner = Expr();
            Expect(")");
            return inner;
        }

        if (Accept("["))
        {
            return new CelList(Arguments("]"));
        }

        if (Accept("{"))
        {
            return MapLiteral();
        }

        if (char.IsDigit(c) || (c == '.' && pos + 1 < source.Length && char.IsDigit(source[pos + 1])))
        {
            return new CelLiteral(Number());
        }

        if (c is '"' or '\'' || (c is 'r' or 'R' or 'b' or 'B' && pos + 1 < source.Length && source[pos + 1] is '"' or '\''))
        {
            return new CelLiteral(StringLiteral());
        }

        Accept("."); // a leading dot names the root scope; no container is configured, so it changes nothing
        var name = Identifier();
        switch (name)
        {
            case "true": return new CelLiteral(true);
            case "false": return new CelLiteral(false);
            case "null": return new CelLiteral(null);
        }

        return Accept("(") ? new CelCall(null, name, Arguments(")")) : new CelIdent(name);
    }

    private CelMap MapLiteral()
    {
        var entries = new List<(CelExpr, CelExpr)>();
        if (Accept("}"))
        {
            return new CelMap(entries);
        }

        do
        {
            if (Peek("}"))
            {
                break; // trailing comma
            }

            var key = Expr();
            Expect(":");
            entries.Add((key, Expr()));
        }
        while (Accept(","));

        Expect("}");
        return new CelMap(entries);
    }

    private List<CelExpr> Arguments(string close)
    {
        var args = new List<CelExpr>();
        if (Accept(close))
        {
            return args;
        }

        do
        {
            if (Peek(close))
            {
                break; // trailing comma
            }

            args.Add(Expr());
        }
        while (Accept(","));

        Expect(close);
        return args;
    }

    private object Number()
    {
        var start = pos;
        if (source.AsSpan(pos).StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            pos += 2;
            while (pos < source.Length && char.IsAsciiHexDigit(source[pos]))
            {
                pos++;
            }

            var hex = long.Parse(source.AsSpan(start + 2, pos - start - 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return AcceptUnsignedSuffix() ? (ulong)hex : hex;
        }

        var isDouble = false;
        while (pos < source.Length && (char.IsDigit(source[pos]) || source[pos] is '.' or 'e' or 'E' || (source[pos] is '+' or '-' && source[pos - 1] is 'e' or 'E')))
        {
            isDouble |= source[pos] is '.' or 'e' or 'E';
            pos++;
        }

        var text = source[start..pos];
        if (isDouble)
        {
            return double.Parse(text, CultureInfo.InvariantCulture);
        }

        return AcceptUnsignedSuffix() ? ulong.Parse(text, CultureInfo.InvariantCulture) : long.Parse(text, CultureInfo.InvariantCulture);
    }

    private bool AcceptUnsignedSuffix()
    {
        if (pos < source.Length && source[pos] is 'u' or 'U')
        {
            pos++;
            return true;
        }

        return false;
    }

    /// <summary>Quoted, triple-quoted and raw strings with cel-spec's escapes ("String and Bytes Values").</summary>
    private string StringLiteral()
    {
        var raw = false;
        if (source[pos] is 'r' or 'R')
        {
            raw = true;
            pos++;
        }
        else if (source[pos] is 'b' or 'B')
        {
            pos++; // bytes are compared as their text here; no rule in HyperShift's CRDs uses them
        }

        var quote = source[pos];
        var triple = source.AsSpan(pos).StartsWith(new string(quote, 3));
        var delimiter = triple ? new string(quote, 3) : quote.ToString();
        pos += delimiter.Length;
        var text = new StringBuilder();
        while (true)
        {
            if (pos >= source.Length)
            {
                throw Error("unterminated string");
            }

            if (source.AsSpan(pos).StartsWith(delimiter))
            {
                pos += delimiter.Length;
                return text.ToString();
            }

            var c = source[pos++];
            if (c != '\\' || raw)
            {
                text.Append(c);
                continue;
            }

            var e = source[pos++];
            switch (e)
            {
                case 'a': text.Append('\a'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'v': text.Append('\v'); break;
                case '\\' or '\'' or '"' or '`' or '?': text.Append(e); break;
                case 'x' or 'X': text.Append((char)Convert.ToInt32(source.Substring(pos, 2), 16)); pos += 2; break;
                case 'u': text.Append((char)Convert.ToInt32(source.Substring(pos, 4), 16)); pos += 4; break;
                case 'U': text.Append(char.ConvertFromUtf32(Convert.ToInt32(source.Substring(pos, 8), 16))); pos += 8; break;
                case >= '0' and <= '3': text.Append((char)Convert.ToInt32(source.Substring(pos - 1, 3), 8)); pos += 2; break;
                default: throw Error($"invalid escape \\{e}");
            }
        }
    }

    private string Identifier()
    {
        SkipSpace();
        var start = pos;
        while (pos < source.Length && (char.IsAsciiLetterOrDigit(source[pos]) || source[pos] == '_'))
        {
            pos++;
        }

        return pos > start && !char.IsDigit(source[start]) ? source[start..pos] : throw Error("identifier expected");
    }

    private bool AcceptKeyword(string keyword)
    {
        SkipSpace();
        var end = pos + keyword.Length;
        if (source.AsSpan(pos).StartsWith(keyword) && (end == source.Length || !(char.IsAsciiLetterOrDigit(source[end]) || source[end] == '_')))
        {
            pos = end;
            return true;
        }

        return false;
    }

    private string? AcceptAny(params string[] tokens) => tokens.FirstOrDefault(Accept);

    private bool Accept(string token)
    {
        if (!Peek(token))
        {
            return false;
        }

        pos += token.Length;
        return true;
    }

    private bool Peek(string token)
    {
        SkipSpace();
        return source.AsSpan(pos).StartsWith(token);
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw Error($"'{token}' expected");
        }
    }

    private void SkipSpace()
    {
        while (pos < source.Length && char.IsWhiteSpace(source[pos]))
        {
            pos++;
        }
    }

    private CelSyntaxException Error(string what) => new($"{what} at offset {pos} in: {source}");
}

/// <summary>A rule the parser cannot read: admission must fail loudly rather than skip it.</summary>
internal sealed class CelSyntaxException(string message) : Exception(message);
