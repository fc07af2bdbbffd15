namespace ClusterPlatform.Cli.Output;

/// <summary>
/// A plain, kubectl-style table: upper-case headers, columns padded with spaces, no borders or colour,
/// so it reads the same in a terminal, a CI log and a pinned test.
/// </summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public TextTable Add(params string?[] cells)
    {
        rows.Add([.. cells.Select(c => c is null or "" ? "-" : c)]);
        return this;
    }

    public void WriteTo(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var all = rows.Prepend(headers).ToList();
        var widths = Enumerable.Range(0, headers.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]));
            output.WriteLine(string.Join("   ", cells).TrimEnd());
        }
    }
}
