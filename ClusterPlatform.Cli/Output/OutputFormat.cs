namespace ClusterPlatform.Cli.Output;

/// <summary><c>-o table|json|yaml</c>: table for people, json and yaml (the wire's field names) for scripts.</summary>
public enum OutputFormat
{
    Table,
    Json,
    Yaml,
}
