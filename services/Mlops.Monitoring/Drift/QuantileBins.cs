namespace Mlops.Monitoring.Drift;

/// <summary>
/// Finer bins than the profile's, for binned KS and Wasserstein: up to <c>count</c> equal-mass bins of the reference's sorted
/// quantile sample. Edge k is the sample value of rank ⌈k·S/count⌉ (S the sample size) — a value of the sample, not an
/// interpolation between two — so every bin starts at a sample value and none is empty by construction; edges equal to the
/// sample minimum or to the previous edge are dropped, so a discrete column gets one bin per distinct value.
/// </summary>
public static class QuantileBins
{
    public const int DefaultCount = 100;

    public static IReadOnlyList<double> EdgesOf(IReadOnlyList<double> sortedSample, int count = DefaultCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var edges = new List<double>();
        for (var k = 1; k < count; k++)
        {
            var rank = ((long)k * sortedSample.Count + count - 1) / count;
            if (rank >= sortedSample.Count)
                break;
            var edge = sortedSample[(int)rank];
            if (edge > sortedSample[0] && (edges.Count == 0 || edge > edges[^1]))
                edges.Add(edge);
        }
        return edges;
    }
}
