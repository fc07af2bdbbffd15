namespace ClusterPlatform.Tests.Kubernetes.Cel;

/// <summary>
/// A parsed CEL expression (https://github.com/google/cel-spec/blob/master/doc/langdef.md, "Syntax").
/// Macros (has, all, exists, exists_one, map, filter) stay calls here; the interpreter expands them.
/// </summary>
internal abstract record CelExpr
{
    /// <summary>This expression and every expression inside it, depth first.</summary>
    public IEnumerable<CelExpr> DescendantsAndSelf()
    {
        yield return this;
        IEnumerable<CelExpr> children = this switch
        {
            CelSelect s => [s.Operand],
            CelIndex i => [i.Operand, i.Index],
            CelCall c => c.Target is null ? c.Args : [c.Target, .. c.Args],
            CelOperator o => o.Operands,
            CelConditional c => [c.Condition, c.WhenTrue, c.WhenFalse],
            CelList l => l.Elements,
            CelMap m => m.Entries.SelectMany(e => new[] { e.Key, e.Value }),
            _ => [],
        };
        foreach (var descendant in children.SelectMany(child => child.DescendantsAndSelf()))
        {
            yield return descendant;
        }
    }
}

internal sealed record CelLiteral(object? Value) : CelExpr;

internal sealed record CelIdent(string Name) : CelExpr;

/// <summary><c>operand.field</c>, or <c>operand.?field</c> when <paramref name="Optional"/> (cel-spec optional syntax).</summary>
internal sealed record CelSelect(CelExpr Operand, string Field, bool Optional) : CelExpr;

/// <summary><c>operand[index]</c>, or <c>operand[?index]</c> when <paramref name="Optional"/>.</summary>
internal sealed record CelIndex(CelExpr Operand, CelExpr Index, bool Optional) : CelExpr;

/// <summary>A global call <c>f(args)</c> when <paramref name="Target"/> is null, else a receiver call <c>target.f(args)</c>.</summary>
internal sealed record CelCall(CelExpr? Target, string Function, IReadOnlyList<CelExpr> Args) : CelExpr;

/// <summary>Unary and binary operators, named as in the source (<c>!</c>, <c>-</c>, <c>&amp;&amp;</c>, <c>in</c> ...).</summary>
internal sealed record CelOperator(string Op, IReadOnlyList<CelExpr> Operands) : CelExpr;

internal sealed record CelConditional(CelExpr Condition, CelExpr WhenTrue, CelExpr WhenFalse) : CelExpr;

internal sealed record CelList(IReadOnlyList<CelExpr> Elements) : CelExpr;

internal sealed record CelMap(IReadOnlyList<(CelExpr Key, CelExpr Value)> Entries) : CelExpr;
