using Mlops.Catalog.Monitoring;

namespace Mlops.Monitoring.Drift;

/// <summary>
/// A numeric training profile prepared for drift, built once per model version. Two sets of bins:
/// <list type="bullet">
/// <item>the reference bins — the profile's quantile bins, whose shares are exact over all of training — for PSI, JS and TVD;</item>
/// <item>the fine bins — those edges plus up to <see cref="QuantileBins.DefaultCount"/> quantile bins of the profile's sample —
/// for binned KS and Wasserstein. Their shares (and means) are counted in the sample (at most 1000 values), so they follow
/// the training distribution to within about one sample step; when training had no more rows than the sample, they are
/// exact. A profile without a sample has fine bins equal to its reference bins (split at the range edges below).</item>
/// </list>
/// The fine bins also get edges at the training minimum and just above the training maximum (bins are [a, b), so the edge is
/// the next double after the maximum): the two outer bins then hold exactly the values outside the training range, with a
/// reference share of 0, so a window beyond the range moves binned KS (and binned Wasserstein) all the way instead of
/// hiding in the outermost training bin.
/// Window histograms are made over the fine edges (<see cref="NewHistogram"/>): one add per value serves both, since the
/// reference bins are recovered by summing fine bins.
/// A profile whose quantile edges all collapsed onto the minimum (a constant column, or one mostly at its minimum) has a
/// single bin, against which no window could ever drift; its reference bins become below / at / above the minimum —
/// edges [min, next double after min] — with shares 0 / share at the minimum / the rest (the latter two from the sample
/// when the column is not constant), so that a constant column that changes is seen.
/// </summary>
public sealed class NumericReference
{
    private readonly NumericHistogram emptyWindow;

    private NumericReference(FeatureProfile profile, IReadOnlyList<double> edges, IReadOnlyList<double> proportions,
        IReadOnlyList<double> fineEdges, IReadOnlyList<double> fineProportions, IReadOnlyList<double>? fineMeans, long? fineSize, double[] sample)
    {
        Name = profile.Name;
        HasValues = profile.Min is { } min && profile.Max is { } max && double.IsFinite(min) && double.IsFinite(max);
        ValueCount = (long)Math.Round(profile.Count * (1 - profile.NullRate));
        NullRate = profile.NullRate;
        Mean = profile.Mean;
        StandardDeviation = profile.StandardDeviation;
        Min = profile.Min;
        Max = profile.Max;
        Edges = edges;
        Proportions = proportions;
        FineEdges = fineEdges;
        emptyWindow = new NumericHistogram(fineEdges);
        FineProportions = fineProportions;
        FineMeans = fineMeans;
        FineSize = fineSize ?? ValueCount;
        Sample = sample;
    }

    public string Name { get; }

    /// <summary>Whether training had any finite value: without, no distribution metric is computable.</summary>
    public bool HasValues { get; }

    /// <summary>Finite values in training: the reference's size where its shares are exact.</summary>
    public long ValueCount { get; }

    public double NullRate { get; }
    public double? Mean { get; }
    public double? StandardDeviation { get; }
    public double? Min { get; }
    public double? Max { get; }
    public IReadOnlyList<double> Edges { get; }
    public IReadOnlyList<double> Proportions { get; }
    public IReadOnlyList<double> FineEdges { get; }
    public IReadOnlyList<double> FineProportions { get; }

    /// <summary>The mean of the sample values in each fine bin (NaN for an empty bin); null without a sample.</summary>
    public IReadOnlyList<double>? FineMeans { get; }

    /// <summary>How many training values the fine shares were counted from (the sample size, or <see cref="ValueCount"/> without a sample).</summary>
    public long FineSize { get; }

    /// <summary>The profile's quantile sample, sorted, finite values only: the reference side of exact KS and Wasserstein.</summary>
    public IReadOnlyList<double> Sample { get; }

    /// <summary>An empty window histogram over the fine edges; their grid is built once per reference, not once per window.</summary>
    public NumericHistogram NewHistogram() => emptyWindow.EmptyCopy();

    public static NumericReference From(FeatureProfile profile, int fineBins = QuantileBins.DefaultCount)
    {
        if (profile.Type != FeatureProfile.NumericType)
            throw new ArgumentException($"Feature '{profile.Name}' is {profile.Type}, not numeric.", nameof(profile));
        if (profile.BinProportions.Count != profile.BinEdges.Count + 1)
            throw new ArgumentException($"Feature '{profile.Name}' has {profile.BinEdges.Count} edges but {profile.BinProportions.Count} bin proportions.", nameof(profile));

        var sample = profile.Sample.Where(double.IsFinite).Order().ToArray();
        var edges = profile.BinEdges;
        NumericHistogram.ValidateEdges([.. edges]);
        IReadOnlyList<double> proportions = Distribution.Normalize(profile.BinProportions);
        if (edges.Count == 0 && profile.Min is { } min && profile.Max is { } max && double.IsFinite(Math.BitIncrement(min)))
            (edges, proportions) = PointBins(min, max, sample);

        var rangeEdges = RangeEdges(profile);
        if (sample.Length == 0)
        {
            var (boundedEdges, boundedProportions) = WithRangeEdges(edges, proportions, rangeEdges);
            return new NumericReference(profile, edges, proportions, boundedEdges, boundedProportions, fineMeans: null, fineSize: null, sample);
        }

        double[] fineEdges = [.. edges.Union(QuantileBins.EdgesOf(sample, fineBins)).Union(rangeEdges).Order()];
        var fine = new NumericHistogram(fineEdges);
        fine.AddRange(sample);
        return new NumericReference(profile, edges, proportions, fineEdges, Distribution.Normalize(fine.Counts), Distribution.Means(fine), sample.Length, sample);
    }

    /// <summary>The reference shares over a window's bins (its fine or its reference bins), their means where known, and how many values they were counted from.</summary>
    internal (IReadOnlyList<double> Proportions, IReadOnlyList<double>? Means, long Size) DistributionOver(NumericHistogram window)
    {
        if (window.HasEdges(FineEdges))
            return (FineProportions, FineMeans, FineSize);
        if (window.HasEdges(Edges))
            return (Proportions, null, ValueCount);
        if (window.IsSubsetOf(FineEdges))
            return CoarsenedOnto(window);
        throw new ArgumentException($"The window histogram of '{Name}' was not binned for this reference (use NewHistogram()).", nameof(window));
    }

    /// <summary>
    /// The fine shares (and means) summed onto a window's coarser bins: a window stored before the fine bins gained the
    /// training range edges is still compared, over the edges it has.
    /// </summary>
    private (IReadOnlyList<double> Proportions, IReadOnlyList<double>? Means, long Size) CoarsenedOnto(NumericHistogram window)
    {
        var proportions = new double[window.Edges.Count + 1];
        var weighted = new double[proportions.Length];
        var weights = new double[proportions.Length];
        for (var i = 0; i < FineProportions.Count; i++)
        {
            // Fine bin i is [FineEdges[i−1], FineEdges[i]) and no window edge lies inside it, so it falls whole into the window bin of its lower edge.
            var bin = i == 0 ? 0 : window.BinOf(FineEdges[i - 1]);
            proportions[bin] += FineProportions[i];
            if (FineMeans is not null && double.IsFinite(FineMeans[i]) && FineProportions[i] > 0)
            {
                weighted[bin] += FineProportions[i] * FineMeans[i];
                weights[bin] += FineProportions[i];
            }
        }
        IReadOnlyList<double>? means = FineMeans is null ? null : [.. weighted.Select((sum, bin) => weights[bin] > 0 ? sum / weights[bin] : double.NaN)];
        return (proportions, means, FineSize);
    }

    /// <summary>The training minimum and the next double after the training maximum, where both are finite.</summary>
    private static double[] RangeEdges(FeatureProfile profile)
    {
        if (profile.Min is not { } min || profile.Max is not { } max || !double.IsFinite(min) || !double.IsFinite(max))
            return [];
        var aboveMax = Math.BitIncrement(max);
        return double.IsFinite(aboveMax) ? [min, aboveMax] : [min];
    }

    /// <summary>
    /// The reference bins split at the range edges: all training mass lies in [min, max], so a split bin keeps its share on
    /// the side inside the range and the new outer bin gets 0.
    /// </summary>
    private static (IReadOnlyList<double> Edges, IReadOnlyList<double> Proportions) WithRangeEdges(IReadOnlyList<double> edges,
        IReadOnlyList<double> proportions, double[] rangeEdges)
    {
        var boundedEdges = edges.ToList();
        var boundedProportions = proportions.ToList();
        foreach (var edge in rangeEdges)
        {
            var index = boundedEdges.BinarySearch(edge);
            if (index >= 0)
                continue;
            index = ~index;
            boundedEdges.Insert(index, edge);
            // Bin `index` was [edges[index−1], edges[index]) and is now split at `edge`; below the minimum, the lower part is empty, above the maximum, the upper part.
            var share = boundedProportions[index];
            var minimumSide = edge == rangeEdges[0];
            boundedProportions[index] = minimumSide ? 0 : share;
            boundedProportions.Insert(index + 1, minimumSide ? share : 0);
        }
        return (boundedEdges, boundedProportions);
    }

    private static (IReadOnlyList<double> Edges, IReadOnlyList<double> Proportions) PointBins(double min, double max, double[] sample)
    {
        double[] edges = [min, Math.BitIncrement(min)];
        if (min == max)
            return (edges, [0, 1, 0]);
        if (sample.Length == 0)
            return ([], [1]);

        var atMin = (double)sample.Count(v => v <= min) / sample.Length;
        return (edges, [0, atMin, 1 - atMin]);
    }
}
