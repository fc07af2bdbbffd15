namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Each hosted cluster's service-account signing key, made ahead of need and off the thread pool.
/// An RSA key is a prime search: about 0.3 s of CPU at 2,048 bits and 2 s at the 4,096 bits
/// HyperShift's GCP guide makes (docs/benchmarks.md, "The burst's real limit"). Made inside a
/// handling, it held a thread-pool worker for all that time and put those seconds into the cluster's
/// way to Ready. Here:
/// <list type="bullet">
/// <item>up to <c>ahead</c> keys wait made, so a create in quiet times takes one at once;</item>
/// <item>at most <c>generators</c> keys are made at a time, each on a thread of its own, so a burst
/// of creates shares the cores with the other controllers' handlings instead of taking every worker,
/// and the clusters waiting for a key get them in the order they asked (first come, first served)
/// rather than all of them late together.</item>
/// </list>
/// A key lives only in this process's memory until the provider stores it (a Secret on the
/// management cluster); a restart drops the ones made ahead, which costs nothing but their CPU.
/// </summary>
internal sealed class SigningKeyPool : IDisposable
{
    private readonly Func<SigningKeyPair> generate;
    private readonly int ahead;
    private readonly int generators;
    private readonly CancellationTokenSource disposed = new();

    // All of the pool's state, under one lock: a key made is handed to the longest waiting take, or kept.
    private readonly Lock gate = new();
    private readonly Queue<SigningKeyPair> made = new();
    private readonly LinkedList<TaskCompletionSource<SigningKeyPair>> waiting = new();
    private int generating;
    private Exception? broken;

    /// <param name="generate">Makes one key; called on a dedicated thread, never more than <paramref name="generators"/> at once.</param>
    /// <param name="ahead">How many keys to keep made beyond those asked for; 0 makes each one when it is asked for.</param>
    /// <param name="generators">How many keys may be made at once.</param>
    public SigningKeyPool(Func<SigningKeyPair> generate, int ahead, int generators)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ahead);
        ArgumentOutOfRangeException.ThrowIfLessThan(generators, 1);
        this.generate = generate;
        this.ahead = ahead;
        this.generators = generators;
    }

    /// <summary>The pool for keys of <paramref name="bits"/>, sized by the configuration.</summary>
    public static SigningKeyPool For(int bits, ManagementClusterOptions options) =>
        new(() => SigningKeyMaterial.Generate(bits), options.SigningKeysAhead, options.SigningKeyGenerators ?? Environment.ProcessorCount);

    /// <summary>Keys made and not yet taken.</summary>
    public int Ready
    {
        get
        {
            lock (gate)
            {
                return made.Count;
            }
        }
    }

    /// <summary>A new key: one made ahead, or the next one made. Pre-generation starts with the first call.</summary>
    public async Task<SigningKeyPair> TakeAsync(CancellationToken cancellationToken)
    {
        LinkedListNode<TaskCompletionSource<SigningKeyPair>> waiter;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed.IsCancellationRequested, this);
            if (broken is not null)
            {
                throw new InvalidOperationException("No signing key can be made.", broken);
            }

            if (made.TryDequeue(out var key))
            {
                // Made ahead again for the one just taken.
                Pump();
                return key;
            }

            waiter = waiting.AddLast(new TaskCompletionSource<SigningKeyPair>(TaskCreationOptions.RunContinuationsAsynchronously));
            Pump();
        }

        await using var registration = cancellationToken.Register(() =>
        {
            lock (gate)
            {
                // A key made for a cancelled take is kept for the next one.
                if (waiter.List is not null)
                {
                    waiting.Remove(waiter);
                }
            }

            waiter.Value.TrySetCanceled(cancellationToken);
        });
        return await waiter.Value.Task;
    }

    /// <summary>Starts makings until the keys made or being made cover the takes waiting and the ones to keep ahead. Under the lock.</summary>
    private void Pump()
    {
        while (!disposed.IsCancellationRequested && broken is null && generating < generators && made.Count + generating < waiting.Count + ahead)
        {
            generating++;
            _ = MakeOneAsync();
        }
    }

    private async Task MakeOneAsync()
    {
        SigningKeyPair? key = null;
        Exception? failure = null;
        try
        {
            // LongRunning: a thread of its own for the seconds of CPU, not a thread-pool worker.
            key = await Task.Factory.StartNew(generate, disposed.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A key that cannot be made (a size the library refuses) will not be made on a retry either:
            // every take, waiting or to come, fails with it rather than waiting forever.
            failure = e;
        }

        List<TaskCompletionSource<SigningKeyPair>> failed = [];
        lock (gate)
        {
            generating--;
            if (failure is not null)
            {
                broken = failure;
                failed.AddRange(waiting);
                waiting.Clear();
            }
            else if (key is not null && waiting.First is { } first)
            {
                waiting.RemoveFirst();
                first.Value.TrySetResult(key);
            }
            else if (key is not null)
            {
                made.Enqueue(key);
            }

            Pump();
        }

        foreach (var waiter in failed)
        {
            waiter.TrySetException(new InvalidOperationException("No signing key can be made.", failure));
        }
    }

    public void Dispose()
    {
        List<TaskCompletionSource<SigningKeyPair>> left;
        lock (gate)
        {
            if (disposed.IsCancellationRequested)
            {
                return;
            }

            disposed.Cancel();
            left = [.. waiting];
            waiting.Clear();
            made.Clear();
        }

        foreach (var waiter in left)
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(SigningKeyPool)));
        }
    }
}
