namespace Mlops.Catalog.Models;

public enum Partition
{
    Train,
    Validation,
    Holdout,
}

/// <summary>
/// A deterministic split by entity: an entity's partition depends only on its id and the seed, so every version of a
/// feature table splits the same way and champion and challenger are judged on the same holdout entities.
/// </summary>
public sealed record DatasetSplit(int Seed, double TrainFraction = 0.7, double ValidationFraction = 0.15)
{
    public Partition Of(long entityId)
    {
        var u = Uniform(entityId);
        return u < TrainFraction ? Partition.Train : u < TrainFraction + ValidationFraction ? Partition.Validation : Partition.Holdout;
    }

    public int[] Rows(long[] entityIds, Partition partition) =>
        Enumerable.Range(0, entityIds.Length).Where(i => Of(entityIds[i]) == partition).ToArray();

    /// <summary>SplitMix64 of (id, seed), mapped to [0, 1): the same on every platform and runtime.</summary>
    private double Uniform(long entityId)
    {
        unchecked
        {
            var z = (ulong)entityId + 0x9E3779B97F4A7C15UL * (ulong)(Seed + 1);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
