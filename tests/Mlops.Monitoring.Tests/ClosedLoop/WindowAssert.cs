using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>Compares a stored window with what the test counted from its rows, bin by bin.</summary>
public static class WindowAssert
{
    public static void Holds(ExpectedWindow expected, StoredWindowRow stored)
    {
        Assert.Equal(expected.Rows, stored.RowCount);
        var state = stored.State;
        Numeric(expected.Histograms.Prediction, state.Prediction);
        Assert.Equal(expected.Histograms.Numeric.Keys.Order(), state.Numeric.Keys.Order());
        foreach (var (name, histogram) in expected.Histograms.Numeric)
            Numeric(histogram, state.Numeric[name]);
        Assert.Equal(expected.Histograms.Categorical.Keys.Order(), state.Categorical.Keys.Order());
        foreach (var (name, histogram) in expected.Histograms.Categorical)
        {
            var actual = state.Categorical[name];
            Assert.Equal(histogram.Categories, actual.Categories);
            Assert.Equal(histogram.Counts, actual.Counts);
            Assert.Equal((histogram.UnseenCount, histogram.NullCount), (actual.UnseenCount, actual.NullCount));
        }
    }

    private static void Numeric(NumericHistogram expected, NumericHistogram actual)
    {
        Assert.Equal(expected.Edges, actual.Edges);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal((expected.NullCount, expected.Min, expected.Max), (actual.NullCount, actual.Min, actual.Max));
        for (var bin = 0; bin < expected.Sums.Count; bin++)
            Assert.Equal(expected.Sums[bin], actual.Sums[bin], 1e-6 * Math.Max(1, Math.Abs(expected.Sums[bin])));
    }
}
