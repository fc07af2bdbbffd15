using System.Collections.Concurrent;
using System.Diagnostics;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// Starts a child process with its output drained into the last lines it wrote, so a server that
/// fails to start explains itself in the test failure instead of in a lost pipe.
/// </summary>
internal sealed class ProcessOutputTail
{
    private const int MaxLines = 50;
    private readonly ConcurrentQueue<string> lines = new();

    /// <param name="environment">Variables set (a null value removes one) on top of this process's environment.</param>
    public Process Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        lines.Clear();
        var start = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public override string ToString() => string.Join(Environment.NewLine, lines);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        while (lines.Count > MaxLines)
        {
            lines.TryDequeue(out _);
        }
    }
}
