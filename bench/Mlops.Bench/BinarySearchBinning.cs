namespace Mlops.Bench;

/// <summary>
/// NumericHistogram.Add as it was before the grid (a binary search over the edges and nullable bounds), kept here so
/// P4 shows the before and after on the same data.
/// </summary>
public sealed class BinarySearchBinning(double[] edges)
{
    private readonly long[] counts = new long[edges.Length + 1];
    private readonly double[] sums = new double[edges.Length + 1];

    public IReadOnlyList<long> Counts => counts;
    public long Missing { get; private set; }
    public double? Min { get; private set; }
    public double? Max { get; private set; }

    public void AddRange(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
        {
            if (!double.IsFinite(value))
            {
                Missing++;
                continue;
            }
            var index = Array.BinarySearch(edges, value);
            var bin = index >= 0 ? index + 1 : ~index;
            counts[bin]++;
            sums[bin] += value;
            Min = Min is { } min && min <= value ? min : value;
            Max = Max is { } max && max >= value ? max : value;
        }
    }
}
