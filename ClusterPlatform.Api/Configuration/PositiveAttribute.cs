using System.ComponentModel.DataAnnotations;

namespace ClusterPlatform.Api.Configuration;

/// <summary>
/// A count or a duration that must be more than zero: a batch of 0 rows or a wait of 0 s would make a
/// loop spin instead of working, so such a setting fails the start with this message instead.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PositiveAttribute() : ValidationAttribute("{0} must be more than zero.")
{
    public override bool IsValid(object? value) => value switch
    {
        int count => count > 0,
        TimeSpan duration => duration > TimeSpan.Zero,
        _ => throw new InvalidOperationException($"[Positive] applies to int and TimeSpan settings, not {value?.GetType().Name ?? "null"}."),
    };
}
