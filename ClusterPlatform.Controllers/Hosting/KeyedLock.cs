namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// One holder at a time per key; keys nobody holds or waits for take no memory. The controllers use
/// it per cluster: two events of one cluster handled at once by the same controller could otherwise
/// report in the wrong order, the older reading (say "DNS not ready yet") after the newer one, and
/// flip a Ready cluster back for a moment.
/// </summary>
internal sealed class KeyedLock<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, Entry> entries = new();

    public async Task<IDisposable> AcquireAsync(TKey key, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (entries)
        {
            if (!entries.TryGetValue(key, out entry!))
            {
                entries[key] = entry = new Entry();
            }

            entry.Users++;
        }

        try
        {
            await entry.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(key, entry, entered: false);
            throw;
        }

        return new Holder(this, key, entry);
    }

    private void Leave(TKey key, Entry entry, bool entered)
    {
        lock (entries)
        {
            if (entered)
            {
                entry.Gate.Release();
            }

            if (--entry.Users == 0)
            {
                entries.Remove(key);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Holder(KeyedLock<TKey> owner, TKey key, Entry entry) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Leave(key, entry, entered: true);
            }
        }
    }
}
