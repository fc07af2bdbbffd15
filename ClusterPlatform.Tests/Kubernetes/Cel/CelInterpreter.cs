using System.Globalization;

namespace ClusterPlatform.Tests.Kubernetes.Cel;

/// <summary>
/// Evaluates a parsed CEL expression over variables (cel-spec langdef.md "Evaluation"): the
/// operators, the macros, the standard functions, the optional type, and Kubernetes' libraries via
/// <see cref="KubernetesCelLibrary"/>. Evaluation is dynamic (no type check), as for Kubernetes'
/// int-or-string and preserve-unknown-fields values. A function this interpreter lacks throws
/// <see cref="NotSupportedException"/> so that a gap fails the test instead of passing a rule.
/// </summary>
internal static class CelInterpreter
{
    /// <summary>The functions (global and receiver) this interpreter answers, for the coverage test over the CRDs.</summary>
    public static readonly IReadOnlySet<string> Functions = new HashSet<string>(StringComparer.Ordinal)
    {
        "has", "all", "exists", "exists_one", "map", "filter", "size", "matches", "startsWith", "endsWith", "contains",
        "int", "uint", "double", "string", "bool", "orValue", "hasValue", "value", "of", "none",
    }.Union(KubernetesCelLibrary.Functions).ToHashSet(StringComparer.Ordinal);

    public static object? Evaluate(CelExpr expr, IReadOnlyDictionary<string, object?> variables) => Eval(expr, new Scope(variables, null, null));

    private sealed record Scope(IReadOnlyDictionary<string, object?> Variables, string? Name, object? Value)
    {
        public Scope? Parent { get; init; }

        public bool TryGet(string name, out object? value)
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope.Name == name)
                {
                    value = scope.Value;
                    return true;
                }

                if (scope.Parent is null)
                {
                    return scope.Variables.TryGetValue(name, out value);
                }
            }

            value = null;
            return false;
        }

        public Scope With(string name, object? value) => new(Variables, name, value) { Parent = this };
    }

    private static object? Eval(CelExpr expr, Scope scope) => expr switch
    {
        CelLiteral literal => literal.Value,
        CelIdent ident => scope.TryGet(ident.Name, out var value) ? value : throw new CelRuntimeException($"undeclared reference to '{ident.Name}'"),
        CelSelect select => Select(Eval(select.Operand, scope), select.Field, select.Optional),
        CelIndex index => Index(Eval(index.Operand, scope), Eval(index.Index, scope), index.Optional),
        CelConditional conditional => Eval(conditional.Condition, scope) is bool condition
            ? Eval(condition ? conditional.WhenTrue : conditional.WhenFalse, scope)
            : throw new CelRuntimeException("no such overload: _?_:_ on a non-bool condition"),
        CelList list => list.Elements.Select(e => Eval(e, scope)).ToList(),
        CelMap map => map.Entries.ToDictionary(e => Eval(e.Key, scope)!, e => Eval(e.Value, scope)),
        CelOperator op => Operator(op, scope),
        CelCall call => Call(call, scope),
        _ => throw new NotSupportedException($"CEL expression {expr.GetType().Name}"),
    };

    /// <summary>Field selection on a map or object; on an optional it selects through (cel-go ext.OptionalTypes).</summary>
    private static object? Select(object? operand, string field, bool optional)
    {
        if (operand is CelOptional opt)
        {
            return !opt.HasValue ? CelOptional.None : Select(opt.Value, field, optional: true);
        }

        if (operand is not Dictionary<object, object?> map)
        {
            throw new CelRuntimeException($"no such overload: field selection '{field}' on {CelValues.TypeName(operand)}");
        }

        if (map.TryGetValue(field, out var value))
        {
            return optional ? CelOptional.Of(value) : value;
        }

        return optional ? CelOptional.None : throw new CelRuntimeException($"no such key: {field}");
    }

    private static object? Index(object? operand, object? index, bool optional)
    {
        if (operand is CelOptional opt)
        {
            return !opt.HasValue ? CelOptional.None : Index(opt.Value, index, optional: true);
        }

        switch (operand)
        {
            case List<object?> list:
                var i = index switch
                {
                    long l => l,
                    ulong u => (long)u,
                    double d when d == Math.Floor(d) => (long)d,
                    _ => throw new CelRuntimeException($"no such overload: list index {CelValues.TypeName(index)}"),
                };
                if (i >= 0 && i < list.Count)
                {
                    return optional ? CelOptional.Of(list[(int)i]) : list[(int)i];
                }

                return optional ? CelOptional.None : throw new CelRuntimeException($"index out of bounds: {i}");
            case Dictionary<object, object?> map:
                var key = FindKey(map, index);
                if (key is not null)
                {
                    return optional ? CelOptional.Of(map[key]) : map[key];
                }

                return optional ? CelOptional.None : throw new CelRuntimeException($"no such key: {index}");
            default:
                throw new CelRuntimeException($"no such overload: index on {CelValues.TypeName(operand)}");
        }
    }

    private static object? FindKey(Dictionary<object, object?> map, object? key) =>
        key is not null && map.ContainsKey(key) ? key : map.Keys.FirstOrDefault(k => CelValues.AreEqual(k, key));

    private static object? Operator(CelOperator op, Scope scope)
    {
        switch (op.Op)
        {
            case "&&": return Logical(op, scope, shortCircuitOn: false);
            case "||": return Logical(op, scope, shortCircuitOn: true);
            case "!": return Eval(op.Operands[0], scope) is bool b ? !b : throw Overload("!_", op, scope);
        }

        if (op.Operands.Count == 1)
        {
            return Eval(op.Operands[0], scope) switch
            {
                long l => checked(-l),
                double d => -d,
                var other => throw new CelRuntimeException($"no such overload: -{CelValues.TypeName(other)}"),
            };
        }

        var left = Eval(op.Operands[0], scope);
        var right = Eval(op.Operands[1], scope);
        return op.Op switch
        {
            "==" => CelValues.AreEqual(left, right),
            "!=" => !CelValues.AreEqual(left, right),
            "<" => Compare(left, right) < 0,
            "<=" => Compare(left, right) <= 0,
            ">" => Compare(left, right) > 0,
            ">=" => Compare(left, right) >= 0,
            "in" => right switch
            {
                List<object?> list => list.Any(e => CelValues.AreEqual(e, left)),
                Dictionary<object, object?> map => FindKey(map, left) is not null,
                _ => throw new CelRuntimeException($"no such overload: in {CelValues.TypeName(right)}"),
            },
            _ => Arithmetic(op.Op, left, right),
        };
    }

    /// <summary>
    /// cel-spec's commutative logical operators: an error on one side is absorbed when the other side
    /// decides the result (<c>error || true</c> is true).
    /// </summary>
    private static bool Logical(CelOperator op, Scope scope, bool shortCircuitOn)
    {
        CelRuntimeException? error = null;
        foreach (var operand in op.Operands)
        {
            try
            {
                var value = Eval(operand, scope);
                if (value is not bool b)
                {
                    throw new CelRuntimeException($"no such overload: {op.Op} on {CelValues.TypeName(value)}");
                }

                if (b == shortCircuitOn)
                {
                    return shortCircuitOn;
                }
            }
            catch (CelRuntimeException e)
            {
                error ??= e;
            }
        }

        return error is null ? !shortCircuitOn : throw error;
    }

    private static int Compare(object? left, object? right) => (left, right) switch
    {
        (long or ulong or double, long or ulong or double) => CelValues.CompareNumbers(left!, right!),
        (string a, string b) => string.CompareOrdinal(a, b),
        (bool a, bool b) => a.CompareTo(b),
        (TimeSpan a, TimeSpan b) => a.CompareTo(b),
        _ => throw new CelRuntimeException($"no such overload: compare {CelValues.TypeName(left)} with {CelValues.TypeName(right)}"),
    };

    private static object Arithmetic(string op, object? left, object? right)
    {
        try
        {
            return (op, left, right) switch
            {
                ("+", long a, long b) => checked(a + b),
                ("-", long a, long b) => checked(a - b),
                ("*", long a, long b) => checked(a * b),
                ("/", long a, long b) => b == 0 ? throw new CelRuntimeException("division by zero") : a / b,
                ("%", long a, long b) => b == 0 ? throw new CelRuntimeException("modulus by zero") : a % b,
                ("+", ulong a, ulong b) => checked(a + b),
                ("-", ulong a, ulong b) => checked(a - b),
                ("*", ulong a, ulong b) => checked(a * b),
                ("/", ulong a, ulong b) => b == 0 ? throw new CelRuntimeException("division by zero") : a / b,
                ("%", ulong a, ulong b) => b == 0 ? throw new CelRuntimeException("modulus by zero") : a % b,
                ("+", double a, double b) => a + b,
                ("-", double a, double b) => a - b,
                ("*", double a, double b) => a * b,
                ("/", double a, double b) => a / b,
                ("+", string a, string b) => a + b,
                ("+", List<object?> a, List<object?> b) => a.Concat(b).ToList(),
                ("+", TimeSpan a, TimeSpan b) => a + b,
                ("-", TimeSpan a, TimeSpan b) => a - b,
                _ => throw new CelRuntimeException($"no such overload: {CelValues.TypeName(left)} {op} {CelValues.TypeName(right)}"),
            };
        }
        catch (OverflowException)
        {
            throw new CelRuntimeException("integer overflow");
        }
    }

    private static object? Call(CelCall call, Scope scope)
    {
        if (Macro(call, scope, out var result))
        {
            return result;
        }

        if (call.Target is CelIdent { Name: "optional" } && !scope.TryGet("optional", out _))
        {
            var args = call.Args.Select(a => Eval(a, scope)).ToList();
            return call.Function switch
            {
                "of" when args.Count == 1 => CelOptional.Of(args[0]),
                "none" when args.Count == 0 => CelOptional.None,
                _ => throw new NotSupportedException($"CEL function optional.{call.Function}/{args.Count}"),
            };
        }

        var target = call.Target is null ? null : Eval(call.Target, scope);
        var arguments = call.Args.Select(a => Eval(a, scope)).ToList();
        if (call.Target is not null && target is CelOptional optional)
        {
            switch (call.Function)
            {
                case "orValue" when arguments.Count == 1: return optional.HasValue ? optional.Value : arguments[0];
                case "hasValue" when arguments.Count == 0: return optional.HasValue;
                case "value" when arguments.Count == 0: return optional.HasValue ? optional.Value : throw new CelRuntimeException("optional.none() dereference");
            }
        }

        return call.Target is null ? Global(call.Function, arguments) : Member(target, call.Function, arguments);
    }

    private static object? Global(string function, List<object?> args) => (function, args.Count) switch
    {
        ("size", 1) => Size(args[0]),
        ("int", 1) => ToInt(args[0]),
        ("uint", 1) => args[0] switch
        {
            ulong u => u,
            long l when l >= 0 => (ulong)l,
            string s when ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var u) => u,
            var other => throw new CelRuntimeException($"uint conversion error from {CelValues.TypeName(other)}"),
        },
        ("double", 1) => args[0] is string s
            ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new CelRuntimeException($"double conversion error: {s}")
            : CelValues.ToDouble(args[0]!),
        ("string", 1) => args[0] switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            long or ulong or double => Convert.ToString(args[0], CultureInfo.InvariantCulture),
            var other => throw new CelRuntimeException($"no such overload: string({CelValues.TypeName(other)})"),
        },
        ("bool", 1) => args[0] switch
        {
            bool b => b,
            string s when s is "true" or "TRUE" or "True" or "t" or "1" => true,
            string s when s is "false" or "FALSE" or "False" or "f" or "0" => false,
            var other => throw new CelRuntimeException($"bool conversion error from {other}"),
        },
        ("matches", 2) => Matches(args[0], args[1]),
        _ => KubernetesCelLibrary.Global(function, args),
    };

    private static object? Member(object? target, string function, List<object?> args) => (target, function, args.Count) switch
    {
        (_, "size", 0) => Size(target),
        (string s, "matches", 1) => Matches(s, args[0]),
        (string s, "startsWith", 1) when args[0] is string p => s.StartsWith(p, StringComparison.Ordinal),
        (string s, "endsWith", 1) when args[0] is string p => s.EndsWith(p, StringComparison.Ordinal),
        (string s, "contains", 1) when args[0] is string p => s.Contains(p, StringComparison.Ordinal),
        _ => KubernetesCelLibrary.Member(target, function, args),
    };

    /// <summary>cel-spec size(): code points of a string, elements of a list or map.</summary>
    public static long Size(object? value) => value switch
    {
        string s => s.EnumerateRunes().Count(),
        List<object?> list => list.Count,
        Dictionary<object, object?> map => map.Count,
        _ => throw new CelRuntimeException($"no such overload: size({CelValues.TypeName(value)})"),
    };

    private static long ToInt(object? value)
    {
        try
        {
            return value switch
            {
                long l => l,
                ulong u => checked((long)u),
                double d when !double.IsNaN(d) && d > long.MinValue && d < long.MaxValue => (long)d,
                string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
                string s => throw new CelRuntimeException($"cannot parse '{s}' as int"),
                TimeSpan t => t.Ticks / TimeSpan.TicksPerSecond,
                _ => throw new CelRuntimeException($"int conversion error from {CelValues.TypeName(value)}"),
            };
        }
        catch (OverflowException)
        {
            throw new CelRuntimeException("int range error");
        }
    }

    /// <summary>cel-go's matches: an unanchored RE2 search (see <see cref="Re2Regex"/>).</summary>
    public static bool Matches(object? s, object? pattern) => s is string text && pattern is string re
        ? Re2Regex.Get(re).IsMatch(text)
        : throw new CelRuntimeException("no such overload: matches");

    private static bool Macro(CelCall call, Scope scope, out object? result)
    {
        result = null;
        if (call is { Target: null, Function: "has", Args: [CelSelect select] })
        {
            result = Eval(select.Operand, scope) switch
            {
                Dictionary<object, object?> map => map.ContainsKey(select.Field),
                CelOptional { HasValue: false } => false,
                CelOptional { Value: Dictionary<object, object?> map } => map.ContainsKey(select.Field),
                var other => throw new CelRuntimeException($"no such overload: has() on {CelValues.TypeName(other)}"),
            };
            return true;
        }

        if (call.Target is null || call.Args.Count is < 2 or > 3 || call.Args[0] is not CelIdent variable
            || call.Function is not ("all" or "exists" or "exists_one" or "map" or "filter"))
        {
            return false;
        }

        var range = Eval(call.Target, scope) switch
        {
            List<object?> list => list,
            Dictionary<object, object?> map => map.Keys.Cast<object?>().ToList(),
            var other => throw new CelRuntimeException($"no such overload: {call.Function} over {CelValues.TypeName(other)}"),
        };
        bool Test(object? element, CelExpr predicate) => Eval(predicate, scope.With(variable.Name, element)) is bool b
            ? b
            : throw new CelRuntimeException($"no such overload: {call.Function} predicate is not bool");

        result = call.Function switch
        {
            "all" => Quantify(range, e => Test(e, call.Args[1]), stopOn: false),
            "exists" => Quantify(range, e => Test(e, call.Args[1]), stopOn: true),
            "exists_one" => range.Count(e => Test(e, call.Args[1])) == 1,
            "filter" => range.Where(e => Test(e, call.Args[1])).ToList(),
            _ when call.Args.Count == 3 => range.Where(e => Test(e, call.Args[1])).Select(e => Eval(call.Args[2], scope.With(variable.Name, e))).ToList(),
            _ => range.Select(e => Eval(call.Args[1], scope.With(variable.Name, e))).ToList(),
        };
        return true;
    }

    /// <summary>all/exists absorb an element's error when another element decides the result, as cel-go's comprehensions do.</summary>
    private static bool Quantify(List<object?> range, Func<object?, bool> test, bool stopOn)
    {
        CelRuntimeException? error = null;
        foreach (var element in range)
        {
            try
            {
                if (test(element) == stopOn)
                {
                    return stopOn;
                }
            }
            catch (CelRuntimeException e)
            {
                error ??= e;
            }
        }

        return error is null ? !stopOn : throw error;
    }

    private static CelRuntimeException Overload(string op, CelOperator expr, Scope scope) =>
        new($"no such overload: {op} on {CelValues.TypeName(Eval(expr.Operands[0], scope))}");
}
