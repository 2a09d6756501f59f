using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using Mlops.Catalog;

namespace Mlops.Monitoring.Drift;

/// <summary>
/// Counts of a numeric column over bins fixed by the reference — bin i holds edges[i−1] ≤ x &lt; edges[i], edges + 1 bins,
/// as in the reference profile — kept up to date value by value, so a window of millions of logged rows costs O(bins).
/// NaN (null) and ±∞ are counted apart from the bins: they are no points of the distribution (the reference profile left
/// them out of its bins and counted them in its null rate) but they are reported, and <see cref="MissingValues"/> counts
/// both, like the profile. Each bin also keeps the sum of its values, and the histogram the finite minimum and maximum:
/// they place each bin's mass (its mean, and the extent of the two open outer bins) for <see cref="Wasserstein"/>.
/// Windows merge (<see cref="Merge"/>) and store as JSON (<see cref="ToJson"/>, or embedded with <see cref="CatalogJson"/>);
/// the edges travel with the counts so a stored window stays readable whatever later code derives from the reference.
/// Not thread-safe: one writer per instance.
/// </summary>
public sealed class NumericHistogram
{
    private readonly double[] edges;
    private readonly long[] counts;
    private readonly double[] sums;
    private readonly BinGrid grid;
    private double finiteMin = double.PositiveInfinity;
    private double finiteMax = double.NegativeInfinity;

    public NumericHistogram(IEnumerable<double> edges)
    {
        this.edges = edges.ToArray();
        ValidateEdges(this.edges);
        grid = new BinGrid(this.edges);
        counts = new long[this.edges.Length + 1];
        sums = new double[this.edges.Length + 1];
    }

    private NumericHistogram(double[] edges, BinGrid grid)
    {
        this.edges = edges;
        this.grid = grid;
        counts = new long[edges.Length + 1];
        sums = new double[edges.Length + 1];
    }

    [JsonConstructor]
    private NumericHistogram(IReadOnlyList<double>? edges, IReadOnlyList<long>? counts, IReadOnlyList<double>? sums, long nullCount,
        long negativeInfinityCount, long positiveInfinityCount, double? min, double? max)
    {
        if (edges is null || counts is null || sums is null)
            throw new ArgumentException("A stored histogram needs its edges, counts and sums.");

        this.edges = [.. edges];
        ValidateEdges(this.edges);
        grid = new BinGrid(this.edges);
        if (counts.Count != this.edges.Length + 1)
            throw new ArgumentException($"A histogram with {this.edges.Length} edges has {this.edges.Length + 1} counts, not {counts.Count}.", nameof(counts));
        if (counts.Any(c => c < 0) || nullCount < 0 || negativeInfinityCount < 0 || positiveInfinityCount < 0)
            throw new ArgumentException("Histogram counts cannot be negative.", nameof(counts));

        if (sums.Count != counts.Count || sums.Any(sum => !double.IsFinite(sum)))
            throw new ArgumentException($"A histogram has one finite sum per bin: {counts.Count} sums, not {sums.Count}.", nameof(sums));

        this.counts = [.. counts];
        this.sums = [.. sums];
        FiniteCount = this.counts.Sum();
        if (FiniteCount > 0 && (min is not { } low || max is not { } high || !double.IsFinite(low) || !double.IsFinite(high) || low > high))
            throw new ArgumentException("A histogram with finite values needs their finite minimum and maximum.", nameof(min));

        NullCount = nullCount;
        NegativeInfinityCount = negativeInfinityCount;
        PositiveInfinityCount = positiveInfinityCount;
        Min = FiniteCount > 0 ? min : null;
        Max = FiniteCount > 0 ? max : null;
    }

    public IReadOnlyList<double> Edges => edges;
    public IReadOnlyList<long> Counts => counts;

    /// <summary>The sum of the values in each bin.</summary>
    public IReadOnlyList<double> Sums => sums;

    public long NullCount { get; private set; }
    public long NegativeInfinityCount { get; private set; }
    public long PositiveInfinityCount { get; private set; }

    /// <summary>The smallest finite value added; null while there is none.</summary>
    public double? Min
    {
        get => FiniteCount > 0 ? finiteMin : null;
        private set => finiteMin = value ?? double.PositiveInfinity;
    }

    public double? Max
    {
        get => FiniteCount > 0 ? finiteMax : null;
        private set => finiteMax = value ?? double.NegativeInfinity;
    }

    [JsonIgnore]
    public long FiniteCount { get; private set; }

    /// <summary>The mean of the finite values; null while there is none.</summary>
    [JsonIgnore]
    public double? Mean => FiniteCount > 0 ? sums.Sum() / FiniteCount : null;

    /// <summary>Every value added: finite, null and infinite.</summary>
    [JsonIgnore]
    public long Count => FiniteCount + NullCount + NegativeInfinityCount + PositiveInfinityCount;

    /// <summary>The bin of a finite value: the number of edges at or below it (a grid cell and a short scan, O(1) for most edges).</summary>
    public int BinOf(double value) => grid.BinOf(edges, value);

    public void Add(double value) => AddRange(new ReadOnlySpan<double>(in value));

    public void Add(double? value) => Add(value ?? double.NaN);

    public void AddRange(ReadOnlySpan<double> values)
    {
        if (grid.IsFast)
            Tally(values, grid.Fast());
        else
            Tally(values, new BinGrid.AnyBins(grid, edges));
    }

    /// <summary>
    /// Counts values into the bins <typeparamref name="TBins"/> finds: one loop, compiled once per kind of grid (a struct type
    /// argument), so the fast grid's look-up is inlined into it.
    /// </summary>
    private void Tally<TBins>(ReadOnlySpan<double> values, TBins bins) where TBins : BinGrid.ILookup, allows ref struct
    {
        // The tallies live in locals for the loop: this is the per-value cost of a window of millions of rows. The finite
        // values are counted as the rest, so the common path only looks up the bin and adds.
        ref var binCounts = ref MemoryMarshal.GetArrayDataReference(counts);
        ref var binSums = ref MemoryMarshal.GetArrayDataReference(sums);
        long nulls = 0, positiveInfinities = 0, negativeInfinities = 0;
        double low = finiteMin, high = finiteMax;
        foreach (var value in values)
        {
            if (double.IsFinite(value))
            {
                // Every bin is below counts.Length: the grid's (and the binary search's) bins count edges.
                var bin = bins.Of(value);
                Unsafe.Add(ref binCounts, bin)++;
                Unsafe.Add(ref binSums, bin) += value;
                // The first value replaces the ±∞ start, and of −0 and +0 the first one stays (neither is below the other).
                if (value < low)
                    low = value;
                if (value > high)
                    high = value;
            }
            else if (double.IsNaN(value))
            {
                nulls++;
            }
            else if (double.IsPositiveInfinity(value))
            {
                positiveInfinities++;
            }
            else
            {
                negativeInfinities++;
            }
        }
        FiniteCount += values.Length - nulls - positiveInfinities - negativeInfinities;
        NullCount += nulls;
        PositiveInfinityCount += positiveInfinities;
        NegativeInfinityCount += negativeInfinities;
        (finiteMin, finiteMax) = (low, high);
    }

    public void AddRange(IEnumerable<double> values)
    {
        if (values is double[] array)
        {
            AddRange(array.AsSpan());
            return;
        }
        foreach (var value in values)
            Add(value);
    }

    /// <summary>
    /// Adds another window's counts to this one (window aggregation). Both must have the same edges, or this one a subset of
    /// the other's: a window stored before the fine bins gained the training range edges keeps its own edges, and batches
    /// binned since are coarsened onto them.
    /// </summary>
    public void Merge(NumericHistogram other)
    {
        if (!HasEdges(other.edges) && !IsSubsetOf(other.edges))
            throw new ArgumentException("Only histograms over the same edges merge: these windows were binned for different references.", nameof(other));

        var source = HasEdges(other.edges) ? other : other.Coarsen(edges);
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] += source.counts[i];
            sums[i] += source.sums[i];
        }
        FiniteCount += other.FiniteCount;
        NullCount += other.NullCount;
        NegativeInfinityCount += other.NegativeInfinityCount;
        PositiveInfinityCount += other.PositiveInfinityCount;
        if (other.Min is { } otherMin)
            Min = Min is { } min && min <= otherMin ? min : otherMin;
        if (other.Max is { } otherMax)
            Max = Max is { } max && max >= otherMax ? max : otherMax;
    }

    /// <summary>Whether every edge of this histogram is one of <paramref name="finer"/>.</summary>
    public bool IsSubsetOf(IReadOnlyList<double> finer) => edges.All(edge => finer.Contains(edge));

    public bool HasEdges(IReadOnlyList<double> candidate)
    {
        if (candidate.Count != edges.Length)
            return false;
        for (var i = 0; i < edges.Length; i++)
        {
            if (candidate[i] != edges[i])
                return false;
        }
        return true;
    }

    /// <summary>The same window over coarser bins whose edges are a subset of this histogram's edges (the fine bins include the reference bins).</summary>
    public NumericHistogram Coarsen(IReadOnlyList<double> coarseEdges)
    {
        if (HasEdges(coarseEdges))
            return this;

        var coarse = new NumericHistogram(coarseEdges);
        if (coarse.edges.Any(edge => Array.BinarySearch(edges, edge) < 0))
            throw new ArgumentException("The coarse edges are not a subset of this histogram's edges.", nameof(coarseEdges));

        // Fine bin i is [edges[i−1], edges[i]) and no coarse edge lies inside it, so it falls whole into the coarse bin of its lower edge.
        for (var i = 0; i < counts.Length; i++)
        {
            var bin = i == 0 ? 0 : coarse.BinOf(edges[i - 1]);
            coarse.counts[bin] += counts[i];
            coarse.sums[bin] += sums[i];
        }
        coarse.FiniteCount = FiniteCount;
        coarse.NullCount = NullCount;
        coarse.NegativeInfinityCount = NegativeInfinityCount;
        coarse.PositiveInfinityCount = PositiveInfinityCount;
        coarse.Min = Min;
        coarse.Max = Max;
        return coarse;
    }

    /// <summary>An empty histogram over the same edges, sharing them and their grid (neither ever changes): no validation or grid to build again.</summary>
    internal NumericHistogram EmptyCopy() => new(edges, grid);

    public string ToJson() => CatalogJson.Serialize(this);

    public static NumericHistogram FromJson(string json) => CatalogJson.Deserialize<NumericHistogram>(json);

    internal static void ValidateEdges(double[] edges)
    {
        for (var i = 0; i < edges.Length; i++)
        {
            if (!double.IsFinite(edges[i]))
                throw new ArgumentException($"Bin edges must be finite; edge {i} is {edges[i]}.", nameof(edges));
            if (i > 0 && edges[i] <= edges[i - 1])
                throw new ArgumentException($"Bin edges must be strictly increasing; edge {i} ({edges[i]}) follows {edges[i - 1]}.", nameof(edges));
        }
    }
}
