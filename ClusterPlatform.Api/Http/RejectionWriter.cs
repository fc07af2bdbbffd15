using System.Buffers;
using System.IO.Pipelines;

namespace ClusterPlatform.Api.Http;

/// <summary>
/// The connection's output, passed through untouched while a request is in the application. What
/// Kestrel writes otherwise (only its own refusals, and HTTP/2 frames) is held until the flush and
/// handed to <c>rewrite</c>, which returns the bytes to send instead, or null to send them as they are.
/// </summary>
internal sealed class RejectionWriter(PipeWriter inner, KestrelRejections.Connection connection, RejectionWriter.Rewriter rewrite) : PipeWriter
{
    public delegate byte[]? Rewriter(ReadOnlySpan<byte> written);

    private readonly ArrayBufferWriter<byte> held = new();
    private bool holding;

    public override Memory<byte> GetMemory(int sizeHint = 0) => Hold() ? held.GetMemory(sizeHint) : inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => Hold() ? held.GetSpan(sizeHint) : inner.GetSpan(sizeHint);

    public override void Advance(int bytes)
    {
        if (holding)
        {
            held.Advance(bytes);
        }
        else
        {
            inner.Advance(bytes);
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        Release();
        inner.Complete(exception);
    }

    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        await inner.CompleteAsync(exception);
    }

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + held.WrittenCount;

    /// <summary>Held once something is held, until the flush, so one write is never split between the two.</summary>
    private bool Hold() => holding = held.WrittenCount > 0 || !connection.InApplication;

    private void Release()
    {
        if (held.WrittenCount == 0)
        {
            return;
        }

        inner.Write(rewrite(held.WrittenSpan) ?? held.WrittenSpan);
        held.ResetWrittenCount();
        holding = false;
    }
}
