using System.Diagnostics;
using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_a_million_logged_values_stream_through_window_histograms
{
    private const int Rows = 1_000_000;
    private const int Windows = 10;

    /// <summary>The logged values, regenerated on demand instead of kept: a drifted normal with a null every 997 rows and ±∞ now and then.</summary>
    private static IEnumerable<double> Logged() => Profiles.Normal(seed: 42, mean: 0.3, deviation: 1.2).Take(Rows)
        .Select((value, row) => row % 997 == 0 ? double.NaN : row % 4999 == 0 ? double.PositiveInfinity : row % 7001 == 0 ? double.NegativeInfinity : value);

    [Fact]
    public void Psi_of_the_merged_windows_equals_psi_of_the_exact_counts()
    {
        var reference = Profiles.Numeric([.. Profiles.Normal(seed: 7, mean: 0, deviation: 1).Take(20_000)]);

        // Ten windows filled value by value, each stored as JSON and read back before they are merged, as a monitor would.
        var stored = new List<string>();
        var window = reference.NewHistogram();
        var row = 0;
        foreach (var value in Logged())
        {
            window.Add(value);
            if (++row % (Rows / Windows) == 0)
            {
                stored.Add(window.ToJson());
                window = reference.NewHistogram();
            }
        }
        var merged = reference.NewHistogram();
        foreach (var json in stored)
            merged.Merge(NumericHistogram.FromJson(json));

        // Exact counts over the reference bins by a linear scan of the edges, independent of the histogram's binary search.
        var exact = new double[reference.Edges.Count + 1];
        long missing = 0;
        foreach (var value in Logged())
        {
            if (!double.IsFinite(value))
            {
                missing++;
                continue;
            }
            var bin = 0;
            while (bin < reference.Edges.Count && value >= reference.Edges[bin])
                bin++;
            exact[bin]++;
        }

        var psi = PopulationStabilityIndex.Of(reference, merged);

        Assert.Equal(exact, merged.Coarsen(reference.Edges).Counts.Select(c => (double)c));
        Assert.Equal(missing, merged.NullCount + merged.PositiveInfinityCount + merged.NegativeInfinityCount);
        Assert.Equal(Rows, merged.Count);
        Assert.Equal(PopulationStabilityIndex.Between(reference.Proportions, exact), psi.Value, 12);
        Assert.InRange(psi.Value, 0.05, 1);
    }

    [Fact]
    public void A_stored_window_stays_small_whatever_the_number_of_rows()
    {
        var reference = Profiles.Numeric([.. Profiles.Normal(seed: 8, mean: 0, deviation: 1).Take(20_000)]);
        var histogram = reference.NewHistogram();
        var clock = Stopwatch.StartNew();

        foreach (var value in Logged())
            histogram.Add(value);

        Assert.True(histogram.ToJson().Length < 8_000, $"{histogram.ToJson().Length} characters");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a million adds took {clock.Elapsed}");
    }
}
