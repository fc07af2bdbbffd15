extern alias controllers;

using controllers::ClusterPlatform.Controllers.Hosting;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>Per-cluster serialization of a controller's handlings.</summary>
public sealed class KeyedLockTests
{
    [Fact]
    public async Task The_same_key_waits_for_its_holder_and_another_key_does_not()
    {
        var locks = new KeyedLock<Guid>();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        var first = await locks.AcquireAsync(a, Cancellation);
        var second = locks.AcquireAsync(a, Cancellation);
        using (await locks.AcquireAsync(b, Cancellation).WaitAsync(TimeSpan.FromSeconds(5), Cancellation))
        {
            Assert.False(second.IsCompleted);
        }

        first.Dispose();
        using var _ = await second.WaitAsync(TimeSpan.FromSeconds(5), Cancellation);
    }

    [Fact]
    public async Task A_waiter_that_gives_up_does_not_block_the_key_afterwards()
    {
        var locks = new KeyedLock<string>();
        var holder = await locks.AcquireAsync("cluster", Cancellation);
        using var giveUp = new CancellationTokenSource();
        var waiter = locks.AcquireAsync("cluster", giveUp.Token);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        holder.Dispose();
        holder.Dispose(); // twice is harmless

        using var again = await locks.AcquireAsync("cluster", Cancellation).WaitAsync(TimeSpan.FromSeconds(5), Cancellation);
    }
}
