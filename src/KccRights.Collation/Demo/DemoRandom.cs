namespace KccRights.Collation.Demo;

/// <summary>
/// A small, fast, seedable generator (SplitMix64) for the demo data: each table row stream gets its own generator from
/// (seed, stream, index), so every table can be generated on its own, in any order or in parallel, with the same result.
/// </summary>
internal struct DemoRandom
{
    private ulong _state;

    public DemoRandom(int seed, int stream, long index)
    {
        _state = Mix((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)stream << 40) ^ (ulong)index);
    }

    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>0 &lt;= value &lt; max.</summary>
    public int Next(int max) => max <= 1 ? 0 : (int)(NextULong() % (ulong)max);

    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public bool Chance(double p) => (NextULong() >> 11) * (1.0 / (1UL << 53)) < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
