using Microsoft.Kiota.Abstractions.Serialization;

namespace ClusterPlatform.Client;

/// <summary>
/// A value of a model's <c>AdditionalData</c> (labels, a controller's <c>data</c>, field errors) as text:
/// Kiota keeps a JSON string there as a string or an <see cref="UntypedString"/>, depending on how it was
/// parsed, and other JSON as an <see cref="UntypedNode"/>.
/// </summary>
public static class UntypedText
{
    public static string Of(object? value) => value switch
    {
        UntypedString s => s.GetValue() ?? "",
        UntypedNode n => n.ToString() ?? "",
        _ => value?.ToString() ?? "",
    };
}
