extern alias controllers;

using System.Security.Cryptography;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// The signing-key pool's promises (SigningKeyPool): keys made ahead are taken at once, never more
/// than the configured number are made at a time, none on a thread-pool worker, and a key that cannot
/// be made fails the takes instead of leaving them waiting. The generator is a stand-in that the test
/// lets finish one key at a time, so "at once" and "at a time" are observed, not timed.
/// </summary>
public sealed class SigningKeyPoolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_take_after_the_pool_filled_gets_a_key_made_before_it_asked()
    {
        using var generator = new GatedGenerator(open: true);
        using var pool = new SigningKeyPool(generator.Generate, ahead: 3, generators: 2);

        var first = await pool.TakeAsync(Cancellation);
        await Wait.UntilAsync(() => Task.FromResult(pool.Ready == 3), Patience, () => $"3 keys made ahead (ready: {pool.Ready})");
        var madeBefore = generator.Started;
        var second = await pool.TakeAsync(Cancellation);

        Assert.True(Serial(second) <= madeBefore, $"the second key (#{Serial(second)}) was made after the take, with {madeBefore} made before it");
        Assert.NotEqual(Serial(first), Serial(second));
        // The one taken is made again: the pool holds three ahead, not more.
        await Wait.UntilAsync(() => Task.FromResult(pool.Ready == 3), Patience, () => $"the pool to refill to 3 (ready: {pool.Ready})");
        Assert.Equal(5, generator.Started);
    }

    [Fact]
    public async Task A_burst_of_takes_never_has_more_keys_made_at_once_than_the_generators_and_each_take_gets_its_own()
    {
        using var generator = new GatedGenerator(open: false);
        using var pool = new SigningKeyPool(generator.Generate, ahead: 0, generators: 2);
        var takes = Enumerable.Range(0, 6).Select(_ => pool.TakeAsync(Cancellation)).ToList();

        // Let one key finish each time two are in the making, until every take has its key.
        while (takes.Any(t => !t.IsCompleted))
        {
            await Wait.UntilAsync(() => Task.FromResult(generator.InFlight == 2 || takes.All(t => t.IsCompleted) || generator.Started == 6),
                Patience, () => $"two keys in the making (in flight: {generator.InFlight}, started: {generator.Started})");
            generator.FinishOne();
            await Task.Yield();
        }

        var keys = await Task.WhenAll(takes);
        Assert.Equal(2, generator.MostInFlight);
        Assert.Equal(6, keys.Select(Serial).Distinct().Count());
        // ahead: 0 makes only what was asked for.
        Assert.Equal(6, generator.Started);
        Assert.False(generator.RanOnThreadPool, "a key was made on a thread-pool worker");
    }

    [Fact]
    public async Task A_cancelled_take_leaves_its_key_for_the_next()
    {
        using var generator = new GatedGenerator(open: false);
        using var pool = new SigningKeyPool(generator.Generate, ahead: 0, generators: 1);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var abandoned = pool.TakeAsync(cancel.Token);
        await Wait.UntilAsync(() => Task.FromResult(generator.InFlight == 1), Patience, "the first key to be in the making");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        generator.FinishOne();
        await Wait.UntilAsync(() => Task.FromResult(pool.Ready == 1), Patience, () => $"the abandoned key to be kept (ready: {pool.Ready})");
        var next = await pool.TakeAsync(Cancellation);
        Assert.Equal(1, Serial(next));
        Assert.Equal(1, generator.Started);
    }

    [Fact]
    public async Task A_key_that_cannot_be_made_fails_the_take_instead_of_leaving_it_waiting()
    {
        // 100 bits: below what the platform's RSA accepts.
        using var pool = new SigningKeyPool(() => SigningKeyMaterial.Generate(100), ahead: 0, generators: 1);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => pool.TakeAsync(Cancellation).WaitAsync(Patience, Cancellation));
        Assert.IsAssignableFrom<CryptographicException>(failure.InnerException ?? failure);
    }

    [Fact]
    public async Task The_pool_hands_out_real_rsa_keys_whose_description_matches_the_private_key()
    {
        using var pool = SigningKeyPool.For(2048, new ManagementClusterOptions { SigningKeysAhead = 0 });
        var key = await pool.TakeAsync(Cancellation);
        var described = SigningKeyMaterial.Describe(key, "https://issuer.example/cluster");

        Assert.Equal(described.KeyId, SigningKeyMaterial.FromPrivateKeyPem(key.PrivateKeyPem, "https://issuer.example/cluster").KeyId);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", key.PrivateKeyPem, StringComparison.Ordinal);
        Assert.Equal(256, key.Modulus.Length);
    }

    // The generator's keys carry their serial number in the exponent, so a test can tell which key it got.
    private static int Serial(SigningKeyPair key) => key.Exponent[0];

    /// <summary>A stand-in generator: each key waits for <see cref="FinishOne"/> unless open, and counts what runs at once.</summary>
    private sealed class GatedGenerator(bool open) : IDisposable
    {
        private readonly SemaphoreSlim finish = new(0);
        private int started;
        private int inFlight;
        private int mostInFlight;
        private int ranOnThreadPool;

        public int Started => Volatile.Read(ref started);
        public int InFlight => Volatile.Read(ref inFlight);
        public int MostInFlight => Volatile.Read(ref mostInFlight);
        public bool RanOnThreadPool => Volatile.Read(ref ranOnThreadPool) != 0;

        public void FinishOne() => finish.Release();

        public void Dispose() => finish.Dispose();

        public SigningKeyPair Generate()
        {
            var serial = Interlocked.Increment(ref started);
            var now = Interlocked.Increment(ref inFlight);
            int most;
            while (now > (most = Volatile.Read(ref mostInFlight)) && Interlocked.CompareExchange(ref mostInFlight, now, most) != most)
            {
            }

            if (Thread.CurrentThread.IsThreadPoolThread)
            {
                Interlocked.Exchange(ref ranOnThreadPool, 1);
            }

            try
            {
                if (!open && !finish.Wait(Patience))
                {
                    throw new TimeoutException("the test never let this key finish");
                }

                return new SigningKeyPair($"key {serial}", [], [], [(byte)serial]);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }
}
