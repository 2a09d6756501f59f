using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_a_reference_is_prepared_from_a_profile
{
    private static readonly NumericReference Reference =
        NumericReference.From(ProfileBuilder.Numeric("x", [.. Profiles.Normal(seed: 5, mean: 0, deviation: 1).Take(10_000)]));

    [Fact]
    public void The_fine_bins_are_the_reference_bins_refined_by_up_to_a_hundred_sample_quantiles_and_the_training_range()
    {
        Assert.Equal(9, Reference.Edges.Count);
        Assert.All(Reference.Edges, edge => Assert.Contains(edge, Reference.FineEdges));
        Assert.InRange(Reference.FineEdges.Count, 99 + 2, 99 + 9 + 2);
        Assert.Equal((Reference.Min!.Value, Math.BitIncrement(Reference.Max!.Value)), (Reference.FineEdges[0], Reference.FineEdges[^1]));
        Assert.Equal((0.0, 0.0), (Reference.FineProportions[0], Reference.FineProportions[^1]));
        Assert.Equal(Reference.FineEdges.Order(), Reference.FineEdges);
        Assert.Equal(1, Reference.FineProportions.Sum(), 12);
        Assert.Equal(1000, Reference.FineSize);
    }

    [Fact]
    public void Fine_quantile_bins_hold_equal_shares_of_the_sample()
    {
        var edges = QuantileBins.EdgesOf(Reference.Sample, 20);
        var histogram = new NumericHistogram(edges);
        histogram.AddRange(Reference.Sample);

        Assert.Equal(19, edges.Count);
        Assert.All(histogram.Counts, count => Assert.Equal(50, count));
    }

    [Fact]
    public void A_discrete_sample_gets_one_bin_per_distinct_value()
    {
        Assert.Equal([1.0, 2.0], QuantileBins.EdgesOf([0, 0, 0, 0, 1, 1, 1, 2, 2, 2], 10));
    }

    [Fact]
    public void A_window_over_the_fine_bins_gives_the_psi_of_a_window_over_the_reference_bins()
    {
        var values = Profiles.Normal(seed: 6, mean: 0.4, deviation: 1.3).Take(10_000).ToArray();
        var coarse = new NumericHistogram(Reference.Edges);
        coarse.AddRange(values);

        Assert.Equal(PopulationStabilityIndex.Of(Reference, coarse).Value, PopulationStabilityIndex.Of(Reference, Reference.Window(values)).Value, 12);
    }

    [Fact]
    public void A_window_binned_for_another_reference_is_refused()
    {
        var other = new NumericHistogram([0.0, 1.0]);
        other.Add(0.5);

        var error = Assert.Throws<ArgumentException>(() => PopulationStabilityIndex.Of(Reference, other));

        Assert.Contains("not binned for this reference", error.Message);
    }

    [Fact]
    public void A_categorical_profile_is_not_a_numeric_reference()
    {
        Assert.Throws<ArgumentException>(() => NumericReference.From(ProfileBuilder.Categorical("plan", ["a"])));
    }
}

public sealed class When_a_window_was_stored_before_the_fine_bins_had_range_edges
{
    private static readonly NumericReference Reference = Profiles.Numeric([.. Profiles.Normal(seed: 8, mean: 0, deviation: 1).Take(5000)]);

    // What NumericReference made before the training minimum and maximum became fine edges.
    private static readonly double[] OldEdges = [.. Reference.FineEdges.Skip(1).SkipLast(1)];

    [Fact]
    public void New_batches_merge_into_it_over_its_own_edges_and_it_is_still_measured()
    {
        var stored = new NumericHistogram(OldEdges);
        var earlier = Profiles.Normal(seed: 9, mean: 0.3, deviation: 1).Take(400).ToArray();
        var later = Profiles.Normal(seed: 10, mean: 0.3, deviation: 1).Take(600).ToArray();
        stored.AddRange(earlier);

        stored.Merge(Reference.Window(later));

        var expected = new NumericHistogram(OldEdges);
        expected.AddRange(earlier.Concat(later));
        Assert.Equal(expected.Counts, stored.Counts);
        Assert.Equal(1000, stored.FiniteCount);
        // Inside the training range both CDFs are 0 at the minimum and 1 just above the maximum: the extra edges change nothing.
        var values = earlier.Concat(later).Where(v => v >= Reference.Min && v <= Reference.Max).ToArray();
        var old = new NumericHistogram(OldEdges);
        old.AddRange(values);
        Assert.Equal(KolmogorovSmirnov.Of(Reference, Reference.Window(values)).Value, KolmogorovSmirnov.Of(Reference, old).Value, 12);
        Assert.Equal(MeasurementStatus.Computed, Wasserstein.Of(Reference, stored).Status);
    }

    [Fact]
    public void Histograms_of_unrelated_references_still_refuse_to_merge()
    {
        var other = new NumericHistogram([-100.0, 100.0]);

        Assert.Throws<ArgumentException>(() => other.Merge(Reference.Window(1.0, 2.0)));
    }
}
